#!/bin/sh
# Golden traces: every bundled scenario's text trace must equal
# tests/golden/NAME.txt, and two runs must give byte-identical traces in
# every format.  `run_golden.sh update` rewrites the golden files (review
# the diff before committing).
set -u
MINET=${MINET:-./minet}
mode=${1:-check}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
for s in scenarios/*.json; do
    name=$(basename "$s" .json)
    n=$((n + 1))
    if [ "$mode" = update ]; then
        "$MINET" run "$s" > "tests/golden/$name.txt" || fail=1
        echo "wrote tests/golden/$name.txt"
        continue
    fi
    for fmt in txt jsonl csv; do
        "$MINET" run "$s" --trace "$tmp/a.$fmt" > "$tmp/a.out" || { echo "FAIL $s: run failed"; fail=1; }
        "$MINET" run "$s" --trace "$tmp/b.$fmt" > "$tmp/b.out" || fail=1
        if ! cmp -s "$tmp/a.$fmt" "$tmp/b.$fmt"; then
            echo "FAIL $s: two runs gave different .$fmt traces"
            fail=1
        fi
    done
    if ! cmp -s "$tmp/a.txt" "$tmp/a.out"; then
        echo "FAIL $s: --trace FILE.txt differs from the trace printed on stdout"
        fail=1
    fi
    if [ ! -f "tests/golden/$name.txt" ]; then
        echo "FAIL $s: no tests/golden/$name.txt (run make golden)"
        fail=1
    elif ! diff -u "tests/golden/$name.txt" "$tmp/a.out" > "$tmp/diff"; then
        echo "FAIL $s: trace differs from tests/golden/$name.txt:"
        head -n 40 "$tmp/diff"
        fail=1
    fi
done
[ "$mode" = update ] && exit $fail
if [ $fail = 0 ]; then
    echo "golden: $n scenarios match their golden traces; every format is the same on two runs"
fi
exit $fail
