#!/bin/bash
# rescreen.sh: the nightly rescreen benchmark (run by hand, not by ctest). Seeds a scratch
# database with 1,000,000 known counterparties by screening them (the 73,402 real company
# names of tests/data/companies/names.tsv.gz, each with a country from a list of 14, as a
# CSV order file), then times `redflag rescreen` against the same lists (nothing new), and
# again after the November 2023 CSL is imported (new, changed and delisted hits), printing
# wall time and peak RSS of each step.
#
#   tests/bench/rescreen.sh build/redflag [PARTIES] [THREADS]
set -euo pipefail

bin=$(realpath "${1:?usage: rescreen.sh REDFLAG [PARTIES] [THREADS]}")
parties=${2:-1000000}
threads=${3:-2}
here=$(cd "$(dirname "$0")/../data" && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/redflag-rescreen-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export REDFLAG_DB="$scratch/bench.db" REDFLAG_USER=bench

# name,country rows: every company name with US, then with DE, ... until PARTIES rows.
zcat "$here/companies/names.tsv.gz" | tail -n +2 | cut -f1 | awk -v n="$parties" '
    BEGIN { split("US DE CN JP GB FR IN KR BR CA AU IT NL SG", cc, " "); print "name,country" }
    { names[NR] = $0 }
    END {
        k = 0
        for (c = 1; c <= 14 && k < n; c++)
            for (i = 1; i <= NR && k < n; i++) {
                s = names[i]; gsub(/"/, "\"\"", s)
                print "\"" s "\"," cc[c]; k++
            }
    }' > "$scratch/parties.csv"
# The November 2023 CSL up to the row it is cut in (see tests/data/MANIFEST.md).
zcat "$here/lists/consolidated_2023-11_partial.csv.gz" | sed -n 1,4232p > "$scratch/csl_2023-11.csv"

step() { # step LABEL COMMAND...: runs it, prints wall seconds and peak RSS
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$scratch/time" "$@" > "$scratch/out" 2> "$scratch/err" || true
    read -r secs kb < <(tail -n 1 "$scratch/time")
    printf '%-44s %8.1f s  %7.0f MB   %s\n' "$label" "$secs" "$((kb / 1024))" \
        "$(grep -E 'screened|rescreened' "$scratch/err" | sed 's/^redflag: //')"
}

echo "redflag rescreen benchmark: $parties parties, $threads threads ($(nproc) cores)"
"$bin" lists init > /dev/null 2>&1 # an explicit REDFLAG_DB is created only when asked
step "screen (seeds the counterparties, recorded)" "$bin" screen --format jsonl -o /dev/null "$scratch/parties.csv"
step "rescreen, same lists" "$bin" rescreen --threads "$threads"
"$bin" lists import --effective 2023-11-01 --allow-shrink "$scratch/csl_2023-11.csv" > /dev/null # a cut file: fewer entities
step "rescreen after the Nov 2023 CSL" "$bin" rescreen --threads "$threads"
ls -l "$REDFLAG_DB" | awk '{ printf "database: %.0f MB\n", $5 / 1048576 }'
