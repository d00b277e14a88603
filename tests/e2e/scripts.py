#!/usr/bin/env python3
"""scripts.py: orders and checks for the end-to-end tests of dressed names and names in other
scripts (test_scripts.c).

usage: scripts.py dressed OUT.csv          writes an order whose buyers are "Huawei Technologies
                                           Co Ltd" dressed to slip past screening, one per row
       scripts.py missed JSONL LISTED      prints the ref, name and best hit of every party not
                                           flagged with a hit whose listed name has LISTED in it
       scripts.py unexplained JSONL        prints the parties (ref, name) flagged without saying
                                           the name was written to look unlike itself
       scripts.py originals UN.xml.gz OUT.csv
                                           writes an order of every original-script name of the
                                           UN list (ref = the entity's reference number)
       scripts.py uk_originals UK.csv[.gz] OUT.csv
                                           writes an order of every non-Latin name of a UK list
                                           file, either layout (ref = its Group or Unique ID)
       scripts.py wrong_entity JSONL       prints the parties whose hits do not include the
                                           listed entity named by their ref
       scripts.py other_scripts OUT.csv    writes an order of Russian and Chinese names of listed
                                           companies as orders write them (ref = a word of the
                                           listed name that must be hit)
       scripts.py wrong_name JSONL         prints the parties whose best hit's listed name lacks
                                           their ref, or that claim the name was disguised
       scripts.py natives TABLE.tsv OUT.csv
                                           writes an order of every native name of the table
                                           (ref = its row's line number)
       scripts.py native_rows TABLE.tsv CSL.csv.gz JSONL
                                           prints the table rows none of whose native names hit
                                           an entity of the CSL one of whose names (primary or
                                           alternate) is one of the row's English names
"""
import csv
import gzip
import json
import sys
import xml.etree.ElementTree as ET

NAME = "Huawei Technologies Co Ltd"

# Each a way the issue lists of writing the name so that it no longer compares equal; the ref
# says which. "plain" ones need no folding and must not claim any.
DRESSED = [
    ("zwsp", "Hua\u200bwei Technologies Co Ltd"),
    ("zwnj", "Hua\u200cwei Technologies Co Ltd"),
    ("zwj", "Hua\u200dwei Technologies Co Ltd"),
    ("word-joiner", "Hua\u2060wei Techno\u2060logies Co Ltd"),
    ("bom", "Hua\ufeffwei Technologies Co Ltd"),
    ("soft-hyphen", "Hua\u00adwei Tech\u00adnologies Co Ltd"),
    ("tags", "Hua\U000E0068\U000E0069wei Technologies Co Ltd"),
    ("cyrillic-a", "Hu\u0430wei Technologies Co Ltd"),
    ("cyrillic-aeio", "Hu\u0430w\u0435\u0456 T\u0435chn\u043El\u043Egi\u0435s Co Ltd"),
    ("cyrillic-y", "Huawei Technolog\u0443 Co Ltd"),
    ("cyrillic-capitals", "HU\u0410W\u0415I TECHNOLOGIES CO LTD"),
    ("greek", "Hu\u03b1wei Technol\u03bfgies C\u03bf Ltd"),
    ("greek-capitals", "\u0397UAWE\u0399 TECHNOLOGIES CO LTD"),
    ("math-bold", "\U0001D407\U0001D42E\U0001D41A\U0001D430\U0001D41E\U0001D422 Technologies Co Ltd"),
    ("fullwidth", "\uff28\uff55\uff41\uff57\uff45\uff49 Technologies Co Ltd"),
    ("ansi", "\x1b[1;31mHuawei Technologies Co Ltd\x1b[0m"),
    ("html", "<b>Huawei</b> <span class=\"x\">Technologies</span> Co Ltd"),
    ("plain-split", "Hua wei Technologies Co Ltd"),
    ("plain-hyphen", "Hua-wei Technologies Co Ltd"),
    ("plain-dept", "Huawei Technologies Co Ltd Export Dept"),
]


