#!/bin/bash
# pg_trgm.sh: the side-by-side of redflag-bench: what a team builds itself, a PostgreSQL
# pg_trgm similarity join at 0.6 of parties against every listed name (primary and alias) of
# the bundled CSL. Starts a throwaway server in a scratch directory (as the postgres user, or
# nobody, when run as root: initdb refuses root), loads the list, joins PARTIES.csv (name
# column) and the evaluation set, stops the server and removes everything. Prints two lines
# redflag-bench reads:
#   pg_trgm PARTIES SECONDS
#   pg_trgm-recall RECALL-LINE-OF-score.py
# or "pg_trgm skipped: REASON" (exit 0) when PostgreSQL or pg_trgm is not installed.
#
#   tests/bench/pg_trgm.sh CSL.csv.gz PARTIES.csv EVAL_DIR
set -euo pipefail

csl=$(realpath "$1") parties=$(realpath "$2") eval_dir=$(realpath "$3")
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "pg_trgm skipped: PostgreSQL is not installed (Debian: postgresql postgresql-contrib)"
    exit 0
fi
if ! ls "$(dirname "$bindir")"/lib/pg_trgm.so >/dev/null 2>&1; then
    echo "pg_trgm skipped: the pg_trgm extension is not installed (Debian: postgresql-contrib)"
    exit 0
fi
python=/usr/bin/python3
[ -x "$python" ] || python=python3

scratch=$(mktemp -d "${TMPDIR:-/tmp}/redflag-pg-XXXXXX")
as=()
if [ "$(id -u)" -eq 0 ]; then
    owner=postgres
    id "$owner" >/dev/null 2>&1 || owner=nobody
    chown "$owner" "$scratch"
    chmod 755 "$scratch"
    as=(runuser -u "$owner" --)
fi
stop() {
    "${as[@]}" "$bindir/pg_ctl" -D "$scratch/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$scratch"
}
trap stop EXIT

# name<TAB>source_id rows: every primary name and alias; parties as ref<TAB>name.
"$python" - "$csl" "$parties" "$eval_dir/parties.csv" "$scratch" <<'EOF'
import csv, gzip, sys
csl, parties, eval_parties, out = sys.argv[1:5]
def clean(s):
    return s.replace("\t", " ").replace("\n", " ").replace("\\", " ").strip()
with gzip.open(csl, "rt", encoding="utf-8") as f, open(out + "/listed.tsv", "w") as o:
    for row in csv.DictReader(f):
        names = [row["name"]] + [a for a in (row.get("alt_names") or "").split(";")]
        for n in names:
            if clean(n):
                o.write(clean(n) + "\t" + row["_id"] + "\n")
for src, dst in ((parties, "bench.tsv"), (eval_parties, "eval.tsv")):
    with open(src, encoding="utf-8") as f, open(out + "/" + dst, "w") as o:
        for i, row in enumerate(csv.DictReader(f)):
            o.write((row.get("ref") or str(i + 1)) + "\t" + clean(row["name"]) + "\n")
EOF
chmod 644 "$scratch"/*.tsv

"${as[@]}" "$bindir/initdb" -D "$scratch/data" -A trust -U bench >/dev/null
"${as[@]}" "$bindir/pg_ctl" -D "$scratch/data" -w -l "$scratch/log" \
    -o "-k $scratch -c listen_addresses= -c fsync=off" start >/dev/null
psql() { "${as[@]}" "$bindir/psql" -h "$scratch" -U bench -d postgres -qAtX -v ON_ERROR_STOP=1 "$@"; }

psql <<EOF
CREATE EXTENSION pg_trgm;
CREATE TABLE listed (name text, source_id text);
COPY listed FROM '$scratch/listed.tsv';
CREATE INDEX listed_trgm ON listed USING gin (name gin_trgm_ops);
CREATE TABLE bench (ref text, name text);
COPY bench FROM '$scratch/bench.tsv';
CREATE TABLE eval (ref text, name text);
COPY eval FROM '$scratch/eval.tsv';
ANALYZE;
EOF
join() { # join TABLE: ref, source_id, similarity of every pair at 0.6 or more
    echo "SET pg_trgm.similarity_threshold = 0.6;
          SELECT p.ref, l.source_id, max(similarity(p.name, l.name)) FROM $1 p
          JOIN listed l ON p.name % l.name GROUP BY 1, 2 ORDER BY 1, 3 DESC;"
}
start=$(date +%s.%N)
join bench | psql > "$scratch/bench.out"
end=$(date +%s.%N)
echo "pg_trgm $(wc -l < "$scratch/bench.tsv") $(echo "$end - $start" | bc)"

# The evaluation set, as JSON lines score.py reads.
join eval | psql | "$python" -c '
import json, sys
hits = {}
for line in sys.stdin:
    ref, sid, score = line.rstrip("\n").split("|")
    hits.setdefault(ref, []).append({"source_id": sid, "score": float(score)})
for ref, h in hits.items():
    print(json.dumps({"ref": ref, "hits": h}))' > "$scratch/eval.jsonl"
scores=$("$python" "$eval_dir/score.py" "$eval_dir/expected.json" "$scratch/eval.jsonl")
echo "pg_trgm-recall $(grep -i -m 1 recall <<< "$scores")"
