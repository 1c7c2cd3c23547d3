#!/bin/sh
# mail reading interop: the real s-nail 14.9 and a real Dovecot 2.3 are the
# judges of minet's `mail` reading a mailbox.  For each scenario
# (tests/interop/mail/mail_reader.json, or those named), a copy dated now is
# made (snail_session.py prepare: s-nail compares dates with the real
# clock); Dovecot gets the mail server's users and mailboxes as in
# run_interop_imap.sh, listening on 127.0.0.2 in a network namespace of our
# own; each script line that runs `mail` is run with the real s-nail in a
# pseudo-terminal of 80 columns (Debian's /etc/s-nail.rc, and an rc with
# v15-compat, from and the account's password), through a relay on
# 127.0.0.1 that records the commands s-nail sends
# (tests/interop/mail/snail_session.py).  What s-nail showed must equal
# what minet's run prints, and the commands it sent must equal those minet's
# captions name, line for line, with these masked: the server's name (minet)
# or 127.0.0.1 (real), Message-Id's queue id; the command lines (bob-pc$
# mail) are minet's alone and left out.
#
#   MINET=build/minet sh tests/run_interop_mailread.sh   (default ./minet)
#   sh tests/run_interop_mailread.sh S.json ...          only these scenarios
#   MAILREAD_KEEP=DIR sh tests/run_interop_mailread.sh    keeps both sides' transcripts in DIR
#
# It needs root (ip netns), dovecot, s-nail and python3, and skips (exit 0)
# without them.  Dovecot is stopped by its PID and the namespace deleted at
# the end, also when interrupted.
set -u
MINET=${MINET:-./minet}
for t in dovecot s-nail python3; do
    command -v $t > /dev/null 2>&1 || { echo "interop-mailread: skipped: $t is not installed"; exit 0; }
done
[ "$(id -u)" = 0 ] || { echo "interop-mailread: skipped: needs root for ip netns"; exit 0; }
[ -x "$MINET" ] || { echo "FAIL interop-mailread: $MINET is not an executable"; exit 1; }
ns=mnread$$
tmp=$(mktemp -d)
chmod 755 "$tmp"
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2> /dev/null; sleep 1; fi
    ip netns del "$ns" 2> /dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ip netns add "$ns" || { echo "FAIL interop-mailread: cannot make a network namespace"; exit 1; }
ip netns exec "$ns" ip link set lo up
owner=$(id -u nobody):$(id -g nobody)
fail=0
n=0
[ $# -gt 0 ] || set -- tests/interop/mail/mail_reader.json tests/interop/mail/mail_reader_pages.json \
    tests/interop/mail/mail_reader_empty.json

. tests/interop/mail/dovecot.sh

mask() {
    sed -e 's/mail\.hamburger\.edu/SERVER/g; s/127\.0\.0\.1/SERVER/g' \
        -e 's/<[0-9]\{14\}\.[0-9A-F]*@/<ID@/'
}

for s in "$@"; do
    name=$(basename "$s" .json)
    python3 tests/interop/mail/snail_session.py prepare "$s" "$tmp/scn.json"
    s=$tmp/scn.json
    ip netns exec "$ns" ip addr add 127.0.0.2/8 dev lo 2> /dev/null
    start_dovecot "$s" 127.0.0.2 || { echo "FAIL interop-mailread: dovecot does not start (see $tmp/run/dovecot.log)"; fail=1; continue; }
    printf 'set v15-compat\n' > "$tmp/run/mailrc"
    for up in $users; do
        echo "set password-${up%%:*}@127.0.0.1=${up#*:}" >> "$tmp/run/mailrc"
    done
    lines=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["script"]))' "$s")
    i=0
    : > "$tmp/real"
    : > "$tmp/real.wire"
    while [ $i -lt "$lines" ]; do
        ip netns exec "$ns" python3 tests/interop/mail/snail_session.py talk "$s" $i "$tmp/run/mailrc" "$tmp/real.wire" >> "$tmp/real"
        i=$((i + 1))
    done
    stop_dovecot
    "$MINET" run "$s" --quiet | grep -v '^[^ ]*\$ ' > "$tmp/minet"
    "$MINET" run "$s" | sed -n "s/^ *[0-9.]*  *note  *\[[0-9]*\] [^ ]*'s mail (s-nail) sends //p" > "$tmp/minet.wire"
    mask < "$tmp/real" > "$tmp/real.m"
    mask < "$tmp/minet" > "$tmp/minet.m"
    if [ -n "${MAILREAD_KEEP:-}" ]; then
        mkdir -p "$MAILREAD_KEEP"
        for f in real.m minet.m real.wire minet.wire; do cp "$tmp/$f" "$MAILREAD_KEEP/$name.$f"; done
    fi
    n=$((n + 1))
    if cmp -s "$tmp/real.m" "$tmp/minet.m"; then
        echo "ok $name: $(wc -l < "$tmp/minet.m") lines on the terminal equal s-nail's"
    else
        echo "FAIL $name: minet's mail shows other lines than s-nail (- s-nail, + minet):"
        diff "$tmp/real.m" "$tmp/minet.m" | head -n 40 | sed 's/^/    /'
        fail=1
    fi
    if cmp -s "$tmp/real.wire" "$tmp/minet.wire"; then
        echo "ok $name: $(wc -l < "$tmp/minet.wire") commands sent equal s-nail's"
    else
        echo "FAIL $name: minet's mail sends other commands than s-nail (- s-nail, + minet):"
        diff "$tmp/real.wire" "$tmp/minet.wire" | head -n 30 | sed 's/^/    /'
        fail=1
    fi
done
[ $fail = 0 ] && echo "interop-mailread: $n scenarios, mail's terminal and commands equal s-nail 14.9's with Dovecot 2.3"
exit $fail