def dressed(out_path):
    with open(out_path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ref", "buyer"])
        for ref, name in DRESSED:
            w.writerow([ref, name])


def objects(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def missed(path, listed):
    for o in objects(path):
        hits = o["hits"]
        if not any(listed.lower() in h["name"].lower() for h in hits):
            best = f'{hits[0]["name"]} {hits[0]["score"]}' if hits else "no hit"
            print(f'{o["ref"]}: {o["name"]!r}: {best}')


def unexplained(path):
    for o in objects(path):
        claims = [("written to look unlike itself" in h["explanation"]) for h in o["hits"]]
        plain = (o["ref"] or "").startswith("plain")
        if not claims or any(claims) == plain:
            print(f'{o["ref"]}: {o["name"]!r}')


def originals(xml_path, out_path):
    with gzip.open(xml_path) as f:
        root = ET.parse(f).getroot()
    with open(out_path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ref", "party"])
        for group in ("INDIVIDUALS", "ENTITIES"):
            for rec in root.iter(group[:-1] if group == "ENTITIES" else "INDIVIDUAL"):
                ref = rec.findtext("REFERENCE_NUMBER")
                name = (rec.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
                if ref and name:
                    w.writerow([ref, name])


def uk_originals(csv_path, out_path):
    """The UK list, either layout (OFSI's "Group ID", the FCDO's "Unique ID"), gzipped or not."""
    opener = gzip.open if csv_path.endswith(".gz") else open
    with opener(csv_path, "rt", encoding="utf-8-sig", newline="") as f:
        rows = csv.reader(f)
        next(rows)  # "Last Updated,..." or "Report Date: ..."
        header = [h.strip().lower() for h in next(rows)]
        ident = header.index("group id") if "group id" in header else header.index("unique id")
        script = header.index("name non-latin script")
        names = {(r[ident], r[script].strip()) for r in rows if len(r) > script and r[script].strip()}
    with open(out_path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ref", "party"])
        for ref, name in sorted(names):
            w.writerow([ref, name])


def wrong_entity(path):
    for o in objects(path):
        if not any(h["source_id"] == o["ref"] for h in o["hits"]):
            best = f'{o["hits"][0]["name"]} {o["hits"][0]["score"]}' if o["hits"] else "no hit"
            print(f'{o["ref"]}: {o["name"]!r}: {best}')


# Russian and Chinese names of listed companies, in the quoting and legal forms orders use.
OTHER_SCRIPTS = [
    ("ROSNEFT", "ОАО «НК «Роснефть»"),
    ("ROSNEFT", "ПАО НК Роснефть"),
    ("ROSTEC", "Ростех"),
    ("ROSTEC", "Госкорпорация «Ростех»"),
    ("GAZPROM", "ПАО «Газпром»"),
    ("ROSOBORON", "АО «Рособоронэкспорт»"),
    ("GAZPROM", "ПАО „Газпром“"),
    ("ROSOBORON", "ЗАО „Рособоронэкспорт“"),
    ("SBERBANK", "ПАО Сбербанк"),
    ("ALROSA", "АК «АЛРОСА» (ПАО)"),
    ("HIKVISION", "海康威视"),
    ("HIKVISION", "杭州海康威视数字技术股份有限公司"),
    ("SENSETIME", "商汤科技"),
    ("SENSETIME", "商汤"),
    ("DAWNING", "曙光"),
    ("DJI", "大疆"),
    ("HUAWEI", "《华为技术有限公司》"),
    ("HUAWEI", "「华为」"),
    ("MEGVII", "旷视科技"),
    ("SEMICONDUCTOR MANUFACTURING", "中芯国际"),
    ("55TH RESEARCH", "中国电子科技集团公司第五十五研究所"),
    ("38TH RESEARCH", "中国电子科技集团公司第38研究所"),
    # Three characters: a Korean's name in hanja read the Korean way, a Chinese name as pinyin.
    ("KIM, JONG UN", "金正恩"),
    ("CHOE, RYONG HAE", "崔龙海"),
    ("LI, FANGWEI", "李方伟"),
]


def other_scripts(out_path):
    with open(out_path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ref", "buyer"])
        for ref, name in OTHER_SCRIPTS:
            w.writerow([ref, name])


def wrong_name(path):
    for o in objects(path):
        hits = o["hits"]
        if not hits or o["ref"].lower() not in hits[0]["name"].lower() or any(
                "written to look unlike itself" in h["explanation"] for h in hits):
            best = f'{hits[0]["name"]} {hits[0]["score"]}' if hits else "no hit"
            print(f'{o["ref"]}: {o["name"]!r}: {best}')


def table_rows(path):
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.startswith("#") or "\t" not in line:
                continue
            english, native = line.rstrip("\n").split("\t")
            yield number, [e.strip() for e in english.split("|")], native.split("|")


def key(name):
    return "".join(c for c in name.lower() if c.isascii() and c.isalnum())


def natives(table, out_path):
    with open(out_path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ref", "buyer"])
        for number, _, names in table_rows(table):
            for name in names:
                w.writerow([str(number), name])


def listed_names(csl_path):
    """Each entity's names (primary and alternate) of a CSL file, by its _id, as keys."""
    names = {}
    with gzip.open(csl_path, "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names.setdefault(row["_id"], set()).update(
                key(n) for n in [row["name"]] + (row["alt_names"] or "").split(";") if n.strip())
    return names


def native_rows(table, csl_path, path):
    names = listed_names(csl_path)
    found = set()
    for o in objects(path):
        found.update((o["ref"], k) for h in o["hits"] for k in names.get(h["source_id"], {key(h["name"])}))
    for number, english, _ in table_rows(table):
        if not any((str(number), key(e)) in found for e in english):
            print(f"line {number}: {english[0]}")


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "dressed":
        dressed(sys.argv[2])
    elif command == "missed":
        missed(sys.argv[2], sys.argv[3])
    elif command == "unexplained":
        unexplained(sys.argv[2])
    elif command == "originals":
        originals(sys.argv[2], sys.argv[3])
    elif command == "uk_originals":
        uk_originals(sys.argv[2], sys.argv[3])
    elif command == "wrong_entity":
        wrong_entity(sys.argv[2])
    elif command == "other_scripts":
        other_scripts(sys.argv[2])
    elif command == "wrong_name":
        wrong_name(sys.argv[2])
    elif command == "natives":
        natives(sys.argv[2], sys.argv[3])
    elif command == "native_rows":
        native_rows(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(f"unknown command {command}")
