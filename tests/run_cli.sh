#!/bin/sh
# The command as a user runs it: options, exit statuses, safe output files,
# stopping early, and every bundled scenario passing `minet check`.
set -u
MINET=${MINET:-./minet}
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
fail=0
n=0

# expect STATUS DESCRIPTION -- COMMAND...: runs it, output in $tmp/out and $tmp/err.
expect() {
    want=$1
    what=$2
    shift 3
    n=$((n + 1))
    "$@" > "$tmp/out" 2> "$tmp/err"
    got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL $what: exit status $got, expected $want ($*)"
        sed 's/^/    /' "$tmp/err" | head -n 5
        fail=1
        return 1
    fi
    return 0
}
contains() { # FILE TEXT DESCRIPTION
    if ! grep -qF -- "$2" "$1"; then
        echo "FAIL $3: expected \"$2\" in $(basename "$1")"
        fail=1
    fi
}

expect 0 "--help" -- "$MINET" --help && contains "$tmp/out" "minet run SCENARIO" "--help"
expect 0 "--version" -- "$MINET" --version && contains "$tmp/out" "minet " "--version"
for cmd in run check shot layout chart; do
    expect 0 "$cmd --help" -- "$MINET" $cmd --help && contains "$tmp/out" "minet run SCENARIO" "$cmd --help"
done
expect 0 "run SCENARIO --help runs nothing" -- "$MINET" run scenarios/net_ping.json --help &&
    [ -z "$(grep 'ping -c' "$tmp/out")" ] || { echo "FAIL run SCENARIO --help ran the scenario"; fail=1; }
expect 2 "unknown option" -- "$MINET" --frobnicate && contains "$tmp/err" "unknown option --frobnicate" "unknown option"
expect 2 "run without a scenario" -- "$MINET" run
expect 2 "run with an unknown option" -- "$MINET" run scenarios/net_ping.json --bogus
expect 2 "--seed not a number" -- "$MINET" run scenarios/net_ping.json --seed x1
expect 2 "--seed 2^53" -- "$MINET" run scenarios/net_ping.json --seed 9007199254740992
expect 2 "--until without unit" -- "$MINET" run scenarios/net_ping.json --until 5
expect 2 "--until with an exponent" -- "$MINET" run scenarios/net_ping.json --until 1e309s &&
    contains "$tmp/err" "--until 1e309s is written with an exponent" "--until 1e309s"
expect 2 "a control character in an option's value" -- "$MINET" run scenarios/net_ping.json --capture "$(printf 'x\033]0;t\007')" &&
    contains "$tmp/err" "--capture x^[]0;t^G: needs --pcap" "an escape shown as cat -v shows it"
expect 2 "--until-step 0" -- "$MINET" run scenarios/net_ping.json --until-step 0
expect 2 "missing scenario file" -- "$MINET" run "$tmp/nope.json" && contains "$tmp/err" "nope.json: cannot read" "missing file"
expect 2 "unknown trace format" -- "$MINET" run scenarios/net_ping.json --trace "$tmp/t.pdf"
[ -e "$tmp/t.pdf" ] && { echo "FAIL unknown trace format left a file"; fail=1; }

# An unwritable output: exit 1 and nothing left behind.
mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
if [ "$(id -u)" != 0 ]; then
    expect 1 "unwritable trace" -- "$MINET" run scenarios/net_ping.json --trace "$tmp/ro/t.jsonl"
fi
expect 1 "trace into a missing folder" -- "$MINET" run scenarios/net_ping.json --trace "$tmp/no/such/t.jsonl"
contains "$tmp/err" "cannot write" "trace into a missing folder"
if [ -n "$(ls -A "$tmp/ro")" ]; then
    echo "FAIL a failed write left files behind"
    fail=1
fi
# /dev/full: every write fails; the run must say so and leave no temp file.
if [ -w /dev/full ]; then
    expect 1 "stdout on a full disk" -- sh -c "\"$MINET\" run scenarios/net_ping.json > /dev/full"
fi

# Stopping early.
expect 0 "--until-step 3" -- "$MINET" run scenarios/net_ping.json --until-step 3
if [ "$(grep -c ' note ' "$tmp/out")" != 3 ]; then
    echo "FAIL --until-step 3 printed $(grep -c ' note ' "$tmp/out") notes"
    fail=1
fi
expect 0 "--until 1s" -- "$MINET" run scenarios/net_ping.json --until 1s
if awk '{ if ($1 + 0 > 1.0) bad = 1 } END { exit !bad }' "$tmp/out"; then
    echo "FAIL --until 1s printed records after 1 s"
    fail=1
fi
expect 0 "--quiet" -- "$MINET" run scenarios/net_ping.json --quiet
contains "$tmp/out" "laptop\$ ping -c 3 server" "--quiet transcript"
if grep -q ' hop ' "$tmp/out"; then
    echo "FAIL --quiet printed trace records"
    fail=1
fi
# Another seed gives another run (ICMP identifiers differ), the same seed the same.
"$MINET" run scenarios/net_ping.json --seed 7 > "$tmp/s7a"
"$MINET" run scenarios/net_ping.json --seed 7 > "$tmp/s7b"
"$MINET" run scenarios/net_ping.json --seed 8 > "$tmp/s8"
cmp -s "$tmp/s7a" "$tmp/s7b" || { echo "FAIL --seed 7 twice differs"; fail=1; }
cmp -s "$tmp/s7a" "$tmp/s8" && { echo "FAIL --seed 7 and 8 are the same"; fail=1; }
n=$((n + 1))

