"""Runs a minet mail scenario's script against real Postfix, in network
namespaces, and compares what the real programs print with minet's.

    python3 real_mail.py run SCENARIO TRACE.jsonl|- OUTDIR PREFIX

The namespaces, addresses, routes and the pseudo-terminal of 80 columns
are tests/interop/tcp/real.py's.  On each node of role "mail" it starts,
in the node's namespace:

  - Postfix 3.7 (`postfix -c DIR start`) with a main.cf of our own (see
    postfix_conf()): Postfix's compiled-in defaults except for
    `smtpd_banner = $myhostname ESMTP $mail_name`, no TLS, `mynetworks` =
    the server and the scenario's `relay_from`, the node's `domains` and
    its own name as final destinations (mydestination), the `users` and
    `aliases` as the local recipients, and the submission service on port
    587 with SASL AUTH (PLAIN, LOGIN) and
    `smtpd_relay_restrictions=permit_sasl_authenticated,reject`, as
    Debian's master.cf has it once uncommented, less its TLS options;
  - Dovecot 2.3's auth service alone (`dovecot -c FILE`, no protocols)
    for Postfix's SASL (smtpd_sasl_type = dovecot), with the `users` and
    their passwords in a passwd-file.  Dovecot rather than Cyrus: Postfix
    talks to Dovecot's auth over a UNIX socket of our choosing with no
    saslauthd, sasldb or chroot, it offers exactly the PLAIN and LOGIN the
    issue asks for (auth_mechanisms), and it is the POP3/IMAP server of
    DESIGN.md's "Postfix + Dovecot on one machine".

Mail is stored by Postfix's virtual(8) agent under the instance's own
folder (the users are not accounts of this machine); the reply to an
unknown user is still local(8)'s "User unknown in local recipient table",
since the domains are in mydestination and the recipients are given by
local_recipient_maps.  The simulated DNS is not run: a server finds the
other servers through a transport table (`DOMAIN smtp:[SERVER]`, the
server whose `domains` hold it), which gives the same SMTP dialogue
without the MX lookup; names resolve from the hosts file as in real.py.

Each script line runs as in real.py, with HOME set to the node's own
folder (a host's mail account becomes its ~/.mailrc for s-nail: v15-compat
and the account's server on port 587 with AUTH), MAIL_CONFIG to a mail
node's Postfix (for mailq), the host name of the UTS namespace set to the
node's name (swaks says EHLO with it), the working directory the node's
home, where the node's "files" are.  `mail` runs as s-nail (its line
editor redraws each line as it is typed: the comparison keeps what the
screen shows, see mask()).  With a
TRACE (minet's JSON Lines trace), input is typed when minet typed it;
with "-", by the scenario's rule alone: each line once the program has
been quiet for 1 s (no output, nothing typed), or at its "at".  A line
without "on" ("down NODE", "up NODE", "down A B", "up A B") is played at
its time as minet has it: what is sent to or from the node (or over the
link) is lost without a word (see faults()).

OUTDIR gets N.out (the terminal, CR LF as LF), N.status, NODE.pcapng for
each mail node (its eth0, TCP port 25 and 587), NODE.log (Postfix's log)
and NODE.mailbox/USER (what was delivered).

    python3 real_mail.py compare SCENARIO MINETDIR REALDIR TITLE
        as real.py's compare, after masking the volatile parts (mask())
    python3 real_mail.py client SCENARIO MINET REALDIR NODE
        the commands NODE's SMTP client sent to other servers (port 25,
        each connection's bytes as tshark follows them), real Postfix's
        against minet's (up to the time the real run stopped, see
        MINET_INTEROP_MAIL_CUT), masked; and SIZE=N: the size of the relayed
        message includes the Received: header the server added, which
        holds its queue id, whose length varies in Postfix (10 or 11 hex
        digits, from the clock's microseconds and the queue file's inode)
    python3 real_mail.py show SCENARIO REALDIR
        prints each line's real transcript, masked (for writing minet's
        side; tests/interop/mail/postfix/*.txt are such transcripts)
    python3 real_mail.py down PREFIX WORK
        stops the Postfix and Dovecot processes of WORK by their ids,
        deletes the namespaces PREFIX-*

Every process is stopped by its own id: the programs (real.py's Prog),
dumpcap, Postfix's master (its pid file; it stops its children) and
Dovecot's master (its pid file).
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tcp"))
import real as tcp  # noqa: E402

NOBODY = 65534
# The scenario's "queue" keys and Postfix's names for them (DESIGN.md)
PF_QUEUE = {"retry": "minimal_backoff_time", "max_retry": "maximal_backoff_time",
            "scan": "queue_run_delay", "lifetime": "maximal_queue_lifetime"}
# Script lines later than this (seconds) are not played: the real run
# takes real time (MINET_INTEROP_MAIL_CUT)
CUT = float(os.environ.get("MINET_INTEROP_MAIL_CUT", "300"))


def ip_of(node):
    return tcp.addr_list(node)[0].split("/")[0]


def mail_nodes(scen):
    return [n for n in scen["nodes"] if n.get("role") == "mail"]


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", errors="surrogateescape") as f:
        f.write(text)
    os.chmod(path, mode)


# ---- the configurations -----------------------------------------------------


def postfix_conf(scen, node, d):
    """Postfix's files for mail node `node` under d/etc, its queue in
    d/spool, its data in d/data, its log in d/maillog, the mail in
    d/mail."""
    name = node["id"]
    domains = [x.lower().rstrip(".") for x in node.get("domains", [])]
    users = sorted(node.get("users", {}))
    aliases = node.get("aliases", {})
    nets = ["127.0.0.0/8"] + ["%s/32" % a.split("/")[0] for a in tcp.addr_list(node)]
    if "relay_from" in node:
        nets += [r if "/" in r else r + "/32" for r in node["relay_from"]]
    else:  # the hosts whose mail account names this server
        for n in scen["nodes"]:
            acct = n.get("mail")
            if isinstance(acct, dict) and acct.get("server") in (name, ip_of(node)):
                nets.append(ip_of(n) + "/32")
    etc = os.path.join(d, "etc")
    main = """# minet interop: Postfix's defaults but for these lines (issue 14)
