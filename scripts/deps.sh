#!/usr/bin/env bash
# deps.sh: the one place that knows which Debian packages redflag needs to build and test.
# Installs the missing ones with apt-get when run as root (as CI does), otherwise prints the
# apt-get line to run and fails. Does nothing, quickly, when everything is there.
# Used by setup.sh and run-tests.sh.
set -euo pipefail

packages=(build-essential cmake pkg-config libxml2-dev libpcre2-dev libsqlite3-dev libcsv-dev
          libutf8proc-dev libicu-dev zlib1g-dev libcurl4-openssl-dev libssl-dev libcmocka-dev
          libzip-dev libxlsxwriter-dev libjansson-dev libxxhash-dev libmicrohttpd-dev libsodium-dev python3
          python3-jsonschema faketime help2man
          chromium nodejs npm  # the report and the workbench in headless Chromium
          postgresql postgresql-contrib  # the benchmark's pg_trgm side-by-side
          python3-dask python3-distributed)  # the distributed test (Dask's scheduler)

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps.sh: no dpkg here (not Debian?): make sure these are installed: ${packages[*]}" >&2
    exit 0
fi

missing=()
for p in "${packages[@]}"; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        continue
    fi
    # A python3 from elsewhere on PATH (pyenv, a venv) serves the tests as well.
    if [ "$p" = python3 ] && command -v python3 >/dev/null 2>&1; then
        continue
    fi
    # Node from elsewhere (nodesource, nvm) brings its own npm.
    if { [ "$p" = nodejs ] || [ "$p" = npm ]; } && command -v node >/dev/null 2>&1 &&
        command -v npm >/dev/null 2>&1; then
        continue
    fi
    if [ "$p" = python3-jsonschema ] && python3 -c 'import jsonschema' >/dev/null 2>&1; then
        continue
    fi
    missing+=("$p")
done
# The browser test's driver, playwright-core, pinned by tests/serve/package-lock.json.
browser_driver() {
    local dir
    dir="$(dirname "$0")/../tests/serve"
    [ -d "$dir/node_modules/playwright-core" ] && return 0
    command -v npm >/dev/null 2>&1 || return 0
    (cd "$dir" && npm ci --no-audit --no-fund >/dev/null) ||
        echo "deps.sh: npm ci in tests/serve failed: the browser test will be skipped" >&2
}
if [ ${#missing[@]} -eq 0 ]; then
    browser_driver
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "redflag needs these packages; install them, then run this again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
browser_driver
