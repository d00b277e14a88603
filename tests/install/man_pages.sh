#!/usr/bin/env bash
# tests/install/man_pages.sh: every command the overview (redflag --help) lists has a manual
# page made by the build ($RF_BUILD_DIR/man), which man renders without a warning, under its
# own name, with the usage line the command's --help gives. (grep -q reads here-strings, not a
# pipe: under pipefail, a writer cut off by grep's early exit would fail the check at random.)
set -euo pipefail
build=${RF_BUILD_DIR:?} bin=${RF_BIN:-$RF_BUILD_DIR/redflag}
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -d "$build/man" ] || fail "no $build/man: help2man missing at build time (scripts/deps.sh)"

# the commands of the overview: "  screen FILE...", "  lists import FILE...", "  review clear|..."
commands=$("$bin" --help | sed -n '/^Commands:/,/^$/p' | awk '
    /^  [a-z]/ { if ($1 == "lists") print $1 " " $2; else if ($1 != "help") print $1 }' | sort -u)
[ "$(echo "$commands" | wc -l)" -ge 12 ] || fail "too few commands read from --help: $commands"
pages=0
while IFS= read -r command; do
    page=redflag${command:+-${command// /-}}
    file=$build/man/$page.1
    [ -f "$file" ] || fail "no manual page for '${command:-redflag}': $file"
    out=$(MANWIDTH=100 man --warnings -l "$file" 2>"$build/man/$page.err") ||
        fail "man cannot render $page.1"
    [ ! -s "$build/man/$page.err" ] || { cat "$build/man/$page.err"; fail "man warns on $page.1"; }
    grep -q "^NAME" <<<"$out" || fail "$page.1 has no NAME"
    grep -Eq "^ +$page - " <<<"$out" || fail "$page.1 is not named $page"
    # the first usage line of --help, words joined as man prints them
    usage=$("$bin" $command --help | sed -n '1s/^usage: //p' | awk '{print $1, $2, $3}')
    squeezed=$(tr -s ' ' <<<"$out")
    grep -qF "$usage" <<<"$squeezed" || fail "$page.1 lacks '$usage'"
    pages=$((pages + 1))
done < <(printf '\n%s\n' "$commands")
echo "man pages: $pages rendered without a warning"
