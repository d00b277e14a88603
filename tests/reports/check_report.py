#!/usr/bin/env python3
"""check_report.py: reads a report the way its consumers do and fails loudly where they would.

    check_report.py jsonl FILE   every line is a JSON object; prints them back, one per line,
                                 as canonical JSON (sorted keys, ASCII) for the C test to search
    check_report.py csv FILE     RFC 4180 with a header of 42 columns on every row; prints the
                                 rows as JSON arrays
    check_report.py html FILE    parses as HTML: every element closed in order, nothing that
                                 loads anything (no style sheet link, src, or event handler),
                                 and no script but the page's own one, allowed by its hash in
                                 the page's Content-Security-Policy; prints the visible text
"""
import base64
import csv
import hashlib
import html.parser
import json
import re
import sys

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr", "area", "base", "source"}


class Checker(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.text, self.problems, self.scripts = [], [], [], []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and not attrs:
            self.scripts.append("")
        elif tag in ("script", "iframe", "object", "embed", "link", "img"):
            self.problems.append(f"<{tag}> at line {self.getpos()[0]}")
        for name, _ in attrs:
            if name == "src" or name.startswith("on"):
                self.problems.append(f"attribute {name} at line {self.getpos()[0]}")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]} at line {self.getpos()[0]}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "script":
            self.scripts[-1] += data
        elif self.stack and self.stack[-1] != "style":
            self.text.append(data)


def main():
    kind, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8", newline="") as f:
        data = f.read()
    if kind == "jsonl":
        for n, line in enumerate(data.split("\n")[:-1], 1):
            obj = json.loads(line)
            if not isinstance(obj, dict):
                sys.exit(f"line {n}: not an object")
            print(json.dumps(obj, sort_keys=True, ensure_ascii=True))
    elif kind == "csv":
        rows = list(csv.reader(data.splitlines(keepends=True)))
        for n, row in enumerate(rows, 1):
            if len(row) != 42:
                sys.exit(f"row {n}: {len(row)} columns")
            print(json.dumps(row, ensure_ascii=True))
    elif kind == "html":
        p = Checker()
        p.feed(data)
        p.close()
        if p.stack:
            p.problems.append(f"unclosed {p.stack}")
        csp = re.search(r"script-src ([^;\"]*)", data)
        allowed = csp.group(1).split() if csp else []
        if len(p.scripts) > 1:
            p.problems.append(f"{len(p.scripts)} scripts")
        for script in p.scripts:
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            if allowed != [f"'sha256-{digest}'"]:
                p.problems.append(f"script-src {allowed} does not allow the page's script")
        if p.problems:
            sys.exit("; ".join(p.problems))
        print(" ".join(" ".join(p.text).split()))
    else:
        sys.exit(f"unknown kind {kind}")


main()
