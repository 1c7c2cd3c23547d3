#!/bin/sh
# POP3 and IMAP interop: a real Dovecot 2.3 is the judge of minet's mail
# server on ports 110 and 143.  For each scenario (mail_pop3_dialogue,
# mail_imap_dialogue, tests/interop/mail/imap_search.json, which adds
# SEARCH, DELETE, RENAME and subscriptions, imap_literals.json, strings
# sent as literals, and imap_append.json, APPEND; or those named), Dovecot gets
# the server's users and
# mailboxes (Maildir, users in a passwd-file, the message texts minet
# stores; tests/interop/mail/dovecot_session.py), runs with this
# configuration: ssl = no, disable_plaintext_auth = no, auth_mechanisms =
# plain login, in a network namespace of our own on 127.0.0.1, and each
# script line's input is typed into its port, one line after the answer to
# the last.  What Dovecot answers must equal what minet's run of the
# scenario prints, line for line, with these masked: UIDVALIDITY (a time in
# Dovecot, the scenario's start in minet) in [UIDVALIDITY n], [COPYUID n, [APPENDUID n
# and POP3's UIDLs, the timings of "(0.001 + 0.000 secs)", the queue ids
# inside Message-Id, and LIST's \Marked and \Unmarked (Dovecot derives them
# from the Maildir folders' modification times, which the real run's
# timing decides; minet sends neither).  telnet's own lines (Trying, Connected, Escape,
# the prompt, Connection closed) are minet's alone and left out.
#
# Then the clients: for tests/mailapps/curl_mail.json (curl's pop3:// and
# imap://), Dovecot gets the mail node's address on the namespace's
# loopback and its name in the namespace's hosts file, and each script
# line's command runs as typed, with the real curl on a terminal (script),
# one after the other; what it prints (curl's *, > and < lines, what it
# writes, its errors) must equal minet's transcript with the same masks,
# the "after N ms" of a refused connection, and the CRs left out.
#
#   MINET=build/minet sh tests/run_interop_imap.sh   (default ./minet)
#   sh tests/run_interop_imap.sh S.json ...          only these scenarios
#   CLIENTS="C.json ..." sh tests/run_interop_imap.sh  other client scenarios
#
# It needs root (ip netns) and dovecot, and skips (exit 0) without them.
# Dovecot is stopped by its PID and the namespace deleted at the end, also
# when interrupted.
set -u
MINET=${MINET:-./minet}
command -v dovecot > /dev/null 2>&1 || { echo "interop-imap: skipped: dovecot is not installed (apt-get install dovecot-imapd dovecot-pop3d)"; exit 0; }
command -v python3 > /dev/null 2>&1 || { echo "interop-imap: skipped: python3 is not installed"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "interop-imap: skipped: needs root for ip netns"; exit 0; }
[ -x "$MINET" ] || { echo "FAIL interop-imap: $MINET is not an executable"; exit 1; }
here=$(pwd)
ns=mnmail$$
tmp=$(mktemp -d)
chmod 755 "$tmp"
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2> /dev/null; sleep 1; fi
    ip netns del "$ns" 2> /dev/null
    rm -rf "$tmp" "/etc/netns/$ns"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ip netns add "$ns" || { echo "FAIL interop-imap: cannot make a network namespace"; exit 1; }
