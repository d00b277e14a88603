#!/usr/bin/env bash
# fuzz.sh: libFuzzer campaigns on the harnesses of tests/fuzz (README, "Security and robustness").
# Needs clang with its fuzzer runtime (Debian: apt-get install clang libclang-rt-14-dev); CI
# does not: there the corpora are replayed by the gcc-built replay driver as ctest tests.
#
#   scripts/fuzz.sh [-t SECONDS] [-j PARALLEL] [HARNESS...]
#       builds every harness with clang, libFuzzer, ASan and UBSan in $RF_FUZZ_BUILD
#       (default build-fuzz/), then runs each HARNESS (default: all) for SECONDS (default 600),
#       PARALLEL at a time (default 1). The tree's corpus tests/fuzz/<harness>/ is read, never
#       written: new inputs go to $RF_FUZZ_BUILD/corpus/<harness>/, a crash to
#       $RF_FUZZ_BUILD/artifacts/<harness>/, the log to $RF_FUZZ_BUILD/logs/<harness>.log.
#       Prints per harness: executions, exec/s, coverage (libFuzzer's final cov: and ft:),
#       corpus size and the outcome; exits 1 if any harness found something.
#   scripts/fuzz.sh --merge [-k N] HARNESS...
#       adds to tests/fuzz/<harness>/ the (at most N, default 20) inputs found by the last
#       campaign that add the most coverage features the corpus lacks, for committing: the
#       corpus stays a few dozen files that ctest replays in a second.
#   scripts/fuzz.sh --list
#       prints the harness names.
#
# A crash is reproduced with `$RF_FUZZ_BUILD/tests/fuzz/fuzz_<harness> <artifact>` (or with the
# gcc build: `build/tests/fuzz/fuzz_<harness> <artifact>`); once fixed, copy the artifact into
# tests/fuzz/<harness>/ so that ctest replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${RF_FUZZ_BUILD:-$root/build-fuzz}
seconds=600
parallel=1
keep=20
mode=run

harnesses=$(sed -n '/^set(RF_FUZZ_HARNESSES/,/)/p' tests/fuzz/CMakeLists.txt |
            sed 's/set(RF_FUZZ_HARNESSES//; s/)//' | tr -s ' \n' ' ')

while [ $# -gt 0 ]; do
    case $1 in
    -t) seconds=$2; shift 2 ;;
    -j) parallel=$2; shift 2 ;;
    --merge) mode=merge; shift ;;
    -k) keep=$2; shift 2 ;;
    --list) echo $harnesses | tr ' ' '\n'; exit 0 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) break ;;
    esac
done
selected=${*:-$harnesses}
for h in $selected; do
    case " $harnesses " in
    *" $h "*) ;;
    *) echo "fuzz.sh: no harness \"$h\"; there are: $harnesses" >&2; exit 2 ;;
    esac
done

if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz.sh: clang is needed (Debian: sudo apt-get install clang libclang-rt-14-dev)" >&2
    exit 2
fi

# Every module is compiled with coverage instrumentation (fuzzer-no-link) and the sanitizers;
# only the harnesses link libFuzzer itself. Warnings are clang's business here, not an error.
echo "== building the harnesses in $build"
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRF_SANITIZE=ON \
    -DRF_LIBFUZZER=ON -DRF_WERROR=OFF -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link" >/dev/null
targets=()
for h in $selected; do targets+=(--target "fuzz_$h"); done
cmake --build "$build" -j2 "${targets[@]}" >"$build/build.log" 2>&1 || {
    tail -30 "$build/build.log" >&2
    exit 2
}

export RF_TEST_DATA=$root/tests/data
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if [ "$mode" = merge ]; then
    # libFuzzer's own merge would keep every input with a feature of its own (hundreds): a
    # greedy cover over the features it records keeps the $keep inputs that add the most.
    mkdir -p "$build/logs"
    for h in $selected; do
        # The tree's corpus is the merge's initial corpus: libFuzzer credits each campaign
        # input only with the features nothing before it had.
        scratch=$(mktemp -d)
        mkdir "$scratch/initial"
        cp "tests/fuzz/$h"/* "$scratch/initial/"
        "$build/tests/fuzz/fuzz_$h" -merge=1 -merge_control_file="$scratch/control" \
            -rss_limit_mb=2048 -timeout=30 "$scratch/initial" "$build/corpus/$h" \
            >"$build/logs/$h.merge.log" 2>&1
        python3 - "$scratch/control" "$scratch/initial" "tests/fuzz/$h" "$keep" <<'PY'
import hashlib, os, shutil, sys
control, initial, tree, keep = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
lines = open(control).read().split("\n")
n = int(lines[0])
files = lines[2:2 + n]
features = {}
for line in lines[2 + n:]:
    if line.startswith("FT "):
        f = line.split()
        features[int(f[1])] = set(map(int, f[2:]))
covered, candidates = set(), []
for i, path in enumerate(files):
    if os.path.dirname(os.path.abspath(path)) == os.path.abspath(initial):
        covered |= features.get(i, set())
    else:
        candidates.append(i)
before, added = len(covered), 0
while added < keep:
    best = max(candidates, key=lambda i: len(features.get(i, set()) - covered), default=None)
    if best is None or not features.get(best, set()) - covered:
        break
    covered |= features[best]
    data = open(files[best], "rb").read()
    shutil.copyfile(files[best], os.path.join(tree, hashlib.sha1(data).hexdigest()))
    candidates.remove(best)
    added += 1
print("%s: %d inputs added, features %d -> %d" % (os.path.basename(tree), added, before,
                                                 len(covered)))
PY
        rm -rf "$scratch"
    done
    exit 0
fi

# run_one HARNESS: one campaign; its log ends with libFuzzer's final stats, its exit status
# goes to logs/HARNESS.status.
run_one() {
    local h=$1 status=0
    mkdir -p "$build/corpus/$h" "$build/artifacts/$h" "$build/logs"
    "$build/tests/fuzz/fuzz_$h" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 \
        -print_final_stats=1 -artifact_prefix="$build/artifacts/$h/" \
        "$build/corpus/$h" "tests/fuzz/$h" >"$build/logs/$h.log" 2>&1 || status=$?
    echo "$status" >"$build/logs/$h.status"
}

echo "== fuzzing for ${seconds}s each, $parallel at a time: $selected"
running=0
for h in $selected; do
    if [ "$running" -ge "$parallel" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    run_one "$h" &
    running=$((running + 1))
done
wait
failed=0

printf '%-12s %12s %8s %7s %7s %7s  %s\n' harness executions exec/s cov ft corpus outcome
for h in $selected; do
    log=$build/logs/$h.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
    if [ "$(cat "$build/logs/$h.status")" = 0 ]; then
        outcome="no finding"
    else
        outcome="FOUND: $(ls -t "$build/artifacts/$h" | head -1) (see $log)"
        failed=1
    fi
    printf '%-12s %12s %8s %7s %7s %7s  %s\n' "$h" "${execs:-?}" "${rate:-?}" "${cov:-?}" \
        "${ft:-?}" "${corp:-?}" "$outcome"
done
exit $failed
