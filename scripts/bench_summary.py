#!/usr/bin/env python3
"""Turns scripts/bench's raw measurements into the table of medians in benches/RESULTS.md.
Usage: scripts/bench_summary.py RESULTS.jsonl VENV_PYTHON COMMAND"""
import json
import platform
import statistics
import subprocess
import sys
from collections import defaultdict

results_path, venv_python, command = sys.argv[1:4]
rows = [json.loads(line) for line in open(results_path)]


def out(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        return f"unknown ({e})"


def median(values):
    return statistics.median(values) if values else float("nan")


groups = defaultdict(list)
for r in rows:
    if r["name"] != "accuracy" and not r["name"].endswith("-encoder"):
        groups[r["name"]].append(r)
torch = median([r["mentions_per_s"] for r in groups["python-torch"]])
repeats = max(len(v) for v in groups.values())

lines = ["# Benchmark results", ""]
lines.append(f"Command: `{command}` (then this file is rewritten from `.cache/bench/results.jsonl`).")
lines.append("")
cpu = out(["sh", "-c", "lscpu | sed -n 's/^Model name: *//p'"])
lines.append(f"Machine: {cpu}, {out(['nproc'])} cores visible, {platform.machine()}, Linux {platform.release()}; every run uses 2 threads.")
versions = out([venv_python, "-c", "import torch, transformers, onnxruntime; print(f'torch {torch.__version__}, transformers {transformers.__version__}, onnxruntime {onnxruntime.__version__}')"])
lines.append(f"Versions: slant {out(['git', 'rev-parse', '--short', 'HEAD'])} ({out(['rustc', '--version'])}), ONNX Runtime 1.31.1 (PyPI wheel) for slant; Python side: {versions}.")
lines.append("")
lines.append(f"Medians over {repeats} repeats. slant figures are whole `slant score` processes (reading, sentence splitting, mention")
lines.append("finding, model load and ONNX export, scoring, aggregation, CSV); the Python references time only their scoring loop")
lines.append("(tokenization and model calls), after imports and model load, given the mention spans (so slant's figures are the")
lines.append("conservative ones).")
lines.append("")
lines.append("## End to end: the benchmark corpus")
lines.append("")
lines.append("| run | articles/s | mentions/s | x PyTorch | peak RSS (MB) | seconds |")
lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
for name in ["slant-candle", "slant-ort", "slant-ort-int8", "python-torch", "python-ort"]:
    g = groups.get(name, [])
    if not g:
        continue
    mps = median([r["mentions_per_s"] for r in g])
    seconds = median([r.get("seconds") for r in g])
    aps = median([r["articles_per_s"] for r in g]) if "articles_per_s" in g[0] else None
    rss = median([r["peak_rss_mb"] for r in g])
    label = {"slant-candle": "slant, candle f32", "slant-ort": "slant, ONNX Runtime f32", "slant-ort-int8": "slant, ONNX Runtime int8 (default)",
             "python-torch": "Python: transformers + PyTorch (reference)", "python-ort": "Python: onnxruntime on torch.onnx.export"}[name]
    lines.append(f"| {label} | {'' if aps is None else f'{aps:.1f}'} | {mps:.1f} | {mps / torch:.2f} | {rss:.0f} | {seconds:.1f} |")
lines.append("")

counts = groups["slant-ort-int8"][0]["counts"] if groups.get("slant-ort-int8") else None
if counts:
    c = counts
    lines.append(f"Corpus: {c['articles']} articles, {c['sentences']} sentences, {c['mentions']} mentions in {c['sentences_with_mentions']} sentences.")
    lines.append("")
    lines.append("## What each saving buys")
    lines.append("")
    lines.append(f"- Only sentences with mentions are encoded: {c['sentences_with_mentions']} of {c['sentences']} sentences "
                 f"({c['sentences_with_mentions'] / c['sentences']:.1%}).")
    lines.append(f"- Repeated sentences are scored once: the model scored {c['mentions_scored']} of {c['mentions']} mentions "
                 f"({c['sentences_scored']} distinct sentences, {c['sentences_reused']} repeats reused): "
                 f"{c['mentions'] / c['mentions_scored']:.2f}x fewer encoder passes.")
    lines.append("- The model marks each target, so it needs one encoder pass per (sentence, mention); a one-pass-per-sentence model")
    lines.append("  was weaker on held-out real-world text in issue 2's measurements, so the marker model stays.")

enc = defaultdict(list)
for r in rows:
    if r["name"].endswith("-encoder"):
        enc[(r["name"], r["graph"], r["order"])].append(r["mentions_per_s"])
if enc:
    lines.append("- Length-sorted batches (below, same encoder, same inputs): sorted vs file order.")
    lines.append("")
    lines.append("## Pure encoder: slant's ONNX Runtime session vs Python onnxruntime, same graph, same batches")
    lines.append("")
    lines.append("| graph | batches | slant (Rust, ort) mentions/s | Python onnxruntime mentions/s | slant / Python |")
    lines.append("| --- | --- | ---: | ---: | ---: |")
    for graph in ["f32", "int8"]:
        for order in ["sorted", "unsorted"]:
            rust = median(enc.get(("slant-onnxruntime-encoder", graph, order), []))
            python = median(enc.get(("python-onnxruntime-encoder", graph, order), []))
            lines.append(f"| {graph} | {order} | {rust:.1f} | {python:.1f} | {rust / python:.3f} |")
    lines.append("")
    for graph in ["f32", "int8"]:
        s = median(enc.get(("slant-onnxruntime-encoder", graph, "sorted"), []))
        u = median(enc.get(("slant-onnxruntime-encoder", graph, "unsorted"), []))
        lines.append(f"Length sorting, {graph}: {s / u:.2f}x the throughput of file-order batches.")
    lines.append("")
accuracy = {(r["backend"], r["file"].rsplit("/", 1)[-1].removesuffix(".jsonl")): r["macro_f1"] for r in rows if r["name"] == "accuracy"}
if accuracy:
    lines.append("")
    lines.append("## Accuracy by backend (NewsMTSC dev splits, macro-F1)")
    lines.append("")
    lines.append("| backend | dev-rw | dev-mt |")
    lines.append("| --- | ---: | ---: |")
    for backend in ["candle", "ort", "ort-int8"]:
        lines.append(f"| {backend} | {accuracy.get((backend, 'dev-rw'), float('nan')):.4f} | {accuracy.get((backend, 'dev-mt'), float('nan')):.4f} |")
    lines.append("")

print("\n".join(lines))