# Every trace format is written whole, and JSON Lines parses.
for fmt in txt jsonl csv; do
    expect 0 "--trace .$fmt" -- "$MINET" run scenarios/net_ping.json --trace "$tmp/t.$fmt"
    [ -s "$tmp/t.$fmt" ] || { echo "FAIL --trace .$fmt is empty"; fail=1; }
done
if command -v python3 > /dev/null; then
    python3 -c '
import json, sys
for i, line in enumerate(open(sys.argv[1]), 1):
    r = json.loads(line)
    assert "t" in r and "kind" in r, i
' "$tmp/t.jsonl" || { echo "FAIL the JSON Lines trace does not parse"; fail=1; }
    python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert all(len(r) == len(rows[0]) for r in rows), "ragged rows"
' "$tmp/t.csv" || { echo "FAIL the CSV trace is not rectangular"; fail=1; }
fi
ls "$tmp" | grep -q 'tmp-' && { echo "FAIL a temporary file was left behind"; fail=1; }

# minet shot's panel options: pictures of the panels, and clear refusals.
if "$MINET" --help | grep -q "minet shot"; then
    L=scenarios/dns_lecture.json
    expect 0 "shot --inspect" -- "$MINET" shot $L --step 12 --inspect local-dns -o "$tmp/i.png"
    expect 0 "shot --field" -- "$MINET" shot $L --step 6 --field "Authoritative" -o "$tmp/f.png"
    expect 0 "shot --type" -- "$MINET" shot $L --step 13 --type "host -t MX montana.edu" -o "$tmp/y.png"
    expect 0 "shot --hops --filter" -- "$MINET" shot $L --step 8 --hops --filter DNS --text-scale 1.5 -o "$tmp/h.png"
    expect 0 "shot --step 0" -- "$MINET" shot $L --step 0 --size 1024x768 -o "$tmp/o.png"
    for f in i f y h o; do
        [ -s "$tmp/$f.png" ] || { echo "FAIL shot $f.png was not written"; fail=1; }
    done
    expect 2 "shot --inspect unknown" -- "$MINET" shot $L --step 2 --inspect nosuch -o "$tmp/x.png" &&
        contains "$tmp/err" "--inspect nosuch" "shot --inspect unknown"
    expect 2 "shot --field unknown" -- "$MINET" shot $L --step 6 --field "Nonsense" -o "$tmp/x.png" &&
        contains "$tmp/err" "no such field" "shot --field unknown"
    expect 2 "shot --filter unknown" -- "$MINET" shot $L --step 2 --filter SMTP -o "$tmp/x.png" &&
        contains "$tmp/err" "expected DNS, ICMP or all" "shot --filter unknown"
    expect 2 "shot --step past the end" -- "$MINET" shot $L --step 9999 -o "$tmp/x.png" &&
        contains "$tmp/err" "--step 9999: scenarios/dns_lecture.json has" "shot --step past the end"
    expect 2 "shot --text-scale out of range" -- "$MINET" shot $L --step 2 --text-scale 9 -o "$tmp/x.png"
    [ -e "$tmp/x.png" ] && { echo "FAIL a refused shot left a file"; fail=1; }
fi

# The window's options, and an option in the wrong place named as such.
expect 2 "window: --step 0" -- "$MINET" scenarios/net_ping.json --step 0 &&
    contains "$tmp/err" "--step 0: expected a step number from 1" "window: --step 0"
expect 2 "window: --theme" -- "$MINET" --theme blue scenarios/net_ping.json &&
    contains "$tmp/err" "--theme blue: expected light or dark" "window: --theme"
expect 2 "window: unknown option after the file" -- "$MINET" scenarios/net_ping.json --until 3s &&
    contains "$tmp/err" "unknown option --until" "window: unknown option after the file"
expect 2 "subcommand after the file" -- "$MINET" scenarios/net_ping.json run &&
    contains "$tmp/err" "the subcommand comes first (minet run scenarios/net_ping.json)" "subcommand after the file"
expect 2 "run --step" -- "$MINET" run scenarios/net_ping.json --step 3 &&
    contains "$tmp/err" "run stops after a step with --until-step N" "run --step"
expect 2 "check: unknown option" -- "$MINET" check --bogus scenarios/net_ping.json &&
    contains "$tmp/err" "check: unknown option --bogus" "check: unknown option"
if grep -q "scenarios/net_ping.json" "$tmp/err"; then
    echo "FAIL check: an unknown option blamed the scenario"
    fail=1
fi
# Headless (no display): the window's options are accepted, the run prints.
expect 0 "window headless with --step" -- env -u DISPLAY -u WAYLAND_DISPLAY SDL_VIDEODRIVER= \
    "$MINET" scenarios/net_ping.json --step 2 --theme dark --text-scale 1.5 &&
    contains "$tmp/err" "headless" "window headless with --step"

