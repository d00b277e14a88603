#!/usr/bin/env python3
"""han_korean.py: writes engine/data/han_korean.tsv, the Korean reading of each Chinese
character (hanja), from the Unicode Han Database's kHangul field (Unihan_Readings.txt, Unicode
licence; Debian's unicode-data package ships it as /usr/share/unicode/Unihan_Readings.txt.bz2).

Each row: the character, its reading as one Hangul syllable, and its reading in personal names
when that differs (金: 금, and 김 as the surname Kim: kHangul marks readings of the Korean
table of characters for personal names with N). A simplified character (为, 华) has no reading
of its own in Unihan; it takes the reading of its traditional form (為, 華), so that text read
through ICU's Traditional-Simplified first is read in full.

    python3 scripts/han_korean.py [UNIHAN_DIR] > engine/data/han_korean.tsv
"""
import bz2
import os
import sys


def open_unihan(directory, name):
    path = os.path.join(directory, name)
    if os.path.exists(path):
        return open(path, encoding="utf-8")
    return bz2.open(path + ".bz2", "rt", encoding="utf-8")


def fields(directory, name, wanted):
    with open_unihan(directory, name) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cp, field, value = line.rstrip("\n").split("\t", 2)
            if field == wanted:
                yield int(cp[2:], 16), value


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode"
    readings = {}
    for cp, value in fields(directory, "Unihan_Readings.txt", "kHangul"):
        entries = [v.split(":") for v in value.split()]
        common = entries[0][0]
        named = next((h for h, src in entries if "N" in src and "E" not in src), common)
        readings[cp] = (common, named)
    for cp, value in fields(directory, "Unihan_Variants.txt", "kSimplifiedVariant"):
        if cp not in readings:
            continue
        for simple in value.split():
            simple_cp = int(simple.split("<")[0][2:], 16)
            readings.setdefault(simple_cp, readings[cp])
    print("# Korean readings of Chinese characters: character, reading, reading in personal names")
    print("# when it differs. Written by scripts/han_korean.py from Unihan's kHangul (Unicode licence).")
    for cp in sorted(readings):
        common, named = readings[cp]
        print(chr(cp) + "\t" + common + ("\t" + named if named != common else ""))


if __name__ == "__main__":
    main()
