#!/bin/sh
# The consoles in docs/teaching-*.md are what minet prints: under each
# heading that names a scenario (### `dns_cache.json`: …), the first code
# block must equal `minet run scenarios/NAME.json --quiet`.
set -u
MINET=${MINET:-./minet}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
for doc in docs/teaching-*.md; do
    awk -v dir="$tmp" '
        /^### `[a-z_]+\.json`/ { match($0, /`[a-z_]+\.json`/); name = substr($0, RSTART + 1, RLENGTH - 7); want = 1; next }
        want && /^```$/ && !inside { inside = 1; out = dir "/" name ".want"; printf "" > out; next }
        inside && /^```$/ { inside = 0; want = 0; close(out); next }
        inside { print >> out }
    ' "$doc"
done
for want in "$tmp"/*.want; do
    [ -e "$want" ] || continue
    name=$(basename "$want" .want)
    n=$((n + 1))
    if ! "$MINET" run "scenarios/$name.json" --quiet > "$tmp/$name.got" 2>&1; then
        echo "FAIL docs: scenarios/$name.json does not run"
        fail=1
        continue
    fi
    if ! diff -u "$want" "$tmp/$name.got" > "$tmp/$name.diff"; then
        echo "FAIL docs: the console shown for $name.json is not what minet prints:"
        head -n 30 "$tmp/$name.diff"
        fail=1
    fi
done
[ $fail = 0 ] && echo "docs: $n consoles in the teaching guides match what minet prints"
exit $fail
