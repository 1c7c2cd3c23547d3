#!/bin/sh
# TCP interop: the real programs are the judge of minet's telnet, nc, ss
# and netstat, and Linux's TCP of the shape of minet's segments.
#
# 1. Programs.  For each scenario (the bundled scenarios/tcp_*.json and
#    tests/interop/tcp/*.json), every node becomes a network namespace of
#    our own with the node's addresses, routes and forwarding (see
#    tests/interop/tcp/real.py), and each script line runs there at its
#    time, in a pseudo-terminal of 80 columns, with its input typed when
#    minet typed it: Debian's inetutils telnet, netcat-openbsd, iproute2's
#    ss, net-tools' netstat.  What each line shows on its terminal and its
#    exit status must equal what minet's run of the same scenario prints.
#    Set aside, each for a reason written in real.py's normal(): a CR
#    printed before LF, and the order of ss's and netstat's rows after the
#    listeners (Linux's hash order); and after a program ended by ^C, the
#    new line that bash would print is added (real.py's run()).  Linux's random ephemeral ports are mapped
#    to minet's, SYN by SYN.  A scenario whose real run would take more
#    than its own length plus a few seconds is cut there.
# 2. Segments.  dumpcap captures each end host's side of the real run.
#    Where Linux is set like for like (SCENARIO.sysctl beside the scenario:
#    Reno, no SACK, no timestamps, no window scaling; nc_direct.json, one
#    link), every segment must equal minet's in order: flags, relative
#    sequence and acknowledgement numbers, window field, length and options
#    (so the handshake's MSS 1460 alone, window 64240, PSH on data, the
#    number of segments).  Not the times: Linux acknowledges the first
#    segments of a connection at once (quick-ACK mode) where minet delays
#    its ACKs 40 ms; an "info" line prints both.  Elsewhere (Linux's own
#    defaults) only such figures are printed.
#
#   MINET=build/minet sh tests/run_interop_tcp.sh    (default ./minet)
#   sh tests/run_interop_tcp.sh S.json ...   only these scenarios
#   MINET_INTEROP_KEEP=DIR ...   keeps both sides' outputs and captures
#
# It needs root (ip netns) and skips (exit 0) when it is not root or a
# tool is missing.  Traffic stays inside the namespaces it makes (prefix
# mnt<PID>-), which it deletes at the end, also when interrupted.
set -u
MINET=${MINET:-./minet}
case $MINET in
/*) ;;
*) MINET=$(pwd)/$MINET ;;
esac
HERE=tests/interop/tcp
skip() {
    echo "interop-tcp: skipped: $1"
    exit 0
}
[ "$(id -u)" = 0 ] || skip "needs root for ip netns (CI runs make interop as root)"
for t in telnet:telnet nc:netcat-openbsd ss:iproute2 netstat:net-tools python3:python3 \
    tshark:tshark dumpcap:tshark ip:iproute2 tc:iproute2; do
    command -v "${t%%:*}" > /dev/null 2>&1 || skip "${t%%:*} is not installed (apt-get install ${t#*:})"
done
if [ ! -x "$MINET" ]; then
    echo "FAIL interop-tcp: $MINET is not an executable (build it with make, or set MINET)"
    exit 1
fi
case $(readlink -f "$(command -v telnet)") in
*inetutils*) ;;
*) skip "telnet is not inetutils' (apt-get install inetutils-telnet)" ;;
esac
case $(readlink -f "$(command -v nc)") in
*openbsd*) ;;
*) skip "nc is not netcat-openbsd (apt-get install netcat-openbsd)" ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/minet-interop-tcp.XXXXXX") || exit 1
prefix=mnt$$
cleanup() {
    python3 "$HERE/real.py" down "$prefix"
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

# ---- 1. the programs --------------------------------------------------

[ $# -gt 0 ] || set -- scenarios/tcp_*.json "$HERE"/*.json
for s in "$@"; do
    name=$(basename "$s" .json)
    d=$tmp/$name
    mkdir -p "$d/minet" "$d/real"
    if ! "$MINET" run "$s" --trace "$d/trace.jsonl" > /dev/null 2> "$d/minet.err"; then
        echo "FAIL $name: minet run failed:"
        sed 's/^/    /' "$d/minet.err"
        fail=1
        continue
    fi
    # A lossy link makes the real timing a matter of chance: such a
    # scenario is for the captures (tests/run_pcap.sh), not for this.
    if grep -q '"loss": *[0-9.]*[1-9]' "$s"; then
        echo "skip $name: a lossy link"
        continue
    fi
    # A node or link going down would be the namespaces' interfaces going
    # down, where Linux's neighbour discovery and ICMP errors make the
    # programs print what minet, which has no ARP, cannot.
    if grep -Eq '"run": *"(down|up) ' "$s"; then
        echo "skip $name: a fault (down or up)"
        continue
    fi
    # A node's "tcp" settings (a slow reader's read_rate, buffer sizes)
    # have no counterpart in real nc; files of the scenario's ("files",
    # read with < FILE) are not in the namespaces.
    if grep -q '"read_rate"' "$s"; then
        echo "skip $name: a slow reader (read_rate), which real nc is not"
        continue
    fi
    if grep -Eq '"run": *"[^"]*<' "$s"; then
        echo "skip $name: a program reads one of the scenario's files"
        continue
    fi
    python3 "$HERE/real.py" minet "$d/trace.jsonl" "$d/minet" "$s" &&
        python3 "$HERE/real.py" run "$s" "$d/trace.jsonl" "$d/real" "$prefix" || {
        echo "FAIL $name: the real run failed"
        fail=1
        continue
    }
    nscen=$((nscen + 1))
    python3 "$HERE/real.py" compare "$s" "$d/minet" "$d/real" "$name" 2> "$d/counts" || fail=1
    read -r a b < "$d/counts"
    nsame=$((nsame + a))
    ndiffer=$((ndiffer + b))

    # 2. the segments each end host saw: equal where Linux was set like
    # for like (SCENARIO.sysctl), figures elsewhere.
    mode=figures
    [ -f "${s%.json}.sysctl" ] && mode=assert
    for node in $(ls "$d/real" | sed -n 's/^\([^.]*\)\.pcapng$/\1/p'); do
        python3 "$HERE/real.py" segments "$MINET" "$s" "$d/real" "$node" $mode || fail=1
    done
done

echo "interop-tcp: $nscen scenarios against $(telnet --version 2> /dev/null | head -n 1), netcat-openbsd $(dpkg-query -W -f '${Version}' netcat-openbsd 2> /dev/null), $(ss -V 2> /dev/null | head -n 1), net-tools $(dpkg-query -W -f '${Version}' net-tools 2> /dev/null): $nsame lines the same, $ndiffer differ"
exit $fail
