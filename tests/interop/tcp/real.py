"""Runs a minet scenario's script on real Linux, in network namespaces,
and compares what the real programs and segments show with minet's.

    python3 real.py run SCENARIO TRACE.jsonl OUTDIR PREFIX

Each node of SCENARIO becomes a network namespace PREFIX-NODE with the
node's addresses on veth interfaces named as minet names them (eth0, eth1,
... in the order of the node's links), minet's hosts table (and names from
it alone), static routes along the shortest paths, IPv4 forwarding on
routers, each link's latency as netem delay on both of its ends (when the
kernel has netem: OUTDIR/netem says), and SCENARIO.sysctl's settings if
that file exists.  Every script line starts at its time (real seconds;
lines of one moment 0.15 s apart, in order), `ip netns exec`'d in its
node's namespace, in a pseudo-terminal of 80 columns (ss lays out its
columns by the terminal's width).  What the program reads is typed when
minet's run typed it (the "stdin" records of TRACE, minet's JSON Lines
trace of the same scenario; ^D, which is not echoed, by the scenario's
rule): a line with its newline, ^D as the terminal's end-of-file
character, ^C and ^] as their control characters.  dumpcap captures each
end host's eth0 meanwhile.  Lines that are faults (down, up) are not
played: the caller skips such scenarios.

OUTDIR gets, for script line N (1-based among the program lines, as
minet's `cmd`), N.out (what the terminal showed, CR LF as LF, Linux's
ephemeral ports mapped to minet's), N.raw (unmapped) and N.status (the
exit status as a shell's $? would say, or "running" when it was still
running at the end and was stopped), and NODE.pcapng.

    python3 real.py minet TRACE.jsonl OUTDIR
        minet's side in the same form: N.out (stdout, stderr and the typed
        input, in the order of the trace), N.status
    python3 real.py compare SCENARIO MINETDIR REALDIR TITLE
        "FAIL" and a diff for each line that differs (see normal()); the
        counts same and different on standard error; exit 1 if any differs
    python3 real.py segments MINET SCENARIO REALDIR NODE [assert|figures]
        NODE's segments, real against minet's (see compare_segments())
    python3 real.py down PREFIX
        deletes the namespaces PREFIX-* and their /etc/netns folders

Only namespaces this script made are touched; every process it starts is
stopped by its own id.
"""

import fcntl
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

NETEM = [True]  # cleared when the kernel has no netem qdisc
KEYS = {"^D": b"\x04", "^C": b"\x03", "^]": b"\x1d"}


def sh(*argv, check=True):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8",
                       errors="surrogateescape")
    if check and r.returncode != 0:
        raise SystemExit("FAIL interop-tcp: %s: %s" % (" ".join(argv), r.stderr.strip()))
    return r.stdout


