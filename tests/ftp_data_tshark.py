#!/usr/bin/env python3
"""FTP's data connections as minet's dissector labels them, judged by tshark.

  ftp_data_tshark.py MINET SCENARIO TMPDIR

Runs SCENARIO with a capture on its FTP server (every data connection passes
it once) and its JSON Lines trace, then, for every TCP segment with data,
compares tshark's Protocol column and Info with minet's: a segment either
both call FTP-DATA, with the same "FTP Data: N bytes (METHOD) (COMMAND)", or
neither does.  One difference is expected and checked as such: for a data
connection set up by EPRT, Wireshark 4.0 registers the client's address with
itself, so tshark leaves the connection unlinked ("FTP Data: N bytes", known
by port 20 only) where minet says "(EPRT) (LIST)".  Prints one line of
counts; exit 1 on a disagreement.
"""
import json
import subprocess
import sys


def key_of(frame):
    """(src, sport, dst, dport, seq) of an Ethernet + IPv4 + TCP frame."""
    ihl = (frame[14] & 15) * 4
    ip = frame[14:]
    tcp = ip[ihl:]
    return (".".join(str(b) for b in ip[12:16]), int.from_bytes(tcp[0:2], "big"),
            ".".join(str(b) for b in ip[16:20]), int.from_bytes(tcp[2:4], "big"),
            int.from_bytes(tcp[4:8], "big"))


def main():
    minet, scenario, tmp = sys.argv[1:4]
    with open(scenario) as f:
        nodes = json.load(f)["nodes"]
    servers = [n["id"] for n in nodes if n.get("role") == "ftp"]
    if not servers:
        print(f"FAIL {scenario}: no node with role ftp")
        return 1
    trace, pcap = f"{tmp}/ftpdata.jsonl", f"{tmp}/ftpdata.pcapng"
    subprocess.run([minet, "run", scenario, "--trace", trace, "--pcap", pcap, "--capture",
                    ",".join(servers)], check=True, stdout=subprocess.DEVNULL)
    minet_says = {}
    with open(trace) as f:
        for line in f:
            r = json.loads(line)
            if r.get("kind") != "hop" or r.get("proto") in ("DNS", "ICMP", "UDP", "ARP"):
                continue
            frame = bytes.fromhex(r["bytes"])
            if len(frame) < 34 or frame[23] != 6:
                continue
            summary = r["summary"]
            at = summary.find(" " + r["proto"] + " ")
            minet_says[key_of(frame)] = (r["proto"], summary[at + len(r["proto"]) + 2:])
    out = subprocess.run(["tshark", "-r", pcap, "-Y", "tcp.len > 0", "-T", "fields", "-E",
                          "separator=\t", "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst",
                          "-e", "tcp.dstport", "-e", "tcp.seq_raw", "-e", "_ws.col.Protocol",
                          "-e", "_ws.col.Info", "-e", "ftp-data.setup-method"],
                         capture_output=True, text=True, check=True).stdout
    same = eprt = 0
    methods = {}
    bad = []
    for row in out.splitlines():
        src, sport, dst, dport, seq, proto, info, method = (row.split("\t") + [""] * 8)[:8]
        if info.startswith("[TCP"):
            continue  # a copy sent again: Wireshark shows its TCP analysis instead
        mine = minet_says.get((src, int(sport), dst, int(dport), int(seq)))
        if mine is None:
            bad.append(f"tshark's {src}:{sport} -> {dst}:{dport} seq {seq} is not in the trace")
            continue
        if proto != "FTP-DATA" and mine[0] != "FTP-DATA":
            continue
        if mine == (proto, info):
            same += 1
            methods[method or "port 20"] = methods.get(method or "port 20", 0) + 1
        elif (proto == "FTP-DATA" and mine[0] == proto and not method and
              " (EPRT)" in mine[1] and mine[1].startswith(info + " (EPRT)")):
            eprt += 1
        else:
            bad.append(f"{src}:{sport} -> {dst}:{dport}: tshark {proto} {info!r}, "
                       f"minet {mine[0]} {mine[1]!r}")
    for b in bad[:8]:
        print(f"FAIL {scenario}: {b}")
    if bad:
        return 1
    by = ", ".join(f"{k} {v}" for k, v in sorted(methods.items()))
    print(f"{scenario}: {same} FTP-DATA segments as tshark labels them ({by or 'none'})"
          f"{f', {eprt} set up by EPRT that tshark leaves unlinked' if eprt else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
