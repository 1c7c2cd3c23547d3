#!/bin/sh
# Installs what minet needs to build (and to test) when it is missing.
#
#   install-deps.sh build   libraries for `make` and `make run`
#   install-deps.sh test    also cmocka and the tools the tests use
#   install-deps.sh fuzz    also clang with libFuzzer
#   install-deps.sh interop also Unbound, telnet, nc, ss, netstat, Python,
#                           Postfix, Dovecot (POP3, IMAP), swaks, s-nail,
#                           curl, vsftpd and tnftp, for make interop
#   install-deps.sh bench   also ns-3 and g++, for make bench's TCP comparison
#                           (only make bench asks for it; make and make test
#                           never need ns-3)
#
# On Debian and Ubuntu it runs apt-get as root, or through `sudo -n` (never a
# password prompt), printing each command first.  Anywhere else, or without
# root, it names the packages and stops.
set -eu

what=${1:-build}
missing=""

need_pc() { # pkg-config module, Debian package
    pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"
}
need_cmd() { # command, Debian package
    command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}

need_cmd cc gcc
need_cmd make make
need_cmd pkg-config pkg-config
if command -v pkg-config >/dev/null 2>&1; then
    need_pc sdl2 libsdl2-dev
    need_pc SDL2_ttf libsdl2-ttf-dev
    need_pc SDL2_image libsdl2-image-dev
    need_pc libcjson libcjson-dev
    if [ "$what" = test ] || [ "$what" = fuzz ]; then
        need_pc cmocka libcmocka-dev
    fi
else
    missing="$missing libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libcjson-dev"
    if [ "$what" = test ] || [ "$what" = fuzz ] || [ "$what" = interop ]; then
        missing="$missing libcmocka-dev"
    fi
fi
if [ "$what" = test ] || [ "$what" = fuzz ] || [ "$what" = interop ]; then
    # Real DNS software judges minet's servers (tests/run_interop.sh).
    need_cmd nsd nsd
    need_cmd dig bind9-dnsutils
    need_cmd named-checkzone bind9-utils
    # Wireshark's own dissectors judge minet's captures (tests/run_pcap.sh).
    need_cmd tshark tshark
    # tests/pcap_tcp.py reads tshark's TCP analysis.
    need_cmd python3 python3
    # An X server without a screen, for the window test (tests/run_window.sh).
    need_cmd xvfb-run xvfb
    # minet chart's SVG is checked by libxml2 and rendered by librsvg
    # (tests/run_chart.sh).
    need_cmd xmllint libxml2-utils
    need_cmd rsvg-convert librsvg2-bin
    # xvfb-run needs xauth, which xvfb only recommends (and we install
    # without recommends).
    need_cmd xauth xauth
    # The interop tests watch the NSD processes they start with ps, which
    # a minimal Debian (debootstrap minbase, containers) does not have.
    need_cmd ps procps
fi
if [ "$what" = fuzz ]; then
    need_cmd clang clang
fi
if [ "$what" = bench ]; then
    # ns-3 3.37 runs the same TCP bulk transfer (src/tools/bench_ns3.cc).
    need_pc ns3-applications libns3-dev
    need_cmd g++ g++
fi
if [ "$what" = interop ]; then
    # A real resolver and BIND's host, in a network namespace of our own.
    need_cmd unbound unbound
    need_cmd host bind9-host
    need_cmd unshare util-linux
    # The real TCP programs, in network namespaces (tests/run_interop_tcp.sh).
    need_cmd inetutils-telnet inetutils-telnet
    need_cmd nc.openbsd netcat-openbsd
    need_cmd ss iproute2
    need_cmd netstat net-tools
    # Real mail software judges minet's mail servers and programs
    # (tests/run_interop_mail.sh): Postfix with Dovecot's auth for SASL,
    # and the real swaks, s-nail and curl.
    need_cmd postfix postfix
    need_cmd dovecot dovecot-core
    # Dovecot's POP3 and IMAP servers judge minet's (tests/run_interop_imap.sh).
    [ -x /usr/lib/dovecot/pop3 ] || missing="$missing dovecot-pop3d"
    [ -x /usr/lib/dovecot/imap ] || missing="$missing dovecot-imapd"
    need_cmd swaks swaks
    need_cmd s-nail s-nail
    need_cmd curl curl
    # The real FTP server and client (tests/run_interop_ftp.sh).
    need_cmd vsftpd vsftpd
    need_cmd tnftp tnftp
    need_cmd openssl openssl
fi

[ -z "$missing" ] && exit 0

echo "minet needs:$missing" >&2
if [ ! -f /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "This is not a Debian or Ubuntu system: install the equivalent of these packages" >&2
    echo "with your package manager, then run make again." >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
else
    echo "Installing them needs root. Run:" >&2
    echo "  sudo apt-get install$missing" >&2
    echo "then run make again." >&2
    exit 1
fi
run() {
    echo "+ $*" >&2
    "$@"
}
# Packages such as nsd, unbound and ns-3's start services when installed: a
# policy-rc.d that answers 101 ("action forbidden") keeps every service
# stopped for the time of the install, unless the machine already has one.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    run $as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
    trap 'run $as_root rm -f $policy' EXIT
fi
# Postfix's package asks what kind of mail system this is: "No
# configuration" leaves /etc/postfix/main.cf unwritten and the system's
# Postfix unconfigured (make interop runs instances of its own, each with
# its own main.cf); the policy above keeps it from starting.
case " $missing " in
*" postfix "*)
    run $as_root sh -c "echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections"
    ;;
esac
run $as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086 # the package list is meant to split
run $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
