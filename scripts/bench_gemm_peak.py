"""What these cores can do: the multiply-add rate of ONNX Runtime's int8 matmul
(DynamicQuantizeMatMul, the op slant's int8 export uses, weights int8 with one scale per output
column) and of its f32 MatMul, on the fast model's layer shapes, at the row counts slant's
batches have (one sentence's mentions: tens of rows) and at a large batch (the ceiling).

This is the "FLOP limit" of issue 18: slant's encoder work (multiply-adds counted by
scripts/bench_reference.py tokens) divided by its whole-process time, against this ceiling.

Usage: python bench_gemm_peak.py [--threads 2] [--seconds 2]
Needs numpy, onnx and onnxruntime (scripts/bench's venv has them).
"""

import argparse
import json
import statistics
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

# MiniLM-L6 (hidden 384, feed-forward 1536): the query/key/value shape, and the feed-forward
# pair (384 -> 1536 -> 384).
SHAPES = [("query/key/value 384x384", 384, 384), ("feed-forward 384x1536x384", 384, 1536)]
ROWS = [48, 128, 512, 4096]


def graph(k, n, int8):
    """Eight matmuls in a chain, k -> n, n -> k, ... (timing one alone would time the call)."""
    rng = np.random.default_rng(0)
    nodes, inits = [], []
    current, width = "x", k
    for i in range(8):
        out_width = n if width == k else k
        w = rng.standard_normal((width, out_width)).astype(np.float32) * 0.05
        name = f"y{i}"
        if int8:
            scale = np.abs(w).max(axis=0) / 127.0
            q = np.round(w / scale).astype(np.int8)
            inits += [
                numpy_helper.from_array(q, f"w{i}"),
                numpy_helper.from_array(scale.astype(np.float32), f"s{i}"),
                numpy_helper.from_array(np.zeros(out_width, np.int8), f"z{i}"),
            ]
            nodes.append(
                helper.make_node(
                    "DynamicQuantizeMatMul", [current, f"w{i}", f"s{i}", f"z{i}"], [name], domain="com.microsoft"
                )
            )
        else:
            inits.append(numpy_helper.from_array(w, f"w{i}"))
            nodes.append(helper.make_node("MatMul", [current, f"w{i}"], [name]))
        current, width = name, out_width
    g = helper.make_graph(
        nodes,
        "chain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["rows", k])],
        [helper.make_tensor_value_info(current, TensorProto.FLOAT, ["rows", width])],
        inits,
    )
    model = helper.make_model(
        g, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
        ir_version=9,  # what ONNX Runtime 1.31 reads (onnx 1.23 would write 14)
    )
    macs_per_row = 0
    width = k
    for _ in range(8):
        out_width = n if width == k else k
        macs_per_row += width * out_width
        width = out_width
    return model.SerializeToString(), macs_per_row


def rate(model, macs_per_row, rows, k, threads, seconds):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    session = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(1).standard_normal((rows, k)).astype(np.float32)
    for _ in range(3):
        session.run(None, {"x": x})
    laps = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(laps) < 5:
        start = time.perf_counter()
        session.run(None, {"x": x})
        laps.append(time.perf_counter() - start)
    return macs_per_row * rows / statistics.median(laps) / 1e9


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    for name, k, n in SHAPES:
        for int8 in (True, False):
            model, macs = graph(k, n, int8)
            for rows in ROWS:
                g = rate(model, macs, rows, k, args.threads, args.seconds)
                print(json.dumps({"shape": name, "int8": int8, "rows": rows, "threads": args.threads,
                                  "gmacs_per_s": round(g, 1)}))


if __name__ == "__main__":
    main()