# --trace once per format: two formats are both written, the same twice is refused.
expect 0 "two traces" -- "$MINET" run scenarios/net_ping.json --trace "$tmp/two.txt" --trace "$tmp/two.jsonl"
[ -s "$tmp/two.txt" ] && [ -s "$tmp/two.jsonl" ] || { echo "FAIL two traces: not both written"; fail=1; }
expect 2 "the same trace format twice" -- "$MINET" run scenarios/net_ping.json --trace "$tmp/a.txt" --trace "$tmp/b.txt" &&
    contains "$tmp/err" "a trace of this format is already written to" "the same trace format twice"
[ -e "$tmp/a.txt" ] || [ -e "$tmp/b.txt" ] && { echo "FAIL a refused --trace left a file"; fail=1; }
expect 2 "--pcap twice" -- "$MINET" run scenarios/net_ping.json --pcap "$tmp/a.pcapng" --pcap "$tmp/b.pcapng"

# A bundled scenario by name, from anywhere, as an installed minet finds it
# (PREFIX/bin/minet beside PREFIX/share/minet/scenarios).
mkdir -p "$tmp/inst/bin" "$tmp/inst/share/minet" "$tmp/elsewhere"
cp "$MINET" "$tmp/inst/bin/minet"
cp -R scenarios "$tmp/inst/share/minet/"
(cd "$tmp/elsewhere" && env -u MINET_DATA "$tmp/inst/bin/minet" check net_ping.json > "$tmp/out" 2> "$tmp/err")
n=$((n + 1))
contains "$tmp/out" "share/minet/scenarios/net_ping.json: ok" "a bundled scenario by name"
(cd "$tmp/elsewhere" && env -u MINET_DATA "$tmp/inst/bin/minet" run dns_cache.json --quiet > "$tmp/out" 2> "$tmp/err") ||
    { echo "FAIL run of a bundled scenario by name"; fail=1; }
# The window's module: found in PREFIX/lib/minet by an installed binary; without it,
# what needs it says so (status 1) and headless runs go on.
module="$(dirname "$MINET")/minet-gui.so"
if [ -f "$module" ]; then
    cp -R assets "$tmp/inst/share/minet/"
    st=0
    (cd "$tmp/elsewhere" && env -u MINET_DATA "$tmp/inst/bin/minet" layout net_ping.json > "$tmp/out" 2> "$tmp/err") || st=$?
    n=$((n + 1))
    [ "$st" = 1 ] || { echo "FAIL layout without the window's module: exit status $st, expected 1"; fail=1; }
    contains "$tmp/err" "cannot load the classroom window's module" "an installed binary without its module"
    mkdir -p "$tmp/inst/lib/minet"
    cp "$module" "$tmp/inst/lib/minet/minet-gui.so"
    (cd "$tmp/elsewhere" && env -u MINET_DATA "$tmp/inst/bin/minet" layout net_ping.json > "$tmp/out" 2> "$tmp/err") ||
        { echo "FAIL an installed binary does not find its module in PREFIX/lib/minet"; cat "$tmp/err"; fail=1; }
    contains "$tmp/out" '"kind": "node"' "the installed module draws the layout"
fi
# make install puts the documentation beside the man page.
if command -v make > /dev/null 2>&1; then
    make -n install DESTDIR=/nowhere 2> /dev/null | grep -q "share/doc/minet" ||
        { echo "FAIL make install does not install the docs"; fail=1; }
    make -n install DESTDIR=/nowhere 2> /dev/null | grep -q "lib/minet/minet-gui.so" ||
        { echo "FAIL make install does not install the window's module"; fail=1; }
fi

# lines FILE CMD...: a laptop, a router and a server, one script line per
# CMD run by the laptop 100 s apart; hostile arguments end in messages.
lines() {
    f=$1
    shift
    {
        printf '{"minet": 1, "title": "t", "nodes": [\n'
        printf ' {"id": "laptop", "role": "host", "ip": "10.0.0.10"},\n'
        printf ' {"id": "r1", "role": "router", "ip": ["10.0.0.1", "10.0.1.1"]},\n'
        printf ' {"id": "server", "role": "host", "ip": "10.0.1.10"}],\n'
        printf ' "links": [{"between": ["laptop", "r1"]}, {"between": ["r1", "server"]}],\n'
        printf ' "script": ['
        t=0
        sep=
        for c in "$@"; do
            printf '%s\n  {"at": "%ss", "on": "laptop", "run": "%s"}' "$sep" $t "$c"
            sep=,
            t=$((t + 100))
        done
        printf ']}\n'
    } > "$f"
}

# Waits as traceroute 2.1 and iputils ping take them: nan or a wait past
# poll's int milliseconds waits for the answer, a negative one is refused;
# ping refuses what is not a finite number.
lines "$tmp/w.json" "traceroute -w nan server" "traceroute -w 1e13 server" \
    "traceroute -w 5,-1 server" "traceroute -w 1,2,-3 server" "ping -W nan -c 1 server" \
    "ping -W inf -c 1 server" "ping -i nan server" "ping -i -1e300 server" "ping -W 2x -c 1 server"
expect 0 "hostile waits" -- "$MINET" run "$tmp/w.json" --quiet
[ "$(grep -c 'server (10.0.1.10)  4.004 ms  4.004 ms  4.004 ms' "$tmp/out")" = 2 ] ||
    { echo "FAIL traceroute -w nan and -w 1e13 do not wait for each answer"; fail=1; }
