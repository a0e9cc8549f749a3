#!/usr/bin/env python3
"""Writes N generated news-like articles as JSONL, for scale checks (never committed: the
scripts write them to temporary folders). Six sentences each; by default half the articles
name one actor of datasets/actors/{peru,us}.csv once, in a sentence with a number that
makes it unique (so deduplication does not flatter the figures).

Usage: generate_corpus.py N FILE [--mentioned SHARE] [--seed S]
"""
import argparse
import json
import random

ACTORS = ["Dina Boluarte", "Pedro Castillo", "Gustavo Petro", "Boluarte", "Castillo",
          "Joe Biden", "Donald Trump", "Nancy Pelosi", "Mitch McConnell", "Kamala Harris"]
VERBS = ["praised", "criticised", "met", "condemned", "defended", "blamed", "thanked",
         "questioned", "supported", "attacked", "visited", "ignored"]
OBJECTS = ["the new budget", "protesters in Lima", "the court ruling", "a trade deal",
           "the opposition", "police officers", "farmers in the south", "the central bank",
           "a reform of the constitution", "regional governors", "striking miners"]
FILLERS = ["Officials said the talks would continue next week.",
           "The ministry did not respond to a request for comment.",
           "Prices rose for the third month in a row.",
           "Schools in the capital stayed closed on Tuesday.",
           "Analysts expect the vote to be close.",
           "Roads to the airport were blocked for several hours."]
OUTLETS = [f"outlet{i:02d}" for i in range(12)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int)
    parser.add_argument("path")
    parser.add_argument("--mentioned", type=float, default=0.5,
                        help="share of articles that name an actor")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with open(args.path, "w") as f:
        for i in range(args.n):
            sentences = []
            if rng.random() < args.mentioned:
                detail = rng.choice(OBJECTS)
                sentences.append(f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {detail} on day "
                                 f"{rng.randint(1, 99999)}.")
            sentences += rng.sample(FILLERS, 6 - len(sentences))
            rng.shuffle(sentences)
            f.write(json.dumps({"id": f"a{i:07d}", "outlet": rng.choice(OUTLETS),
                                "date": f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                                "text": " ".join(sentences)}) + "\n")


if __name__ == "__main__":
    main()
