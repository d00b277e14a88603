#!/usr/bin/env python3
"""gleif_scale.py: writes GLEIF level 1 (LEI records) and level 2 (relationship records) files of
N records each, in both of GLEIF's published formats (LEI-CDF/RR-CDF XML and the golden copy's
JSON), made of the real records of tests/data/ownership with their LEIs renumbered so that each
copy is a company of its own: to measure how fast `redflag lists import` reads GLEIF's files.
usage: gleif_scale.py N OUT_DIR"""
import gzip, json, os, re, sys

LEI = re.compile(r'^([0-9A-Z]{12})[0-9A-Z]{8}$')


def renumber(lei, copy):
    """A new LEI per copy: the 20 characters keep their form, the last 8 number the copy."""
    m = LEI.match(lei)
    return '%s%08d' % (m.group(1), copy) if m else lei


def xml_records(path, tag):
    text = open(path, encoding='utf-8').read()
    head = text[:text.index('<%s ' % tag)]
    body = re.findall(r'<%s .*?</%s>' % (tag, tag), text, re.S)
    tail = text[text.rindex('</%s>' % tag) + len('</%s>' % tag):]
    return head, body, tail


def scale_xml(src, tag, n, out):
    head, body, tail = xml_records(src, tag)
    with open(out, 'w', encoding='utf-8') as f:
        f.write(head)
        for i in range(n):
            copy = i // len(body)
            f.write(re.sub(r'>([0-9A-Z]{20})<', lambda m: '>%s<' % renumber(m.group(1), copy),
                           body[i % len(body)]) + '\n')
        f.write(tail)


def renumbered(value, copy):
    """The JSON record with every LEI in it ({"$": LEI} values) renumbered."""
    if isinstance(value, dict):
        return {k: (renumber(v, copy) if k == '$' and isinstance(v, str) else renumbered(v, copy))
                for k, v in value.items()}
    if isinstance(value, list):
        return [renumbered(v, copy) for v in value]
    return value


def scale_json(src, n, out):
    opener = gzip.open if src.endswith('.gz') else open
    with opener(src, 'rt', encoding='utf-8') as f:
        body = json.load(f)['records']
    with open(out, 'w', encoding='utf-8') as f:
        f.write('{"records":[\n')
        for i in range(n):
            if i:
                f.write(',\n')
            json.dump(renumbered(body[i % len(body)], i // len(body)), f, ensure_ascii=False)
        f.write('\n]}\n')


n, out = int(sys.argv[1]), sys.argv[2]
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'ownership')
scale_xml(os.path.join(here, 'lei2_2023-11-06_group-excerpt.xml'), 'lei:LEIRecord', n,
          os.path.join(out, 'lei-%d.xml' % n))
scale_xml(os.path.join(here, 'rr_2023-11-06_group-excerpt_test-link.xml'), 'rr:RelationshipRecord',
          n, os.path.join(out, 'rr-%d.xml' % n))
scale_json(os.path.join(here, '20240505-0000-gleif-goldencopy-lei2-intra-day.json.gz'), n,
           os.path.join(out, '%d-gleif-goldencopy-lei2-golden-copy.json' % n))
scale_json(os.path.join(here, '20231106-0000-gleif-goldencopy-rr-golden-copy_test-link.json'), n,
           os.path.join(out, '%d-gleif-goldencopy-rr-golden-copy.json' % n))
