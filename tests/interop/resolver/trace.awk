# Reads minet's JSON Lines trace (docs/trace-format.md) for
# tests/run_interop_resolver.sh.
#
#   awk -v dir=DIR -f trace.awk TRACE.jsonl > QUERIES
#
# Writes, for the Nth command of the console: DIR/N.stdout and DIR/N.stderr
# (what it printed on each stream, in order), DIR/N.status (its exit
# status), and a line "N<TAB>NODE<TAB>START<TAB>END<TAB>COMMAND" in DIR/cmds.
# Prints one line per DNS query that a node sends (the first hop of each
# packet whose UDP or TCP destination port is 53 and whose QR bit is clear):
#   TIME<TAB>NODE<TAB>SOURCE<TAB>DESTINATION<TAB>QNAME<TAB>QTYPE<TAB>UDP|TCP
# decoded from the frame's bytes, not from the summary: Ethernet II, IPv4,
# UDP (or TCP and the message's 2-byte length), then the DNS header and its
# first question.  QTYPE is a number.

function field(name,    re) {
    re = "\"" name "\":(\"([^\"\\\\]|\\\\.)*\"|-?[0-9]+)"
    if (!match($0, re))
        return ""
    v = substr($0, RSTART + length(name) + 3, RLENGTH - length(name) - 3)
    if (substr(v, 1, 1) == "\"")
        v = unescape(substr(v, 2, length(v) - 2))
    return v
}

function unescape(s,    out, i, c, d, code) {
    if (index(s, "\\") == 0)
        return s
    out = ""
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c != "\\") {
            out = out c
            continue
        }
        i++
        d = substr(s, i, 1)
        if (d == "n") out = out "\n"
        else if (d == "t") out = out "\t"
        else if (d == "r") out = out "\r"
        else if (d == "b") out = out "\b"
        else if (d == "f") out = out "\f"
        else if (d == "u") {
            code = byte(substr(s, i + 1, 2)) * 256 + byte(substr(s, i + 3, 2))
            i += 4
            if (code < 128) out = out sprintf("%c", code)
            else if (code < 2048) out = out sprintf("%c%c", 192 + int(code / 64), 128 + code % 64)
            else out = out sprintf("%c%c%c", 224 + int(code / 4096), 128 + int(code / 64) % 64, 128 + code % 64)
        } else out = out d
    }
    return out
}

function byte(h) { return hex[tolower(h)] }

# Byte number i (from 0) of the frame.
function b(i) { return hex[substr(bytes, 2 * i + 1, 2)] }

BEGIN {
    digits = "0123456789abcdef"
    for (i = 0; i < 16; i++)
        for (j = 0; j < 16; j++)
            hex[substr(digits, i + 1, 1) substr(digits, j + 1, 1)] = i * 16 + j
    ncmd = 0
}

/"kind":"console"/ {
    cmd = field("cmd") + 0
    stream = field("stream")
    if (stream == "command") {
        node[cmd] = field("node")
        start[cmd] = field("t")
        text[cmd] = field("text")
        printf "" > (dir "/" cmd ".stdout")
        printf "" > (dir "/" cmd ".stderr")
        if (cmd > ncmd)
            ncmd = cmd
    } else if (stream == "stdout" || stream == "stderr") {
        printf "%s", field("text") >> (dir "/" cmd "." stream)
    } else if (stream == "exit") {
        end[cmd] = field("t")
        print field("status") > (dir "/" cmd ".status")
        close(dir "/" cmd ".status")
    }
    next
}

/"kind":"hop"/ {
    pkt = field("pkt")
    if (pkt in seen)
        next
    seen[pkt] = 1
    bytes = field("bytes")
    if (b(12) != 8 || b(13) != 0 || (b(23) != 17 && b(23) != 6))
        next # not IPv4, or neither UDP nor TCP
    ip = 14
    l4 = ip + (b(ip) % 16) * 4
    if (b(l4 + 2) * 256 + b(l4 + 3) != 53)
        next
    tcp = b(23) == 6
    if (tcp) {
        # DNS over TCP: after the TCP header, the message's 2-byte length
        # (a segment without data is not a query)
        dns = l4 + int(b(l4 + 12) / 16) * 4 + 2
        if (dns + 12 > length(bytes) / 2)
            next
    } else
        dns = l4 + 8
    if (b(dns + 2) >= 128 || b(dns + 4) * 256 + b(dns + 5) < 1)
        next # a response, or no question
    src = b(ip + 12) "." b(ip + 13) "." b(ip + 14) "." b(ip + 15)
    dst = b(ip + 16) "." b(ip + 17) "." b(ip + 18) "." b(ip + 19)
    p = dns + 12
    name = ""
    while ((l = b(p)) > 0 && l < 64) {
        label = ""
        for (k = 1; k <= l; k++)
            label = label sprintf("%c", b(p + k))
        name = name label "."
        p += l + 1
    }
    if (name == "")
        name = "."
    qtype = b(p + 1) * 256 + b(p + 2)
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", field("t"), field("node"), src, dst, name, qtype,
        (tcp ? "TCP" : "UDP")
    next
}

END {
    for (c = 1; c <= ncmd; c++)
        printf "%s\t%s\t%s\t%s\t%s\n", c, node[c], start[c], end[c], text[c] > (dir "/cmds")
}
