"""Wireshark's TCP analysis judges minet's TCP (called by tests/run_pcap.sh).

    python3 tests/pcap_tcp.py MINET SCENARIO TRACE.jsonl TMPDIR [lossless]

For a scenario whose trace has TCP segments, each end host's capture
(`minet run --pcap HOST.pcapng --capture HOST`) is read by tshark with
TCP checksums checked, and:

  1. every TCP checksum is good (tcp.checksum.status 1: Wireshark 4.0 has
     0 bad, 1 good, 2 unverified), and no frame is malformed;
  2. Wireshark's TCP analysis flags nothing ("Bad TCP": tcp.analysis.flags
     && !tcp.analysis.window_update) but flow control (a zero window, its
     probes, a full window) when no link loses packets and no
     link or node goes down; where packets are lost it may flag only what
     loss causes: retransmissions (plain and fast; "spurious" where the
     ACK was lost, not the data: the receiver's capture saw the data
     already), duplicate ACKs, and, on the receiving host, the gap of the
     lost segment ("previous segment not captured"), a retransmission
     arriving after later segments (out-of-order), and "ACKed unseen
     segment" where a retransmission carried the lost bytes and new ones
     together (as Linux's also do: Wireshark does not count bytes first
     seen in a retransmission);
  3. no expert item of severity warning or above, but "Connection reset
     (RST)" on a RST (a refused connection is a lesson) and the items of
     the analysis flags that item 2 allows;
  4. each connection's bytes (tshark -z follow,tcp,raw), each direction,
     CR LF read as LF, equal what the program at the sending end typed
     (nc and telnet: the lines of its input), and for nc at the receiving
     end, what it printed.  An end that is not nc or telnet (a server)
     is not compared, nor what a program reads from a file (`< FILE`) or
     prints into one (`> FILE`).

Prints "FAIL ..." lines and exits 1 on any difference; prints one summary
line ("tcp: ...") otherwise.
"""

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timezone

LOSS_FLAGS = {"retransmission", "fast_retransmission", "spurious_retransmission",
              "duplicate_ack", "lost_segment", "out_of_order", "ack_lost_segment"}
# Flow control is TCP working, and a lesson (tcp_flow.json: a slow reader):
# a window update, a zero window, the probes and their answers, a segment
# that fills the window.
ALWAYS = {"window_update", "zero_window", "zero_window_probe", "zero_window_probe_ack",
          "window_full"}
FLAG_NAMES = {"retransmission", "fast_retransmission", "spurious_retransmission", "out_of_order",
              "lost_segment", "ack_lost_segment", "duplicate_ack", "zero_window",
              "zero_window_probe", "zero_window_probe_ack", "keep_alive", "keep_alive_ack",
              "window_full", "reused_ports", "window_update", "tfo_syn", "tfo_ack"}

fails = []


