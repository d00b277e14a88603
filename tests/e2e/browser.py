#!/usr/bin/env python3
"""browser.py: what a person sees of an HTML report, seen through headless Chromium.

    browser.py REPORT.html REPORT.jsonl OUTDIR

REPORT.jsonl is the same screening as JSON lines: the flagged counterparties are counted from
it, apart from the page. Prints one "name value" line for each of (booleans as 0 or 1):
    rows, rows_without_script   worklist rows after the script ran, and in the page as written
                                (what a browser without script shows)
    filters_shown, filters_shown_without_script, shown
                                the filter bar after the script ran, as written (hidden: it
                                needs the script), and its "N of M shown"
    cards, duplicate_cards      cards, and cards naming a counterparty already carded in its order
    links_to_cards              every worklist row links to a card that exists
    expected                    flagged counterparties per order, from the JSON lines
    pages                       pages of the report printed to PDF (Letter, Chromium's default)
and keeps in OUTDIR the PDF and screenshots at 420 px and 1280 px wide, to look at.
Prints "skip REASON" when there is no Chromium ($CHROMIUM, else chromium on PATH)."""
import json
import os
import re
import shutil
import subprocess
import sys


def chromium(browser, *args):
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--no-first-run", "--user-data-dir=" + os.path.join(OUTDIR, "profile"), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if done.returncode != 0:
        sys.exit(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def worklist_rows(dom):
    table = re.search(r'<table class="worklist" id="worklist">.*?</table>', dom, re.S)
    return re.findall(r'<tr data-state="[^"]*"[^>]*>(.*?)</tr>', table.group(0), re.S) if table else []


def main():
    global OUTDIR
    report, jsonl, OUTDIR = sys.argv[1:4]
    os.makedirs(OUTDIR, exist_ok=True)
    browser = (os.environ.get("CHROMIUM") or shutil.which("chromium")
               or shutil.which("chromium-browser") or "")
    if not os.access(browser, os.X_OK):
        print("skip no chromium: install it (scripts/deps.sh does) to check the report in a "
              "browser")
        return
    url = "file://" + os.path.abspath(report)
    dom = chromium(browser, "--virtual-time-budget=3000", "--dump-dom", url)
    with open(report, encoding="utf-8") as f:
        plain = f.read()
    rows = worklist_rows(dom)
    bar = re.search(r'<div class="filters" id="filters"( hidden(="")?)?>', dom)
    shown = re.search(r'<span id="shown" class="meta">([^<]*)</span>', dom)
    cards = re.findall(r'<article class="party [a-z]+" id="(c\d+)">\s*<p class="meta">(.*?)</p>',
                       dom, re.S)
    # the order and the counterparty, without the roles: two cards with these alike are one
    # counterparty shown twice
    keys = [re.sub(r"<[^>]+>", "", meta).split("ref ", 1)[-1] for _, meta in cards]
    links = re.findall(r'<a href="#(c\d+)">', "".join(rows))
    ids = {card_id for card_id, _ in cards}

    expected = set()
    with open(jsonl, encoding="utf-8") as f:
        for line in f:
            p = json.loads(line)
            if "warning" in p or (p.get("status") == "clear" and not p.get("embargo")):
                continue
            who = p.get("fingerprint") or (p.get("name"), p.get("country"))
            expected.add((p.get("document"), p.get("ref"), json.dumps(who)))

    pdf = os.path.join(OUTDIR, "report.pdf")
    chromium(browser, "--no-pdf-header-footer", "--print-to-pdf=" + pdf, url)
    with open(pdf, "rb") as f:
        pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", f.read()))
    for width, height in ((420, 3000), (1280, 2400)):
        chromium(browser, f"--window-size={width},{height}",
                 "--screenshot=" + os.path.join(OUTDIR, f"report-{width}.png"), url)

    facts = {
        "rows": len(rows),
        "rows_without_script": len(worklist_rows(plain)),
        "filters_shown": bool(bar) and not bar.group(1),
        "filters_shown_without_script": bool(re.search(r'id="filters">', plain)),
        "shown": shown.group(1) if shown else None,
        "cards": len(cards),
        "duplicate_cards": len(keys) - len(set(keys)),
        "links_to_cards": len(links) == len(rows) and all(l in ids for l in links),
        "expected": len(expected),
        "pages": pages,
    }
    for name, value in sorted(facts.items()):
        print(name, int(value) if isinstance(value, bool) else value)


main()
