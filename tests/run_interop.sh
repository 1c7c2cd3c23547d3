#!/bin/sh
# DNS interop: real software is the judge of minet's DNS.
#
#  1. Every zone file minet ships (scenarios/zones/, tests/data/zones/,
#     tests/interop/zones/) must pass both nsd-checkzone and named-checkzone,
#     with nothing to warn about.
#  2. The zones in tests/interop/zones/ are served by NSD (three instances on
#     127.0.0.1, one per server of tests/interop/dns_interop.json) and by
#     minet's `dns` nodes.  Every `dig @SERVER NAME TYPE +norecurse` line of
#     that scenario's script is asked of NSD with the real dig, and what dig
#     prints must equal, byte for byte, what minet's dig prints: the status
#     and flags lines, the OPT pseudosection, every section, and MSG SIZE.
#     Only what must differ is left out: the id, the banner's arguments,
#     Query time, SERVER and WHEN.
#
#   MINET=build/minet sh tests/run_interop.sh     (default ./minet)
#
# Run it from the repository's top folder.  It skips (exit 0) only when nsd
# or dig is not installed.  No packet leaves 127.0.0.0/8: dig asks only
# 127.0.0.1, named-checkzone runs with `-i local` (the default `-i full`
# would look up out-of-zone MX and NS targets on the real internet), and NSD
# has no transfers or notifies configured.  Every NSD process started here
# is stopped by its id on exit, also after a failure or an interrupt.
set -u

MINET=${MINET:-./minet}
case $MINET in
/*) ;;
*/*) MINET=$(pwd)/$MINET ;;
esac
SCENARIO=tests/interop/dns_interop.json

# The servers of $SCENARIO: node id, then each zone it serves with its file
# (in tests/interop/zones/).  One NSD instance runs per line; NSD cannot
# limit a zone to one address, so the root and .edu need their own instance
# for their referrals to be seen.
SERVERS='a.root-servers.net . root.zone
a.edu-servers.net edu. edu.zone
ns1.montana.edu montana.edu. montana.edu.zone example.org. example.org.zone'

# ---- tools -------------------------------------------------------------

find_tool() { # NAME: its path on PATH or in the sbin folders, or nothing
    command -v "$1" 2>/dev/null && return 0
    for d in /usr/sbin /sbin /usr/local/sbin; do
        [ -x "$d/$1" ] && echo "$d/$1" && return 0
    done
    return 1
}
NSD=$(find_tool nsd) || { echo "interop: skipped: nsd is not installed (apt-get install nsd)"; exit 0; }
DIG=$(find_tool dig) || { echo "interop: skipped: dig is not installed (apt-get install bind9-dnsutils)"; exit 0; }
NSD_CHECKZONE=$(find_tool nsd-checkzone) || { echo "FAIL interop: nsd is installed but nsd-checkzone is not"; exit 1; }
NAMED_CHECKZONE=$(find_tool named-checkzone) || {
    echo "FAIL interop: named-checkzone is not installed (apt-get install bind9-utils)"
    exit 1
}
if [ ! -x "$MINET" ]; then
    echo "FAIL interop: $MINET is not an executable (build it with make, or set MINET)"
    exit 1
fi
if [ ! -f "$SCENARIO" ]; then
    echo "FAIL interop: run from the repository's top folder ($SCENARIO not found)"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/minet-interop.XXXXXX") || exit 1
: > "$tmp/pids"

# ---- stopping NSD --------------------------------------------------------

alive() { # PID: true while it runs (a zombie has stopped)
    st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    case $st in
    '' | Z*) return 1 ;;
    esac
    return 0
}

descendants() { # PID: it and every process below it
    ps -e -o pid= -o ppid= 2>/dev/null | awk -v root="$1" '
        { parent[$1] = $2; order[NR] = $1 }
        END {
            keep[root] = 1; print root
            do {
                more = 0
                for (i = 1; i <= NR; i++) {
                    p = order[i]
                    if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; print p; more = 1 }
                }
            } while (more)
        }'
}

