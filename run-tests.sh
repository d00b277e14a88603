#!/usr/bin/env bash
# run-tests.sh: the README's second command, and what CI runs (.ci/run). Installs what is
# missing (scripts/deps.sh), builds redflag and its tests, and runs the whole suite with ctest
# twice: a release build in build/, then an AddressSanitizer + UndefinedBehaviorSanitizer build
# in build-asan/ (RF_SANITIZERS=0 skips the second). Extra arguments go to ctest (e.g.
# ./run-tests.sh -R e2e).
set -euo pipefail
cd "$(dirname "$0")"

bash scripts/deps.sh

# run_suite NAME BUILD_DIR [CMAKE_OPTIONS...]: configure, build and test one configuration.
run_suite() {
    local name=$1 dir=$2
    shift 2
    echo "== $name: building in $dir"
    cmake -S . -B "$dir" "$@" >/dev/null
    cmake --build "$dir" -j2
    echo "== $name: running the tests"
    (cd "$dir" && ctest --output-on-failure -j2 "${ctest_args[@]}")
}

ctest_args=("$@")
run_suite release build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRF_WERROR=ON

# The same suite with every out-of-bounds access, use after free, leak and undefined behaviour
# stopping the test that caused it, in the library, the tests and the redflag processes they
# run. Optimised (-O2) so that it stays within CI's budget.
if [ "${RF_SANITIZERS:-1}" != 0 ]; then
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    run_suite sanitizers build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRF_WERROR=ON -DRF_SANITIZE=ON
fi
