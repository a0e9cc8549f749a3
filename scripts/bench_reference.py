#!/usr/bin/env python3
"""The Python references for scripts/bench: what a user would write to score mentions with the
same architecture and weights as slant's model (Hugging Face transformers + PyTorch, and the
same on onnxruntime), plus the pure-encoder timing on the exact batches the Rust side times.

Runs in the throwaway benchmark venv (torch, transformers, onnxruntime), never in slant's tests.

  torch   MODEL MENTIONS            one forward pass per mention, marked target, batches of 32
  export  MODEL OUT.onnx            torch.onnx.export of that reference module
  ort     MODEL REF.onnx MENTIONS   the torch loop with onnxruntime running the exported graph
  batches MODEL MENTIONS OUT.bin [unsorted]
                                    padded batches of 32 in slant's input layout, sorted by
                                    length as slant forms them (or in file order)
  encoder SLANT.onnx BATCHES.bin    onnxruntime on slant's exported graph over those batches
  tokens  MODEL MENTIONS            the encoder's work on these mentions: word pieces (and their
                                    squares, for attention) of the marked inputs, once per distinct
                                    (sentence, span) as slant scores them, and of the distinct
                                    sentences unmarked (one pass per sentence, the least work)

Each timing prints one JSON line. Threads: 2 (BENCH_THREADS).
"""
import json
import os
import struct
import sys
import time

import numpy as np

THREADS = int(os.environ.get("BENCH_THREADS", "2"))
BATCH = int(os.environ.get("BENCH_BATCH", "32"))
MARKERS = ["[unused0]", "[unused1]"]


