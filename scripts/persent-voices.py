#!/usr/bin/env python3
"""Does own-voice framing of an article's main entity agree with the author's sentiment better
than framing over all its mentions? PerSenT (Bastan et al., COLING 2020) labels each article's
author sentiment toward one entity (Negative / Neutral / Positive).

Scores PerSenT's dev split with `slant score` (a registry of its target entities, written to a
temporary folder, never into the project), then for each article takes the mean stance of its
target's mentions: over all mentions, and over those in the outlet's own voice. Articles go to
two halves by SHA-256 of their index; the two thresholds (negative below, positive above) are
chosen on one half to maximise macro-F1 and reported on the other, both ways round.

Usage: scripts/persent-voices.py [--persent ../shared/datasets/persent/dev.csv] [--voice tagger|learned|rules]
"""
import argparse
import csv
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELS = ["Negative", "Neutral", "Positive"]


def macro_f1(gold, predicted):
    f1s = []
    for label in LABELS:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(f1s) / len(f1s)


def label(score, low, high):
    if score is None:
        return "Neutral"
    return "Negative" if score < low else "Positive" if score > high else "Neutral"


def best_thresholds(rows, key):
    grid = [x / 100 for x in range(-100, 101, 5)]
    best = (-1.0, 0.0, 0.0)
    for low in grid:
        for high in grid:
            if high < low:
                continue
            f1 = macro_f1([r["gold"] for r in rows], [label(r[key], low, high) for r in rows])
            if f1 > best[0]:
                best = (f1, low, high)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--persent", default=str(ROOT.parent / "shared/datasets/persent/dev.csv"))
    ap.add_argument("--voice", default="tagger", choices=["tagger", "learned", "rules"])
    ap.add_argument("--slant", default=str(ROOT / "target/release/slant"))
    args = ap.parse_args()
    articles = list(csv.DictReader(open(args.persent, encoding="utf-8")))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ids = {}
        with open(tmp / "persent.jsonl", "w", encoding="utf-8") as out:
            for a in articles:
                out.write(json.dumps({"id": a["DOCUMENT_INDEX"], "outlet": "persent",
                                      "text": a["DOCUMENT"]}) + "\n")
        entities = sorted({a["TARGET_ENTITY"].strip() for a in articles})
        with open(tmp / "targets.csv", "w", encoding="utf-8", newline="") as out:
            w = csv.writer(out)
            w.writerow(["id", "name", "aliases", "camp", "kind"])
            for i, name in enumerate(entities):
                ids[name] = f"t{i}"
                words = name.split()
                person = 2 <= len(words) <= 3 and all(x[:1].isupper() for x in words)
                w.writerow([f"t{i}", name, "", "target", "person" if person else "organization"])
        subprocess.run([args.slant, "--quiet", "score", str(tmp / "persent.jsonl"), "--actors",
                        str(tmp / "targets.csv"), "--voice", args.voice, "--out", str(tmp / "run")],
                       check=True)
        scores = {}
        with open(tmp / "run/mentions.csv", encoding="utf-8") as f:
            for m in csv.DictReader(f):
                scores.setdefault((m["article_id"], m["actor_id"]), []).append(
                    (float(m["score"]), m["voice"]))
    rows = []
    for a in articles:
        found = scores.get((a["DOCUMENT_INDEX"], ids[a["TARGET_ENTITY"].strip()]), [])
        own = [s for s, v in found if v == "own"]
        mean = lambda xs: sum(xs) / len(xs) if xs else None
        half = hashlib.sha256(a["DOCUMENT_INDEX"].encode()).digest()[0] % 2
        rows.append({"gold": a["TRUE_SENTIMENT"], "all": mean([s for s, _ in found]),
                     "own": mean(own) if own else mean([s for s, _ in found]), "half": half,
                     "mentioned": bool(found), "own_mentions": len(own), "mentions": len(found)})
    mentioned = sum(r["mentioned"] for r in rows)
    share_own = sum(r["own_mentions"] for r in rows) / max(1, sum(r["mentions"] for r in rows))
    print(f"{len(rows)} articles, {mentioned} with their target found; "
          f"{share_own:.1%} of target mentions in the outlet's own voice (--voice {args.voice})")
    print("(an article whose target has no own-voice mention falls back to all its mentions)")
    for key in ["all", "own"]:
        results = []
        for tune in (0, 1):
            f1, low, high = best_thresholds([r for r in rows if r["half"] == tune], key)
            test = [r for r in rows if r["half"] != tune]
            results.append((macro_f1([r["gold"] for r in test],
                                     [label(r[key], low, high) for r in test]), low, high))
        print(f"{key:>4} mentions: macro-F1 {results[0][0]:.3f} (thresholds {results[0][1]:+.2f}/"
              f"{results[0][2]:+.2f} from half 0, on half 1), {results[1][0]:.3f} (from half 1, "
              f"on half 0); mean {(results[0][0] + results[1][0]) / 2:.3f}")


if __name__ == "__main__":
    sys.exit(main())
