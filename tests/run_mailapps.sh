#!/bin/sh
# The mail programs (swaks, curl's smtp://) against servers played with
# nc: each tests/mailapps/S.json's console transcript (minet run --quiet)
# must equal S.expect, which is what the real programs print for the same
# dialogue (make interop runs these scenarios with the real swaks and curl
# too: tests/run_interop_mail.sh).  After an intended change:
#   ./minet run tests/mailapps/S.json --quiet > tests/mailapps/S.expect
set -u
MINET=${MINET:-./minet}
fail=0
n=0
for s in tests/mailapps/*.json; do
    n=$((n + 1))
    exp=${s%.json}.expect
    if ! "$MINET" run "$s" --quiet > "${TMPDIR:-/tmp}/mailapps.$$" 2>&1; then
        echo "FAIL $s: minet run failed"
        cat "${TMPDIR:-/tmp}/mailapps.$$"
        fail=1
        continue
    fi
    if ! diff -u "$exp" "${TMPDIR:-/tmp}/mailapps.$$" > "${TMPDIR:-/tmp}/mailapps.$$.diff"; then
        echo "FAIL $s: the transcript differs from $exp:"
        sed 's/^/    /' "${TMPDIR:-/tmp}/mailapps.$$.diff"
        fail=1
    fi
done
rm -f "${TMPDIR:-/tmp}/mailapps.$$" "${TMPDIR:-/tmp}/mailapps.$$.diff"
[ $fail = 0 ] && echo "mailapps: $n transcripts as the real programs print them"
exit $fail
