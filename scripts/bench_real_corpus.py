#!/usr/bin/env python3
"""The real-news corpus for scripts/bench: PolNeAR's article texts (../shared, never copied into
the project; the corpus is written under .cache) and the mentions slant found in them, in the
form the Python references read.

  corpus   SOURCE_DIR OUT.jsonl [--articles N]
           N articles spread evenly over the sorted file names (so every publisher is in),
           outlet = the publisher (the file name's prefix before the first "_")
  mentions CORPUS.jsonl MENTIONS.csv OUT.jsonl
           one line per mention slant scored: the sentence (the window the model read) and the
           mention's character span in it, so the references score exactly the same mentions
"""
import argparse
import csv
import json
from pathlib import Path


def corpus(source, out, articles):
    files = sorted(p for p in Path(source).iterdir() if p.suffix == ".txt")
    if articles < len(files):
        files = [files[i * len(files) // articles] for i in range(articles)]
    with open(out, "w", encoding="utf-8") as f:
        for path in files:
            text = path.read_text(encoding="utf-8-sig")
            outlet = path.stem.split("_", 1)[0]
            f.write(json.dumps({"id": path.stem, "outlet": outlet, "text": text}) + "\n")


def mentions(corpus_path, mentions_csv, out):
    texts = {}
    with open(corpus_path, encoding="utf-8") as f:
        for line in f:
            article = json.loads(line)
            texts[article["id"]] = article["text"].encode("utf-8")
    with open(mentions_csv, encoding="utf-8", newline="") as f, open(out, "w", encoding="utf-8") as o:
        for row in csv.DictReader(f):
            text = texts[row["article_id"]]
            s, e = int(row["sentence_start"]), int(row["sentence_end"])
            start, end = int(row["start"]), int(row["end"])
            sentence = text[s:e].decode("utf-8")
            begin = len(text[s:start].decode("utf-8"))
            finish = begin + len(text[start:end].decode("utf-8"))
            assert sentence[begin:finish] == row["mention"], (row["article_id"], row["mention"])
            o.write(json.dumps({"id": row["article_id"], "sentence": sentence, "from": begin, "to": finish}) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("corpus")
    c.add_argument("source")
    c.add_argument("out")
    c.add_argument("--articles", type=int, default=300)
    m = sub.add_parser("mentions")
    m.add_argument("corpus")
    m.add_argument("mentions_csv")
    m.add_argument("out")
    args = parser.parse_args()
    if args.command == "corpus":
        corpus(args.source, args.out, args.articles)
    else:
        mentions(args.corpus, args.mentions_csv, args.out)
