#!/usr/bin/env python3
"""orders.py: summarises `redflag screen --format jsonl` output on orders for the end-to-end
tests, one line per party (in input order):

    status|role|name|ref|order_line|embargo code|lines concerned|best hit's listed name

with "-" for what is missing, after checking that every object has the fields the README
documents for order documents. A CSV report is summarised the same way (csv FILE).
"""
import csv
import json
import sys

FIELDS = ("ref", "document", "line", "role", "name", "country", "status", "hits", "format",
          "doc_type", "date", "order_line", "part_number", "eccn", "hs_code", "origin",
          "embargo", "lines")


def summary(o):
    hit = o["hits"][0]["name"] if o["hits"] else "-"
    code = o["embargo"]["code"] if o["embargo"] else "-"
    lines = ",".join(str(l["number"]) for l in o["lines"]) or "-"
    return "|".join(str(v) if v is not None else "-" for v in (
        o["status"], o["role"], o["name"], o["ref"], o["order_line"], code, lines, hit))


def jsonl(path):
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            o = json.loads(line)
            missing = [k for k in FIELDS if k not in o]
            if missing:
                sys.exit(f"line {number}: no {', '.join(missing)}")
            if o["embargo"] and not all(o["embargo"].get(k) for k in
                                        ("code", "name", "authority", "field", "found", "reason")):
                sys.exit(f"line {number}: incomplete embargo {o['embargo']}")
            print(summary(o))


def csv_report(path):
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            print("|".join(row[k] or "-" for k in ("status", "role", "name", "ref", "order_line",
                                                  "embargo", "lines", "listed_name")))


if __name__ == "__main__":
    {"jsonl": jsonl, "csv": csv_report}[sys.argv[1]](sys.argv[2])
