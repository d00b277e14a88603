#!/usr/bin/env bash
# tests/install/install.sh: libredflag installed as a library, as a packager and an ERP
# integrator use it. Installs the build ($RF_BUILD_DIR) into a scratch prefix; checks what
# lands there; checks that the shared library exports exactly the functions the public
# headers declare; builds examples/embed.c against the installed redflag with pkg-config
# and with CMake's find_package, and screens real orders with it; then
# builds the Debian package with CPack and runs the redflag it holds.
set -euo pipefail
src=${RF_SOURCE_DIR:?} build=${RF_BUILD_DIR:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(dirname "$(find "$prefix" -name libredflag.so -print -quit)")
[ -n "$libdir" ] || fail "no libredflag.so installed"
for f in bin/redflag include/redflag/redflag.h include/redflag/engine/rf_engine.h \
         include/redflag/lists/rf_lists.h share/redflag/consolidated_2022-05.csv.gz; do
    [ -e "$prefix/$f" ] || fail "$f not installed"
done
for f in libredflag.a libredflag.so.0 pkgconfig/redflag.pc cmake/redflag/redflagConfig.cmake; do
    [ -e "$libdir/$f" ] || fail "$f not installed in $libdir"
done
soname=$(objdump -p "$libdir/libredflag.so" | awk '/SONAME/ {print $2}')
[ "$soname" = libredflag.so.0 ] || fail "SONAME is '$soname'"
echo "installed: $(cd "$prefix" && find . -type f | wc -l) files, SONAME $soname"

# The exported functions are exactly the ones the public headers declare: none of the
# library's internal functions leaks, and no header declares a function nobody defines.
nm -D --defined-only "$libdir/libredflag.so" | awk '$2 == "T" {sub(/@.*/, "", $3); print $3}' \
    | sort >"$work/exported"
grep -oE '^ +rf_[a-z0-9_]+;' "$build/libredflag.map" | tr -d ' ;' | sort >"$work/declared"
if ! diff "$work/declared" "$work/exported" >"$work/diff"; then
    cat "$work/diff" >&2
    fail "exports differ from the public headers ('<' declared only, '>' exported only)"
fi
nm -D --defined-only "$libdir/libredflag.so" | grep -v ' [TA] ' && fail "data or weak symbols exported"
nm "$libdir/libredflag.a" 2>/dev/null | grep ' T rf_store__prepare$' >/dev/null ||
    fail "rf_store__prepare (an internal function) not found in the static library"
nm -D "$libdir/libredflag.so" | grep 'rf_store__prepare' >/dev/null &&
    fail "internal rf_store__prepare exported"
# What the library's files share without exporting it is marked as internal by its name,
# rf_module__name, so that a reader of a file tells the two apart (docs/development.md).
nm --defined-only "$libdir/libredflag.a" 2>/dev/null | awk '$2 == "T" {print $3}' | sort -u \
    | comm -23 - "$work/exported" | grep -v '__' >"$work/unmarked" || true
[ ! -s "$work/unmarked" ] || { cat "$work/unmarked" >&2; fail "internal functions without __"; }
echo "exports: $(wc -l <"$work/exported") functions, all declared in the public headers"

cflags=()
if [ "${RF_SANITIZE:-OFF}" = ON ]; then cflags=(-fsanitize=address,undefined); fi
listed=$src/examples/order-ubl.xml
clear=$src/tests/data/orders/edifact/ORDERS_D01B_EAN010_example_order_ok.edi

# run_embed NAME BINARY: the listed order is flagged (exit 1, the Huawei affiliate named),
# the clean one is clear (exit 0).
run_embed() {
    local name=$1 bin=$2 status=0
    LD_LIBRARY_PATH=$libdir "$bin" "$work/$name.db" "$listed" >"$work/$name.out" || status=$?
    [ "$status" = 1 ] || { cat "$work/$name.out"; fail "$name: exit $status on $listed"; }
    grep -qi 'REVIEW.*huawei' "$work/$name.out" || { cat "$work/$name.out"; fail "$name: no Huawei hit"; }
    status=0
    LD_LIBRARY_PATH=$libdir "$bin" "$work/$name.db" "$clear" >"$work/$name.clear" || status=$?
    [ "$status" = 0 ] || { cat "$work/$name.clear"; fail "$name: exit $status on $clear"; }
    echo "$name: $(tail -1 "$work/$name.out")"
}

export PKG_CONFIG_PATH=$libdir/pkgconfig
# shellcheck disable=SC2046
cc "${cflags[@]}" -o "$work/embed-pc" "$src/examples/embed.c" $(pkg-config --cflags --libs redflag)
run_embed pkg-config "$work/embed-pc"
cmake -S "$src/examples" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_FLAGS="${cflags[*]}" >/dev/null
cmake --build "$work/cmake" >/dev/null
run_embed find_package "$work/cmake/embed"

# The Debian package: built by CPack from this build, with its dependencies found by
# dpkg-shlibdeps; its redflag runs from the unpacked tree.
if [ "${RF_SANITIZE:-OFF}" = ON ]; then
    echo "package: not built from a sanitizer build"
    exit 0
fi
(cd "$work" && cpack --config "$build/CPackConfig.cmake" -B "$work/deb" >/dev/null)
deb=$(find "$work/deb" -maxdepth 1 -name 'redflag_*.deb' -print -quit)
[ -n "$deb" ] || fail "cpack made no redflag_*.deb"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libsqlite3 libxml2 libcurl libicu libcsv libzip libmicrohttpd libsodium; do
    case "$depends" in *"$lib"*) ;; *) fail "package Depends lacks $lib: $depends" ;; esac
done
dpkg-deb -x "$deb" "$work/root"
for page in redflag redflag-screen redflag-lists-import; do
    [ -e "$work/root/usr/share/man/man1/$page.1" ] || [ -e "$work/root/usr/share/man/man1/$page.1.gz" ] ||
        fail "the package has no manual page $page(1)"
done
[ -x "$work/root/usr/bin/redflag" ] || fail "no /usr/bin/redflag in the package"
"$work/root/usr/bin/redflag" lists init --db "$work/deb.db" >/dev/null 2>&1 ||
    fail "packaged redflag: lists init failed"
status=0
"$work/root/usr/bin/redflag" screen --db "$work/deb.db" --format jsonl "$listed" \
    >"$work/deb.jsonl" 2>"$work/deb.err" || status=$?
[ "$status" = 1 ] || { cat "$work/deb.err"; fail "packaged redflag: exit $status"; }
# serve and users run the server program from /usr/libexec/redflag; redflag itself loads
# neither the server's libraries nor libcurl (opened by lists update when it downloads).
"$work/root/usr/bin/redflag" users list --db "$work/deb.db" >"$work/users.out" 2>&1 ||
    { cat "$work/users.out"; fail "packaged redflag: users list failed"; }
[ -x "$work/root/usr/libexec/redflag/redflag-server" ] || fail "no /usr/libexec/redflag/redflag-server"
needed=$(objdump -p "$work/root/usr/bin/redflag" | awk '/NEEDED/ {print $2}' | tr '\n' ' ')
case "$needed" in *libcurl* | *libmicrohttpd* | *libsodium*)
    fail "packaged redflag links what only lists update or serve use: $needed" ;; esac
echo "package: $(basename "$deb"), Depends: $depends"