def seconds(text):
    for unit, f in (("ms", 1e-3), ("us", 1e-6), ("s", 1.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * f
    return float(text)


def records(trace):
    with open(trace, errors="surrogateescape") as f:
        return [json.loads(l) for l in f if '"kind":"console"' in l]


# ---- minet's side ---------------------------------------------------------


def minet_side(trace, outdir, scenario=None):
    """Writes N.* for script line N.  Lines of one terminal that were typed
    at one moment run one after another, so minet's command numbers may
    interleave hosts differently from the script's order: each command is
    matched with the first script line of its node and text not yet
    matched."""
    out, status = {}, {}
    lines = []
    if scenario:
        with open(scenario) as f:
            lines = [(l.get("on"), l["run"]) for l in json.load(f)["script"] if "on" in l]
    line_of, taken = {}, set()
    for r in records(trace):
        if r.get("stream") == "command" and lines:
            for i, (on, run) in enumerate(lines, 1):
                if i not in taken and on == r["node"] and run == r["text"]:
                    taken.add(i)
                    line_of[r["cmd"]] = i
                    break
    for r in records(trace):
        c = line_of.get(r["cmd"], r["cmd"])
        out.setdefault(c, "")
        if r["stream"] in ("stdout", "stderr"):
            out[c] += r["text"]
        elif r["stream"] == "stdin":
            # The terminal echoes a typed line; control characters it
            # does not (^D at a line's start), or telnet shows them.
            t = r["text"]
            out[c] += "" if t == "^D" else t
        elif r["stream"] == "exit":
            status[c] = str(r["status"])
    for c in out:
        with open(os.path.join(outdir, "%d.out" % c), "w", errors="surrogateescape") as f:
            f.write(out[c])
        with open(os.path.join(outdir, "%d.status" % c), "w", errors="surrogateescape") as f:
            f.write(status.get(c, "running") + "\n")


# ---- the namespaces -------------------------------------------------------


def addr_list(node):
    ip = node.get("ip", [])
    return ip if isinstance(ip, list) else [ip]


def build(scen, prefix):
    nodes = {n["id"]: n for n in scen["nodes"]}
    links = scen.get("links", [])
    ifaces = {n: [] for n in nodes}  # node -> [(link index, address/len)]
    for i, l in enumerate(links):
        for n in l["between"]:
            ifaces[n].append(i)
    addr = {}  # (node, link) -> "a.b.c.d/len"
    for n, lst in ifaces.items():
        al = addr_list(nodes[n])
        for k, i in enumerate(lst):
            addr[(n, i)] = al[k] if len(al) == len(lst) else al[0]
    # minet's hosts table: every node's name with each of its addresses.
    # `ip netns exec` mounts /etc/netns/NS/hosts on /etc/hosts (and
    # nsswitch.conf, resolv.conf: a DNS server on the namespace's own loopback, where
    # none listens, so that no lookup leaves the namespace).
    hosts = "127.0.0.1\tlocalhost\n" + "".join(
        "%s\t%s\n" % (a.split("/")[0], n) for n in nodes for a in addr_list(nodes[n]))
    for n in nodes:
        ns = "%s-%s" % (prefix, n)
        sh("ip", "netns", "add", ns)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        os.makedirs("/etc/netns/" + ns, exist_ok=True)
        with open("/etc/netns/%s/hosts" % ns, "w", errors="surrogateescape") as f:
            f.write(hosts)
        with open("/etc/netns/%s/resolv.conf" % ns, "w", errors="surrogateescape") as f:
            f.write("nameserver 127.0.0.1\n")
        # ... and names come from the hosts file alone, as in minet, where
        # no DNS server answers a reverse lookup (nc -lv looks 0.0.0.0 up).
        with open("/etc/netns/%s/nsswitch.conf" % ns, "w", errors="surrogateescape") as f:
            f.write("hosts: files\n")
    for i, l in enumerate(links):
        a, b = l["between"]
        ea, eb = "mt%da" % i, "mt%db" % i
        sh("ip", "link", "add", ea, "type", "veth", "peer", "name", eb)
        for n, e in ((a, ea), (b, eb)):
            ns = "%s-%s" % (prefix, n)
            name = "eth%d" % ifaces[n].index(i)
            sh("ip", "link", "set", e, "netns", ns)
            sh("ip", "-n", ns, "link", "set", e, "name", name)
            sh("ip", "-n", ns, "addr", "add", addr[(n, i)], "dev", name)
            sh("ip", "-n", ns, "link", "set", name, "up")
            delay = seconds(l.get("latency", "1ms"))
            if delay > 0 and NETEM[0]:
                r = subprocess.run(["tc", "-n", ns, "qdisc", "add", "dev", name, "root", "netem",
                                    "delay", "%dus" % round(delay * 1e6)], capture_output=True)
                if r.returncode != 0:  # a kernel without sch_netem: no delays at all
                    NETEM[0] = False
    for n in nodes:
        if nodes[n]["role"] == "router":
            sh("ip", "netns", "exec", "%s-%s" % (prefix, n), "sysctl", "-qw",
               "net.ipv4.ip_forward=1")
    # Static routes: each node reaches every other node's subnet through
    # the first hop of a shortest path (breadth first, links in order).
    subnets = {}
    for (n, i), a in addr.items():
        ip, plen = a.split("/")
        o = [int(x) for x in ip.split(".")]
        v = (o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3]) & (0xFFFFFFFF << (32 - int(plen)) & 0xFFFFFFFF)
        subnets.setdefault("%d.%d.%d.%d/%s" % (v >> 24, v >> 16 & 255, v >> 8 & 255, v & 255, plen), set()).add(n)
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
        for net, owners in sorted(subnets.items()):
            if src in owners:
                continue
            hops = [first[o] for o in sorted(owners) if first.get(o)]
            if not hops:
                continue
            hop, i = hops[0]
            # onlink: minet lets a link join two addresses of different
            # subnets (a router's 100.64.x.1 and a server's 192.5.6.30)
            sh("ip", "-n", "%s-%s" % (prefix, src), "route", "add", net, "via",
               addr[(hop, i)].split("/")[0], "dev", "eth%d" % ifaces[src].index(i), "onlink")
    return nodes, ifaces


def down(prefix):
    for ns in sh("ip", "netns", "list").split("\n"):
        name = ns.split(" ")[0]
        if name.startswith(prefix + "-"):
            sh("ip", "netns", "del", name, check=False)
    if os.path.isdir("/etc/netns"):
        for name in os.listdir("/etc/netns"):
            if name.startswith(prefix + "-"):
                for f in os.listdir("/etc/netns/" + name):
                    os.remove("/etc/netns/%s/%s" % (name, f))
                os.rmdir("/etc/netns/" + name)


# ---- the programs ---------------------------------------------------------


def shell_status(st):
    """An exit status as a shell's $? says it: 128 + N for signal N (^C: 130)."""
    code = os.waitstatus_to_exitcode(st)
    return str(code if code >= 0 else 128 - code)


class Prog:
    def __init__(self, ns, cmd, inputs):
        self.inputs = inputs  # [(seconds after start, bytes)]
        self.out = b""
        self.status = None
        pid, fd = os.forkpty()
        if pid == 0:
            # a terminal's ^C must interrupt, even when this run was
            # started with SIGINT ignored (as a background job is)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGQUIT, signal.SIG_DFL)
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
            os.execvp("ip", ["ip", "netns", "exec", ns, "sh", "-c", "exec " + cmd])
        self.pid, self.fd = pid, fd
        # A ^C typed before the child has made the terminal its own would
        # signal nobody (a loaded machine may take that long): wait for
        # that, or for the child's end (a quick program like ss).
        for _ in range(500):
            if os.tcgetpgrp(fd) == pid or os.waitid(
                    os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                break
            time.sleep(0.002)

    def poll(self, now):
        while self.inputs and now >= self.inputs[0][0]:
            os.write(self.fd, self.inputs.pop(0)[1])
        if self.fd is not None:
            while select.select([self.fd], [], [], 0)[0]:
                try:
                    d = os.read(self.fd, 4096)
                except OSError:
                    d = b""
                if not d:
                    os.close(self.fd)
                    self.fd = None
                    break
                self.out += d
        if self.status is None:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = shell_status(st)

    def stop(self):
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
            _, st = os.waitpid(self.pid, 0)
            # it may have ended by itself since the last poll
            killed = os.WIFSIGNALED(st) and os.WTERMSIG(st) == signal.SIGKILL
            self.status = "running" if killed else shell_status(st)


def typing(scen, trace):
    """When each script line's input is typed, in seconds after the line
    started: minet's trace records each echoed line (and ^C, ^]); ^D is
    not echoed, so its moment follows the scenario's rule: at its "at",
    or 1 s after the program last printed or was typed to."""
    recs = records(trace)
    starts, echoed, printed = {}, {}, {}
    for r in recs:
        c, t = r["cmd"], r["t"] / 1e6
        if r["stream"] == "command":
            starts[c] = t
        elif r["stream"] == "stdin":
            echoed.setdefault(c, []).append(t)
        elif r["stream"] in ("stdout", "stderr"):
            printed.setdefault(c, []).append(t)
    lines = [l for l in scen["script"] if "on" in l]
    typed = {}
    for c, l in enumerate(lines, 1):
        if c not in starts:
            continue
        last = starts[c]
        ech = list(echoed.get(c, []))
        for item in l.get("input", []):
            text = item["text"] if isinstance(item, dict) else item
            if text != "^D":
                if not ech:
                    break  # minet did not type it (the program had ended)
                t = ech.pop(0)
            elif isinstance(item, dict) and "at" in item:
                t = starts[c] + seconds(item["at"])
            else:
                t = last + 1.0
                for o in printed.get(c, []):
                    if last < o < t:
                        t = o + 1.0
            last = t
            typed.setdefault(c, []).append((t - starts[c], KEYS.get(text, (text + "\n").encode())))
    return typed


def syn_ports(trace):
    """The source ports of the SYNs minet's hosts sent, in order."""
    ports, seen = [], set()
    with open(trace, errors="surrogateescape") as f:
        for l in f:
            if '"kind":"hop"' not in l or "[SYN]" not in l:
                continue
            r = json.loads(l)
            b = bytes.fromhex(r["bytes"])
            ihl = (b[14] & 15) * 4
            sport = int.from_bytes(b[14 + ihl: 16 + ihl], "big")
            key = (b[26:30], sport)
            if key not in seen:
                seen.add(key)
                ports.append(sport)
    return ports


def run(scenario, trace, outdir, prefix):
    with open(scenario, errors="surrogateescape") as f:
        scen = json.load(f)
    typed = typing(scen, trace)
    down(prefix)
    caps, progs = [], {}
    # TERM ends this run as ^C does: the programs and captures are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        nodes, ifaces = build(scen, prefix)
        # SCENARIO.sysctl, if there is one: settings for every namespace.
        conf = os.path.splitext(scenario)[0] + ".sysctl"
        if os.path.exists(conf):
            with open(conf, errors="surrogateescape") as f:
                for setting in f.read().split():
                    for n in nodes:
                        sh("ip", "netns", "exec", "%s-%s" % (prefix, n), "sysctl", "-qw", setting)
        with open(os.path.join(outdir, "netem"), "w", errors="surrogateescape") as f:
            f.write("yes\n" if NETEM[0] else "no\n")
        for n in nodes:
            if nodes[n]["role"] == "host" and ifaces[n]:
                path = os.path.join(outdir, n + ".pcapng")
                caps.append(subprocess.Popen(
                    ["ip", "netns", "exec", "%s-%s" % (prefix, n), "dumpcap", "-q", "-i",
                     "eth0", "-f", "tcp", "-w", path],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(1.0)  # dumpcap is listening
        lines = [l for l in scen["script"] if "on" in l]
        end = max(seconds(l["at"]) for l in lines) + 3.0
        for c, ts in typed.items():
            end = max(end, seconds(lines[c - 1]["at"]) + ts[-1][0] + 3.0)
        began = {}
        t0 = time.monotonic()
        while True:
            now = time.monotonic() - t0
            for i, l in enumerate(lines, 1):
                # Lines of the same moment run in order in minet; here each
                # gets 0.15 s to start before the next one (a listener
                # before the ss that shows it).
                if i in progs or now < seconds(l["at"]):
                    continue
                if i > 1 and (i - 1 not in progs or now < began[i - 1] + 0.15):
                    break
                progs[i] = Prog("%s-%s" % (prefix, l["on"]), l["run"], list(typed.get(i, [])))
                began[i] = now
            for i, p in progs.items():
                p.poll(now - began[i])
            if len(progs) == len(lines) and all(p.status is not None and p.fd is None for p in progs.values()):
                break
            if now > end:
                break
            time.sleep(0.01)
        time.sleep(0.5)
    finally:
        for p in progs.values():  # also when interrupted
            p.stop()
        for c in caps:
            c.send_signal(signal.SIGINT)
            c.wait()
        down(prefix)
    # Linux picks its ephemeral ports at random, minet in turn: the real
    # ports are mapped to minet's, SYN by SYN in time order.
    syns = []
    for n in nodes:
        path = os.path.join(outdir, n + ".pcapng")
        if os.path.exists(path):
            syns += [l.split("\t") for l in sh(
                "tshark", "-r", path, "-Y", "tcp.flags.syn == 1 && tcp.flags.ack == 0",
                "-T", "fields", "-e", "frame.time_epoch", "-e", "tcp.srcport").split("\n") if l]
    real_ports = []
    for _, port in sorted(syns, key=lambda x: float(x[0])):
        if port not in real_ports:
            real_ports.append(port)
    mapping = dict(zip(real_ports, [str(x) for x in syn_ports(trace)]))
    with open(os.path.join(outdir, "ports"), "w", errors="surrogateescape") as f:
        for k, v in mapping.items():
            f.write("%s %s\n" % (k, v))
    for i, p in progs.items():
        text = p.out.replace(b"\r\n", b"\n").decode("utf-8", "surrogateescape")
        with open(os.path.join(outdir, "%d.raw" % i), "w", errors="surrogateescape") as f:
            f.write(text)
        text = re.sub(r"(?<=[.: ])(\d{4,5})\b", lambda m: mapping.get(m.group(1), m.group(1)), text)
        # After a program that ^C ended, bash starts a new line (minet's
        # transcript shows the shell's part too); here no shell runs.
        if p.status == "130" and not text.endswith("\n"):
            text += "\n"
        with open(os.path.join(outdir, "%d.out" % i), "w", errors="surrogateescape") as f:
            f.write(text)
        with open(os.path.join(outdir, "%d.status" % i), "w", errors="surrogateescape") as f:
            f.write(p.status + "\n")


# ---- the comparison -------------------------------------------------------

# Differences set aside, each for its reason (everything else must be equal):
#  1. a CR that a program prints before LF: minet's console shows the line
#     break a terminal shows (nc prints "HELO\r\n" as telnet sent it);
#  2. the order of ss's and netstat's rows after the listeners (which Linux
#     lists first): Linux lists the others in the order of its hash table,
#     salted at random each boot.  Those rows are compared sorted.
def normal(text, cmd):
    text = text.replace("\r\n", "\n")
    prog = cmd.split()[0]
    if prog not in ("ss", "netstat"):
        return text
    lines = text.split("\n")
    head = 2 if prog == "netstat" else 1
    rows = [l for l in lines[head:] if l]
    rows.sort(key=lambda r: ("LISTEN" not in r.split(), r))
    return "\n".join(lines[:head] + rows) + "\n"


def compare(scenario, mdir, rdir, title):
    with open(scenario, errors="surrogateescape") as f:
        scen = json.load(f)
    lines = [l for l in scen["script"] if "on" in l]
    same = differ = 0
    for i, l in enumerate(lines, 1):
        what = "%s line %d, %s$ %s" % (title, i, l["on"], l["run"])
        got = {}
        for side, d in (("real", rdir), ("minet", mdir)):
            try:
                with open(os.path.join(d, "%d.out" % i), errors="surrogateescape") as f:
                    out = normal(f.read(), l["run"])
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
            import difflib
            for d in difflib.unified_diff(got["real"][0].splitlines(), got["minet"][0].splitlines(),
                                          "real", "minet", lineterm="", n=2):
                print("    " + d.rstrip())
        if got["real"][1] != got["minet"][1]:
            print("    exit status: real %s, minet %s" % (got["real"][1], got["minet"][1]))
    print("%d %d" % (same, differ), file=sys.stderr)
    return differ


# ---- the segments ---------------------------------------------------------

FIELDS = ["ip.src", "tcp.flags.str", "tcp.seq", "tcp.ack", "tcp.window_size_value", "tcp.len",
          "tcp.options"]


def segments(path):
    rows = []
    for l in sh("tshark", "-r", path, "-Y", "tcp", "-T", "fields", "-e", "frame.time_relative",
                *sum([["-e", f] for f in FIELDS], [])).split("\n"):
        if l:
            f = l.split("\t")
            rows.append((float(f[0]), "\t".join(f[1:])))
    return rows


def ack_delays(rows):
    """Milliseconds from each data segment to the bare ACK that answers it."""
    out = []
    for i, (t, r) in enumerate(rows):
        src, _, seq, _, _, ln, _ = r.split("\t")
        if int(ln) == 0:
            continue
        for t2, r2 in rows[i + 1:]:
            s2, _, _, ack2, _, ln2, _ = r2.split("\t")
            if s2 != src and int(ack2) >= int(seq) + int(ln):
                out.append("%.3f" % ((t2 - t) * 1e3))
                break
    return out


def compare_segments(minet, scenario, rdir, node, mode="assert"):
    """The segments a node saw, real against minet's: every field of
    FIELDS (addresses, flags, relative sequence and acknowledgement
    numbers, window, length, options), in order; not the times.  MODE
    figures (Linux with its own defaults: SACK, timestamps, window
    scaling, CUBIC) only prints the figures."""
    mpath = os.path.join(rdir, "minet-%s.pcapng" % node)
    sh(minet, "run", scenario, "--pcap", mpath, "--capture", node)
    real, mine = segments(os.path.join(rdir, node + ".pcapng")), segments(mpath)
    title = os.path.basename(scenario)
    a = [r for _, r in real]
    b = [r for _, r in mine]
    bad = 0
    if mode == "figures":
        print("info %s: %d segments on %s in Linux (default settings), %d in minet; options of the first SYN: %s in Linux, %s in minet" % (
            title, len(a), node, len(b), a[0].split("\t")[6] if a else "-", b[0].split("\t")[6] if b else "-"))
        print("info %s: ms from data to its ACK, Linux: %s; minet: %s" % (
            title, " ".join(ack_delays(real)), " ".join(ack_delays(mine))))
        return 0
    if a != b:
        import difflib
        print("FAIL %s: the segments %s saw differ (%s), real Linux against minet:" % (
            title, node, " ".join(FIELDS)))
        for d in difflib.unified_diff(a, b, "linux", "minet", lineterm="", n=1):
            print("    " + d)
        bad = 1
    syn = [r for r in b if "S" in r.split("\t")[1]]
    print("info %s: %d segments on %s, Linux and minet; SYN and SYN-ACK: window %s, options %s" % (
        title, len(a), node, "/".join(r.split("\t")[4] for r in syn),
        "/".join(r.split("\t")[6] for r in syn)))
    print("info %s: ms from data to its ACK, Linux: %s; minet: %s" % (
        title, " ".join(ack_delays(real)), " ".join(ack_delays(mine))))
    return bad


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(*sys.argv[2:6])
    elif sys.argv[1] == "minet":
        minet_side(*sys.argv[2:5])
    elif sys.argv[1] == "compare":
        sys.exit(1 if compare(*sys.argv[2:6]) else 0)
    elif sys.argv[1] == "segments":
        sys.exit(compare_segments(*sys.argv[2:7]))
    elif sys.argv[1] == "down":
        down(sys.argv[2])
