#!/usr/bin/env python3
"""slant on Apache Spark: one Spark task per shard runs `slant score --shard K/N`, then the
driver runs `slant merge` on the parts. The result is byte for byte what one `slant score`
writes (docs/scaling.md).

Usage:
  python slant_spark.py --slant BIN --shards N --parts DIR --out DIR [--master URL] \
      -- INPUT... --actors REGISTRY [other `slant score` flags]

Every executor must reach BIN, the inputs, the registry, the model and the parts folder at
the same paths (a shared file system, or the same image on every node); Spark's local mode
has them all on one machine. A task that Spark retries resumes its shard from the last
checkpoint (`--resume`), and a shard already finished is not scored again. Leave
speculative execution off (Spark's default): two attempts of one shard would share a folder.
"""
import argparse
import subprocess
import sys

from pyspark import SparkConf, SparkContext


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slant", required=True, help="the slant executable")
    parser.add_argument("--shards", type=int, required=True)
    parser.add_argument("--parts", required=True, help="folder for the parts (shared)")
    parser.add_argument("--out", required=True, help="the merged run")
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--threads", type=int, default=1,
                        help="slant worker threads per task (one task per executor core)")
    parser.add_argument("score_args", nargs=argparse.REMAINDER,
                        help="-- then the inputs and flags of `slant score`")
    args = parser.parse_args()
    score_args = [a for a in args.score_args if a != "--"] if args.score_args[:1] == ["--"] \
        else args.score_args
    if not score_args:
        parser.error("give the inputs and flags of `slant score` after --")
    slant, shards, parts = args.slant, args.shards, args.parts.rstrip("/")

    def score_shard(k):
        out = f"{parts}/part-{k}"
        command = [slant, "--quiet", "score", *score_args, "--threads", str(args.threads),
                   "--shard", f"{k}/{shards}", "--out", out, "--resume"]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            # Spark reports the task's exception, and retries it (the retry resumes).
            raise RuntimeError(f"shard {k}/{shards} failed ({done.returncode}): {done.stderr}")
        return out

    context = SparkContext(conf=SparkConf().setAppName("slant").setMaster(args.master))
    context.setLogLevel("WARN")
    try:
        done = context.parallelize(range(shards), shards).map(score_shard).collect()
    finally:
        context.stop()
    merged = subprocess.run([slant, "--quiet", "merge", *done, "--out", args.out, "--force"])
    sys.exit(merged.returncode)


if __name__ == "__main__":
    main()
