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


CORPUS_TITLES = {
    "real": "real news (PolNeAR articles from 7 publishers, US registry)",
    "generated": "the generated corpus (scripts/bench_corpus.py; a third of the mention sentences repeated wire copy)",
}
LABELS = {"slant-candle": "slant, candle f32", "slant-ort": "slant, ONNX Runtime f32", "slant-ort-int8": "slant, ONNX Runtime int8 (default)",
          "python-torch": "Python: transformers + PyTorch (reference)", "python-ort": "Python: onnxruntime on torch.onnx.export"}
# MiniLM-L6: multiply-accumulates per input of n word pieces = layers * (12 h^2 n + 2 h n^2).
LAYERS, HIDDEN = 6, 384


def macs(tokens, squares):
    return LAYERS * (12 * HIDDEN * HIDDEN * tokens + 2 * HIDDEN * squares)


groups = defaultdict(list)
for r in rows:
    if r["name"] not in ("accuracy", "tokens") and not r["name"].endswith("-encoder"):
        groups[(r.get("corpus", "generated"), r["name"])].append(r)
tokens = {r["corpus"]: r for r in rows if r["name"] == "tokens"}
corpora = list(dict.fromkeys(corpus for corpus, _ in groups))
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
lines.append("finding, quotation attribution, model load and ONNX export, scoring, aggregation, CSV); the Python references time only")
lines.append("their scoring loop (tokenization and model calls, one marked input per mention in batches of 32), after imports and")
lines.append("model load, given the very mentions slant scored (so slant's figures are the conservative ones).")
lines.append("")
for corpus in corpora:
    torch = median([r["mentions_per_s"] for r in groups.get((corpus, "python-torch"), [])])
    lines.append(f"## End to end: {CORPUS_TITLES.get(corpus, corpus)}")
    lines.append("")
    lines.append("| run | articles/s | mentions/s | x PyTorch | peak RSS (MB) | seconds |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, label in LABELS.items():
        g = groups.get((corpus, name), [])
        if not g:
            continue
        mps = median([r["mentions_per_s"] for r in g])
        seconds = median([r.get("seconds") for r in g])
        aps = median([r["articles_per_s"] for r in g]) if "articles_per_s" in g[0] else None
        rss = median([r["peak_rss_mb"] for r in g])
        lines.append(f"| {label} | {'' if aps is None else f'{aps:.1f}'} | {mps:.1f} | {mps / torch:.2f} | {rss:.0f} | {seconds:.1f} |")
    lines.append("")
    default = groups.get((corpus, "slant-ort-int8"))
    if not default:
        continue
    c = default[0]["counts"]
    lines.append(f"Corpus: {c['articles']} articles, {c['sentences']} sentences, {c['mentions']} mentions in {c['sentences_with_mentions']} sentences.")
    lines.append("")
    lines.append("What each saving buys here:")
    lines.append("")
    lines.append(f"- Only sentences with mentions are encoded: {c['sentences_with_mentions']} of {c['sentences']} sentences "
                 f"({c['sentences_with_mentions'] / c['sentences']:.1%}).")
    lines.append(f"- Repeated sentences are scored once: the model scored {c['mentions_scored']} of {c['mentions']} mentions "
                 f"({c['sentences_scored']} distinct sentences, {c['sentences_reused']} repeats reused): "
                 f"{c['mentions'] / c['mentions_scored']:.2f}x fewer encoder passes.")
    t = tokens.get(corpus)
    if t:
        seconds = median([r["seconds"] for r in default])
        done, least = macs(t["marked_tokens"], t["marked_squares"]), macs(t["sentence_tokens"], t["sentence_squares"])
        lines.append(f"- The model marks each target: {t['marked_inputs']} marked inputs of {t['marked_tokens'] / t['marked_inputs']:.1f} word pieces "
                     f"on average ({done / 1e9:.0f} G multiply-adds). One pass per distinct sentence, unmarked, would be "
                     f"{t['sentences']} inputs of {t['sentence_tokens'] / t['sentences']:.1f} ({least / 1e9:.0f} G): "
                     f"{done / least:.2f}x less encoder work, the bound on what a one-pass model could save.")
        lines.append(f"- The default's whole process runs {done / seconds / 1e9:.1f} G multiply-adds/s of encoder work (2 cores, int8 in 11/12 of them).")
    lines.append("")

enc = defaultdict(list)
for r in rows:
    if r["name"].endswith("-encoder"):
        enc[(r["name"], r["graph"], r["order"])].append(r["mentions_per_s"])
if enc:
    lines.append(f"## Pure encoder: slant's ONNX Runtime session vs Python onnxruntime, same graph, same batches ({corpora[0]} mentions)")
    lines.append("")
    lines.append("Batches of 32 marked inputs, length-sorted or in file order; this compares the runtimes on one graph. (`slant score`")
    lines.append("itself batches each sentence's mentions alone, so no neighbour's padding or int8 scale moves a score.)")
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
