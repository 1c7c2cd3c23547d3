#!/bin/sh
# Captures judged by Wireshark: every bundled scenario is written with --pcap
# on every link (pcapng), on every node (--capture, pcapng) and on one host
# with one interface (classic pcap), and tshark reads each file:
#
#  1. it opens, and no frame is malformed, has an expert error or a bad IPv4,
#     UDP or ICMP checksum (tshark checks them all when asked; a corrupted
#     copy proves the check can fail);
#  2. frame by frame, in order, it equals what minet's own JSON Lines trace
#     says: the interface, the timestamp (the scenario's start + simulated
#     time), every byte, the comment (the packet's notes joined by "; "),
#     and for DNS frames Wireshark's own summary (source, destination,
#     Info column) equals minet's (DNS over TCP where Wireshark first sees
#     the segment: later sightings it takes for retransmissions); captions
#     and query names are visible;
#  3. capinfos counts the same frames per interface, in strict time order;
#  4. for a scenario with TCP, each end host's capture passes Wireshark's
#     TCP analysis (tests/pcap_tcp.py: good checksums, no "Bad TCP" but
#     what a lossy link causes, no expert warning but a RST's, and each
#     connection's bytes, by tshark's follow, equal what the programs
#     typed and printed); a lossy copy judged as lossless must fail;
#  5. usage errors: .pcap for several interfaces, an unknown node, --capture
#     without --pcap, an unknown extension (exit 2); an unwritable path
#     (exit 1); none leaves a file behind.
#
#   MINET=build/minet sh tests/run_pcap.sh     (default ./minet)
#
# Run it from the repository's top folder.  It skips (exit 0) only when
# tshark or capinfos is not installed.
set -u
MINET=${MINET:-./minet}
command -v tshark > /dev/null 2>&1 || { echo "pcap: skipped: tshark is not installed (apt-get install tshark)"; exit 0; }
command -v capinfos > /dev/null 2>&1 || { echo "pcap: skipped: capinfos is not installed (apt-get install tshark)"; exit 0; }
command -v python3 > /dev/null 2>&1 || { echo "FAIL pcap: python3 is not installed (apt-get install python3)"; exit 1; }
if [ ! -x "$MINET" ]; then
    echo "FAIL pcap: $MINET is not an executable (build it with make, or set MINET)"
    exit 1
fi
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
fail=0
checked=0
tcp_checked=0

# tshark warns on stderr when run as root; only its standard output counts.
ts() { tshark "$@" 2> "$tmp/tshark.err"; }

# ---- what the trace says -----------------------------------------------

