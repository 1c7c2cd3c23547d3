#!/bin/sh
# Mail interop: real Postfix is the judge of minet's mail servers, and the
# real swaks, curl, s-nail and telnet of minet's programs.
#
# For each scenario (the bundled scenarios/mail_*.json,
# tests/interop/mail/*.json, and tests/mailapps/*.json where nc plays the
# server) every node becomes a network namespace of our
# own (tests/interop/tcp/real.py), each node of role "mail" runs a Postfix
# 3.7 of its own (`postfix -c DIR`, main.cf as issue 14 prescribes: see
# tests/interop/mail/real_mail.py) with Dovecot's auth for SASL on port
# 587, and each script line runs at its time in its node's namespace, in
# an 80-column pseudo-terminal, with its input typed when minet typed it.
#   1. What each line shows (every server reply and what each program
#      prints) and its exit status must equal minet's, once the volatile
#      parts are masked: queue ids, dates, message ids, mailq's arrival
#      times (real_mail.py's MASKS), nothing else.
#   2. The commands each mail server's own SMTP client sends to another
#      (dumpcap on its eth0, tshark's smtp.req) must equal minet's.
#
#   MINET=build/minet sh tests/run_interop_mail.sh    (default ./minet)
#   sh tests/run_interop_mail.sh S.json ...   only these scenarios
#   MINET_INTEROP_MAIL=real sh tests/run_interop_mail.sh ...
#       runs the real side alone and prints its transcripts (what minet
#       should print), with no comparison
#   MINET_INTEROP_KEEP=DIR ...   keeps both sides' outputs, captures, logs
#   MINET_INTEROP_MAIL_CUT=S ...   plays the script lines up to S seconds
#       (default 300; the real run takes real time), compares those only
#
# It needs root (ip netns) and skips (exit 0) when it is not root or a
# tool is missing.  Traffic stays inside the namespaces it makes (prefix
# mml<PID>-), which it deletes at the end, also when interrupted; every
# process it starts is stopped by its id.
set -u
MINET=${MINET:-./minet}
case $MINET in
/*) ;;
*) MINET=$(pwd)/$MINET ;;
esac
HERE=tests/interop/mail
mode=${MINET_INTEROP_MAIL:-compare}
skip() {
    echo "interop-mail: skipped: $1"
    exit 0
}
[ "$(id -u)" = 0 ] || skip "needs root for ip netns (CI runs make interop as root)"
for t in postfix:postfix dovecot:dovecot-core swaks:swaks s-nail:s-nail curl:curl \
    telnet:inetutils-telnet python3:python3 tshark:tshark dumpcap:tshark ip:iproute2 \
    ss:iproute2 unshare:util-linux; do
    command -v "${t%%:*}" > /dev/null 2>&1 || skip "${t%%:*} is not installed (apt-get install ${t#*:})"
done
case $(readlink -f "$(command -v telnet)") in
*inetutils*) ;;
*) skip "telnet is not inetutils' (apt-get install inetutils-telnet)" ;;
esac
if [ "$mode" != real ] && [ ! -x "$MINET" ]; then
    echo "FAIL interop-mail: $MINET is not an executable (build it with make, or set MINET)"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/minet-interop-mail.XXXXXX") || exit 1
chmod 755 "$tmp" # Postfix's and Dovecot's own users read their files here
prefix=mml$$
cleanup() {
    python3 "$HERE/real_mail.py" down "$prefix" "$tmp/work"
    if [ -n "${MINET_INTEROP_KEEP:-}" ]; then
        mkdir -p "$MINET_INTEROP_KEEP" && cp -r "$tmp"/. "$MINET_INTEROP_KEEP/"
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
fail=0
nscen=0
nsame=0
ndiffer=0

# What reads mail over POP3 or IMAP speaks to Dovecot, not Postfix:
# run_interop_imap.sh (the dialogues, imap_search, imap_literals, curl_mail) and
# run_interop_mailread.sh (mail_reader*) judge it; mail_end_to_end ends
# with Bob's reader.  mail_help reads Bob's mail too: its help lines are
# s-nail's own, recorded in tests/mailapps/mail_help.expect.
[ $# -gt 0 ] || set -- $(ls scenarios/mail_*.json "$HERE"/*.json tests/mailapps/*.json 2> /dev/null |
    grep -v -e '/mail_pop3_' -e '/mail_imap_' -e '/mail_end_to_end' -e '/imap_' \
        -e '/mail_reader' -e '/curl_mail' -e '/mail_help')
for s in "$@"; do
    name=$(basename "$s" .json)
    # two folders may hold scenarios of one name (swaks_options.json)
    d=$tmp/$(printf '%s' "${s%.json}" | tr '/' '_')
    rm -rf "$tmp/work" "$d"
    mkdir -p "$d/minet" "$d/real" "$tmp/work"
    # A node or link going down or up (a script line without "on") is
    # played at its time by real_mail.py as minet has it: what is sent
    # to or from it is lost without a word (see faults() there).
    trace=-
    if [ "$mode" != real ]; then
        if ! "$MINET" run "$s" --trace "$d/trace.jsonl" > /dev/null 2> "$d/minet.err"; then
            # Until minet has mail servers, a scenario with role "mail" is
            # an error of minet's: the real side can still be shown.
            if grep -q 'unknown program' "$d/minet.err" ||
                { grep -q 'role' "$d/minet.err" && grep -q '"mail"' "$s"; }; then
                echo "skip $name: minet cannot run it yet ($(head -n 1 "$d/minet.err")); MINET_INTEROP_MAIL=real shows Postfix's side"
                continue
            fi
            echo "FAIL $name: minet run failed:"
            sed 's/^/    /' "$d/minet.err"
            fail=1
            continue
        fi
        trace=$d/trace.jsonl
        python3 tests/interop/tcp/real.py minet "$trace" "$d/minet" "$s" || {
            echo "FAIL $name: minet's transcript could not be read"
            fail=1
            continue
        }
    fi
    python3 "$HERE/real_mail.py" run "$s" "$trace" "$d/real" "$prefix" "$tmp/work" || {
        echo "FAIL $name: the real run failed"
        fail=1
        continue
    }
    nscen=$((nscen + 1))
    if [ "$mode" = real ]; then
        python3 "$HERE/real_mail.py" show "$s" "$d/real"
        continue
    fi
    python3 "$HERE/real_mail.py" compare "$s" "$d/minet" "$d/real" "$name" 2> "$d/counts" || fail=1
    read -r a b < "$d/counts"
    nsame=$((nsame + a))
    ndiffer=$((ndiffer + b))
    for node in $(ls "$d/real" | sed -n 's/^\(.*\)\.pcapng$/\1/p' | grep -v '^minet-'); do
        python3 "$HERE/real_mail.py" client "$s" "$MINET" "$d/real" "$node" || fail=1
    done
done

echo "interop-mail: $nscen scenarios against Postfix $(postconf -dh mail_version 2> /dev/null), swaks $(dpkg-query -W -f '${Version}' swaks 2> /dev/null), s-nail $(dpkg-query -W -f '${Version}' s-nail 2> /dev/null), curl $(dpkg-query -W -f '${Version}' curl 2> /dev/null): $nsame lines the same, $ndiffer differ"
exit $fail
