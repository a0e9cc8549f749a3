#!/usr/bin/env python3
"""Exits 0 when two slant output folders hold the same run: run.json equal apart from what
describes the work rather than the result (seconds, the part list of a merged run, and the
encoder work counts: parts deduplicate sentences only within themselves), which includes the
row count and SHA-256 of every table, and every table on disk as run.json records it. Prints
what differs otherwise.

Usage: same_run.py EXPECTED OTHER
"""
import hashlib
import json
import sys
from pathlib import Path

WORK = ["sentences_scored", "sentences_reused", "mentions_scored"]


def result(run_dir):
    run = json.loads((run_dir / "run.json").read_text())
    problems = [f"{run_dir / t['file']} is not the table run.json records"
                for t in run["tables"]
                if hashlib.sha256((run_dir / t["file"]).read_bytes()).hexdigest() != t["sha256"]]
    run.pop("seconds", None)
    run.pop("parts", None)
    for key in WORK:
        run["counts"].pop(key, None)
    return run, problems


def main():
    a, b = Path(sys.argv[1]), Path(sys.argv[2])
    (run_a, problems_a), (run_b, problems_b) = result(a), result(b)
    problems = problems_a + problems_b
    for key in sorted(set(run_a) | set(run_b)):
        if run_a.get(key) != run_b.get(key):
            problems.append(f"run.json {key!r} differs between {a} and {b}")
    for line in problems:
        print(line)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