# Stops every NSD process this run started: TERM to each instance's main
# process (as NSD's documentation says), up to 5 s for all of them to go,
# then KILL to any that remain.  Only ids recorded in $tmp/pids are touched.
stop_nsd() {
    [ -s "$tmp/pids" ] || return 0
    for pid in $(awk '$2 == "main" { print $1 }' "$tmp/pids"); do
        kill -TERM "$pid" 2>/dev/null
    done
    i=0
    while [ $i -lt 50 ]; do
        left=
        for pid in $(awk '{ print $1 }' "$tmp/pids"); do
            alive "$pid" && left="$left $pid"
        done
        [ -z "$left" ] && break
        sleep 0.1 2>/dev/null || sleep 1
        i=$((i + 1))
    done
    for pid in $left; do
        if [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = nsd ]; then
            echo "interop: NSD process $pid did not stop after TERM; killing it"
            kill -KILL "$pid" 2>/dev/null
        fi
    done
    for pid in $(awk '$2 == "main" { print $1 }' "$tmp/pids"); do
        wait "$pid" 2>/dev/null
    done
    : > "$tmp/pids"
}

# shellcheck disable=SC2317 # called by the trap
cleanup() {
    stop_nsd
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- 1. zone files ------------------------------------------------------

# The origin of a zone file: its first $ORIGIN, else the key under which a
# scenario loads it ("edu.": {"file": "zones/edu.zone"}).
zone_origin() {
    # shellcheck disable=SC2016 # a literal $ORIGIN
    o=$(sed -n 's/^\$ORIGIN[[:space:]]\{1,\}\([^[:space:];]*\).*/\1/p' "$1" | head -n 1)
    if [ -z "$o" ]; then
        o=$(cat scenarios/*.json tests/data/*.json tests/interop/*.json 2>/dev/null |
            sed -n "s|.*\"\([^\"]*\)\": *{ *\"file\": *\"zones/$(basename "$1")\".*|\1|p" | head -n 1)
    fi
    echo "$o"
}

fail=0
nzones=0
for f in scenarios/zones/*.zone tests/data/zones/*.zone tests/interop/zones/*.zone; do
    [ -f "$f" ] || continue
    nzones=$((nzones + 1))
    origin=$(zone_origin "$f")
    if [ -z "$origin" ]; then
        echo "FAIL $f: no \$ORIGIN, and no scenario loads it, so its origin is unknown"
        fail=1
        continue
    fi
    if ! "$NSD_CHECKZONE" "$origin" "$f" > "$tmp/check" 2>&1 ||
        [ "$(cat "$tmp/check")" != "zone $origin is ok" ]; then
        echo "FAIL $f: nsd-checkzone $origin $f says:"
        sed 's/^/    /' "$tmp/check"
        fail=1
    fi
    # -i local: check MX and NS targets only inside the zone, never over
    # the network.  Any line besides "loaded serial" and "OK" is a warning,
    # and a warning fails the test too.
    if ! "$NAMED_CHECKZONE" -i local "$origin" "$f" > "$tmp/check" 2>&1 ||
        grep -v -e '^zone .*: loaded serial [0-9]*$' -e '^OK$' "$tmp/check" > /dev/null; then
        echo "FAIL $f: named-checkzone -i local $origin $f says:"
        sed 's/^/    /' "$tmp/check"
        fail=1
    fi
done

# ---- 2. NSD ---------------------------------------------------------------

# A port for instance number $1 on try $2: spread over 20000-59999 by our
# process id, so that two runs at once do not collide.  A port in use is
# seen when NSD cannot bind it, and the next try takes another.
pick_port() {
    echo $((20000 + ($$ * 37 + $1 * 1009 + $2 * 7919) % 40000))
}

write_conf() { # DIR PORT ZONE FILE [ZONE FILE ...]
    dir=$1
    port=$2
    shift 2
    {
        echo "server:"
        echo "    ip-address: 127.0.0.1"
        echo "    port: $port"
        echo "    do-ip4: yes"
        echo "    do-ip6: no"
        echo "    server-count: 1"
        echo "    username: \"\""
        echo "    chroot: \"\""
        echo "    zonesdir: \"$dir\""
        echo "    database: \"\""
        echo "    zonelistfile: \"$dir/zone.list\""
        echo "    xfrdfile: \"$dir/xfrd.state\""
        echo "    xfrdir: \"$dir\""
        echo "    pidfile: \"$dir/nsd.pid\""
        echo "    logfile: \"$dir/nsd.log\""
        echo "    rrl-ratelimit: 0" # dozens of answers a second must not be rate limited
        echo "remote-control:"
        echo "    control-enable: no"
        while [ $# -ge 2 ]; do
            echo "zone:"
            echo "    name: \"$1\""
            echo "    zonefile: \"$(pwd)/tests/interop/zones/$2\""
            shift 2
        done
    } > "$dir/nsd.conf"
}

# Starts NSD for one server line; records "NODE PORT" in $tmp/ports.
start_nsd() { # INDEX NODE ZONE FILE [ZONE FILE ...]
    idx=$1
    node=$2
    shift 2
    dir=$tmp/nsd$idx
    mkdir "$dir" || return 1
    try=1
    while [ $try -le 8 ]; do
        port=$(pick_port "$idx" "$try")
        write_conf "$dir" "$port" "$@"
        rm -f "$dir/nsd.log"
        # -d: stay in the foreground, so $! is NSD's main process.
        "$NSD" -d -c "$dir/nsd.conf" > "$dir/stderr" 2>&1 < /dev/null &
        pid=$!
        echo "$pid main" >> "$tmp/pids"
        i=0
        while [ $i -lt 100 ]; do
            if grep -q 'nsd started' "$dir/nsd.log" 2>/dev/null && alive "$pid"; then
                for p in $(descendants "$pid"); do
                    [ "$p" = "$pid" ] || echo "$p child" >> "$tmp/pids"
                done
                echo "$node $port" >> "$tmp/ports"
                return 0
            fi
            alive "$pid" || break
            sleep 0.1 2>/dev/null || sleep 1
            i=$((i + 1))
        done
        wait "$pid" 2>/dev/null
        if grep -q 'Address already in use' "$dir/nsd.log" "$dir/stderr" 2>/dev/null; then
            try=$((try + 1))
            continue
        fi
        echo "FAIL interop: NSD for $node did not start; its log:"
        cat "$dir/nsd.log" "$dir/stderr" 2>/dev/null | sed 's/^/    /'
        return 1
    done
    echo "FAIL interop: NSD for $node: every port tried was in use"
    return 1
}

idx=0
echo "$SERVERS" > "$tmp/servers"
while read -r node zones; do
    idx=$((idx + 1))
    # The scenario must give the node the zones NSD serves.
    line=$(grep -F "\"id\": \"$node\"" "$SCENARIO")
    # shellcheck disable=SC2086 # the zone list is split into its words
    set -- $zones
    while [ $# -ge 2 ]; do
        case $line in
        *"\"$1\""*) ;;
        *)
            echo "FAIL interop: $SCENARIO: node $node does not serve zone \"$1\", as NSD does here"
            exit 1
            ;;
        esac
        shift 2
    done
    # shellcheck disable=SC2086
    start_nsd "$idx" "$node" $zones || exit 1
done < "$tmp/servers"

# ---- the questions ---------------------------------------------------------

# What both digs print, without what must differ: the query id, the
# banner's arguments (@127.0.0.1 -p PORT against @NODE), Query time, SERVER
# and WHEN.
# Everything else, the Extended DNS Error that NSD adds to REFUSED included,
# must be the same.
normalize() {
    awk '
        /^; <<>> DiG [^ ]* <<>> / { print "; <<>> DiG " $4 " <<>> ARGUMENTS"; next }
        /^;; ->>HEADER<<- / { sub(/, id: [0-9]+$/, ""); print; next }
        /^;; Query time: / || /^;; SERVER: / || /^;; WHEN: / { next }
        { print }' "$1"
}

mkdir "$tmp/nsd" "$tmp/minet"
sed -n 's/.*"run": *"dig @\([^" ]*\) \([^"]*\)".*/\1 \2/p' "$SCENARIO" > "$tmp/questions"
nq=$(wc -l < "$tmp/questions")
if [ "$nq" -eq 0 ]; then
    echo "FAIL interop: $SCENARIO has no dig lines"
    exit 1
fi

set -f # the words of a question ("." or "*.example.org") are never globs
n=0
while read -r server args; do
    n=$((n + 1))
    port=$(awk -v s="$server" '$1 == s { print $2 }' "$tmp/ports")
    if [ -z "$port" ]; then
        echo "FAIL interop: $SCENARIO asks $server, which no NSD instance plays"
        exit 1
    fi
    # +time=2 +tries=2: a lost answer cannot hold the run up for long.
    # shellcheck disable=SC2086 # args are the words of the question
    "$DIG" @127.0.0.1 -p "$port" $args +time=2 +tries=2 > "$tmp/nsd/$n.raw" 2>&1 < /dev/null
    echo "dig @$server $args" > "$tmp/nsd/$n.q"
done < "$tmp/questions"
set +f
stop_nsd

"$MINET" run "$SCENARIO" --quiet > "$tmp/minet.out" 2> "$tmp/minet.err"
status=$?
if [ $status -ne 0 ]; then
    echo "FAIL interop: $MINET run $SCENARIO --quiet exited with status $status:"
    sed 's/^/    /' "$tmp/minet.err"
    exit 1
fi
# One file per command: "laptop$ dig ..." starts each.
awk -v dir="$tmp/minet" '
    /^laptop\$ / { n++; f = dir "/" n ".raw"; q = dir "/" n ".q"; print substr($0, 9) > q; close(q); printf "" > f; next }
    n { print >> f }' "$tmp/minet.out"
nm=$(grep -c '^laptop\$ ' "$tmp/minet.out")
if [ "$nm" -ne "$nq" ]; then
    echo "FAIL interop: minet printed $nm dig commands, the scenario has $nq"
    fail=1
fi

NSD_VERSION=$("$NSD" -v 2>&1 | head -n 1)
same=0
differ=0
i=1
while [ $i -le "$nq" ]; do
    q=$(cat "$tmp/nsd/$i.q")
    if [ ! -f "$tmp/minet/$i.raw" ]; then
        echo "FAIL question $i, $q: minet printed nothing"
        differ=$((differ + 1))
        i=$((i + 1))
        continue
    fi
    if [ "$(cat "$tmp/minet/$i.q")" != "$q" ]; then
        echo "FAIL question $i: minet ran \"$(cat "$tmp/minet/$i.q")\", expected \"$q\""
        fail=1
    fi
    normalize "$tmp/nsd/$i.raw" > "$tmp/nsd/$i.txt"
    normalize "$tmp/minet/$i.raw" > "$tmp/minet/$i.txt"
    if cmp -s "$tmp/nsd/$i.txt" "$tmp/minet/$i.txt"; then
        same=$((same + 1))
    else
        echo "FAIL question $i, $q: minet's answer differs from NSD's"
        diff -u "$tmp/nsd/$i.txt" "$tmp/minet/$i.txt" |
            sed -e "1s|.*|--- $NSD_VERSION|" -e "2s|.*|+++ minet|" -e 's/^/    /'
        differ=$((differ + 1))
    fi
    i=$((i + 1))
done
[ $differ -eq 0 ] || fail=1

echo "interop: $nzones zone files checked by nsd-checkzone and named-checkzone;" \
    "$nq questions to NSD and minet: $same the same, $differ differ"
exit $fail
