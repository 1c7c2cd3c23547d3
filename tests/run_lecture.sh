#!/bin/sh
# Every DNS command on the lecture's slides runs in scenarios/dns_lecture.json
# and prints what the real tool prints.  Each case in tests/lecture/ is a
# NAME.cmd (the commands, one a line, typed on the laptop 5 s apart into a
# fresh run of the lecture's internet, cold caches) and NAME.out (the
# console they must print, as BIND 9.18's host, iputils ping and Windows'
# ipconfig print it over these zones; the slides show the same lines).
# The slide's `host huffpost.com | grep "address" | sed …` needs the shell's
# pipes: its host part is 05-rotation.  The slide types `ipconfig/displaydns`
# without a space, as cmd.exe accepts it (10-displaydns-slide).
set -u
MINET=${MINET:-./minet}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
for cmd in tests/lecture/*.cmd; do
    name=$(basename "$cmd" .cmd)
    n=$((n + 1))
    # The lecture's scenario with its script replaced; zone files by their
    # full paths, since the copy lives elsewhere.
    python3 - scenarios/dns_lecture.json "$cmd" "$tmp/$name.json" <<'PY' || { fail=1; continue; }
import json, os, sys
src, cmds, dst = sys.argv[1:4]
d = json.load(open(src))
base = os.path.dirname(os.path.abspath(src))
for z in d["zones"].values():
    if "file" in z:
        z["file"] = os.path.join(base, z["file"])
lines = [l.rstrip("\n") for l in open(cmds) if l.strip()]
d["script"] = [{"at": "%ds" % (5 * i), "on": "laptop", "run": l} for i, l in enumerate(lines)]
json.dump(d, open(dst, "w"), indent=2)
PY
    if ! "$MINET" run "$tmp/$name.json" --quiet > "$tmp/$name.got" 2>&1; then
        echo "FAIL lecture $name: the run failed"
        cat "$tmp/$name.got"
        fail=1
        continue
    fi
    if ! diff -u "tests/lecture/$name.out" "$tmp/$name.got" > "$tmp/$name.diff"; then
        echo "FAIL lecture $name: $(head -n 1 "$cmd") does not print what the real tool prints:"
        head -n 40 "$tmp/$name.diff"
        fail=1
    fi
done
[ $fail = 0 ] && echo "lecture: the $n slide commands print what the real tools print"
exit $fail
