#!/bin/sh
# Runs `minet check` on every broken scenario in tests/bad/ and compares what
# it prints on stderr, byte for byte, with the sibling .expect file.  Each must
# exit with status 2.
#
#   MINET=build/minet sh tests/run_bad.sh
#
# Run from anywhere: it works from the repository's top folder, because the
# expected messages name the files as tests/bad/NAME.json.
set -u

: "${MINET:?set MINET to the minet binary, e.g. MINET=build/minet}"
case $MINET in
/*) ;;
*) MINET=$(pwd)/$MINET ;;
esac
cd "$(dirname "$0")/.." || exit 1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/minet-bad.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

pass=0
fail=0
for json in tests/bad/*.json; do
    expect=${json%.json}.expect
    name=$(basename "$json" .json)
    if [ ! -f "$expect" ]; then
        echo "FAIL $name: no $expect"
        fail=$((fail + 1))
        continue
    fi
    "$MINET" check "$json" >"$tmp/stdout" 2>"$tmp/stderr" </dev/null
    status=$?
    ok=1
    if [ "$status" -ne 2 ]; then
        echo "FAIL $name: exit status $status (expected 2)"
        ok=0
    fi
    if ! cmp -s "$expect" "$tmp/stderr"; then
        echo "FAIL $name: stderr differs from $expect"
        diff -u "$expect" "$tmp/stderr" | sed 's/^/    /'
        ok=0
    fi
    if [ "$ok" -eq 1 ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
    fi
done

# tests/warn/: scenarios that load but would surprise a class.  `minet
# check` prints the warnings (stderr equal to the .expect file) and exits 0;
# with --strict the warnings are errors (exit 2).
for json in tests/warn/*.json; do
    expect=${json%.json}.expect
    name=warn/$(basename "$json" .json)
    ok=1
    "$MINET" check "$json" >"$tmp/stdout" 2>"$tmp/stderr" </dev/null
    status=$?
    if [ "$status" -ne 0 ]; then
        echo "FAIL $name: exit status $status (expected 0: warnings do not fail a check)"
        ok=0
    fi
    if ! cmp -s "$expect" "$tmp/stderr"; then
        echo "FAIL $name: stderr differs from $expect"
        diff -u "$expect" "$tmp/stderr" | sed 's/^/    /'
        ok=0
    fi
    "$MINET" check --strict "$json" >"$tmp/stdout" 2>"$tmp/stderr" </dev/null
    status=$?
    if [ "$status" -ne 2 ]; then
        echo "FAIL $name: check --strict: exit status $status (expected 2)"
        ok=0
    fi
    if [ "$ok" -eq 1 ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
    fi
done

echo "bad inputs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
