#!/usr/bin/env bash
# valgrind.sh: the end-to-end tests under valgrind's memcheck (README, "Security and
# robustness"): each e2e test program runs under memcheck, and so does every redflag command it
# starts ($RF_BIN points at a wrapper), with --leak-check=full and --error-exitcode. Fails when
# any process reports an invalid access, a use of uninitialised memory or a leak (definite,
# indirect or possible), printing the reports.
#
#   scripts/valgrind.sh [TEST...]     TEST: e2e test programs (default: all, e2e_*)
#
# Builds in $RF_VALGRIND_BUILD (default build-valgrind/, optimised with debug information, no
# sanitizer); logs go to $RF_VALGRIND_BUILD/valgrind/. Needs valgrind (apt-get install
# valgrind). Slow: memcheck runs code some 30 times slower; the whole set takes about 40
# minutes (one test at a time, each process under memcheck). Third-party behaviour memcheck
# cannot tell from a bug (PCRE2's JIT reading ahead, ICU's process-long caches) is suppressed
# by scripts/valgrind.supp, nothing of redflag's.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${RF_VALGRIND_BUILD:-$root/build-valgrind}
logs=$build/valgrind

if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind.sh: valgrind is needed (Debian: sudo apt-get install valgrind)" >&2
    exit 2
fi

echo "== building in $build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRF_SANITIZE=OFF >/dev/null
cmake --build "$build" -j2 >"$build/build.log" 2>&1 || {
    tail -30 "$build/build.log" >&2
    exit 2
}

if [ $# -eq 0 ]; then
    set -- $(cd "$build" && ctest -N -R '^e2e_' | sed -n 's/^ *Test *#[0-9]*: *//p')
fi

rm -rf "$logs"
mkdir -p "$logs"
# Suppressed: third-party behaviour only (see the file).
memcheck=(valgrind --tool=memcheck --error-exitcode=99 --leak-check=full
          --show-leak-kinds=definite,indirect,possible
          --errors-for-leak-kinds=definite,indirect,possible --num-callers=40
          --child-silent-after-fork=yes --suppressions="$root/scripts/valgrind.supp")

# The tests run "$RF_BIN args...": a wrapper puts each redflag under memcheck, one log each.
wrapper=$build/redflag-memcheck
cat >"$wrapper" <<EOF
#!/bin/sh
exec ${memcheck[*]} --log-file="$logs/redflag.%p.log" "$build/redflag" "\$@"
EOF
chmod +x "$wrapper"

export RF_SOURCE_DIR=$root RF_TEST_DATA=$root/tests/data RF_BUILD_DIR=$build RF_BIN=$wrapper
failed=()
for t in "$@"; do
    bin=$(find "$build/tests" -type f -name "$t" -perm -u+x | head -1)
    if [ -z "$bin" ]; then
        echo "valgrind.sh: no test program $t in $build/tests" >&2
        exit 2
    fi
    echo "== $t"
    start=$SECONDS
    if ! (cd "$build" && "${memcheck[@]}" --log-file="$logs/$t.%p.log" "$bin" >"$logs/$t.out" 2>&1)
    then
        failed+=("$t")
    fi
    echo "   $((SECONDS - start)) s"
done

# Every process's verdict: memcheck writes "ERROR SUMMARY: N errors" at its end (a process
# without one died before it could; a child between fork and exec writes nothing at all).
bad=$(find "$logs" -name '*.log' -size +0 -exec grep -L 'ERROR SUMMARY: 0 errors' {} + || true)
processes=$(find "$logs" -name '*.log' -size +0 | wc -l)
if [ -n "$bad" ]; then
    for f in $bad; do
        echo "---- $f"
        cat "$f"
    done
fi
echo "== $processes processes under memcheck: $(echo "$bad" | grep -c . || true) with errors;" \
     "tests failed: ${failed[*]:-none}"
[ -z "$bad" ] && [ ${#failed[@]} -eq 0 ]
