#!/bin/sh
# The filters' file operands, cat and echo, and the shell's redirections
# (> >> 2> &> 2>&1 <, and the files they write), judged by the real GNU
# tools and bash: each line of
# tests/data/filter_files/commands runs in bash on a terminal (script(1),
# so that what a tool prints on its two streams comes in the order a
# terminal shows it), in a folder holding the same files as the host
# "laptop" below, and in minet; what each prints and its exit status must
# be the same.
#
#   MINET=build/minet sh tests/run_filter_files.sh     (default ./minet)
#
# It skips (exit 0) when script, bash or python3 is not installed.
set -u
MINET=${MINET:-./minet}
for t in script bash python3; do
    command -v $t > /dev/null 2>&1 || { echo "filter files: skipped: $t is not installed"; exit 0; }
done
CMDS=${CMDS:-tests/data/filter_files/commands}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/minet-filter-files.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp" # as the host's /home, the folder above the user's home (ls -la shows it)
mkdir -p "$tmp/home/d"
printf 'b address\nno\na address\n' > "$tmp/home/n.txt"
printf 'x address\n' > "$tmp/home/m.txt"

# The real tools, as a student's terminal shows them: an interactive bash
# (its own messages then read "bash: FILE: …", as at a prompt), each line
# run once, since a line may write a file the next one reads.  Its HOME is
# the folder, shown as the host's /home/student.  (Each line has a bash of
# its own, minet's lines share one: a line sets variables no other reads.)
: > "$tmp/real"
while IFS= read -r c; do
    [ -n "$c" ] || continue
    printf '$ %s\n' "$c" >> "$tmp/real"
    (cd "$tmp/home" && HOME="$tmp/home" LC_ALL=C.UTF-8 script -qec "bash --norc --noprofile -i -c '$(printf '%s' "$c" | sed "s/'/'\\\\''/g")' < /dev/null" /dev/null < /dev/null > "$tmp/out"
        echo $? > "$tmp/status")
    tr -d '\r' < "$tmp/out" | sed "s|$tmp/home|/home/student|g" >> "$tmp/real"
    printf '[%s]\n' "$(cat "$tmp/status")" >> "$tmp/real"
done < "$CMDS"

# minet: the same files on the host, one command a second.
python3 - "$CMDS" "$tmp/s.json" <<'PY'
import json, sys
cmds = [l.rstrip("\n") for l in open(sys.argv[1]) if l.strip()]
files = {"/home/student/n.txt": "b address\nno\na address\n",
         "/home/student/m.txt": "x address\n", "/home/student/d/": {}}
d = {"minet": 1, "title": "filter files",
     "nodes": [{"id": "laptop", "role": "host", "ip": "10.0.0.10", "files": files}],
     "script": [{"at": "%ds" % i, "on": "laptop", "run": c} for i, c in enumerate(cmds)]}
json.dump(d, open(sys.argv[2], "w"))
PY
if ! "$MINET" run "$tmp/s.json" --trace "$tmp/t.jsonl" > /dev/null 2> "$tmp/err"; then
    echo "FAIL filter files: minet run failed:"
    sed 's/^/    /' "$tmp/err"
    exit 1
fi
python3 - "$tmp/t.jsonl" > "$tmp/minet" <<'PY'
import json, sys
out = ""
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("kind") != "console":
        continue
    s = r.get("stream")
    if s == "command":
        out += "$ " + r["text"] + "\n"
    elif s in ("stdout", "stderr"):
        out += r["text"]
    elif s == "exit":
        out += "[%d]\n" % r["status"]
sys.stdout.write(out)
PY
n=$(grep -c . "$CMDS")
if ! cmp -s "$tmp/real" "$tmp/minet"; then
    echo "FAIL filter files: minet's filters differ from GNU's (--- real, +++ minet):"
    diff -u "$tmp/real" "$tmp/minet" | sed 's/^/    /' | head -n 60
    exit 1
fi
echo "filter files: $n commands print what bash, GNU grep, sed, coreutils and mawk print"