contains "$tmp/out" "bad wait specifications \`5,-1,0' used" "traceroute -w 5,-1"
contains "$tmp/out" "bad wait specifications \`1,2,-3' used" "traceroute -w 1,2,-3"
contains "$tmp/out" "ping: bad linger time: nan: Numerical result out of range" "ping -W nan"
contains "$tmp/out" "ping: bad linger time: inf: Numerical result out of range" "ping -W inf"
contains "$tmp/out" "ping: bad timing interval: nan: Numerical result out of range" "ping -i nan"
contains "$tmp/out" "ping: cannot flood; minimal interval allowed for user is 2ms" "ping -i -1e300"
contains "$tmp/out" "ping: option argument contains garbage: x" "ping -W 2x"
contains "$tmp/out" "1 packets transmitted, 1 received" "ping -W 2x"

# Without -c, the Ctrl+C comes after the fourth reply even where replies
# take longer than the interval (before, ping -i 0.002 over a 4 ms round
# trip reported a reply still on its way as lost).
lines "$tmp/i.json" "ping -i 0.002 server"
expect 0 "ping -i 0.002" -- "$MINET" run "$tmp/i.json" --quiet
contains "$tmp/out" "4 packets transmitted, 4 received, 0% packet loss" "ping -i 0.002"

# Names of 256 bytes on the wire (labels of 63, 63, 63 and 62, and the
# root's) are refused as BIND's tools refuse them; a node with such an id
# given as a root hint is not taken for a name.  (Before, the last byte was
# written past the name: make asan caught it.)
l63=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
long=$l63.$l63.$l63.${l63%a}.
lines "$tmp/n.json" "host $long" "dig $long" "nslookup $long" "host ${long%.}"
expect 0 "256-byte names" -- "$MINET" run "$tmp/n.json" --quiet
contains "$tmp/out" "host: '$long' is not a legal name (ran out of space)" "host 256-byte name"
contains "$tmp/out" "dig: '$long' is not a legal name (ran out of space)" "dig 256-byte name"
contains "$tmp/out" "nslookup: '$long' is not a legal name (ran out of space)" "nslookup 256-byte name"
cat > "$tmp/h.json" << EOF
{"minet": 1, "title": "t",
 "nodes": [{"id": "laptop", "role": "host", "ip": "10.0.0.10", "dns": "10.0.0.53"},
  {"id": "res", "role": "resolver", "ip": "10.0.0.53", "root_hints": ["10.0.0.1"]},
  {"id": "$long", "role": "dns", "ip": "10.0.0.1", "zones": ["."]}],
 "links": [{"between": ["laptop", "res"]}, {"between": ["res", "$long"]}],
 "zones": {".": {"records": ["@ 3600 IN SOA a. b. 1 2 3 4 5", "@ 3600 IN NS a.", "a 3600 IN A 10.0.0.1",
  "www 3600 IN A 192.0.2.80"]}},
 "script": [{"at": "0s", "on": "laptop", "run": "host www"}]}
EOF
expect 0 "a 256-byte node id as a root hint" -- "$MINET" run "$tmp/h.json" --quiet
contains "$tmp/out" "www has address 192.0.2.80" "a 256-byte node id as a root hint"

# host -R as BIND 9.18 counts it (atoi + 1 tries, at least 2, in an int:
# -R 2147483647 wraps to 2), and at most 100 tries in minet.
lines "$tmp/r.json" "host -W 1 -R 0 -t A x.example 10.0.1.99" \
    "host -W 1 -R 2147483647 -t A x.example 10.0.1.99" "host -W 1 -R 2147483646 -t A x.example 10.0.1.99"
sed 's/"script": \[/"script": [{"at": "0s", "run": "down server"},/; s/10.0.1.99/10.0.1.10/' \
    "$tmp/r.json" > "$tmp/r2.json"
expect 0 "host -R" -- "$MINET" run "$tmp/r2.json" --quiet
[ "$(grep -c 'communications error' "$tmp/out")" = $((2 + 2 + 100)) ] ||
    { echo "FAIL host -R 0, 2147483647 and 2147483646 tried $(grep -c 'communications error' "$tmp/out") times, not 2, 2 and 100"; fail=1; }

# dig takes a type's name before the name as after it; a second type wins,
# with dig's warning (BIND 9.18).
lines "$tmp/dt.json" "dig mx x.example @10.0.1.10" "dig mx x.example a @10.0.1.10"
expect 0 "dig's type before the name" -- "$MINET" run "$tmp/dt.json" --until 150s
contains "$tmp/out" "asks server (10.0.1.10) for x.example MX" "dig mx NAME"
contains "$tmp/out" "asks server (10.0.1.10) for x.example A" "dig mx NAME a"
[ "$(grep -c ';; Warning, extra type option' "$tmp/out")" = 1 ] ||
    { echo "FAIL dig's extra type warning, expected once"; fail=1; }

# dig's usage goes to standard error (BIND 9.18); -x builds the reverse
# name of whatever it is given, as dig 9.18's get_reverse does, and a type
# after it is no extra type; +short still says that no server answered.
lines "$tmp/dx.json" "dig -T" "dig +qr -x 153.90 @10.0.1.10" "dig +qr -x 2001:db8::1 @10.0.1.10" \
    "dig +qr -x foo SOA @10.0.1.10" "dig +short x.example @10.0.1.10"