# expected JSONL START_US MODE [NODES]: one line per frame the capture must
# hold, in its order: interface, time_epoch, bytes, comment, DNS summary
# (or "-"), tab-separated.  MODE is links, nodes (NODES: comma-separated)
# or bare (nodes, as classic pcap: no interface names, no comments).  Order: time, then the hop's place in
# the trace, then received before sent.
expected() {
    awk -v start="$2" -v mode="$3" -v nodes="${4:-}" '
    function jnum(s, k,   i, r) {
        i = index(s, "\"" k "\":")
        if (!i) return ""
        r = substr(s, i + length(k) + 3)
        match(r, /^-?[0-9]+/)
        return substr(r, 1, RLENGTH)
    }
    function jstr(s, k,   i, r, v) {
        i = index(s, "\"" k "\":\"")
        if (!i) return ""
        r = substr(s, i + length(k) + 4)
        match(r, /^([^"\\]|\\.)*/)
        v = substr(r, 1, RLENGTH)
        gsub(/\\\\/, "\001", v)
        gsub(/\\"/, "\"", v)
        gsub(/\001/, "\\", v)
        return v
    }
    function epoch(t,   us) {
        us = start + t
        return sprintf("%.0f.%06.0f000", (us - us % 1000000) / 1000000, us % 1000000)
    }
    function emit(t, seq, dir, ifname,   s) {
        s = jstr($0, "summary")
        if (s !~ / DNS /) s = "-"
        printf "%.0f\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t, seq, dir, ifname, epoch(t),
            jstr($0, "bytes"), (mode == "bare" ? "" : comment[jnum($0, "pkt")]), s, jnum($0, "pkt")
    }
    BEGIN { n = split(nodes, list, ","); for (i = 1; i <= n; i++) on[list[i]] = 1 }
    NR == FNR {
        if ($0 ~ /"kind":"note"/ && jnum($0, "pkt") != "") {
            p = jnum($0, "pkt")
            c = (p in comment) ? comment[p] "; " jstr($0, "text") : jstr($0, "text")
            comment[p] = c
        }
        if ($0 ~ /"kind":"drop"/ && jstr($0, "link") != "" &&
            jstr($0, "reason") ~ /^(lost on link|link down|node down)$/)
            lost[jnum($0, "pkt"), jstr($0, "link"), jnum($0, "t")] = 1
        next
    }
    $0 ~ /"kind":"hop"/ {
        if (mode == "links") {
            emit(jnum($0, "t"), FNR, 0, jstr($0, "link"))
            next
        }
        if (jstr($0, "node") in on)
            emit(jnum($0, "t"), FNR, 2,
                 mode == "bare" ? "" : jstr($0, "node") ":" jstr($0, "iface"))
        if ((jstr($0, "to") in on) && !((jnum($0, "pkt"), jstr($0, "link"), jnum($0, "arrive")) in lost))
            emit(jnum($0, "arrive"), FNR, 1,
                 mode == "bare" ? "" : jstr($0, "to") ":" jstr($0, "to_iface"))
    }' "$1" "$1" | sort -t "$(printf '\t')" -k1,1n -k2,2n -k3,3n |
        # DNS over TCP (IPv4 protocol 6, the frame's byte 23): a segment
        # seen again in the same file (on the next link, or leaving a
        # router) is a retransmission to Wireshark, which then shows TCP,
        # not DNS; only its first sighting is compared as DNS.
        awk -F '\t' -v OFS='\t' '{
            if ($8 != "-" && substr($6, 47, 2) == "06" && seen[$9]++) $8 = "-"
            print $4, $5, $6, $7, $8
        }'
}

# ---- what Wireshark reads ----------------------------------------------

# judge FILE WHAT: tshark reads FILE, checking every IPv4, UDP, ICMP and TCP
# checksum, into $tmp/json (with each frame's bytes) and $tmp/fields; fails
# if it cannot, or if any frame is malformed, has an expert error (severity
# 8388608, PI_ERROR) or a bad checksum (status 0).  One pass of JSON is half
# the cost of a display filter run and a second read.
judge() {
    if ! ts -r "$1" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
        -o tcp.check_checksum:TRUE -T json -x > "$tmp/json"; then
        echo "FAIL $2: tshark cannot read it:"
        grep -v 'Running as user' "$tmp/tshark.err" | head -n 5 | sed 's/^/    /'
        fail=1
        return 1
    fi
    if grep -E '"_ws\.malformed"|"_ws\.expert\.severity": "8388608"|"(ip|udp|icmp|tcp)\.checksum\.status": "0"' \
        "$tmp/json" > "$tmp/bad"; then
        echo "FAIL $2: malformed frames, expert errors or bad checksums:"
        grep -E '"_ws\.expert\.message"|"frame\.number"' "$tmp/json" | grep -B1 -E 'Malformed|Bad' |
            head -n 6 | sed 's/^/    /'
        fail=1
        return 1
    fi
    sed -n '/"frame_raw": \[/{n;p;}' "$tmp/json" | tr -d ' ",' > "$tmp/raw"
    ts -r "$1" -T fields -E separator=/t -e frame.interface_name -e frame.time_epoch \
        -e frame.comment -e _ws.col.Protocol -e ip.src -e ip.dst -e _ws.col.Info \
        -e dns.qry.name > "$tmp/fields"
}

# compare WHAT: the frames tshark read (judge) against $tmp/want, in order:
# interface, time, bytes, comment, and for DNS Wireshark's summary.
compare() {
    paste "$tmp/raw" "$tmp/fields" | awk -F '\t' -v OFS='\t' '{
        dns = $5 == "DNS" ? $6 " -> " $7 " DNS " $8 : "-"
        print $2, $3, $1, $4, dns
    }' > "$tmp/got"
    if ! cmp -s "$tmp/want" "$tmp/got"; then
        echo "FAIL $1: the frames differ from the trace (- trace, + tshark):"
        diff "$tmp/want" "$tmp/got" | head -n 8 | cut -c1-300 | sed 's/^/    /'
        fail=1
        return 1
    fi
    return 0
}

# counts FILE WHAT: capinfos' packets per interface equal the trace's.
counts() {
    capinfos "$1" 2> /dev/null > "$tmp/info"
    if ! grep -q 'Strict time order: *True' "$tmp/info"; then
        echo "FAIL $2: frames are not in time order"
        fail=1
    fi
    awk '/^ *Name = / { name = $3 } /^ *Number of packets = / && name != "" { if ($5 > 0) print name, $5; name = "" }' \
        "$tmp/info" | sort > "$tmp/per_if"
    cut -f1 "$tmp/want" | sort | uniq -c | awk '{ print $2, $1 }' | sort > "$tmp/per_if_want"
    if ! cmp -s "$tmp/per_if" "$tmp/per_if_want"; then
        echo "FAIL $2: packets per interface differ (- trace, + capinfos):"
        diff "$tmp/per_if_want" "$tmp/per_if" | head -n 6 | sed 's/^/    /'
        fail=1
    fi
}

# ---- every bundled scenario --------------------------------------------

for s in scenarios/*.json; do
    name=$(basename "$s" .json)
    start=$(sed -n 's/^ *"start": *"\([^"]*\)".*/\1/p' "$s" | head -n 1)
    start_us=$(date -u -d "${start:-2023-09-11T09:00:00Z}" +%s%6N) || {
        echo "FAIL $name: cannot read its start time $start"
        fail=1
        continue
    }
    if ! "$MINET" run "$s" --trace "$tmp/$name.jsonl" --pcap "$tmp/$name.pcapng" > /dev/null; then
        echo "FAIL $name: minet run --pcap failed"
        fail=1
        continue
    fi
    checked=$((checked + 1))

    # TCP, judged by Wireshark's analysis on each end host.
    if grep -q '"proto":"TCP"' "$tmp/$name.jsonl"; then
        if python3 tests/pcap_tcp.py "$MINET" "$s" "$tmp/$name.jsonl" "$tmp" > "$tmp/tcp.out"; then
            tcp_checked=$((tcp_checked + 1))
        else
            grep '^FAIL' "$tmp/tcp.out" | head -n 10
            fail=1
        fi
    fi

    # Every link.
    if judge "$tmp/$name.pcapng" "$name (every link)"; then
        expected "$tmp/$name.jsonl" "$start_us" links > "$tmp/want"
        compare "$name (every link)"
        counts "$tmp/$name.pcapng" "$name (every link)"
        # What a student sees: captions as comments, and query names.
        if ! cut -f3 "$tmp/fields" | grep -q '[a-z]'; then
            echo "FAIL $name: no frame has a caption as its comment"
            fail=1
        fi
        if awk -F '\t' '$4 == "DNS" && $8 == "" { bad = 1 } END { exit !bad }' "$tmp/fields"; then
            echo "FAIL $name: a DNS frame without a query name"
            fail=1
        fi
    fi

    # Every node that sends or receives, as Wireshark on each would see it.
    nodes=$(sed -n 's/.*"kind":"hop".*"node":"\([^"]*\)".*"to":"\([^"]*\)".*/\1\n\2/p' \
        "$tmp/$name.jsonl" | awk '!seen[$0]++' | paste -s -d, -)
    if "$MINET" run "$s" --pcap "$tmp/$name-nodes.pcapng" --capture "$nodes" > /dev/null; then
        if judge "$tmp/$name-nodes.pcapng" "$name (--capture every node)"; then
            expected "$tmp/$name.jsonl" "$start_us" nodes "$nodes" > "$tmp/want"
            compare "$name (--capture every node)"
            counts "$tmp/$name-nodes.pcapng" "$name (--capture every node)"
        fi
    else
        echo "FAIL $name: minet run --capture $nodes failed"
        fail=1
    fi

    # Classic pcap on the first node with one interface: the ends of the
    # links, from the names of the link capture's interfaces.
    one=$(capinfos "$tmp/$name.pcapng" 2> /dev/null | sed -n 's/^ *Name = //p' |
        sed 's/^\(.*\):\(eth[0-9]*\)-\(.*\):\(eth[0-9]*\)$/\1\n\3/' |
        awk '{ n[$0]++; if (n[$0] == 1) order[++k] = $0 } END { for (i = 1; i <= k; i++) if (n[order[i]] == 1) { print order[i]; exit } }')
    if [ -n "$one" ]; then
        if "$MINET" run "$s" --pcap "$tmp/$name.pcap" --capture "$one" > /dev/null; then
            if judge "$tmp/$name.pcap" "$name (classic pcap on $one)"; then
                expected "$tmp/$name.jsonl" "$start_us" bare "$one" > "$tmp/want"
                compare "$name (classic pcap on $one)"
            fi
        else
            echo "FAIL $name: minet run --pcap $name.pcap --capture $one failed"
            fail=1
        fi
    fi
done
if [ "$checked" -eq 0 ]; then
    echo "FAIL pcap: no scenario was checked"
    fail=1
fi

# ---- the judge can say no ----------------------------------------------

# A corrupted IPv4 checksum and a malformed DNS message must be caught, or the
# checks above prove nothing.  Offsets in a classic pcap of laptop: a 24-byte
# file header, a 16-byte record header, 14 bytes of Ethernet; the IPv4
# checksum is at 10, the DNS question count at 20 + 8 + 4.
before=$fail
"$MINET" run scenarios/dns_iterative.json --pcap "$tmp/bad.pcap" --capture laptop > /dev/null
cp "$tmp/bad.pcap" "$tmp/malformed.pcap"
printf '\336\255' | dd of="$tmp/bad.pcap" bs=1 seek=64 conv=notrunc 2> /dev/null
printf '\000\011' | dd of="$tmp/malformed.pcap" bs=1 seek=86 conv=notrunc 2> /dev/null
for f in bad malformed; do
    if judge "$tmp/$f.pcap" "a $f copy" > /dev/null; then
        echo "FAIL pcap: tshark did not report the $f copy; the checks are blind"
        before=1
    fi
done
# The display filter a student would type says the same.
filter='ip.checksum.status == "Bad" || udp.checksum.status == "Bad" || icmp.checksum.status == "Bad" || _ws.malformed'
if [ -z "$(ts -r "$tmp/bad.pcap" -o ip.check_checksum:TRUE -Y "$filter")" ] ||
    [ -n "$(ts -r "$tmp/dns_iterative.pcapng" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -Y "$filter")" ]; then
    echo "FAIL pcap: the display filter for bad frames disagrees with the JSON check"
    before=1
fi
# The same for TCP: a corrupted TCP checksum (at 24 + 16 + 14 + 20 + 16 in
# a classic pcap of laptop), and a lossy copy of tcp_handshake judged as if
# it were lossless, whose retransmissions must then be reported.
"$MINET" run scenarios/tcp_refused.json --pcap "$tmp/badtcp.pcap" --capture laptop > /dev/null
printf '\336\255' | dd of="$tmp/badtcp.pcap" bs=1 seek=90 conv=notrunc 2> /dev/null
if judge "$tmp/badtcp.pcap" "a bad TCP checksum" > /dev/null; then
    echo "FAIL pcap: tshark did not report a bad TCP checksum; the checks are blind"
    before=1
fi
sed 's/"bandwidth": "10Mbit"}/"bandwidth": "10Mbit", "loss": 0.3}/; s/"seed": 1/"seed": 5/' \
    scenarios/tcp_handshake.json > "$tmp/tcp_lossy.json"
"$MINET" run "$tmp/tcp_lossy.json" --trace "$tmp/tcp_lossy.jsonl" > /dev/null
if ! grep -q '"loss"' "$tmp/tcp_lossy.json" ||
    python3 tests/pcap_tcp.py "$MINET" "$tmp/tcp_lossy.json" "$tmp/tcp_lossy.jsonl" "$tmp" \
        lossless > "$tmp/tcp.out" || ! grep -q 'tcp.analysis.retransmission' "$tmp/tcp.out"; then
    echo "FAIL pcap: Wireshark's TCP analysis did not report a lossy run's retransmissions; the TCP check is blind"
    before=1
fi
if ! python3 tests/pcap_tcp.py "$MINET" "$tmp/tcp_lossy.json" "$tmp/tcp_lossy.jsonl" "$tmp" > "$tmp/tcp.out"; then
    echo "FAIL pcap: a lossy copy of tcp_handshake:"
    grep '^FAIL' "$tmp/tcp.out" | head -n 10 | sed 's/^/    /'
    before=1
fi
fail=$before

# ---- usage errors ------------------------------------------------------

# refuse STATUS WHAT MESSAGE FILE -- ARGS: exits STATUS, says MESSAGE, leaves no FILE.
refuse() {
    want=$1
    what=$2
    msg=$3
    file=$4
    shift 5
    "$MINET" run "$@" > /dev/null 2> "$tmp/err"
    got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL $what: exit status $got, expected $want"
        sed 's/^/    /' "$tmp/err" | head -n 3
        fail=1
    elif ! grep -qF -- "$msg" "$tmp/err"; then
        echo "FAIL $what: expected \"$msg\" in:"
        sed 's/^/    /' "$tmp/err" | head -n 3
        fail=1
    fi
    if [ -n "$(find "$(dirname "$file")" -name "$(basename "$file")*" 2> /dev/null)" ]; then
        echo "FAIL $what: left $(basename "$file") (or a temporary) behind"
        fail=1
    fi
}

mkdir "$tmp/err-out"
o=$tmp/err-out
refuse 2 ".pcap of several links" "use a .pcapng file name" "$o/a.pcap" -- \
    scenarios/dns_iterative.json --pcap "$o/a.pcap"
refuse 2 ".pcap of a router" "classic pcap holds one interface" "$o/b.pcap" -- \
    scenarios/dns_iterative.json --pcap "$o/b.pcap" --capture campus
refuse 2 "unknown node in --capture" 'no node is called "lapto"' "$o/c.pcapng" -- \
    scenarios/dns_iterative.json --pcap "$o/c.pcapng" --capture laptop,lapto
refuse 2 "--capture without --pcap" "needs --pcap" "$o/d" -- \
    scenarios/dns_iterative.json --capture laptop
refuse 2 "unknown capture format" "expected a name ending in .pcapng or .pcap" "$o/e.cap" -- \
    scenarios/dns_iterative.json --pcap "$o/e.cap"
refuse 1 "capture into a missing folder" "cannot write" "$o/no/f.pcapng" -- \
    scenarios/dns_iterative.json --pcap "$o/no/f.pcapng"
if [ "$(id -u)" != 0 ]; then
    mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
    refuse 1 "unwritable capture" "cannot write" "$tmp/ro/g.pcapng" -- \
        scenarios/dns_iterative.json --pcap "$tmp/ro/g.pcapng"
fi
if [ -n "$(ls -A "$o")" ]; then
    echo "FAIL refused runs left files behind: $(ls -A "$o")"
    fail=1
fi

# Stopping early still writes a whole capture, of what happened so far.
if "$MINET" run scenarios/dns_iterative.json --until-step 5 --pcap "$tmp/early.pcapng" \
    --capture local-dns > /dev/null; then
    judge "$tmp/early.pcapng" "--until-step 5"
    n=$(ts -r "$tmp/early.pcapng" | wc -l)
    if [ "$n" -lt 1 ] || [ "$n" -ge "$(ts -r "$tmp/dns_iterative-nodes.pcapng" -Y 'frame.interface_name == "local-dns:eth0"' | wc -l)" ]; then
        echo "FAIL --until-step 5: $n frames, expected some but fewer than the whole run"
        fail=1
    fi
else
    echo "FAIL --until-step 5 --pcap failed"
    fail=1
fi

# ---- the homework guide's commands -------------------------------------

# docs/homework.md shows commands in ```console blocks: a "$ COMMAND" line,
# then the lines it must print (runs of blanks compared as one space).  A
# command followed by no lines must only succeed.  They run in a folder of
# their own, where ./minet and scenarios/ are this tree's.
hw=$tmp/homework
mkdir "$hw"
case $MINET in
/*) ln -s "$MINET" "$hw/minet" ;;
*) ln -s "$(pwd)/$MINET" "$hw/minet" ;;
esac
ln -s "$(pwd)/scenarios" "$hw/scenarios"
norm() { tr -s ' \t' '  ' | sed 's/ $//'; }
doc_cmds=0
doc_run() { # runs $cmd, compares with $tmp/doc_want
    doc_cmds=$((doc_cmds + 1))
    if ! (cd "$hw" && sh -c "$cmd") > "$tmp/doc_out" 2> /dev/null; then
        echo "FAIL docs/homework.md: this command fails: $cmd"
        fail=1
        return
    fi
    [ -s "$tmp/doc_want" ] || return
    norm < "$tmp/doc_want" > "$tmp/doc_want.n"
    norm < "$tmp/doc_out" > "$tmp/doc_out.n"
    if ! cmp -s "$tmp/doc_want.n" "$tmp/doc_out.n"; then
        echo "FAIL docs/homework.md: $cmd"
        echo "    prints something else (- the guide, + tshark):"
        diff "$tmp/doc_want.n" "$tmp/doc_out.n" | sed 's/^/    /' | head -n 10
        fail=1
    fi
}
awk '/^```console$/ { on = 1; next } /^```$/ { if (on) print "@end"; on = 0; next } on' \
    docs/homework.md > "$tmp/doc"
cmd=
: > "$tmp/doc_want"
while IFS= read -r line; do
    case $line in
    '$ '* | @end)
        [ -n "$cmd" ] && doc_run
        cmd=
        : > "$tmp/doc_want"
        case $line in '$ '*) cmd=${line#\$ } ;; esac
        ;;
    *) printf '%s\n' "$line" >> "$tmp/doc_want" ;;
    esac
done < "$tmp/doc"
if [ "$doc_cmds" -lt 10 ]; then
    echo "FAIL docs/homework.md: found only $doc_cmds commands to check"
    fail=1
fi

if [ "$fail" != 0 ]; then
    exit 1
fi
echo "pcap: $checked scenarios, each captured on every link, on every node and as classic pcap ($tcp_checked with TCP, judged by Wireshark's TCP analysis on each end host), and $doc_cmds commands of docs/homework.md, checked by $(tshark -v 2> /dev/null | head -n 1)"
