#!/usr/bin/env python3
"""external_sets.py: measures for the test sets other screening projects wrote
(tests/data/eval/external, see its README), used by test_external_sets.c.

usage: external_sets.py hit_rate FILE.jsonl LIST
           prints the share of parties with at least one hit on LIST ("*": any list)
       external_sets.py pairs_f1 CASES.csv SCORES.csv THRESHOLD
           prints "f1 P R" for `redflag match --pairs` scores against the labelled pairs
       external_sets.py cross_script PAIRS.csv
           prints watchman's cross-script pairs (no header, # comments) as a name1,name2 CSV
       external_sets.py share_at SCORES.csv THRESHOLD
           prints the share of `redflag match --pairs` scores at or above THRESHOLD
"""
import csv
import json
import sys


def hit_rate(path, list_code):
    total = hits = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            o = json.loads(line)
            total += 1
            hits += any(list_code in ("*", h.get("list")) for h in o.get("hits") or [])
    print(f"{hits / total:.4f}" if total else "nan")


def pairs_f1(cases_path, scores_path, threshold):
    with open(cases_path, encoding="utf-8") as f:
        cases = list(csv.DictReader(f))
    with open(scores_path, encoding="utf-8") as f:
        scores = [float(r["score"]) for r in csv.DictReader(f)]
    if len(cases) != len(scores):
        print(f"{len(scores)} scores for {len(cases)} pairs")
        sys.exit(1)
    tp = fp = fn = 0
    for case, score in zip(cases, scores):
        match, said = case["is_match"] == "true", score >= threshold
        tp += match and said
        fp += said and not match
        fn += match and not said
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"{f1:.4f} {precision:.4f} {recall:.4f}")


def cross_script(path):
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["name1", "name2"])
    with open(path, encoding="utf-8") as f:
        for row in csv.reader(line for line in f if line.strip() and not line.startswith("#")):
            out.writerow(row[:2])


def share_at(scores_path, threshold):
    with open(scores_path, encoding="utf-8") as f:
        scores = [float(r["score"]) for r in csv.DictReader(f)]
    print(f"{sum(s >= threshold for s in scores) / len(scores):.4f}" if scores else "nan")


if __name__ == "__main__":
    if sys.argv[1] == "hit_rate":
        hit_rate(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "cross_script":
        cross_script(sys.argv[2])
    elif sys.argv[1] == "share_at":
        share_at(sys.argv[2], float(sys.argv[3]))
    else:
        pairs_f1(sys.argv[2], sys.argv[3], float(sys.argv[4]))
