#!/usr/bin/env python3
"""Writes tests/fixtures/mpnet-reference.json: what Python's sentence-transformers computes with
all-mpnet-base-v2 for a few sentences the project wrote, so the candle MPNet can be checked
against the reference implementation without either being a dependency.

Run once, in a throwaway virtual environment (nothing here is needed to build or test slant):

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install --no-deps torch      # the CPU code is all the check needs
    /tmp/refvenv/bin/pip install transformers sentence-transformers filelock typing-extensions \
        sympy networkx jinja2 fsspec numpy
    /tmp/refvenv/bin/python scripts/mpnet_reference.py MODEL_DIR > tests/fixtures/mpnet-reference.json

MODEL_DIR is the unpacked all-mpnet-base-v2 (`slant fetch --base mpnet` puts it in slant's
cache). The fixture keeps, per sentence: the token ids, the first 8 values of every token's last
hidden state, and the whole mean-pooled, normalised sentence embedding; and one padded batch of
all sentences, whose real tokens must match the unpadded runs.
"""
import json
import sys

import torch
from sentence_transformers import SentenceTransformer
from transformers import AutoModel, AutoTokenizer

SENTENCES = [
    "Colombian President Gustavo Petro voiced his support for the ousted Peruvian leader.",
    "Protesters in Lima demanded the resignation of President Dina Boluarte.",
    "The ministry called the remarks interventionist and provocative.",
    "Congress voted.",
    # Long enough (over 64 word pieces) that relative distances reach the logarithmic buckets.
    "After weeks of protests in the southern regions, where demonstrators blocked roads, "
    "occupied airports and clashed with police, the government of President Dina Boluarte "
    "declared a state of emergency, while opposition lawmakers in Congress argued that early "
    "elections, not curfews, were the only way to end a crisis that had already cost dozens "
    "of lives and divided the country between the capital and the provinces.",
]
HEAD = 8


def rounded(values):
    return [round(float(v), 6) for v in values]


def main(model_dir):
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    sentence_model = SentenceTransformer(model_dir, device="cpu")
    embeddings = sentence_model.encode(SENTENCES, normalize_embeddings=True, batch_size=1)
    cases = []
    with torch.no_grad():
        for sentence, embedding in zip(SENTENCES, embeddings):
            ids = tokenizer(sentence, return_tensors="pt")
            hidden = model(**ids).last_hidden_state[0]
            cases.append(
                {
                    "text": sentence,
                    "ids": ids["input_ids"][0].tolist(),
                    "hidden_head": [rounded(row[:HEAD]) for row in hidden],
                    "embedding": rounded(embedding),
                }
            )
        batch = tokenizer(SENTENCES, return_tensors="pt", padding=True)
        padded = model(**batch).last_hidden_state
        batch_head = [
            [rounded(padded[i, t, :HEAD]) for t in range(len(case["ids"]))]
            for i, case in enumerate(cases)
        ]
    json.dump(
        {
            "model": "sentence-transformers/all-mpnet-base-v2",
            "reference": f"transformers + sentence-transformers on torch {torch.__version__}",
            "head": HEAD,
            "cases": cases,
            "padded_batch_head": batch_head,
        },
        sys.stdout,
        indent=None,
        separators=(",", ":"),
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
