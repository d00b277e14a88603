#!/usr/bin/env python3
"""gleif_scale.py: writes a GLEIF LEI-CDF level 1 file and an RR-CDF level 2 file of N records
each, made of the real records of tests/data/ownership (their LEIs renumbered so that each copy
is a company of its own), to measure how fast `redflag lists import` reads GLEIF's files.
usage: gleif_scale.py N OUT_DIR"""
import os, re, sys

def records(path, tag):
    text = open(path, encoding='utf-8').read()
    head = text[:text.index('<%s ' % tag)]
    body = re.findall(r'<%s .*?</%s>' % (tag, tag), text, re.S)
    tail = text[text.rindex('</%s>' % tag) + len('</%s>' % tag):]
    return head, body, tail

def scale(src, tag, n, out):
    head, body, tail = records(src, tag)
    with open(out, 'w', encoding='utf-8') as f:
        f.write(head)
        for i in range(n):
            rec = body[i % len(body)]
            # a new LEI per copy: the 20 characters keep their form, the last 8 number the copy
            rec = re.sub(r'>([0-9A-Z]{12})[0-9A-Z]{8}<', lambda m: '>%s%08d<' % (m.group(1), i // len(body)), rec)
            f.write(rec + '\n')
        f.write(tail)

n, out = int(sys.argv[1]), sys.argv[2]
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'ownership')
scale(os.path.join(here, 'lei2_2023-11-06_group-excerpt.xml'), 'lei:LEIRecord', n, os.path.join(out, 'lei-%d.xml' % n))
scale(os.path.join(here, 'rr_2023-11-06_group-excerpt_test-link.xml'), 'rr:RelationshipRecord', n, os.path.join(out, 'rr-%d.xml' % n))
