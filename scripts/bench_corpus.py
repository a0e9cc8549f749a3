#!/usr/bin/env python3
"""Deterministic synthetic news corpus for scripts/bench (all text generated here, from word
lists written for slant and the names in datasets/actors).

Writes OUT/corpus.jsonl (articles for `slant score`) and OUT/mentions.jsonl (one line per actor
mention: sentence, char span), which the Python references score, as a user who already has
the mentions would. Like real news, a share of the sentences are wire copy repeated across
articles and outlets.

Usage: scripts/bench_corpus.py OUT [--articles 2000] [--seed 7]
"""
import argparse
import csv
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTLETS = ["Harbor Ledger", "Prairie Post", "Summit Courier", "Valley Observer", "Capital Signal"]
# (verb phrase, how it frames the subject)
FRAMES = [
    "was praised by community leaders for",
    "was sharply criticised over",
    "announced a review of",
    "defended the record on",
    "faced growing protests against",
    "won broad support for",
    "was accused of misleading voters about",
    "met local officials to discuss",
    "promised swift action on",
    "was blamed by analysts for the collapse of",
]
TOPICS = [
    "the regional water plan", "the new tax package", "emergency funding for farmers",
    "the transport strike", "a disputed election audit", "rising food prices",
    "the mining concession", "police reform", "the pension overhaul", "hospital staffing",
    "the border agreement", "school construction", "the anti-corruption inquiry",
    "housing subsidies", "the fuel price freeze", "rural broadband",
]
FILLER = [
    "according to officials who spoke on condition of anonymity",
    "in a statement released late on Tuesday",
    "as lawmakers returned from a short recess",
    "while markets in the capital stayed calm",
    "after weeks of negotiations with unions",
    "in remarks broadcast on national radio",
    "as a new poll showed voters divided",
    "despite warnings from independent economists",
    "before a crowd of several hundred supporters",
    "during a visit to the flooded northern provinces",
]
BACKGROUND = [
    "Rain is expected across the coast for most of the week",
    "The central bank left its benchmark rate unchanged at its monthly meeting",
    "Traffic on the main highway was diverted for several hours because of repairs",
    "Exports of copper rose for the third month in a row, the statistics office said",
    "The festival drew thousands of visitors to the old town over the weekend",
    "Teachers in several districts reported shortages of textbooks and desks",
    "The airport authority said flights would resume on a normal schedule",
    "Analysts expect the harvest to be smaller than last year because of drought",
    "The city council approved a budget for new bus lanes and cycle paths",
    "Officials said the investigation into the warehouse fire would take months",
]


def actor_names():
    names = []
    for registry in ["datasets/actors/us.csv", "datasets/actors/peru.csv"]:
        with open(ROOT / registry, encoding="utf-8") as f:
            rows = csv.DictReader(line for line in f if not line.startswith("#"))
            names.extend(r["name"] for r in rows if r["kind"] == "person")
    return sorted(set(names))


def mention_sentence(rng, names):
    """A ~30-40 word sentence with one or two actor mentions; returns (text, spans)."""
    first = rng.choice(names)
    parts = [first, rng.choice(FRAMES), rng.choice(TOPICS) + ",", rng.choice(FILLER) + ","]
    second = None
    if rng.random() < 0.35:
        second = rng.choice([n for n in names if n != first])
        parts += ["and", second, rng.choice(FRAMES), rng.choice(TOPICS)]
    else:
        parts += ["and the debate over", rng.choice(TOPICS), "continued"]
    parts += [rng.choice(FILLER), "in the capital on", rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])]
    text = " ".join(parts) + "."
    spans = [(0, len(first))]
    if second:
        start = text.index(" " + second + " ") + 1
        spans.append((start, start + len(second)))
    return text, spans


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    names = actor_names()
    wire = [mention_sentence(rng, names) for _ in range(300)]
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "corpus.jsonl", "w", encoding="utf-8") as corpus, open(
        args.out / "mentions.jsonl", "w", encoding="utf-8"
    ) as mentions:
        for a in range(args.articles):
            sentences = []
            n_mentions = 0
            while n_mentions < 8:
                # About a third of mention sentences are wire copy shared across articles.
                text, spans = rng.choice(wire) if rng.random() < 0.3 else mention_sentence(rng, names)
                sentences.append((text, spans))
                n_mentions += len(spans)
            while len(sentences) < 30:
                sentences.append((rng.choice(BACKGROUND) + " " + rng.choice(FILLER) + ".", []))
            rng.shuffle(sentences)
            article_id = f"bench-{a:05d}"
            for text, spans in sentences:
                for start, end in spans:
                    mentions.write(json.dumps({"id": article_id, "sentence": text, "from": start, "to": end}) + "\n")
            corpus.write(json.dumps({
                "id": article_id,
                "outlet": OUTLETS[a % len(OUTLETS)],
                "date": f"2023-{1 + a % 12:02d}-{1 + a % 28:02d}",
                "title": f"Bench article {a}",
                "text": " ".join(text for text, _ in sentences),
            }) + "\n")


if __name__ == "__main__":
    main()
