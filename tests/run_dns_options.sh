#!/bin/sh
# The options students try with host, dig and nslookup, against what BIND
# 9.18's real tools print.
#
# Each line of tests/data/dns_options/commands (and of SET/commands in its
# folders, one set of cases for each tool) is "SCENARIO<TAB>COMMAND", or
# "SCENARIO<TAB>COMMAND<TAB>LINE|LINE|..." for lines typed at the
# program's prompt (interactive nslookup; "^D" ends its input): the
# command runs alone, at 0 s on the scenario's laptop (every cache empty),
# and what minet prints must equal N.out beside the list, N its line's
# number among the cases, byte for byte, once the fields that must differ are masked (dig's id,
# Query time, WHEN, MSG SIZE and cookie, host -v's round-trip time: see
# tests/interop/resolver/volatile.awk).
#
#   MINET=build/minet sh tests/run_dns_options.sh              check
#   MINET=build/minet sh tests/run_dns_options.sh real [FROM]  write N.out anew
#                                  (from case FROM of each list on: new cases)
#   ONLY=SET ...                   only the cases of SET/commands
#
# "real" takes each N.out from the real tools: BIND 9.18's host, dig and
# nslookup over a real Unbound and NSD serving the scenario's zones, run by
# tests/run_interop_resolver.sh (which needs unbound, nsd, bind9-dnsutils,
# tshark and user namespaces), with addresses mapped back and the same
# fields masked.  Review the diff before committing it.
set -u
MINET=${MINET:-./minet}
case $MINET in
/*) ;;
*/*) MINET=$(pwd)/$MINET ;;
esac
DIR=tests/data/dns_options
HERE=tests/interop/resolver
mode=${1:-check}
from=${2:-1}
tab=$(printf '\t')
tmp=$(mktemp -d "${TMPDIR:-/tmp}/minet-dns-options.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A copy of SCENARIO whose script is COMMAND alone (with the lines INPUT
# types), in $tmp/N/ with the scenario's zone folder beside it.
one_command() { # N SCENARIO COMMAND [INPUT]
    d=$tmp/$1
    mkdir -p "$d"
    ln -s "$(cd "$(dirname "$2")" && pwd)/zones" "$d/zones"
    on=$(awk -f "$HERE/json.awk" "$2" | awk -F "$tab" '$1 ~ /^script\/[0-9]+\/on$/ { print $2; exit }')
    typed=
    if [ -n "${4:-}" ]; then
        typed=", \"input\": [$(printf '%s' "$4" | awk -F '|' '{
            for (i = 1; i <= NF; i++) {
                gsub(/\\/, "\\\\", $i); gsub(/"/, "\\\"", $i)
                printf "%s\"%s\"", (i > 1 ? ", " : ""), $i
            } }')]"
    fi
    awk -v mode=edit -v ops="set script [{\"at\": \"0s\", \"on\": \"$on\", \"run\": \"$3\"$typed}]" \
        -f "$HERE/json.awk" "$2" > "$d/$(basename "$2")"
}

fail=0
n=0
same=0
for list in "$DIR/commands" "$DIR"/*/commands; do
[ -f "$list" ] || continue
set=$(dirname "$list")
[ -n "${ONLY:-}" ] && [ "$(basename "$set")" != "$ONLY" ] && continue
k=0
while IFS=$tab read -r scen cmd input; do
    case $scen in '' | '#'*) continue ;; esac
    n=$((n + 1))
    k=$((k + 1))
    one_command $n "$scen" "$cmd" "$input"
    copy=$tmp/$n/$(basename "$scen")
    if [ "$mode" = real ]; then
        [ $k -lt "$from" ] && continue
        rm -rf "$tmp/keep"
        MINET_INTEROP_TTL_EXACT=1 MINET_INTEROP_KEEP=$tmp/keep MINET=$MINET \
            sh tests/run_interop_resolver.sh "$copy" \
            > "$tmp/$n/interop.out" 2>&1
        got=$tmp/keep/$(basename "$scen" .json)/real/1.stdout
        if [ ! -f "$got" ]; then
            echo "FAIL $cmd: the real tools were not run:"
            sed 's/^/    /' "$tmp/$n/interop.out"
            fail=1
            continue
        fi
        cp "$got" "$set/$k.out"
        echo "wrote $set/$k.out ($cmd)"
        continue
    fi
    "$MINET" run "$copy" --quiet > "$tmp/$n/quiet" 2> "$tmp/$n/err" || {
        echo "FAIL $cmd: minet run failed:"
        sed 's/^/    /' "$tmp/$n/err"
        fail=1
        continue
    }
    # the console without its "laptop$ COMMAND" line, fields masked
    sed 1d "$tmp/$n/quiet" | awk -f "$HERE/volatile.awk" > "$tmp/$n/got"
    if cmp -s "$set/$k.out" "$tmp/$n/got"; then
        same=$((same + 1))
    else
        echo "FAIL $scen: $cmd: minet prints otherwise than BIND 9.18 ($set/$k.out):"
        diff -u "$set/$k.out" "$tmp/$n/got" | sed -e '1s|.*|--- BIND 9.18 via Unbound and NSD|' \
            -e '2s|.*|+++ minet|' -e 's/^/    /'
        fail=1
    fi
done < "$list"
done
[ "$mode" = real ] && exit $fail
echo "dns options: $n commands, $same print what BIND 9.18's tools print"
exit $fail
