#!/bin/sh
# FTP interop: real vsftpd 3.0.3 and tnftp are the judge of minet's FTP
# server and its ftp client (tests/interop/ftp/real_ftp.py says how).
#
# In a network and mount namespace of its own (unshare -n -m: loopback
# only, the scenario's users and /home visible inside alone), vsftpd runs
# with its own configuration (Debian's /etc/vsftpd.conf plus
# write_enable=YES and passive ports 50000-50100) and is stopped by its
# PID.  Control dialogues (every command before and after login, paths,
# ~ and ~/ in them)
# must get the same replies from vsftpd as from minet's server; ftp
# sessions (login, ls, get, put in passive and active mode, PASV/PORT after
# epsv4, errors, close and open; an anonymous login into /srv/ftp with
# anonymous_enable=YES; ASCII transfers with ascii_upload_enable and
# ascii_download_enable; 421 Timeout. while the client sits at its prompt,
# with idle_session_timeout=2 for vsftpd and minet's 300 s; a zero-byte
# put and get; missing arguments asked for and answered, left empty or
# ended by end of input; passive, prompt and epsv4 set on and off; help for
# one command; tnftp's quoting; ftp started without a host: status before
# any connection, a bare open) must print the same in a pseudo-terminal as
# minet's ftp;
# ABOR sent while a RETR runs (the client then reads the whole file, or
# closes the data connection: 226 or 426, then 225) must get the same
# replies; curl ftp:// (listings, files, -o, -T, -s, a refused
# login, folder and file, a refused connection) must print the same as
# minet's curl, byte for byte with its CRs, and end with the same status.
# Dates, MDTM times, passive ports, rates and the meter's speeds and the
# host and user in prompts are masked.
#
#   MINET=build/minet sh tests/run_interop_ftp.sh     (default ./minet)
#   MINET_INTEROP_KEEP=DIR ...   keeps both sides' outputs
#
# It needs root (unshare, mount, vsftpd switches users) and skips (exit 0)
# when it is not root or a tool is missing.
set -u
MINET=${MINET:-./minet}
case $MINET in
/*) ;;
*) MINET=$(pwd)/$MINET ;;
esac
skip() {
    echo "interop-ftp: skipped: $1"
    exit 0
}
[ "$(id -u)" = 0 ] || skip "needs root for unshare and vsftpd"
for t in /usr/sbin/vsftpd:vsftpd ftp:tnftp python3:python3 unshare:util-linux openssl:openssl; do
    command -v "${t%%:*}" > /dev/null 2>&1 || skip "${t%%:*} is not installed (apt-get install ${t#*:})"
done
out=${MINET_INTEROP_KEEP:-$(mktemp -d)}
unshare -n -m --propagation private python3 tests/interop/ftp/real_ftp.py "$MINET" "$out"
rc=$?
[ -n "${MINET_INTEROP_KEEP:-}" ] || rm -rf "$out"
exit $rc