compatibility_level = 3.6
myhostname = {name}
mydestination = $myhostname, {domains}localhost
mynetworks = {nets}
inet_interfaces = all
inet_protocols = ipv4
smtpd_banner = $myhostname ESMTP $mail_name
queue_directory = {d}/spool
data_directory = {d}/data
maillog_file_prefixes = {d}
maillog_file = {d}/maillog
smtpd_sasl_type = dovecot
smtpd_sasl_path = {d}/auth-client
local_recipient_maps = texthash:{etc}/recipients
local_transport = virtual
virtual_mailbox_base = {d}/mail
virtual_mailbox_maps = texthash:{etc}/vmailbox
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{uid}
virtual_alias_maps = texthash:{etc}/aliases
alias_maps =
alias_database =
transport_maps = texthash:{etc}/transport
smtp_dns_support_level = disabled
{queue}""".format(queue="".join("%s = %s\n" % (PF_QUEUE[k], v) for k, v in sorted(node.get("queue", {}).items())),
           name=name, domains="".join(x + ", " for x in domains), nets=" ".join(nets), d=d,
           etc=etc, uid=NOBODY)
    master = """smtp       inet  n  -  n  -     -  smtpd
submission inet  n  -  n  -     -  smtpd
  -o syslog_name=postfix/submission
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
pickup     unix  n  -  n  60    1  pickup
cleanup    unix  n  -  n  -     0  cleanup
qmgr       unix  n  -  n  300   1  qmgr
rewrite    unix  -  -  n  -     -  trivial-rewrite
bounce     unix  -  -  n  -     0  bounce
defer      unix  -  -  n  -     0  bounce
trace      unix  -  -  n  -     0  bounce
verify     unix  -  -  n  -     1  verify
flush      unix  n  -  n  1000? 0  flush
proxymap   unix  -  -  n  -     -  proxymap
proxywrite unix  -  -  n  -     1  proxymap
smtp       unix  -  -  n  -     -  smtp
relay      unix  -  -  n  -     -  smtp
showq      unix  n  -  n  -     -  showq
error      unix  -  -  n  -     -  error
retry      unix  -  -  n  -     -  error
discard    unix  -  -  n  -     -  discard
local      unix  -  n  n  -     -  local
virtual    unix  -  n  n  -     -  virtual
anvil      unix  -  -  n  -     1  anvil
scache     unix  -  -  n  -     1  scache
postlog    unix-dgram n - n -   1  postlogd
"""
    write(os.path.join(etc, "main.cf"), main)
    write(os.path.join(etc, "master.cf"), master)
    rcpt = users + sorted(aliases)
    write(os.path.join(etc, "recipients"), "".join("%s x\n" % u for u in rcpt))
    write(os.path.join(etc, "vmailbox"), "".join(
        "%s@%s %s\n" % (u, dom, u) for u in users for dom in domains + [name]))
    al = ""
    for a, target in sorted(aliases.items()):
        to = target if "@" in target else "%s@%s" % (target, domains[0] if domains else name)
        for dom in domains + [name]:
            al += "%s@%s %s\n" % (a, dom, to)
    write(os.path.join(etc, "aliases"), al)
    tr = ""
    routed = set()
    # a domain's exchange by the name its MX gives, when it is that node's
    # (Postfix names it in "connect to NAME[IP]:25: ..." as minet does)
    mx = {dom: (target, ip) for dom, target, ip in zone_mx(scen)}
    for n in mail_nodes(scen):
        if n["id"] != name:
            for dom in n.get("domains", []):
                dom = dom.lower().rstrip(".")
                target, ip = mx.get(dom, (None, None))
                tr += "%s smtp:[%s]\n" % (dom, target if ip == ip_of(n) else ip_of(n))
                routed.add(dom)
    for dom, target, _ in zone_mx(scen):  # an MX to a machine that is no node
        if dom not in routed and dom not in domains:
            tr += "%s smtp:[%s]\n" % (dom, target)
    write(os.path.join(etc, "transport"), tr)
    for sub in ("spool", "data", "mail"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    shutil.chown(os.path.join(d, "data"), "postfix")
    os.chown(os.path.join(d, "mail"), NOBODY, NOBODY)
    # Dovecot's auth, for SASL
    dv = os.path.join(d, "dovecot")
    write(os.path.join(dv, "passwd"), "".join(
        "%s:{PLAIN}%s\n" % (u, node["users"][u].get("password", "")) for u in users), 0o640)
    shutil.chown(os.path.join(dv, "passwd"), group="dovecot")  # its auth worker reads it
    write(os.path.join(dv, "dovecot.conf"), """base_dir = {dv}/run
