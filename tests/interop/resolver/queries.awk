# Puts the DNS queries of both sides of tests/run_interop_resolver.sh in one
# form, so that diff can compare them:
#   WHO<TAB>[N] DESTINATION QTYPE QNAME
# WHO is the resolver node that sent the query, or "host" for the queries
# BIND's host (or minet's) sends; N is the compared host command that was
# running, or had last run, when the query left (1 = the first compared
# line); DESTINATION is a simulated address.
#
# minet's side (side=minet): trace.awk's query lines, with
#   -v cmds=FILE     trace.awk's cmds file (start times of the commands)
#   -v resolvers="ID ..."  -v hosts="ID ..."   which nodes are which
# The real side (side=real): tshark's fields
#   TIME SOURCE DESTINATION UDP-PORT TCP-PORT QNAME QTYPE
# with
#   -v starts=FILE   the start time of each host command, one a line
#   -v map=FILE      SIMULATED LOOPBACK pairs (the test's address map)
#   -v resolvers="ID=LOOPBACK ..."
#   -v hints="LOOPBACK ..."   root hint addresses: Unbound's priming queries
#                    (". NS" to one of them, before any other query of that
#                    resolver) are left out, and counted in the file
#                    -v primed=FILE as "ID COUNT" lines

function tname(t) {
    if (t == 1) return "A"
    if (t == 2) return "NS"
    if (t == 5) return "CNAME"
    if (t == 6) return "SOA"
    if (t == 12) return "PTR"
    if (t == 15) return "MX"
    if (t == 16) return "TXT"
    if (t == 28) return "AAAA"
    if (t == 33) return "SRV"
    if (t == 43) return "DS"
    if (t == 48) return "DNSKEY"
    if (t == 255) return "ANY"
    return "TYPE" t
}

function label(time,    i, n) {
    n = 0
    for (i = 1; i <= nstart; i++)
        if (time + 0 >= start[i] + 0)
            n = i
    return "[" n "]"
}

BEGIN {
    FS = "\t"
    nstart = 0
    if (side == "minet") {
        while ((getline line < cmds) > 0) {
            split(line, f, "\t")
            start[++nstart] = f[3]
        }
        n = split(resolvers, r, " ")
        for (i = 1; i <= n; i++)
            who[r[i]] = r[i]
        n = split(hosts, r, " ")
        for (i = 1; i <= n; i++)
            if (!(r[i] in who))
                who[r[i]] = "host"
    } else {
        while ((getline line < starts) > 0)
            start[++nstart] = line
        while ((getline line < map) > 0) {
            split(line, f, " ")
            back[f[2]] = f[1]
        }
        n = split(resolvers, r, " ")
        for (i = 1; i <= n; i++) {
            split(r[i], f, "=")
            who[f[2]] = f[1]
        }
        who["127.0.0.1"] = "host"
        n = split(hints, r, " ")
        for (i = 1; i <= n; i++)
            hint[r[i]] = 1
    }
}

side == "minet" {
    # TIME NODE SOURCE DESTINATION QNAME QTYPE TRANSPORT
    if (!($2 in who))
        next
    print who[$2] "\t" label($1) " " $4 " " tname($6) " " $5 ($7 == "TCP" ? " (TCP)" : "")
    next
}

side == "real" {
    # TIME SOURCE DESTINATION UDP-PORT TCP-PORT QNAME QTYPE
    if ($4 != "53" && $5 != "53")
        next
    w = ($2 in who) ? who[$2] : "other(" $2 ")"
    name = $6
    if (name == "<Root>")
        name = "."
    else if (name !~ /\.$/)
        name = name "."
    if (w != "host" && !(w in started)) {
        if (name == "." && $7 == 2 && ($3 in hint)) {
            priming[w]++
            next
        }
        started[w] = 1
    }
    dst = ($3 in back) ? back[$3] : $3
    print w "\t" label($1) " " dst " " tname($7) " " name ($5 == "53" ? " (TCP)" : "")
}

END {
    if (side == "real" && primed != "") {
        printf "" > primed
        for (w in priming)
            print w, priming[w] > primed
    }
}
