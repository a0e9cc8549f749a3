"""Splits NewsMTSC files into targets written as pronouns and targets written as names (the
first target of each sentence), and writes a third file with each pronoun shown with its
antecedent's name ("He (Sidney J. Blair) was willing ..."), the target span covering both:
how slant could score a resolved pronoun if pronoun targets scored clearly worse.

Usage: pronoun_targets.py OUT_DIR FILE...   (writes OUT_DIR/{pronoun,name,pronoun-named}.jsonl)
The files are derived at run time from ../shared and never committed."""

import json
import os
import sys

PRONOUNS = {"he", "she", "him", "her", "his", "hers", "himself", "herself", "it", "its",
            "itself", "they", "them", "their", "themselves"}


def entity_name(gid):
    # "<source>_..._<name>_<from>_<to>"
    rest = gid.rsplit("_", 2)[0]
    return rest.rsplit("_", 1)[1]


def main():
    out_dir, files = sys.argv[1], sys.argv[2:]
    os.makedirs(out_dir, exist_ok=True)
    out = {k: open(os.path.join(out_dir, k + ".jsonl"), "w") for k in ("pronoun", "name", "pronoun-named")}
    counts = {k: 0 for k in out}
    for path in files:
        for line in open(path, encoding="utf-8"):
            row = json.loads(line)
            text = row["sentence_normalized"]
            target = dict(row["targets"][0])
            target.pop("further_mentions", None)
            mention = target["mention"]
            kind = "pronoun" if mention.lower() in PRONOUNS else "name"
            out[kind].write(json.dumps({"sentence_normalized": text, "targets": [target]}) + "\n")
            counts[kind] += 1
            if kind == "pronoun":
                name = entity_name(target.get("Input.gid") or row["primary_gid"])
                shown = f"{mention} ({name})"
                new_text = text[: target["from"]] + shown + text[target["to"]:]
                named = dict(target, to=target["from"] + len(shown), mention=shown)
                out["pronoun-named"].write(json.dumps({"sentence_normalized": new_text, "targets": [named]}) + "\n")
                counts["pronoun-named"] += 1
    for f in out.values():
        f.close()
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
