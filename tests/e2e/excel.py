#!/usr/bin/env python3
"""excel.py: a reviewer's spreadsheet work on redflag's reports, for tests/e2e/test_excel.c.

usage: excel.py decide REPORT.xlsx OUT.xlsx SOURCE_ID DECISION REASON
           fills the decision and reason columns of the workbook report on the rows of hits on
           SOURCE_ID, as a reviewer would in Excel (cells added to the sheet's XML)
       excel.py cells REPORT.xlsx ROW
           the cells of row ROW (1-based), tab-separated, each as TYPE:VALUE (s a string,
           n a number), read from the sheet's XML independently of redflag
       excel.py csv REPORT.csv OUT.csv SOURCE_ID DECISION REASON ENCODING
           the CSV report with decision and reason added on SOURCE_ID's rows, saved as Excel
           saves CSV in German or French settings: semicolons, CRLF, and ENCODING utf-8-sig
           ("CSV UTF-8", with a byte-order mark) or cp1252 (plain "CSV")
"""
import csv
import re
import sys
import zipfile

SHEET = "xl/worksheets/sheet1.xml"


def rows_of(xml):
    for m in re.finditer(r'<row r="(\d+)"[^>]*>(.*?)</row>', xml, re.S):
        cells = {}
        for c in re.finditer(r'<c r="([A-Z]+)\d+"([^>]*)>(.*?)</c>', m.group(2), re.S):
            text = "".join(re.findall(r"<t[^>]*>(.*?)</t>", c.group(3), re.S))
            value = re.search(r"<v>(.*?)</v>", c.group(3))
            kind = "n" if value and 't="' not in c.group(2) else "s"
            cells[c.group(1)] = (kind, value.group(1) if value and kind == "n" else text)
        yield int(m.group(1)), m.group(0), cells


def decide(report, out, source_id, decision, reason):
    with zipfile.ZipFile(report) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    xml = parts[SHEET].decode()
    header = next(rows_of(xml))[2]
    names = {v[1]: k for k, v in header.items()}
    src, dec = names["source_id"], names["decision"]
    # the reviewer's "reason": the rightmost column of that name
    rea = max((k for k, v in header.items() if v[1] == "reason"), key=lambda k: (len(k), k))
    for number, text, cells in list(rows_of(xml))[1:]:
        if cells.get(src, ("", ""))[1] != source_id:
            continue
        add = (f'<c r="{dec}{number}" t="inlineStr"><is><t>{decision}</t></is></c>'
               f'<c r="{rea}{number}" t="inlineStr"><is><t>{reason}</t></is></c>')
        xml = xml.replace(text, text.replace("</row>", add + "</row>"), 1)
    parts[SHEET] = xml.encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def cells(report, row):
    with zipfile.ZipFile(report) as z:
        xml = z.read(SHEET).decode()
    for number, _, found in rows_of(xml):
        if number == int(row):
            keys = sorted(found, key=lambda k: (len(k), k))
            print("\t".join(f"{found[k][0]}:{found[k][1]}" for k in keys))


def decide_csv(report, out, source_id, decision, reason, encoding):
    with open(report, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    col = rows[0].index("source_id")
    with open(out, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        w.writerow(rows[0] + ["decision", "reason"])
        for row in rows[1:]:
            w.writerow(row + ([decision, reason] if row[col] == source_id else ["", ""]))


def main():
    if sys.argv[1] == "decide":
        decide(*sys.argv[2:7])
    elif sys.argv[1] == "cells":
        cells(*sys.argv[2:4])
    elif sys.argv[1] == "csv":
        decide_csv(*sys.argv[2:8])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
