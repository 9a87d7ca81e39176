#!/usr/bin/env bash
# The shipped build (C++ runtime linked in, no sanitizers) asks the loader for
# no shared library it calls nothing of. libm is the one this guards: g++ links
# it by default, and its set-up at load time alone kept about 390 KiB of every
# run resident (bench/README.md, 2026-12-05). bridge calls no libm function
# (util::ceil_millis) and is linked with --as-needed, so a call that brings
# libm back fails here rather than in the next benchmark.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

command -v readelf >/dev/null || { echo "SKIP: readelf (binutils) is not installed"; exit 77; }
needed=$(readelf -d "$BRIDGE" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[[ -n $needed ]] || fail "readelf lists no shared library for $BRIDGE"
if grep -q '^libstdc++' <<<"$needed"; then
    echo "SKIP: this build loads the shared C++ runtime (sanitizers or BRIDGE_STATIC_RUNTIME=OFF)"
    exit 77
fi
if grep -q '^libm\.' <<<"$needed"; then
    fail "bridge needs libm again: $(readelf -W --dyn-syms "$BRIDGE" | awk '$7 == "UND" {print $8}' |
        grep -E '^(ceil|floor|pow|exp|log|sqrt|round|fmod|trunc|ldexp)[fl]?(@|$)' | sort -u | tr "\n" " ")
(nm -u on the objects says which file calls it)"
fi
for lib in libcurl libc; do
    grep -q "^$lib\\.so" <<<"$needed" || fail "$lib is not among bridge's libraries: $needed"
done
echo "ok: $(tr '\n' ' ' <<<"$needed")"
