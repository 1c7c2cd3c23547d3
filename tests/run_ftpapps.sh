#!/bin/sh
# curl's ftp:// against minet's FTP server: each tests/ftpapps/S.json's
# console transcript (minet run --quiet) must equal S.expect, which is what
# curl 7.88.1 prints against vsftpd 3.0.3 for the same session (passive
# ports, listing dates and speeds aside: they were compared by hand with
# captures of the real curl in a pseudo-terminal).  After an intended change:
#   ./minet run tests/ftpapps/S.json --quiet > tests/ftpapps/S.expect
set -u
MINET=${MINET:-./minet}
fail=0
n=0
for s in tests/ftpapps/*.json; do
    n=$((n + 1))
    exp=${s%.json}.expect
    if ! "$MINET" run "$s" --quiet > "${TMPDIR:-/tmp}/ftpapps.$$" 2>&1; then
        echo "FAIL $s: minet run failed"
        cat "${TMPDIR:-/tmp}/ftpapps.$$"
        fail=1
        continue
    fi
    if ! diff -u "$exp" "${TMPDIR:-/tmp}/ftpapps.$$" > "${TMPDIR:-/tmp}/ftpapps.$$.diff"; then
        echo "FAIL $s: the transcript differs from $exp:"
        sed 's/^/    /' "${TMPDIR:-/tmp}/ftpapps.$$.diff"
        fail=1
    fi
done
rm -f "${TMPDIR:-/tmp}/ftpapps.$$" "${TMPDIR:-/tmp}/ftpapps.$$.diff"
[ $fail = 0 ] && echo "ftpapps: $n transcripts as curl prints them"
exit $fail