expect 0 "dig -T, -x and +short" -- "$MINET" run "$tmp/dx.json" --until 500s
contains "$tmp/out" "laptop|2 Invalid option: -T" "dig's usage on standard error"
contains "$tmp/out" "laptop| ;90.153.in-addr.arpa.		IN	PTR" "dig -x 153.90"
contains "$tmp/out" "laptop| ;1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. IN PTR" "dig -x 2001:db8::1"
contains "$tmp/out" "laptop| ;foo.in-addr.arpa.		IN	SOA" "dig -x foo SOA"
grep -q "extra type" "$tmp/out" && { echo "FAIL dig -x ADDRESS TYPE warns of an extra type"; fail=1; }
[ "$(grep -c 'laptop| ;; no servers could be reached' "$tmp/out")" = 4 ] ||
    { echo "FAIL dig, dig +short: no servers could be reached, expected 4 times"; fail=1; }

# A query to a host with nothing on port 53 is answered by ICMP port
# unreachable, and host, dig and nslookup say "connection refused" at once,
# try again at once and give up, as BIND 9.18's tools do (dig three tries,
# host two, nslookup three), all within a second instead of 5 s a try.
lines "$tmp/cr.json" "dig x.example @10.0.1.10" "host -t A x.example 10.0.1.10" "nslookup x.example 10.0.1.10"
sed 's/"at": "100s"/"at": "0.3s"/; s/"at": "200s"/"at": "0.6s"/' "$tmp/cr.json" > "$tmp/cr2.json"
expect 0 "a query refused by ICMP port unreachable" -- "$MINET" run "$tmp/cr2.json" --quiet --until 1s
[ "$(grep -c '^;; communications error to 10.0.1.10#53: connection refused$' "$tmp/out")" = 8 ] &&
    [ "$(grep -c '^;; no servers could be reached$' "$tmp/out")" = 3 ] ||
    { echo "FAIL refused queries: expected 8 \"connection refused\" and 3 \"no servers could be reached\" within 1 s"; sed 's/^/    /' "$tmp/out"; fail=1; }

# A generated file larger than programs read whole (64 MiB) is refused with
# "File too large", never read in part (cat made a 64 MiB copy of a 1 GB file).
cat > "$tmp/big.json" <<'EOF'
{"minet": 1, "title": "t", "nodes": [
 {"id": "pc", "role": "host", "ip": "10.0.0.10", "user": "alice",
  "files": {"/home/alice/big": {"size": "1GB"}, "/home/alice/mid": {"size": "64MiB"}}}],
 "links": [],
 "script": [{"at": "0s", "on": "pc", "run": "cat big > copy"}, {"at": "1s", "on": "pc", "run": "wc -c big mid"},
            {"at": "2s", "on": "pc", "run": "grep -c a < big"}, {"at": "3s", "on": "pc", "run": "wc -c copy"}]}
EOF
expect 0 "a file too large to read whole" -- "$MINET" run "$tmp/big.json" --quiet
for want in "cat: big: File too large" "wc: big: File too large" "67108864 mid" "bash: big: File too large" "0 copy"; do
    contains "$tmp/out" "$want" "a file too large to read whole"
done

# Writing past the largest file (64 MiB) writes what fits and fails the
# program in coreutils' words, exit status 1 (before: "minet: PATH: File
# too large", status 0, and the copy stopped at the last whole input).
cat > "$tmp/grow.json" <<'EOF'
{"minet": 1, "title": "t", "nodes": [
 {"id": "pc", "role": "host", "ip": "10.0.0.10", "user": "alice",
  "files": {"/home/alice/part": {"size": "40MiB"}}}],
 "links": [],
 "script": [{"at": "0s", "on": "pc", "run": "cat part part > whole || echo failed"},
            {"at": "1s", "on": "pc", "run": "wc -c whole"}]}
EOF
expect 0 "writing past the largest file" -- "$MINET" run "$tmp/grow.json" --quiet
for want in "cat: write error: File too large" "failed" "67108864 whole"; do
    contains "$tmp/out" "$want" "writing past the largest file"
done

# dig +time=T and +tries=N (+retry=N: N + 1 tries), with dig 9.18's
# complaints about a value that is not a number or too big.
lines "$tmp/dtt.json" "dig +time=1 +tries=2 x.example @10.0.1.10" "dig +time=abc x.example" "dig +tries=4294967296 x.example"
sed 's/"script": \[/"script": [{"at": "0s", "run": "down server"},/' "$tmp/dtt.json" > "$tmp/dtt2.json"
expect 0 "dig +time +tries" -- "$MINET" run "$tmp/dtt2.json" --quiet --until 210s
[ "$(grep -c '^;; communications error to 10.0.1.10#53: timed out$' "$tmp/out")" = 2 ] ||
    { echo "FAIL dig +time=1 +tries=2: expected 2 tries within 3 s"; sed 's/^/    /' "$tmp/out"; fail=1; }
contains "$tmp/out" "invalid timeout 'abc': not a valid number" "dig +time=abc"
contains "$tmp/out" "dig: Couldn't parse timeout" "dig +time=abc"
contains "$tmp/out" "invalid tries '4294967296': out of range" "dig +tries=4294967296"