def load_mentions(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def tokenizer_for(model_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    # The markers are in BERT's vocabulary but not special: without this they split into pieces.
    tok.add_special_tokens({"additional_special_tokens": MARKERS})
    return tok


def encode(tok, mentions):
    """Marked inputs and, per input, the pooling weights over the marked span (markers included)."""
    texts = [
        m["sentence"][: m["from"]] + f"{MARKERS[0]} " + m["sentence"][m["from"] : m["to"]] + f" {MARKERS[1]}" + m["sentence"][m["to"] :]
        for m in mentions
    ]
    enc = tok(texts, padding=True, truncation=True, max_length=128, return_tensors="np")
    ids = enc["input_ids"]
    start_id, end_id = tok.convert_tokens_to_ids(MARKERS)
    weights = np.zeros(ids.shape, dtype=np.float32)
    for row in range(ids.shape[0]):
        s = int(np.argmax(ids[row] == start_id))
        e = int(np.argmax(ids[row] == end_id))
        weights[row, s : e + 1] = 1.0 / (e - s + 1)
    return ids.astype(np.int64), enc["attention_mask"].astype(np.int64), weights


def torch_module(model_dir):
    import torch
    from safetensors.torch import load_file
    from transformers import BertModel

    class Stance(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = BertModel.from_pretrained(model_dir, add_pooling_layer=False, torch_dtype=torch.float32)
            tensors = load_file(os.path.join(model_dir, "model.safetensors"))
            self.head = torch.nn.Linear(self.bert.config.hidden_size, 3)
            self.head.weight.data = tensors["head.weight"].float()
            self.head.bias.data = tensors["head.bias"].float()

        def forward(self, input_ids, attention_mask, pool_weights):
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            pooled = (pool_weights.unsqueeze(-1) * hidden).sum(1)
            return torch.softmax(self.head(pooled), dim=-1)

    return Stance().eval()


def run_torch(model_dir, mentions_path):
    import torch

    torch.set_num_threads(THREADS)
    tok, module = tokenizer_for(model_dir), torch_module(model_dir)
    mentions = load_mentions(mentions_path)
    start = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(mentions), BATCH):
            ids, mask, weights = encode(tok, mentions[i : i + BATCH])
            module(torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(weights))
    report("torch", len(mentions), time.perf_counter() - start)


def export(model_dir, out):
    import torch

    module = torch_module(model_dir)
    ids, mask, weights = encode(tokenizer_for(model_dir), load_mentions_sample())
    torch.onnx.export(
        module,
        (torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(weights)),
        out,
        input_names=["input_ids", "attention_mask", "pool_weights"],
        output_names=["probabilities"],
        dynamic_axes={n: {0: "batch", 1: "seq"} for n in ["input_ids", "attention_mask", "pool_weights"]},
        opset_version=17,
        dynamo=False,
    )


def load_mentions_sample():
    return [
        {"sentence": "Dina Boluarte met regional governors at the palace.", "from": 0, "to": 13},
        {"sentence": "Protesters demanded that Dina Boluarte resign after the deaths in the south.", "from": 25, "to": 38},
    ]


def ort_session(path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def run_ort(model_dir, onnx_path, mentions_path):
    tok, session = tokenizer_for(model_dir), ort_session(onnx_path)
    mentions = load_mentions(mentions_path)
    start = time.perf_counter()
    for i in range(0, len(mentions), BATCH):
        ids, mask, weights = encode(tok, mentions[i : i + BATCH])
        session.run(None, {"input_ids": ids, "attention_mask": mask, "pool_weights": weights})
    report("python-onnxruntime", len(mentions), time.perf_counter() - start)


def write_batches(model_dir, mentions_path, out, order="sorted"):
    """Batches of 32 (length-sorted as slant forms them, or in file order with `unsorted`) in
    the layout benches/encoder.rs reads:
    per batch u32 rows, seq; then ids, mask (i64, rows*seq), pool weights (f32, rows*seq),
    input_of (i64, rows)."""
    tok = tokenizer_for(model_dir)
    mentions = load_mentions(mentions_path)
    encoded = []
    for i in range(0, len(mentions), 256):
        ids, mask, weights = encode(tok, mentions[i : i + 256])
        for r in range(ids.shape[0]):
            n = int(mask[r].sum())
            encoded.append((ids[r, :n], weights[r, :n]))
    if order == "sorted":
        encoded.sort(key=lambda e: len(e[0]))
    with open(out, "wb") as f:
        for i in range(0, len(encoded), BATCH):
            chunk = encoded[i : i + BATCH]
            seq = max(len(e[0]) for e in chunk)
            ids = np.zeros((len(chunk), seq), dtype=np.int64)
            mask = np.zeros((len(chunk), seq), dtype=np.int64)
            weights = np.zeros((len(chunk), seq), dtype=np.float32)
            for r, (row_ids, row_weights) in enumerate(chunk):
                ids[r, : len(row_ids)] = row_ids
                mask[r, : len(row_ids)] = 1
                weights[r, : len(row_ids)] = row_weights
            f.write(struct.pack("<II", len(chunk), seq))
            f.write(ids.tobytes() + mask.tobytes() + weights.tobytes())
            f.write(np.arange(len(chunk), dtype=np.int64).tobytes())


def read_batches(path):
    data = open(path, "rb").read()
    batches, offset = [], 0
    while offset < len(data):
        rows, seq = struct.unpack_from("<II", data, offset)
        offset += 8
        take = lambda dtype, n: np.frombuffer(data, dtype=dtype, count=n, offset=offset)
        ids = take(np.int64, rows * seq).reshape(rows, seq)
        offset += 8 * rows * seq
        mask = take(np.int64, rows * seq).reshape(rows, seq)
        offset += 8 * rows * seq
        weights = take(np.float32, rows * seq).reshape(rows, seq)
        offset += 4 * rows * seq
        input_of = take(np.int64, rows)
        offset += 8 * rows
        batches.append({"input_ids": ids, "attention_mask": mask, "pool_weights": weights, "input_of": input_of})
    return batches


def run_encoder(onnx_path, batches_path):
    session = ort_session(onnx_path)
    batches = read_batches(batches_path)
    session.run(None, batches[0])  # warm-up, as the Rust side does
    start = time.perf_counter()
    for batch in batches:
        session.run(None, batch)
    report("python-onnxruntime-encoder", sum(b["input_ids"].shape[0] for b in batches), time.perf_counter() - start)


def count_tokens(model_dir, mentions_path):
    tok = tokenizer_for(model_dir)
    mentions = load_mentions(mentions_path)
    marked = list({(m["sentence"], m["from"], m["to"]): m for m in mentions}.values())
    sentences = sorted({m["sentence"] for m in mentions})
    lengths = []
    for i in range(0, len(marked), 256):
        _, mask, _ = encode(tok, marked[i : i + 256])
        lengths.extend(int(n) for n in mask.sum(axis=1))
    plain = [len(ids) for ids in tok(sentences, truncation=True, max_length=128)["input_ids"]]
    print(json.dumps({
        "mentions": len(mentions),
        "marked_inputs": len(marked), "marked_tokens": sum(lengths), "marked_squares": sum(n * n for n in lengths),
        "sentences": len(sentences), "sentence_tokens": sum(plain), "sentence_squares": sum(n * n for n in plain),
    }))


def report(name, mentions, seconds):
    print(json.dumps({"name": name, "mentions": mentions, "seconds": seconds, "mentions_per_s": mentions / seconds}))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"torch": run_torch, "export": export, "ort": run_ort, "batches": write_batches, "encoder": run_encoder, "tokens": count_tokens}[command](*args)
