#!/bin/sh
# The classroom window on a real X server (Xvfb): it opens, plays for a
# few seconds and is still running when stopped; it does not fall back to
# headless.  Skips with a message when Xvfb is missing.
set -u
MINET=${MINET:-./minet}
if ! command -v xvfb-run > /dev/null 2>&1; then
    echo "window: skipped: xvfb-run is not installed (apt-get install xvfb)"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# timeout exits 124 when it had to stop minet: the window was up and playing.
xvfb-run -a sh -c "timeout 3 \"$MINET\" scenarios/dns_lecture.json > \"$tmp/out\" 2> \"$tmp/err\"; echo \$? > \"$tmp/rc\""
rc=$(cat "$tmp/rc" 2> /dev/null || echo none)
if [ "$rc" != 124 ]; then
    echo "FAIL window: minet ended with status $rc instead of running until stopped"
    sed 's/^/    /' "$tmp/err" | head -n 10
    exit 1
fi
if grep -q "no display" "$tmp/err"; then
    echo "FAIL window: minet found no display under Xvfb"
    exit 1
fi
if [ -s "$tmp/out" ]; then
    echo "FAIL window: minet printed a trace, as if headless"
    exit 1
fi
# Opened at a step, dark, larger text: the same; a step the run does not
# have is refused before any window opens.
xvfb-run -a sh -c "timeout 3 \"$MINET\" scenarios/dns_lecture.json --step 5 --theme dark --text-scale 1.25 > \"$tmp/out\" 2> \"$tmp/err\"; echo \$? > \"$tmp/rc\""
rc=$(cat "$tmp/rc" 2> /dev/null || echo none)
if [ "$rc" != 124 ]; then
    echo "FAIL window --step 5: minet ended with status $rc instead of running until stopped"
    sed 's/^/    /' "$tmp/err" | head -n 10
    exit 1
fi
xvfb-run -a sh -c "timeout 3 \"$MINET\" scenarios/dns_lecture.json --step 9999 > \"$tmp/out\" 2> \"$tmp/err\"; echo \$? > \"$tmp/rc\""
rc=$(cat "$tmp/rc" 2> /dev/null || echo none)
if [ "$rc" != 2 ] || ! grep -q -- "--step 9999: " "$tmp/err"; then
    echo "FAIL window --step 9999: status $rc (expected 2 and a message)"
    sed 's/^/    /' "$tmp/err" | head -n 10
    exit 1
fi
echo "window: the classroom window opened on Xvfb and played for 3 s, also at --step 5"
