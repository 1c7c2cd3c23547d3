#!/bin/sh
# The real side of tests/run_interop_resolver.sh, run inside namespaces of
# its own:
#
#   unshare -rnmupf --kill-child --mount-proc sh inside.sh DIR
#
# -n: a network of its own, where only the loopback interface exists, so the
# servers can listen on many 127.x.y.z addresses, port 53, and no packet can
# leave the machine; -m: a mount namespace, to give `host` a resolv.conf of
# its own; -u: a hostname of our own ("laptop"), without a domain, so that
# nothing of the machine's own name can become a search domain; -p with
# --kill-child: if the test is interrupted, killing the unshare process ends
# every process started here.
#
# DIR/plan lists what to do, one step a line (written by the test):
#   capture FILE                 start dumpcap on lo (DNS only), into FILE
#   nsd NODE ADDRESS CONF LOG    start NSD; wait until its LOG says it started
#   unbound NODE ADDRESS CONF LOG    the same for Unbound
#   stop NODE                    stop what runs for NODE (by its process id)
#   resolv ADDRESS               /etc/resolv.conf now says "nameserver ADDRESS"
#   run N TOOL ARGS...           run BIND's TOOL (host, dig or nslookup) with
#                                ARGS; its output, exit status and start time
#                                go to DIR/real/N.*; when DIR/real/N.input
#                                exists, on a terminal of its own, its lines
#                                typed at the tool's prompt (typed.py: the
#                                terminal's whole transcript is N.stdout)
# Everything started is stopped by its process id at the end, or when a
# step fails.
set -u
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
PATH=$PATH:/usr/sbin:/sbin:/usr/local/sbin
# host would take a search domain or options from these
unset LOCALDOMAIN RES_OPTIONS HOSTALIASES
: > "$dir/inside.pids"
: > "$dir/resolv.conf"

say() { echo "inside: $*" >&2; }

stop_pid() { # PID: TERM, up to 5 s, then KILL; reaps it
    kill -TERM "$1" 2>/dev/null
    i=0
    while kill -0 "$1" 2>/dev/null; do
        # A child that has exited but is not reaped yet is a zombie.
        case $(ps -o stat= -p "$1" 2>/dev/null) in
        Z* | '') break ;;
        esac
        i=$((i + 1))
        if [ $i -gt 50 ]; then
            say "process $1 did not stop after TERM; killing it"
            kill -KILL "$1" 2>/dev/null
            break
        fi
        sleep 0.1
    done
    wait "$1" 2>/dev/null
}

stop_node() { # NODE
    pid=$(awk -v n="$1" '$2 == n { p = $1 } END { print p }' "$dir/inside.pids")
    [ -n "$pid" ] || return 0
    stop_pid "$pid"
    awk -v n="$1" '$2 != n' "$dir/inside.pids" > "$dir/inside.pids.new"
    mv "$dir/inside.pids.new" "$dir/inside.pids"
}

# shellcheck disable=SC2317 # called by the trap
stop_all() {
    # dumpcap last, so that it sees every packet.
    for pid in $(awk '$2 != "(capture)" { print $1 }' "$dir/inside.pids"); do
        stop_pid "$pid"
    done
    for pid in $(awk '$2 == "(capture)" { print $1 }' "$dir/inside.pids"); do
        sleep 0.2
        stop_pid "$pid"
    done
    : > "$dir/inside.pids"
}
trap 'stop_all' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_for() { # PID LOG TEXT WHAT: until LOG holds TEXT, for 10 s at most
    i=0
    while ! grep -q "$3" "$2" 2>/dev/null; do
        if ! kill -0 "$1" 2>/dev/null || [ $i -gt 100 ]; then
            say "$4 did not start; its log:"
            sed 's/^/    /' "$2" >&2 2>/dev/null
            return 1
        fi
        i=$((i + 1))
        sleep 0.1
    done
}

ip link set lo up || { say "cannot bring lo up"; exit 1; }
hostname laptop 2>/dev/null
# host reads /etc/resolv.conf; this one is ours, in our mount namespace only.
mount --bind "$dir/resolv.conf" /etc/resolv.conf || { say "cannot mount resolv.conf"; exit 1; }
mkdir -p "$dir/real"

set -f
while read -r what a1 a2 a3 a4 rest; do
    case $what in
    capture)
        dumpcap -i lo -f 'port 53' -w "$a1" > "$dir/dumpcap.log" 2>&1 < /dev/null &
        echo "$! (capture)" >> "$dir/inside.pids"
        wait_for $! "$dir/dumpcap.log" "Capturing on" dumpcap || exit 1
        ;;
    nsd)
        rm -f "$a4"
        # -d: in the foreground, so that $! is NSD's main process.
        nsd -d -c "$a3" > "$a4.stderr" 2>&1 < /dev/null &
        echo "$! $a1" >> "$dir/inside.pids"
        wait_for $! "$a4" "nsd started" "NSD for $a1 ($a2)" || exit 1
        ;;
    unbound)
        rm -f "$a4"
        unbound -d -c "$a3" > "$a4.stderr" 2>&1 < /dev/null &
        echo "$! $a1" >> "$dir/inside.pids"
        wait_for $! "$a4" "start of service" "Unbound for $a1 ($a2)" || exit 1
        ;;
    stop)
        stop_node "$a1"
        ;;
    resolv)
        # Written in place: the bind mount points at this very file.
        echo "nameserver $a1" > "$dir/resolv.conf"
        ;;
    run)
        n=$a1
        tool=$a2
        case $tool in
        host | dig | nslookup) ;;
        *)
            say "not a tool of this test: $tool"
            exit 1
            ;;
        esac
        # shellcheck disable=SC2086 # the words of the command line
        set -- $a3 $a4 $rest
        date +%s.%N > "$dir/real/$n.start"
        if [ -f "$dir/real/$n.input" ]; then
            python3 "$here/typed.py" "$dir/real/$n.input" "$tool" "$@" \
                > "$dir/real/$n.stdout" 2> "$dir/real/$n.stderr" < /dev/null
        else
            "$tool" "$@" > "$dir/real/$n.stdout" 2> "$dir/real/$n.stderr" < /dev/null
        fi
        echo $? > "$dir/real/$n.status"
        ;;
    '' | '#'*) ;;
    *)
        say "unknown step: $what"
        exit 1
        ;;
    esac
done < "$dir/plan"
set +f
exit 0