ip netns exec "$ns" ip link set lo up
owner=$(id -u nobody):$(id -g nobody)
fail=0
n=0
[ $# -gt 0 ] || set -- scenarios/mail_pop3_dialogue.json scenarios/mail_imap_dialogue.json tests/interop/mail/imap_search.json tests/interop/mail/imap_literals.json tests/interop/mail/imap_append.json
CLIENTS=${CLIENTS:-tests/mailapps/curl_mail.json}

# mask: what may differ between the two servers, and curl's progress
# meter, which the real curl draws (ending in a CR, before its next line)
# only when a transfer is slow: on a loaded machine, now and then
mask() {
    sed -e 's/\r//g' \
        -e 's/^\( *[0-9][0-9.]*[kMG]\{0,1\}\)\{8\}\( *[-0-9]\{1,2\}:[-0-9]\{2\}:[-0-9]\{2\}\)\{3\} *[0-9][0-9.]*[kMG]\{0,1\}//' \
        -e 's/\[UIDVALIDITY [0-9]*\]/[UIDVALIDITY V]/' \
        -e 's/\[COPYUID [0-9]* /[COPYUID V /' \
        -e 's/\[APPENDUID [0-9]* /[APPENDUID V /' \
        -e 's/^\(+OK \)\{0,1\}\([0-9][0-9]* [0-9a-f]\{8\}\)[0-9a-f]\{8\}$/\1\2VVVVVVVV/' \
        -e 's/ ([0-9.]* + [0-9.]*\( + [0-9.]*\)\{0,1\} secs)\./ (T secs)./' \
        -e 's/<20230911090000\.[0-9A-F]*@/<20230911090000.Q@/' \
        -e '/^\(< \)\{0,1\}\* LIST /s/ \\\(Un\)\{0,1\}[Mm]arked//' \
        -e 's/ after [0-9]* ms: / after N ms: /'
}

. tests/interop/mail/dovecot.sh

# compare NAME REAL MINET
compare() {
    mask < "$2" > "$2.m"
    mask < "$3" > "$3.m"
    n=$((n + 1))
    if cmp -s "$2.m" "$3.m"; then
        echo "ok $1: $(wc -l < "$3.m") lines equal the real ones"
    else
        echo "FAIL $1: minet's transcript differs from the real one (- real, + minet):"
        diff "$2.m" "$3.m" | head -n 30 | sed 's/^/    /'
        fail=1
    fi
}

for s in "$@"; do
    name=$(basename "$s" .json)
    start_dovecot "$s" 127.0.0.1 || { echo "FAIL interop-imap: dovecot does not start (see $tmp/run/dovecot.log)"; fail=1; continue; }
    lines=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["script"]))' "$s")
    i=0
    : > "$tmp/real"
    while [ $i -lt "$lines" ]; do
        ip netns exec "$ns" python3 tests/interop/mail/dovecot_session.py talk "$s" $i >> "$tmp/real"
        i=$((i + 1))
    done
    stop_dovecot
    "$MINET" run "$s" --quiet | grep -v -e '^[^ ]*\$ ' -e '^Trying ' -e '^Connected to ' \
        -e "^Escape character is" -e '^Connection closed' -e '^^\]$' -e '^telnet> ' > "$tmp/minet"
    compare "$name" "$tmp/real" "$tmp/minet"
done

# the clients: the real ones against Dovecot, on the mail node's address
for s in $CLIENTS; do
    name=$(basename "$s" .json)
    addr=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); n=next(n for n in d["nodes"] if n.get("role") == "mail"); print(n["ip"].split("/")[0], n["id"])' "$s")
    ip netns exec "$ns" ip addr add "${addr%% *}/32" dev lo 2> /dev/null
    mkdir -p "/etc/netns/$ns"
    echo "$addr" > "/etc/netns/$ns/hosts"
    start_dovecot "$s" "${addr%% *}" || { echo "FAIL interop-imap: dovecot does not start (see $tmp/run/dovecot.log)"; fail=1; continue; }
    rm -rf "$tmp/home" && mkdir -p "$tmp/home"
    python3 -c 'import json,sys
for l in json.load(open(sys.argv[1]))["script"]: print(l["on"] + "\t" + l["run"])' "$s" > "$tmp/lines"
    : > "$tmp/real"
    while IFS="$(printf '\t')" read -r on cmd; do
        printf '%s$ %s\n' "$on" "$cmd" >> "$tmp/real"
        (cd "$tmp/home" && ip netns exec "$ns" script -qec "$cmd" /dev/null < /dev/null) >> "$tmp/real" 2>&1
    done < "$tmp/lines"
    stop_dovecot
    "$MINET" run "$s" --quiet > "$tmp/minet" 2>&1
    compare "$name" "$tmp/real" "$tmp/minet"
done
[ $fail = 0 ] && echo "interop-imap: $n comparisons, every reply equal to Dovecot 2.3's and every client's transcript to the real one's"
exit $fail