# s-nail's complaints about its command line, as s-nail 14.9.24 prints them
# (then its usage, status 64): a subject without a recipient sends nothing.
lines "$tmp/ml.json" "mail -s hi" "mail -Z" "mail -s"
expect 0 "mail's command-line errors" -- "$MINET" run "$tmp/ml.json" --quiet
contains "$tmp/out" "s-nail: Send options without primary recipient specified." "mail -s hi"
contains "$tmp/out" "s-nail: invalid option: Z" "mail -Z"
contains "$tmp/out" "s-nail: option requires argument: s" "mail -s"
[ "$(grep -c '^s-nail (s-nail v14.9.24): send and receive Internet mail$' "$tmp/out")" = 3 ] ||
    { echo "FAIL mail's usage after each error"; fail=1; }

# ping as iputils 20221126 on Linux: -t 0 and the broadcast address are
# refused (status 2), 0.0.0.0 is this host, and an address in any form
# inet_aton takes is an address, not a name.
lines "$tmp/pg.json" "ping -c 1 -t 0 server" "ping -c 1 255.255.255.255" "ping -c 1 0.0.0.0" \
    "ping -c 1 10.0.266" "ping -c 1 0x0a00010a" "ping -c 1 167772426"
expect 0 "ping's addresses" -- "$MINET" run "$tmp/pg.json" --quiet
contains "$tmp/out" "ping: cannot set unicast time-to-live: Invalid argument" "ping -t 0"
contains "$tmp/out" "ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules" "ping 255.255.255.255"
contains "$tmp/out" "PING 0.0.0.0 (127.0.0.1) 56(84) bytes of data." "ping 0.0.0.0"
for a in 10.0.266 0x0a00010a 167772426; do
    contains "$tmp/out" "PING $a (10.0.1.10) 56(84) bytes of data." "ping $a"
done
[ "$(grep -c '^64 bytes from 10.0.1.10' "$tmp/out")" = 3 ] || { echo "FAIL ping by numeric forms: expected 3 replies"; fail=1; }

# swaks takes a port as Perl does (compared with the real swaks on
# loopback): above 65535 cut to 16 bits with Perl's warning, a name looked
# up in /etc/services, anything else refused before it tries.
lines "$tmp/sw.json" "swaks --to bob@x --server server:99999" "swaks --to bob@x --server server:abc"
expect 0 "swaks's ports" -- "$MINET" run "$tmp/sw.json" --quiet
for want in "=== Trying server:99999..." "Port number above 0xFFFF, will be truncated to 34463 for Socket::pack_sockaddr_in" \
    "*** Error connecting to server:99999:" "IO::Socket::INET: connect: Connection refused" \
    "*** unable to resolve service name abc into a port, exiting"; do
    contains "$tmp/out" "$want" "swaks's ports"
done

# nc -z with port ranges and several ports, in order, as netcat-openbsd
# scans them (a range either way round; 0 and 65536 refused by name).
cat > "$tmp/nc.json" <<'EOF'
{"minet": 1, "title": "t", "nodes": [{"id": "laptop", "role": "host", "ip": "10.0.0.10"},
 {"id": "server", "role": "host", "ip": "10.0.0.20"}], "links": [{"between": ["laptop", "server"]}],
 "script": [{"at": "0s", "on": "server", "run": "nc -l 22"}, {"at": "1s", "on": "laptop", "run": "nc -zv server 24-20"},
            {"at": "3s", "on": "laptop", "run": "nc -zv server 0-2"}, {"at": "4s", "on": "laptop", "run": "nc -z server 65535-65536"}]}
EOF
expect 0 "nc -z with a port range" -- "$MINET" run "$tmp/nc.json" --quiet
for want in "nc: connect to server port 20 (tcp) failed: Connection refused" \
    "Connection to server 22 port [tcp/ssh] succeeded!" "nc: connect to server port 24 (tcp) failed: Connection refused" \
    "nc: port number too small: 0" "nc: port number too large: 65536"; do
    contains "$tmp/out" "$want" "nc -z with a port range"
done

# Resolvers that ask themselves: root_hints naming the resolver, or a
# delegation to it, is a lookup waiting on itself (SERVFAIL at once); two
# forwarders asking each other end with the retry policy's limits.
resolver_loop() { # FILE NODES ZONES
    printf '%s\n' '{"minet": 1, "title": "t", "nodes": [' \
        '{"id": "laptop", "role": "host", "ip": "10.0.0.10", "dns": "10.0.0.53"},' "$2]," \
        '"links": [{"between": ["laptop", "res"]}' "$3," \
        '"script": [{"at": "0s", "on": "laptop", "run": "host -t A www.example"}]}' > "$1"
}
resolver_loop "$tmp/l1.json" '{"id": "res", "role": "resolver", "ip": "10.0.0.53", "root_hints": ["10.0.0.53"]}' ']'
resolver_loop "$tmp/l2.json" '{"id": "res", "role": "resolver", "ip": "10.0.0.53", "mode": "recursive", "root_hints": ["10.0.0.54"]},
 {"id": "res2", "role": "resolver", "ip": "10.0.0.54", "mode": "recursive", "root_hints": ["10.0.0.53"]}' \
    ', {"between": ["res", "res2"]}]'
