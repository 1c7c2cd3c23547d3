#!/bin/sh
# minet chart on every bundled scenario: the SVG is well-formed XML that
# librsvg renders, with one arrow group per message of the chosen steps;
# the PNG is a picture; bad options are refused with status 2 and nothing
# written.
set -u
MINET=${MINET:-./minet}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
have_xmllint=1; command -v xmllint > /dev/null 2>&1 || have_xmllint=0
have_rsvg=1; command -v rsvg-convert > /dev/null 2>&1 || have_rsvg=0
[ $have_xmllint = 1 ] || echo "chart: xmllint missing (apt-get install libxml2-utils): well-formedness not checked"
[ $have_rsvg = 1 ] || echo "chart: rsvg-convert missing (apt-get install librsvg2-bin): rendering not checked"
for s in scenarios/*.json; do
    name=$(basename "$s" .json)
    if ! "$MINET" chart "$s" -o "$tmp/$name.svg" 2> "$tmp/err"; then
        echo "FAIL chart $s: status $?"; sed 's/^/    /' "$tmp/err" | head -5; fail=1; continue
    fi
    if [ $have_xmllint = 1 ] && ! xmllint --noout "$tmp/$name.svg" 2> "$tmp/err"; then
        echo "FAIL chart $s: xmllint refuses the SVG"; head -5 "$tmp/err"; fail=1
    fi
    if [ $have_rsvg = 1 ] && ! rsvg-convert "$tmp/$name.svg" -o "$tmp/$name.png" 2> "$tmp/err"; then
        echo "FAIL chart $s: rsvg-convert cannot render the SVG"; head -5 "$tmp/err"; fail=1
    fi
done
# The lecture's first lookup: the textbook's ten messages.
"$MINET" chart scenarios/dns_lecture.json --steps 1-13 -o "$tmp/first.svg"
n=$(grep -c '<g id="arrow-' "$tmp/first.svg")
if [ "$n" != 10 ]; then
    echo "FAIL chart --steps 1-13: $n arrows, expected the lookup's 10 messages"; fail=1
fi
grep -q '>referral: edu</text>' "$tmp/first.svg" || { echo "FAIL chart: no referral label"; fail=1; }
# The handout: the same arrows, numbers kept, labels blank.
"$MINET" chart scenarios/dns_lecture.json --steps 1-13 --blank-labels -o "$tmp/blank.svg"
n=$(grep -c '<g id="arrow-' "$tmp/blank.svg")
if [ "$n" != 10 ] || grep -q 'referral: edu' "$tmp/blank.svg"; then
    echo "FAIL chart --blank-labels: $n arrows, or a label left in"; fail=1
fi
# Only the laptop and its resolver; only ICMP.
"$MINET" chart scenarios/dns_lecture.json --steps 1-13 --nodes laptop,local-dns -o "$tmp/two.svg"
n=$(grep -c '<g id="arrow-' "$tmp/two.svg")
[ "$n" = 2 ] || { echo "FAIL chart --nodes laptop,local-dns: $n arrows, expected 2"; fail=1; }
"$MINET" chart scenarios/dns_server_down.json --proto icmp -o "$tmp/icmp.svg"
if grep -q 'stroke-dasharray="2 4"' "$tmp/icmp.svg" && ! grep -q '>A? ' "$tmp/icmp.svg"; then :; else
    echo "FAIL chart --proto icmp: not only ICMP's arrows"; fail=1
fi
# A PNG through the window's renderer.
"$MINET" chart scenarios/tcp_flow.json -o "$tmp/flow.png" || { echo "FAIL chart -o .png"; fail=1; }
head -c 8 "$tmp/flow.png" | od -An -c | grep -q 'P   N   G' || { echo "FAIL chart: not a PNG"; fail=1; }
# Bad usage: status 2, a message naming what is wrong, no file.
bad() { # expected-message args...
    want=$1; shift
    "$MINET" chart "$@" > /dev/null 2> "$tmp/err"; rc=$?
    if [ $rc != 2 ] || ! grep -q -- "$want" "$tmp/err"; then
        echo "FAIL chart $*: status $rc, expected 2 with '$want'"; sed 's/^/    /' "$tmp/err"; fail=1
    fi
}
bad "has 173 steps" scenarios/dns_lecture.json --steps 1-999 -o "$tmp/x.svg"
bad "expected A-B" scenarios/dns_lecture.json --steps 9-3 -o "$tmp/x.svg"
bad "has no node nobody" scenarios/dns_lecture.json --nodes laptop,nobody -o "$tmp/x.svg"
bad "carries dns" scenarios/dns_lecture.json --proto smtp -o "$tmp/x.svg"
bad "ending in .svg or .png" scenarios/dns_lecture.json -o "$tmp/x.pdf"
bad "needs -o" scenarios/dns_lecture.json
bad "unknown option --frobnicate" scenarios/dns_lecture.json --frobnicate -o "$tmp/x.svg"
[ -e "$tmp/x.svg" ] && { echo "FAIL chart: a refused chart left a file"; fail=1; }
# minet layout: JSON with the items the issue names, at the size asked.
if command -v python3 > /dev/null 2>&1; then
    "$MINET" layout scenarios/dns_lecture.json --size 1024x768 --step 4 > "$tmp/layout.json" || fail=1
    python3 - "$tmp/layout.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
assert d["size"] == [1024, 768], d["size"]
kinds = {i["kind"] for i in d["items"]}
for k in ("node", "node-label", "packet-label", "caption", "panel-text"):
    assert k in kinds, "no %s item" % k
for i in d["items"]:
    assert len(i["rect"]) == 4 and isinstance(i["font_px"], int) and i["id"] is not None
PY
fi
# The chart beside the map, every panel open: every lifeline of every
# bundled scenario shows, at the three sizes the classroom tests.
if command -v python3 > /dev/null 2>&1; then
    for s in scenarios/*.json; do
        for size in 1024x768 1280x720 1920x1080; do
            "$MINET" layout "$s" --size $size --step 1 --chart > "$tmp/beside.json" || fail=1
            python3 - "$tmp/beside.json" "$s" "$size" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
c = d.get("chart")
if not c or c["shown"] != c["lifelines"]:
    sys.exit("FAIL layout %s --size %s --chart: lifelines %s" % (sys.argv[2], sys.argv[3], c))
PY
        done
    done
fi
"$MINET" layout scenarios/dns_lecture.json --step 999 > /dev/null 2> "$tmp/err"
[ $? = 2 ] && grep -q "has 173 steps" "$tmp/err" || { echo "FAIL layout --step 999"; fail=1; }
[ $fail = 0 ] && echo "chart: ok"
exit $fail
