#!/usr/bin/env python3
"""review.py: reads what the review commands write, for tests/e2e/test_review.c.

usage: review.py hits FILE.jsonl      one line per hit, tab-separated: party, fingerprint,
                                      party status, alarm, list, source_id, state, decided_by,
                                      rescreen, changes; "party<TAB>NAME<TAB>clear" for a party
                                      without hits
       review.py decide REPORT.csv OUT.csv SOURCE_ID DECISION REASON
                                      the CSV report with decision and reason columns added,
                                      filled on the rows of hits on SOURCE_ID, as a reviewer
                                      would in a spreadsheet
       review.py json FILE            the audit export parsed: "runs N decisions M", then per
                                      run "run ID COMMAND inputs SHA256... hits N"
"""
import csv
import json
import sys


def hits(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            o = json.loads(line)
            if not o["hits"]:
                print(f"party\t{o['name']}\t{o['status']}")
            for h in o["hits"]:
                print("\t".join(str(x) for x in (
                    o["name"], o["fingerprint"], o["status"], o["alarm"], h["list"],
                    h["source_id"], h["state"], h["decided_by"], h.get("rescreen"),
                    h["changes"])))


def decide(report, out, source_id, decision, reason):
    with open(report, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0] + ["decision", "reason"]
    col = rows[0].index("source_id")
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for row in rows[1:]:
            chosen = row[col] == source_id
            w.writerow(row + ([decision, reason] if chosen else ["", ""]))


def export(path):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    print(f"runs {len(d['runs'])} decisions {len(d['decisions'])}")
    for r in d["runs"]:
        shas = " ".join(i["sha256"] or "-" for i in r["inputs"])
        print(f"run {r['run']} {r['command']} inputs {shas} hits {len(r['hits'])}")
    for x in d["decisions"]:
        print(f"decision {x['decision']} {x['reviewer']} {x['source_id']} {x['reason']}")


def main():
    if sys.argv[1] == "hits":
        hits(sys.argv[2])
    elif sys.argv[1] == "decide":
        decide(*sys.argv[2:7])
    elif sys.argv[1] == "json":
        export(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
