#!/usr/bin/env bash
# matrix.sh: the builds users and packagers run. Builds redflag with gcc and clang, each in
# Debug, RelWithDebInfo and Release (warnings as errors), in build-matrix/<compiler>-<type>/,
# and runs the suite in each (arguments go to ctest, e.g. `scripts/matrix.sh -LE hardening` or
# `-R 'base|lists|audit|engine_matching'` for a quicker pass). run-tests.sh runs the gcc RelWithDebInfo
# suite and its sanitizer twin; this is the wider check before a release.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
command -v clang >/dev/null || { echo "matrix.sh: clang is not installed (apt-get install clang)" >&2; exit 1; }

failed=()
for cc in gcc clang; do
    for type in Debug RelWithDebInfo Release; do
        dir=build-matrix/$cc-$type
        echo "== $cc $type: building in $dir"
        if CC=$cc cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=$type -DRF_WERROR=ON >/dev/null &&
           cmake --build "$dir" -j2 >"$dir.log" 2>&1 &&
           (cd "$dir" && ctest -j2 --output-on-failure "$@"); then
            echo "== $cc $type: passed"
        else
            echo "== $cc $type: FAILED (build log: $dir.log)"
            failed+=("$cc-$type")
        fi
    done
done
[ ${#failed[@]} -eq 0 ] || { echo "matrix.sh: failed: ${failed[*]}" >&2; exit 1; }
echo "matrix.sh: all six builds passed"