resolver_loop "$tmp/l3.json" '{"id": "res", "role": "resolver", "ip": "10.0.0.53"},
 {"id": "root", "role": "dns", "ip": "10.0.0.1", "zones": ["."]}' ', {"between": ["res", "root"]}],
 "zones": {".": {"records": ["@ 3600 IN SOA a. b. 1 2 3 4 5", "@ 3600 IN NS a.", "a 3600 IN A 10.0.0.1",
  "example 3600 IN NS ns.example.", "ns.example 3600 IN A 10.0.0.53"]}}'
for l in l1 l3; do
    expect 0 "a resolver asking itself ($l)" -- "$MINET" run "$tmp/$l.json" --quiet --until 60s &&
        contains "$tmp/out" "Host www.example not found: 2(SERVFAIL)" "a resolver asking itself ($l)"
done
expect 0 "two forwarders asking each other" -- "$MINET" run "$tmp/l2.json" --until 1h &&
    contains "$tmp/out" "res answers laptop with SERVFAIL" "two forwarders asking each other"

# Only regular files are read, found so by stat before any open: a FIFO
# (whose open would block for ever) or a device is refused; a zone file is
# at most 64 MiB.
if mkfifo "$tmp/fifo.json" "$tmp/fifo.zone" 2> /dev/null; then
    expect 2 "a FIFO scenario" -- timeout 10 "$MINET" run "$tmp/fifo.json" &&
        contains "$tmp/err" "fifo.json: cannot read: not a regular file" "a FIFO scenario"
    ln -s /dev/zero "$tmp/zero.zone"
    ln -s /dev/urandom "$tmp/random.zone"
    truncate -s 65M "$tmp/big.zone"
    printf '%s\n' '{"minet": 1, "title": "t", "nodes": [' \
        '{"id": "root", "role": "dns", "ip": "198.41.0.4", "zones": ["a.", "b.", "c.", "d."]}],' \
        '"zones": {"a.": {"file": "fifo.zone"}, "b.": {"file": "zero.zone"},' \
        '"c.": {"file": "random.zone"}, "d.": {"file": "big.zone"}}}' > "$tmp/z.json"
    expect 2 "zone files that are not regular or too big" -- timeout 10 "$MINET" check "$tmp/z.json"
    contains "$tmp/err" "fifo.zone\" is not a regular file" "a FIFO zone file"
    contains "$tmp/err" "zero.zone\" is not a regular file" "/dev/zero as a zone file"
    contains "$tmp/err" "random.zone\" is not a regular file" "/dev/urandom as a zone file"
    contains "$tmp/err" "big.zone\" is 68157440 bytes long (expected a zone file of at most 64 MiB)" "a 65 MiB zone file"
    rm -f "$tmp/big.zone"
fi

