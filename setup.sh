#!/usr/bin/env bash
# setup.sh: the README's first command. Installs what is missing (scripts/deps.sh), builds
# redflag in build/, then screens the demo orders in examples/ against the bundled list and
# writes report.html.
set -euo pipefail
cd "$(dirname "$0")"

bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target redflag

echo
echo "Demo: screening the orders in examples/ (exit status 1 means something was flagged)"
status=0
build/redflag screen -o report.html examples/open-orders.csv examples/bom-camera.csv \
    examples/suppliers.csv examples/order-ubl.xml examples/order-cxml.xml \
    examples/order-x12.txt || status=$?
if [ "$status" -gt 1 ]; then
    exit "$status"
fi
echo "Report: $PWD/report.html"
