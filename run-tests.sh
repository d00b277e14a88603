#!/usr/bin/env bash
# run-tests.sh: the README's second command, and what CI runs (.ci/run). Installs what is
# missing (scripts/deps.sh), builds redflag and its tests, and runs the whole suite with ctest.
# Extra arguments go to ctest (e.g. ./run-tests.sh -R e2e).
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
run_suite release build -DCMAKE_BUILD_TYPE=RelWithDebInfo