protocols = none
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {dv}/log
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {dv}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={uid} home={d}/mail/%n
}}
service auth {{
  unix_listener {d}/auth-client {{
    mode = 0666
  }}
}}
""".format(dv=dv, d=d, uid=NOBODY))


def zone_mx(scen):
    """(domain, its best MX's name, its address) from the scenario's inline zones:
    the simulated DNS is not run, so a domain whose exchange is no mail
    node (a machine that is down or missing) still gets Postfix's client
    to try that address."""
    recs = []
    for origin, z in scen.get("zones", {}).items():
        for r in z.get("records", []) if isinstance(z, dict) else []:
            if not isinstance(r, str) or r.startswith("$"):
                continue
            w = r.split()
            if not w:
                continue
            owner = origin if w[0] == "@" else w[0] if w[0].endswith(".") else w[0] + "." + origin
            w = w[1:]
            while w and (w[0].isdigit() or w[0] == "IN"):
                w = w[1:]
            if len(w) >= 2:
                data = w[1:]
                if w[0] == "MX" and len(data) == 2:
                    t = data[1] if data[1].endswith(".") else data[1] + "." + origin
                    recs.append(("MX", owner.lower().rstrip(".").lstrip("."), (int(data[0]), t.lower())))
                elif w[0] == "A":
                    recs.append(("A", owner.lower().rstrip(".").lstrip("."), data[0]))
    addr = {o: d for t, o, d in recs if t == "A"}
    best = {}
    for t, o, (pref, target) in [r for r in recs if r[0] == "MX"]:
        ip = addr.get(target.rstrip("."))
        if ip and (o not in best or pref < best[o][0]):
            best[o] = (pref, target.rstrip("."), ip)
    return sorted((o, t, ip) for o, (_, t, ip) in best.items())


def home_of(work, node):
    user = node.get("user", "student")
    return os.path.join(work, "nodes", node["id"], "home", user)


def host_conf(node, work):
    """A host's home: its files, and its mail account as s-nail's ~/.mailrc."""
    home = home_of(work, node)
    os.makedirs(home, exist_ok=True)
    user = node.get("user", "student")
    for path, content in node.get("files", {}).items():
        rel = path[len("/home/%s/" % user):] if path.startswith("/home/%s/" % user) else path.lstrip("/")
        if isinstance(content, str):
            write(os.path.join(home, rel), content)
    acct = node.get("mail")
    if isinstance(acct, dict):
        local = acct["address"].split("@")[0]
        write(os.path.join(home, ".mailrc"), """set v15-compat
set from=%s
set mta=smtp://%s:%s@%s:587
set smtp-auth=plain
""" % (acct["address"], local, acct.get("password", ""), acct["server"]), 0o600)


# ---- the processes ------------------------------------------------------------


def pids(work):
    """The masters' ids from their pid files."""
    out = []
    base = os.path.join(work, "nodes")
    if not os.path.isdir(base):
        return out
    for n in sorted(os.listdir(base)):
        for f in ("spool/pid/master.pid", "dovecot/run/master.pid"):
            p = os.path.join(base, n, f)
            try:
                with open(p) as fh:
                    out.append(int(fh.read().split()[0]))
            except (OSError, ValueError, IndexError):
                pass
    return out


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open("/proc/%d/stat" % pid) as f:  # a zombie is over
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def stop_servers(work):
    ps = [p for p in pids(work) if alive(p)]
    for p in ps:
        os.kill(p, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while any(alive(p) for p in ps) and time.monotonic() < deadline:
        time.sleep(0.05)
    for p in ps:
        if alive(p):
            os.kill(p, signal.SIGKILL)


def start_servers(scen, prefix, work):
    for node in mail_nodes(scen):
        d = os.path.join(work, "nodes", node["id"])
        postfix_conf(scen, node, d)
        ns = "%s-%s" % (prefix, node["id"])
        # Dovecot's master goes to the background but keeps the standard
        # output it was given: a file, not a pipe that would never close.
        with open(os.path.join(d, "dovecot", "start.log"), "w") as logf:
            r = subprocess.run(["ip", "netns", "exec", ns, "dovecot", "-c",
                                os.path.join(d, "dovecot", "dovecot.conf")], stdout=logf, stderr=logf)
        if r.returncode != 0:
            raise SystemExit("FAIL interop-mail: dovecot on %s: %s" % (
                node["id"], tail(os.path.join(d, "dovecot", "start.log"))))
        with open(os.path.join(d, "start.log"), "w") as logf:
            r = subprocess.run(["ip", "netns", "exec", ns, "postfix", "-c", os.path.join(d, "etc"),
                                "start"], stdout=logf, stderr=logf)
        if r.returncode != 0:
            raise SystemExit("FAIL interop-mail: postfix -c %s start: %s" % (
                os.path.join(d, "etc"), tail(os.path.join(d, "maillog"))))
    # Postfix's master listens once it has read master.cf
    deadline = time.monotonic() + 10
    for node in mail_nodes(scen):
        ns = "%s-%s" % (prefix, node["id"])
        while time.monotonic() < deadline:
            if ":25 " in tcp.sh("ip", "netns", "exec", ns, "ss", "-tln"):
                break
            time.sleep(0.05)


def tail(path):
    try:
        with open(path, errors="surrogateescape") as f:
            return "".join(f.readlines()[-10:])
    except OSError:
        return ""


class Prog(tcp.Prog):
    """real.py's program in a terminal, in its node's setting (HOME,
    MAIL_CONFIG, the UTS host name, the working directory); with live
    typing when there is no trace to follow."""

    def __init__(self, ns, node, cmd, inputs, env, cwd, live=None):
        self.inputs = inputs
        self.live = live  # [(at seconds or None, bytes)], typed by the rule
        self.out = b""
        self.status = None
        self.last = 0.0
        self.seen = 0
        words = cmd.split(None, 1)
        if words and words[0] == "mail":
            cmd = "s-nail" + cmd[4:]
        inner = "hostname %s && cd %s && exec %s" % (shq(node), shq(cwd), cmd)
        argv = ["ip", "netns", "exec", ns, "env"] + ["%s=%s" % kv for kv in sorted(env.items())] + [
            "unshare", "--uts", "sh", "-c", inner]
        pid, fd = os.forkpty()
        if pid == 0:
            # ^C must interrupt, even when this run ignores SIGINT
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGQUIT, signal.SIG_DFL)
            import fcntl
            import struct
            import termios
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
            os.execvp(argv[0], argv)
        self.pid, self.fd = pid, fd

    def poll(self, now):
        if self.live is not None:
            if len(self.out) != self.seen:
                self.seen = len(self.out)
                self.last = now
            while self.live and self.status is None:
                at, data = self.live[0]
                if (at is not None and now >= at) or (at is None and now >= self.last + 1.0):
                    os.write(self.fd, data)
                    self.live.pop(0)
                    self.last = now
                else:
                    break
        if self.fd is None:  # it ended: nothing more is typed
            self.inputs = []
        tcp.Prog.poll(self, now)


def shq(s):
    return "'" + s.replace("'", "'\\''") + "'"


def live_inputs(line):
    out = []
    for item in line.get("input", []):
        if isinstance(item, dict):
            out.append((tcp.seconds(item["at"]) if "at" in item else None, item["text"]))
        else:
            out.append((None, item))
    return [(at, tcp.KEYS.get(t, (t + "\n").encode())) for at, t in out]


# What a node or link that is down does in minet, which has no ARP: the
# frames to it (and from it) are lost without a word, so that a client
# connecting to it times out (Postfix: "Connection timed out" after
# smtp_connect_timeout).  A namespace's interface going down would instead
# make the neighbour's ARP fail and its kernel answer "No route to host".
# So a fault here gives each side of the link a permanent neighbour entry
# for the other side's address with a MAC address nobody has; "up" deletes
# those entries and ARP works again.
NOWHERE = "02:00:00:00:00:00"


def faults(scen):
    """[(seconds, "down"|"up", [links])] of the script's lines without "on":
    "down NODE" (all its links) and "down A B" (the link between A and B)."""
    links = scen.get("links", [])
    out = []
    for l in scen["script"]:
        if "on" in l:
            continue
        w = l["run"].split()
        if len(w) < 2 or w[0] not in ("down", "up"):
            continue
        if len(w) == 2:
            which = [i for i, k in enumerate(links) if w[1] in k["between"]]
        else:
            which = [i for i, k in enumerate(links) if sorted(k["between"]) == sorted(w[1:3])]
        out.append((tcp.seconds(l["at"]), w[0], which))
    return out


def fault(scen, prefix, verb, which):
    nodes = {n["id"]: n for n in scen["nodes"]}
    links = scen.get("links", [])
    ifaces = {n: [] for n in nodes}
    for i, k in enumerate(links):
        for n in k["between"]:
            ifaces[n].append(i)

    def addr_on(n, i):
        al = tcp.addr_list(nodes[n])
        a = al[ifaces[n].index(i)] if len(al) == len(ifaces[n]) else al[0]
        return a.split("/")[0]

    for i in which:
        a, b = links[i]["between"]
        for here, there in ((a, b), (b, a)):
            ns = "%s-%s" % (prefix, here)
            dev = "eth%d" % ifaces[here].index(i)
            if verb == "down":
                cmd = ["ip", "-n", ns, "neigh", "replace", addr_on(there, i), "lladdr", NOWHERE,
                       "nud", "permanent", "dev", dev]
            else:
                cmd = ["ip", "-n", ns, "neigh", "del", addr_on(there, i), "dev", dev]
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run(scenario, trace, outdir, prefix, work):
    with open(scenario, errors="surrogateescape") as f:
        scen = json.load(f)
    every = [l for l in scen["script"] if "on" in l]
    typed = tcp.typing(scen, trace) if trace != "-" else {}
    lines = [l for l in every if tcp.seconds(l["at"]) <= CUT]
    if len(lines) < len(every):
        with open(os.path.join(outdir, "cut"), "w") as f:
            f.write("%d %g\n" % (len(lines), CUT))
    nodes = {n["id"]: n for n in scen["nodes"]}
    tcp.down(prefix)
    caps, progs = [], {}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # minet's default prefix length is 24 ("10.0.0.10" is 10.0.0.10/24)
    for n in scen["nodes"]:
        if "ip" in n:
            n["ip"] = [a if "/" in a else a + "/24" for a in tcp.addr_list(n)]
    try:
        tcp.build(scen, prefix)
        host_routes(scen, prefix)
        # the exchanges that are no node, by name (Postfix says it)
        extra = "".join("%s\t%s\n" % (ip, t) for _, t, ip in zone_mx(scen) if t not in nodes)
        for n in nodes:
            with open("/etc/netns/%s-%s/hosts" % (prefix, n), "a") as f:
                f.write(extra)
        for n in nodes.values():
            host_conf(n, work)
        start_servers(scen, prefix, work)
        for n in mail_nodes(scen):
            caps.append(subprocess.Popen(
                ["ip", "netns", "exec", "%s-%s" % (prefix, n["id"]), "dumpcap", "-q", "-i", "eth0",
                 "-f", "tcp port 25 or tcp port 587", "-w", os.path.join(outdir, n["id"] + ".pcapng")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(1.0)  # dumpcap is listening
        end = max(tcp.seconds(l["at"]) for l in lines) + 5.0
        began = {}
        pending = sorted((f for f in faults(scen) if f[0] <= CUT), key=lambda f: f[0])
        t0 = time.monotonic()
        while True:
            now = time.monotonic() - t0
            while pending and now >= pending[0][0]:
                fault(scen, prefix, pending[0][1], pending[0][2])
                pending.pop(0)
            for i, l in enumerate(lines, 1):
                if i in progs or now < tcp.seconds(l["at"]):
                    continue
                if i > 1 and (i - 1 not in progs or now < began[i - 1] + 0.15):
                    break
                node = nodes[l["on"]]
                env = {"HOME": home_of(work, node), "LANG": "C.UTF-8", "TERM": "xterm"}
                # swaks's default sender is $LOGNAME@host: the node's user.
                # (s-nail warns when $LOGNAME is not the user it runs as.)
                if l["run"].split()[0] != "mail":
                    env["LOGNAME"] = env["USER"] = node.get("user", "student")
                else:  # s-nail finds ~ in the password file, not in $HOME
                    env["MAILRC"] = os.path.join(home_of(work, node), ".mailrc")
                if node.get("role") == "mail":
                    env["MAIL_CONFIG"] = os.path.join(work, "nodes", node["id"], "etc")
                progs[i] = Prog("%s-%s" % (prefix, l["on"]), l["on"], l["run"], list(typed.get(i, [])),
                                env, home_of(work, node), None if trace != "-" else live_inputs(l))
                began[i] = now
            for i, p in progs.items():
                p.poll(now - began[i])
                # a program still to be typed to keeps the run going, for
                # a minute at most after its line's start
                if p.status is None and (p.live or p.inputs):
                    end = max(end, min(now + 2.0, began[i] + 60.0))
            if len(progs) == len(lines) and all(p.status is not None and p.fd is None
                                                for p in progs.values()):
                break
            if now > end:
                break
            time.sleep(0.01)
        time.sleep(0.5)
    finally:
        for p in progs.values():
            p.stop()
        for c in caps:
            c.send_signal(signal.SIGINT)
            c.wait()
        stop_servers(work)
        tcp.down(prefix)
        save(scen, progs, outdir, work)


def save(scen, progs, outdir, work):
    for n in mail_nodes(scen):
        d = os.path.join(work, "nodes", n["id"])
        if os.path.exists(os.path.join(d, "maillog")):
            shutil.copy(os.path.join(d, "maillog"), os.path.join(outdir, n["id"] + ".log"))
        box = os.path.join(d, "mail")
        for u in sorted(os.listdir(box)) if os.path.isdir(box) else []:
            if os.path.isfile(os.path.join(box, u)):
                shutil.copy(os.path.join(box, u), os.path.join(outdir, "%s.mailbox.%s" % (n["id"], u)))
    for i, p in progs.items():
        text = p.out.replace(b"\r\n", b"\n").decode("utf-8", "surrogateescape")
        if p.status == "130" and not text.endswith("\n"):
            text += "\n"
        with open(os.path.join(outdir, "%d.out" % i), "w", errors="surrogateescape") as f:
            f.write(text)
        with open(os.path.join(outdir, "%d.status" % i), "w", errors="surrogateescape") as f:
            f.write(p.status + "\n")


def host_routes(scen, prefix):
    """A route to every other node's every address (/32), through the
    first hop of a shortest path, as minet forwards: a router may have
    several links in one subnet (crepes-gw's 10.1.0.1, .2 and .3, one per
    machine, as if they were ports of a switch), where Linux's subnet
    routes alone would send everything out of the first."""
    nodes = {n["id"]: n for n in scen["nodes"]}
    links = scen.get("links", [])
    ifaces = {n: [] for n in nodes}
    for i, l in enumerate(links):
        for n in l["between"]:
            ifaces[n].append(i)

    def addr_on(n, i):
        al = tcp.addr_list(nodes[n])
        return (al[ifaces[n].index(i)] if len(al) == len(ifaces[n]) else al[0]).split("/")[0]
    for src in nodes:
        first = {src: None}
        queue = [src]
        while queue:
            u = queue.pop(0)
            for i in ifaces[u]:
                v = [x for x in links[i]["between"] if x != u][0]
                if v not in first:
                    first[v] = (v, i) if u == src else first[u]
                    queue.append(v)
        ns = "%s-%s" % (prefix, src)
        for dst in nodes:
            if dst == src or not first.get(dst):
                continue
            hop, i = first[dst]
            dev = "eth%d" % ifaces[src].index(i)
            for a in tcp.addr_list(nodes[dst]):
                a = a.split("/")[0]
                if hop == dst:
                    tcp.sh("ip", "-n", ns, "route", "replace", a + "/32", "dev", dev)
                else:
                    tcp.sh("ip", "-n", ns, "route", "replace", a + "/32", "via", addr_on(hop, i),
                           "dev", dev, "onlink")


def down(prefix, work):
    stop_servers(work)
    tcp.down(prefix)


# ---- the comparison ------------------------------------------------------------

# The volatile parts, each replaced by a word (nothing else is set aside):
MASKS = [
    # Postfix's queue ids: "queued as 7AB7FA744E9", mailq's first column
    (re.compile(r"(queued as )[0-9A-F]{6,12}\b"), r"\1QUEUEID"),
    (re.compile(r"^[0-9A-F]{8,12}(?=[*!]? )", re.M), "QUEUEID"),
    # RFC 5322 dates (swaks's Date: and Subject:, Received:, s-nail's Date:)
    (re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [-+]\d{4}"),
     "DATE"),
    # mailq's arrival time: "Thu Dec  3 11:41:24"
    (re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d\b"), "ARRIVAL"),
    # mailq's size: the message holds its queue id (Received:), and
    # Postfix's ids are 10 or 11 hex digits by the queue file's inode, so
    # the real size may be a byte more or less from one machine to another
    (re.compile(r"^(QUEUEID[*!]? +)\d+(?= ARRIVAL)", re.M), r"\1SIZE"),
    # message ids: the part before the @
    (re.compile(r"(Message-I[Dd]: *<)[^@>]*@", re.I), r"\1MSGID@"),
    # curl's progress meter: the speeds, and the times computed from them
    # (total, left); the percentages, sizes and the time spent stay
    (re.compile(r"^(\r?\s*\d+ +[\d.]+[kMG]? +\d+ +[\d.]+[kMG]? +\d+ +[\d.]+[kMG]? +)[\d.]+[kMG]? +"
                r"[\d.]+[kMG]? [-:\d ]{8} ([-:\d ]{8}) [-:\d ]{8} +[\d.]+[kMG]?", re.M),
     r"\1SPEED SPEED TOTAL \2 LEFT SPEED"),
    # the harness's folder for a node's home is /home/USER in minet
    # (s-nail -vv says which ~/.mailrc it loads)
    (re.compile(r"/\S*/work/nodes/[^/\s]+(/home/[^/\s]+)"), r"\1"),
    # s-nail keeps an unsent message in ~/dead.letter, ~ from the password
    # file: root's in the real run; the user's home in minet (default)
    (re.compile(r"/root/dead\.letter"), "/home/student/dead.letter"),
    # ... and its size: its first line ("From root Thu Dec  3 …") names
    # the login
    (re.compile(r"(dead\.letter \d+/)\d+"), r"\1BYTES"),
    # curl's "Failed to connect to HOST port N after 3 ms"
    (re.compile(r"(after )\d+( ms)"), r"\1N\2"),
]


# curl redraws its progress meter when it looks at the transfer and the
# wall clock's second has changed since the last drawing: where a redraw
# falls among the other lines depends on the second's phase at the start
# (minet's: the scenario's start time).  Only the first drawing and the
# last (which ends the line) are compared; redraws between them are set
# aside.
METER = re.compile(r"\r\s*\d+ +[\d.]+[kMG]? +\d+ +[\d.]+[kMG]? +\d+ +[\d.]+[kMG]? +SPEED SPEED "
                   r"TOTAL [-:\d ]{8} LEFT SPEED(?!\n)")


# curl's failure to resolve a name comes in two forms by timing: when the
# resolver answers before curl first looks at the transfer (microseconds,
# on a busy machine), curl draws no progress meter and says the error twice
# (the resolver's line and the transfer's); otherwise it draws the meter's
# header and first line before saying it once.  minet draws the meter, as
# the slower case; both sides read as one line.
RESOLVE_FAIL = re.compile(
    r"\A  % Total[^\n]*\n[^\n]*Dload[^\n]*\n\n?[^\n*]*(?=\* Could not resolve host)")
RESOLVE_TWICE = re.compile(r"^(\* Could not resolve host: \S+\n)\1", re.M)


def screen(text):
    """What a terminal shows of s-nail's line editor: it redraws the line
    at each key (CR, erase to the end of the line, the line so far) and
    switches the keypad's mode around its input."""
    text = re.sub(r"\x1b\[\?1[hl]\x1b[=>]", "", text)
    return "\n".join(l.split("\r")[-1].replace("\x1b[K", "") for l in text.split("\n"))


def mask(text):
    for rx, rep in MASKS:
        text = rx.sub(rep, text)
    text = RESOLVE_TWICE.sub(r"\1", RESOLVE_FAIL.sub("", text))
    seen = [0]

    def redraw(m):
        seen[0] += 1
        return m.group(0) if seen[0] == 1 else ""
    return METER.sub(redraw, text)


def compare(scenario, mdir, rdir, title):
    with open(scenario, errors="surrogateescape") as f:
        scen = json.load(f)
    lines = [l for l in scen["script"] if "on" in l]
    same = differ = 0
    import difflib
    try:
        with open(os.path.join(rdir, "cut")) as f:
            played, cut = f.read().split()
        print("info %s: lines %d to %d (after %ss) not played: the real run takes real time" % (
            title, int(played) + 1, len(lines), cut))
        lines = lines[:int(played)]
    except OSError:
        pass
    for i, l in enumerate(lines, 1):
        what = "%s line %d, %s$ %s" % (title, i, l["on"], l["run"])
        got = {}
        for side, d in (("real", rdir), ("minet", mdir)):
            try:
                # newline="": a CR (curl's meter) stays a CR
                with open(os.path.join(d, "%d.out" % i), errors="surrogateescape", newline="") as f:
                    out = mask(tcp.normal(f.read(), l["run"]))
                    if l["run"].split()[0] == "mail":
                        out = screen(out)
                with open(os.path.join(d, "%d.status" % i), errors="surrogateescape") as f:
                    st = f.read().strip()
            except OSError:
                out, st = "", "not run"
            got[side] = (out, st)
        if got["real"] == got["minet"]:
            same += 1
            continue
        differ += 1
        print("FAIL %s:" % what)
        if got["real"][0] != got["minet"][0]:
            for d in difflib.unified_diff(got["real"][0].splitlines(), got["minet"][0].splitlines(),
                                          "real", "minet", lineterm="", n=2):
                print("    " + d.rstrip())
        if got["real"][1] != got["minet"][1]:
            print("    exit status: real %s, minet %s" % (got["real"][1], got["minet"][1]))
    print("%d %d" % (same, differ), file=sys.stderr)
    return differ


def client_commands(pcap, server_ip):
    """The SMTP commands a server's own client sent (from server_ip to
    port 25 of another), one per line, in order, masked: read from each
    connection's byte stream (Postfix's client pipelines, so a segment
    may carry several commands, or the end of the message and QUIT),
    leaving out the message between DATA's 354 and its final dot."""
    streams = tcp.sh("tshark", "-r", pcap, "-Y", "ip.src == %s && tcp.dstport == 25 && tcp.flags.syn == 1"
                     " && tcp.flags.ack == 0" % server_ip, "-T", "fields", "-e", "tcp.stream").split()
    out = []
    for st in dict.fromkeys(streams):
        text = tcp.sh("tshark", "-r", pcap, "-q", "-z", "follow,tcp,raw,%s" % st)
        sent = b""
        for line in text.split("\n"):
            # the client's side is not indented (it opened the connection)
            if line and not line.startswith("\t") and re.fullmatch(r"[0-9a-f]+", line):
                sent += bytes.fromhex(line)
        in_data = False
        for cmd in sent.decode("utf-8", "surrogateescape").split("\r\n"):
            if in_data:
                in_data = cmd != "."
                continue
            if cmd:
                out.append(mask(re.sub(r"\bSIZE=\d+", "SIZE=N", cmd)))
            in_data = cmd.upper() == "DATA"
    return out


def compare_client(scenario, minet, rdir, node):
    with open(scenario, errors="surrogateescape") as f:
        scen = json.load(f)
    n = {x["id"]: x for x in scen["nodes"]}[node]
    real = client_commands(os.path.join(rdir, node + ".pcapng"), ip_of(n))
    mpath = os.path.join(rdir, "minet-%s.pcapng" % node)
    until = []
    if os.path.exists(os.path.join(rdir, "cut")):  # the real run stopped there
        with open(os.path.join(rdir, "cut")) as f:
            until = ["--until", "%gs" % float(f.read().split()[1])]
    tcp.sh(minet, "run", scenario, "--pcap", mpath, "--capture", node, *until)
    mine = client_commands(mpath, ip_of(n))
    title = os.path.basename(scenario)
    if real != mine:
        import difflib
        print("FAIL %s: the commands %s's SMTP client sent, real Postfix against minet:" % (title, node))
        for d in difflib.unified_diff(real, mine, "postfix", "minet", lineterm="", n=2):
            print("    " + d)
        return 1
    if real:
        print("info %s: %s's SMTP client sent the same %d commands as Postfix's: %s" % (
            title, node, len(real), ", ".join(c.split(" ")[0].split(":")[0] for c in real)))
    return 0


def show(scenario, rdir):
    with open(scenario, errors="surrogateescape") as f:
        scen = json.load(f)
    lines = [l for l in scen["script"] if "on" in l]
    for i, l in enumerate(lines, 1):
        try:
            with open(os.path.join(rdir, "%d.out" % i), errors="surrogateescape", newline="") as f:
                out = f.read()
            with open(os.path.join(rdir, "%d.status" % i), errors="surrogateescape") as f:
                st = f.read().strip()
        except OSError:
            out, st = "(not run)\n", "-"
        print("---- %s line %d: %s$ %s  (exit %s)" % (os.path.basename(scenario), i, l["on"], l["run"], st))
        out = mask(tcp.normal(out, l["run"]))
        if l["run"].split()[0] == "mail":
            out = screen(out)
        sys.stdout.write(out if out.endswith("\n") or not out else out + "\n")
    for n in mail_nodes(scen):
        cmds = os.path.join(rdir, n["id"] + ".pcapng")
        if os.path.exists(cmds):
            c = client_commands(cmds, ip_of(n))
            if c:
                print("---- %s: the commands Postfix's SMTP client on %s sent" % (
                    os.path.basename(scenario), n["id"]))
                for x in c:
                    print(x)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "run":
        run(*sys.argv[2:7])
    elif cmd == "compare":
        sys.exit(1 if compare(*sys.argv[2:6]) else 0)
    elif cmd == "client":
        sys.exit(compare_client(*sys.argv[2:6]))
    elif cmd == "show":
        show(*sys.argv[2:4])
    elif cmd == "down":
        down(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit("real_mail.py: unknown command %s" % cmd)
