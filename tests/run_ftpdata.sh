#!/bin/sh
# FTP's data connections judged by tshark: for every FTP scenario and
# tests/ftpdata/*.json, each TCP segment with data that tshark calls
# FTP-DATA, minet's dissector calls FTP-DATA too, with the same Info
# ("FTP Data: 271 bytes (PASV) (RETR notes.txt)"), and no other
# (tests/ftp_data_tshark.py; an EPRT data connection, which Wireshark 4.0
# leaves unlinked, is the one difference it expects).
#
#   MINET=build/minet sh tests/run_ftpdata.sh     (default ./minet)
#
# It skips (exit 0) only when tshark is not installed.
set -u
MINET=${MINET:-./minet}
command -v tshark > /dev/null 2>&1 || { echo "ftpdata: skipped: tshark is not installed (apt-get install tshark)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
for s in scenarios/ftp_*.json tests/ftpdata/*.json; do
    n=$((n + 1))
    if ! python3 tests/ftp_data_tshark.py "$MINET" "$s" "$tmp" > "$tmp/out" 2> "$tmp/err"; then
        cat "$tmp/out"
        grep -v 'Running as user' "$tmp/err" | head -n 5
        fail=1
    fi
done
[ $fail = 0 ] && echo "ftpdata: $n scenarios' FTP data connections labelled as tshark labels them"
exit $fail
