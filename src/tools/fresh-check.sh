#!/bin/sh
# make fresh-check: the README's two commands on a clean Debian 12.
#
# A debootstrap chroot of Debian 12 (bookworm, minbase, with build-essential)
# is made once and kept under build/fresh/base; each run copies it to
# build/fresh/root, unpacks HEAD (git archive) into /root/minet there, and
# runs, as a new user would:
#
#   make run    (no display: must say it runs headless, and exit 0)
#   make test
#
# install-deps.sh installs everything else inside the chroot, from the
# network.  Nothing is installed on this machine except debootstrap (if it is
# missing, it is named and the script stops); everything it writes is under
# build/fresh.  /proc is mounted in the chroot for the time of the run and
# unmounted on exit.  A policy-rc.d in the chroot keeps the packages' daemons
# (nsd) from starting there, since a chroot shares this machine's network.
# apt's sources are those of an installed Debian 12 (with updates and
# security).  Each command inside gets at most FRESH_TIMEOUT seconds (3600).
# Needs root (debootstrap and chroot do).  Not part of make test or CI.
set -eu

top=$(pwd)
fresh=$top/build/fresh
base=$fresh/base
root=$fresh/root
mirror=${MIRROR:-http://deb.debian.org/debian}
log=$fresh/log

if [ "$(id -u)" -ne 0 ]; then
    echo "fresh-check: needs root (debootstrap and chroot)" >&2
    exit 1
fi
if ! command -v debootstrap > /dev/null 2>&1; then
    echo "fresh-check: needs debootstrap (apt-get install debootstrap)" >&2
    exit 1
fi
mkdir -p "$fresh"

if [ ! -f "$base/.minet-base" ]; then
    echo "fresh-check: debootstrap bookworm minbase + build-essential into build/fresh/base (once)"
    rm -rf "$base"
    debootstrap --variant=minbase --include=build-essential bookworm "$base" "$mirror" \
        > "$fresh/debootstrap.log" 2>&1 || {
        tail -n 20 "$fresh/debootstrap.log" >&2
        exit 1
    }
    touch "$base/.minet-base"
fi

cleanup() {
    if mountpoint -q "$root/proc" 2> /dev/null; then
        umount "$root/proc" || umount -l "$root/proc"
    fi
}
trap cleanup EXIT INT TERM

cleanup
rm -rf "$root"
echo "fresh-check: a fresh copy of the chroot in build/fresh/root"
cp -a "$base" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The sources a Debian 12 install has (debootstrap writes only the first):
# without bookworm-security, apt would install older point releases than a
# real machine gets (BIND's dig, which make test compares byte for byte).
cat > "$root/etc/apt/sources.list" << EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${SECURITY_MIRROR:-http://deb.debian.org/debian-security} bookworm-security main
EOF
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mkdir -p "$root/root/minet"
git archive HEAD | tar -x -C "$root/root/minet"
mount -t proc proc "$root/proc"

# A hung test must not hold the chroot (and its /proc) forever.
inside() {
    timeout "${FRESH_TIMEOUT:-3600}" chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        sh -c "cd /root/minet && $1"
}

status=0
echo "fresh-check: make run (log: build/fresh/log/run.log)"
mkdir -p "$log"
if inside 'make run < /dev/null' > "$log/run.log" 2>&1; then
    if grep -q headless "$log/run.log"; then
        echo "fresh-check: make run: ran headless and said so"
    else
        echo "FAIL fresh-check: make run did not say it runs headless"
        status=1
    fi
else
    echo "FAIL fresh-check: make run failed"
    tail -n 20 "$log/run.log"
    status=1
fi
echo "fresh-check: make test (log: build/fresh/log/test.log)"
if inside 'make test < /dev/null' > "$log/test.log" 2>&1; then
    echo "fresh-check: make test passed"
else
    echo "FAIL fresh-check: make test failed"
    tail -n 30 "$log/test.log"
    status=1
fi
exit $status
