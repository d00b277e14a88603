#!/usr/bin/env python3
"""jsonl.py: checks for the end-to-end tests on `redflag ... --format jsonl` output.

usage: jsonl.py shape FILE     prints "ok N" (N objects) or what is wrong with the first bad line
       jsonl.py flagged FILE   prints the names of the flagged parties, sorted, one per line
"""
import json
import sys


def objects(path):
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                yield number, json.loads(line)


def shape(path):
    n = 0
    for number, o in objects(path):
        def bad(what):
            print(f"line {number}: {what}: {json.dumps(o)[:300]}")
            sys.exit(1)
        if not isinstance(o, dict):
            bad("not an object")
        for key, kind in (("document", str), ("line", int), ("name", str), ("hits", list)):
            if not isinstance(o.get(key), kind):
                bad(f"{key} is not a {kind.__name__}")
        if "ref" not in o or not isinstance(o["ref"], (str, type(None))):
            bad("ref is neither a string nor null")
        for h in o["hits"]:
            if not isinstance(h, dict):
                bad("a hit is not an object")
            if not isinstance(h.get("score"), (int, float)) or not 0 < h["score"] <= 1:
                bad("a hit's score is not in (0, 1]")
            for key in ("source_id", "name"):
                if not isinstance(h.get(key), str) or not h[key]:
                    bad(f"a hit has no {key}")
        n += 1
    print(f"ok {n}")


def flagged(path):
    for name in sorted({o["name"] for _, o in objects(path) if o.get("hits")}):
        print(name)


if __name__ == "__main__":
    {"shape": shape, "flagged": flagged}[sys.argv[1]](sys.argv[2])