# An interrupted run leaves no temporary file: ^C, kill, a closed pipe and
# an abort each end the run by their signal, with the temporaries removed.
printf '{"minet": 1, "title": "long", "nodes": [{"id": "a", "role": "host", "ip": "10.0.0.1"},
 {"id": "b", "role": "host", "ip": "10.0.0.2"}], "links": [{"between": ["a", "b"]}], "script": [' > "$tmp/long.json"
i=0
while [ $i -lt 200 ]; do
    [ $i -gt 0 ] && printf ',' >> "$tmp/long.json"
    printf '{"at": "%ds", "on": "a", "run": "ping -c 65535 -i 0.002 b"}\n' $((i * 200)) >> "$tmp/long.json"
    i=$((i + 1))
done
printf ']}\n' >> "$tmp/long.json"
mkdir "$tmp/sig"
for sig in INT TERM HUP ABRT; do
    "$MINET" run "$tmp/long.json" --trace "$tmp/sig/t.jsonl" --pcap "$tmp/sig/t.pcapng" > /dev/null 2>&1 &
    pid=$!
    sleep 1
    kill -$sig $pid
    wait $pid 2> /dev/null
    got=$?
    n=$((n + 1))
    [ "$got" -gt 128 ] || { echo "FAIL SIG$sig: exit status $got, expected death by the signal"; fail=1; }
    [ -z "$(ls -A "$tmp/sig")" ] || { echo "FAIL SIG$sig left $(ls "$tmp/sig")"; fail=1; }
done
"$MINET" run "$tmp/long.json" --trace "$tmp/sig/t.jsonl" | head -n 2 > /dev/null
[ -z "$(ls -A "$tmp/sig")" ] || { echo "FAIL | head left $(ls "$tmp/sig")"; fail=1; }
n=$((n + 1))

# A full disk is named as such; a symbolic link as the output is followed
# (the file it leads to is written, the link stays), a dangling one refused.
if [ "$(id -u)" = 0 ] && mkdir "$tmp/full" && mount -t tmpfs -o size=64k tmpfs "$tmp/full" 2> /dev/null; then
    expect 1 "a trace on a full disk" -- "$MINET" run scenarios/dns_lecture.json --quiet --trace "$tmp/full/t.jsonl"
    contains "$tmp/err" "t.jsonl: cannot write: No space left on device" "a trace on a full disk"
    expect 1 "a capture on a full disk" -- "$MINET" run scenarios/dns_lecture.json --quiet --pcap "$tmp/full/t.pcapng"
    contains "$tmp/err" "t.pcapng: cannot write: No space left on device" "a capture on a full disk"
    [ -z "$(ls -A "$tmp/full")" ] || { echo "FAIL a full disk kept $(ls "$tmp/full")"; fail=1; }
    umount "$tmp/full"
fi
echo old > "$tmp/real.txt"
ln -s real.txt "$tmp/link.txt"
ln -s nowhere/x.txt "$tmp/dangling.txt"
expect 0 "a trace through a symbolic link" -- "$MINET" run scenarios/net_ping.json --quiet --trace "$tmp/link.txt"
[ -L "$tmp/link.txt" ] || { echo "FAIL the symbolic link was replaced"; fail=1; }
contains "$tmp/real.txt" "ping -c 3 server" "a trace through a symbolic link"
expect 1 "a trace through a dangling symbolic link" -- "$MINET" run scenarios/net_ping.json --quiet --trace "$tmp/dangling.txt" &&
    contains "$tmp/err" "dangling.txt: cannot write: a symbolic link to a file that does not exist" "a dangling link"
[ -L "$tmp/dangling.txt" ] || { echo "FAIL the dangling link was replaced"; fail=1; }

# What is not a regular file is never replaced by a rename: a FIFO (even
# through a symbolic link) and a device are written in place, as a shell's >
# writes them, a FIFO that nobody reads is refused at once, and a folder is
# refused; an output that is the scenario being read is refused before the
# run (exit 2), and the scenario stays as it was.
if mkfifo "$tmp/live.txt" "$tmp/live.pcapng" 2> /dev/null; then
    ln -s live.txt "$tmp/via-link.txt"
    expect 1 "a trace into a FIFO nobody reads" -- timeout 20 "$MINET" run scenarios/net_ping.json --quiet --trace "$tmp/via-link.txt" &&
        contains "$tmp/err" "via-link.txt: cannot write: a FIFO that no process is reading" "a FIFO with no reader"
    timeout 20 cat "$tmp/live.txt" > "$tmp/from-fifo.txt" &
    reader=$!
    timeout 20 cat "$tmp/live.pcapng" > "$tmp/from-fifo.pcapng" &
    reader2=$!
    sleep 0.5
    expect 0 "a trace into a FIFO through a symbolic link" -- timeout 20 "$MINET" run scenarios/net_ping.json --quiet --trace "$tmp/via-link.txt"
    expect 0 "a capture into a FIFO" -- timeout 20 "$MINET" run scenarios/net_ping.json --quiet --pcap "$tmp/live.pcapng"
    wait $reader $reader2
    contains "$tmp/from-fifo.txt" "ping -c 3 server" "a trace read from a FIFO"
    expect 0 "the same capture into a file" -- "$MINET" run scenarios/net_ping.json --quiet --pcap "$tmp/file.pcapng"
    cmp -s "$tmp/from-fifo.pcapng" "$tmp/file.pcapng" || { echo "FAIL the capture read from a FIFO differs from the file's"; fail=1; }
    [ -p "$tmp/live.txt" ] && [ -p "$tmp/live.pcapng" ] && [ -L "$tmp/via-link.txt" ] ||
        { echo "FAIL a FIFO or the link to it was replaced"; fail=1; }
fi
# (a device node of the test's own, where it may make one: a regression
# must not replace the system's /dev/null)
if mknod -m 666 "$tmp/null" c 1 3 2> /dev/null; then
    ln -s null "$tmp/null.txt"
    expect 0 "a trace into a null device through a symbolic link" -- "$MINET" run scenarios/net_ping.json --quiet --trace "$tmp/null.txt"
    [ -c "$tmp/null" ] || { echo "FAIL a device was replaced by a file"; fail=1; }
fi
mkdir "$tmp/folder.txt"
expect 1 "a trace onto a folder" -- "$MINET" run scenarios/net_ping.json --quiet --trace "$tmp/folder.txt" &&
    contains "$tmp/err" "folder.txt: cannot write: it is a folder (expected a file name)" "a folder as the output"
cp scenarios/net_ping.json "$tmp/lesson.txt"
expect 2 "a trace onto the scenario being read" -- "$MINET" run "$tmp/lesson.txt" --quiet --trace "$tmp/lesson.txt" &&
    contains "$tmp/err" "lesson.txt: is the scenario this run reads (expected another file name for the output)" "the scenario as the output"
cmp -s scenarios/net_ping.json "$tmp/lesson.txt" || { echo "FAIL the scenario was overwritten"; fail=1; }

# Control characters from a scenario reach the terminal as cat -v shows
# them, never raw (an OSC sequence would retitle the window).
lines "$tmp/ctl.json" "host -t A 'x\\u001b]0;pwned\\u0007\\u007f\\u009b.example'"
sed 's/\\\\u/\\u/g' "$tmp/ctl.json" > "$tmp/ctl2.json"
for mode in --quiet --verbose; do
    [ $mode = --verbose ] && mode=
    expect 0 "control characters in a script line $mode" -- "$MINET" run "$tmp/ctl2.json" $mode
    contains "$tmp/out" "x^[]0;pwned^G^?M-BM-^[.example" "control characters shown as cat -v does"
    if LC_ALL=C grep -q "$(printf '[\033\007\177]')" "$tmp/out"; then
        echo "FAIL a control character reached the terminal raw"
        fail=1
    fi
done

# Every bundled scenario is valid.
for s in scenarios/*.json; do
    expect 0 "check $s" -- "$MINET" check "$s"
done

[ $fail = 0 ] && echo "cli: $n checks passed"
exit $fail