def tshark(*args):
    r = subprocess.run(["tshark", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if r.returncode != 0:
        fails.append("tshark %s: %s" % (" ".join(args), r.stderr.strip()[:200]))
    return r.stdout


def walk(obj, found):
    """Every key: value of a tshark JSON frame, depth first."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, (dict, list)):
                if k.startswith("tcp.analysis.") and k[13:] in FLAG_NAMES:
                    found.append((k, ""))
                walk(v, found)
            else:
                found.append((k, v))
    elif isinstance(obj, list):
        for v in obj:
            walk(v, found)


def lossy(scen):
    if any(float(l.get("loss", 0)) > 0 for l in scen.get("links", [])):
        return True
    return any(l.get("run", "").startswith("down ") for l in scen.get("script", []))


def judge(path, what, loss):
    # smtp.decryption: Wireshark decodes AUTH PLAIN's credentials (off, it
    # warns "base64 decode failed or is not enabled" on every login)
    frames = json.loads(tshark("-r", path, "-o", "tcp.check_checksum:TRUE", "-o",
                               "smtp.decryption:TRUE", "-T", "json") or "[]")
    allowed = ALWAYS | (LOSS_FLAGS if loss else set())
    n = 0
    for f in frames:
        kv = []
        walk(f["_source"]["layers"], kv)
        keys = dict(kv)
        if "tcp.srcport" not in keys:
            continue
        n += 1
        no = keys.get("frame.number", "?")
        if keys.get("tcp.checksum.status") != "1":
            fails.append("%s: frame %s: TCP checksum status %s (1 is good)" % (
                what, no, keys.get("tcp.checksum.status")))
        if "_ws.malformed" in keys or any(k.startswith("_ws.malformed") for k, _ in kv):
            fails.append("%s: frame %s is malformed" % (what, no))
        flags = {k[13:] for k, _ in kv if k.startswith("tcp.analysis.") and k[13:] in FLAG_NAMES}
        for fl in sorted(flags - allowed):
            fails.append("%s: frame %s: Wireshark flags tcp.analysis.%s%s" % (
                what, no, fl, "" if loss else " in a scenario without loss"))
        # Expert items: message and severity come in order, pairwise.
        msgs = [v for k, v in kv if k == "_ws.expert.message"]
        sevs = [v for k, v in kv if k == "_ws.expert.severity"]
        for m, s in zip(msgs, sevs):
            if int(s) < 6291456:  # below PI_WARN
                continue
            if m == "Connection reset (RST)" and keys.get("tcp.flags.reset") in ("1", "True"):
                continue
            if flags & allowed and not flags - allowed:
                continue  # the item of an allowed analysis flag
            fails.append("%s: frame %s: expert %s: %s" % (
                what, no, "error" if int(s) >= 8388608 else "warning", m))
    return n


def follow(path):
    """Each TCP stream: (client ip, client port, server ip, server port,
    first frame's epoch, client->server bytes, server->client bytes)."""
    firsts = {}
    for l in tshark("-r", path, "-Y", "tcp", "-T", "fields", "-e", "tcp.stream", "-e",
                    "frame.time_epoch").split("\n"):
        if l:
            s, t = l.split("\t")
            firsts.setdefault(int(s), float(t))
    out = []
    for s in sorted(firsts):
        text = tshark("-r", path, "-q", "-z", "follow,tcp,raw,%d" % s)
        nodes = re.findall(r"^Node [01]: (\S+):(\d+)$", text, re.M)
        data = [b"", b""]
        body = text.split("Node 1:", 1)[-1].split("\n")[1:]
        for line in body:
            if line.startswith("====") or not line.strip():
                continue
            side = 1 if line.startswith("\t") else 0
            data[side] += bytes.fromhex(line.strip())
        out.append((nodes[0][0], nodes[0][1], nodes[1][0], nodes[1][1], firsts[s], data[0],
                    data[1]))
    return out


def programs(trace):
    """Each command: node, text, start and end (µs), typed and printed text."""
    cmds = {}
    with open(trace) as f:
        for l in f:
            if '"kind":"console"' not in l:
                continue
            r = json.loads(l)
            c = cmds.setdefault(r["cmd"], {"node": r["node"], "typed": "", "printed": "",
                                           "start": r["t"], "end": None, "text": ""})
            if r["stream"] == "command":
                c["text"] = r["text"]
            elif r["stream"] == "stdin":
                # telnet's line after ^] is a command for telnet itself
                if c.get("escaped"):
                    c["escaped"] = False
                elif r["text"] == "^]":
                    c["escaped"] = True
                elif r["text"] not in ("^C", "^C\n"):
                    c["typed"] += r["text"]
            elif r["stream"] == "stdout":
                c["printed"] += r["text"]
            elif r["stream"] == "exit":
                c["end"] = r["t"]
    return cmds


def which(cmds, node, t_us, server_port=None):
    """The nc or telnet on NODE that ran at t_us: the client (no -l), or the
    nc -l listening on server_port."""
    for c in cmds.values():
        words = c["text"].split("<")[0].split(">")[0].split()
        if c["node"] != node or not words or words[0] not in ("nc", "telnet"):
            continue
        if c["start"] > t_us or (c["end"] is not None and c["end"] < t_us):
            continue
        listens = words[0] == "nc" and any(w.startswith("-") and "l" in w for w in words[1:])
        if server_port is None and not listens:
            return c
        if server_port is not None and listens and words[-1] == server_port:
            return c
    return None


def lf(b):
    return b.replace(b"\r\n", b"\n").decode("utf-8", "replace")


def main(minet, scenario, trace, tmp, force=""):
    with open(scenario) as f:
        scen = json.load(f)
    name = os.path.basename(scenario)[:-5]
    start = scen.get("start", "2023-09-11T09:00:00Z").replace("Z", "+00:00")
    start_us = int(datetime.fromisoformat(start).astimezone(timezone.utc).timestamp()) * 1000000
    node_of = {}
    for n in scen["nodes"]:
        for a in n.get("ip", []) if isinstance(n.get("ip"), list) else [n.get("ip", "")]:
            node_of[a.split("/")[0]] = n["id"]
    ends = []
    with open(trace) as f:
        for l in f:
            if '"kind":"hop"' in l and '"proto":"TCP"' in l:
                b = bytes.fromhex(json.loads(l)["bytes"])
                for ip in (b[26:30], b[30:34]):
                    n = node_of.get(".".join(str(x) for x in ip))
                    if n and n not in ends:
                        ends.append(n)
    if not ends:
        return 0
    cmds = programs(trace)
    loss = lossy(scen) and force != "lossless"  # forced: to prove the judge can say no
    segs = streams = 0
    for host in ends:
        path = os.path.join(tmp, "%s-tcp-%s.pcapng" % (name, host))
        r = subprocess.run([minet, "run", scenario, "--pcap", path, "--capture", host],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            fails.append("%s: minet run --capture %s failed: %s" % (name, host, r.stderr.strip()))
            continue
        what = "%s (--capture %s)" % (name, host)
        segs += judge(path, what, loss)
        for cip, cport, sip, sport, t, up, down in follow(path):
            if node_of.get(cip) != host:
                continue  # each connection once, from its client's capture
            streams += 1
            t_us = round(t * 1e6) - start_us
            client = which(cmds, host, t_us)
            server = which(cmds, node_of.get(sip), t_us, sport)
            conn = "%s: %s:%s -> %s:%s" % (name, cip, cport, sip, sport)
            checks = []
            if client and "<" not in client["text"]:
                checks.append(("%s typed" % client["text"], client["typed"], lf(up), "sent"))
            if server and "<" not in server["text"]:
                checks.append(("%s typed" % server["text"], server["typed"], lf(down), "sent"))
            if server and server["text"].startswith("nc") and ">" not in server["text"]:
                checks.append(("%s printed" % server["text"], server["printed"], lf(up),
                               "received"))
            if client and client["text"].startswith("nc") and ">" not in client["text"]:
                checks.append(("%s printed" % client["text"], client["printed"], lf(down),
                               "received"))
            for label, want, got, how in checks:
                if want != got:
                    fails.append("%s: the bytes %s (tshark's follow) are %r, but %s %r" % (
                        conn, how, got[:200], label, want[:200]))
    for f in fails:
        print("FAIL " + f)
    print("tcp: %d segments on %d end hosts, %d connections followed (%s)" % (
        segs, len(ends), streams, "lossy" if loss else "lossless"))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
