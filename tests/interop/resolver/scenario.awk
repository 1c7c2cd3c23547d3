# Reads a scenario, as json.awk flattens it, and decides for
# tests/run_interop_resolver.sh what can be played by real servers.
#
#   awk -f json.awk S.json | awk -v out=DIR -f scenario.awk
#
# Writes into DIR:
#   nodes      ID<TAB>ROLE<TAB>ADDRESSES<TAB>ZONES<TAB>ROOT_HINTS  (dns and
#              resolver nodes; lists separated by spaces, "-" when empty)
#   map        SIMULATED LOOPBACK, one line per address of a dns or resolver
#              node: 198.41.0.4 -> 127.41.0.4 (the first octet becomes 127);
#              where that gives 127.0.0.0, 127.0.0.1, an address already
#              taken, or an address written somewhere in the scenario, the
#              next of 127.255.255.1, .2, ... instead
#   zones      ORIGIN<TAB>file<TAB>PATH, or ORIGIN<TAB>records<TAB>FILE with
#              the inline records written to FILE as a master file
#   lines      one line per script line, in the order minet runs them (by
#              time, then as written):
#              INDEX<TAB>AT_US<TAB>compare<TAB>ON<TAB>RUN<TAB>RESOLVER<TAB>ARGS
#              INDEX<TAB>AT_US<TAB>fault<TAB>-<TAB>RUN<TAB>NODE
#              INDEX<TAB>AT_US<TAB>skip<TAB>ON<TAB>RUN<TAB>WHY
#              (RESOLVER: the loopback address host asks when the line names
#              no server, else "-"; ARGS: host's arguments, server mapped)
#   ops        edits for the copy minet runs (json.awk's del and set)
#   notes      what was left out of the whole scenario, and why
#   unsupported   why the scenario cannot be compared at all (absent if it can)

function usec(s,    num, unit) {
    if (!match(s, /^[0-9]+(\.[0-9]+)?/))
        return -1
    num = substr(s, 1, RLENGTH) + 0
    unit = substr(s, RLENGTH + 1)
    if (unit == "us" || unit == "\302\265s") return num
    if (unit == "ms") return num * 1000
    if (unit == "s") return num * 1000000
    if (unit == "min") return num * 60000000
    if (unit == "h") return num * 3600000000
    return -1
}

function is_ipv4(a,    p, n, i) {
    n = split(a, p, ".")
    if (n != 4)
        return 0
    for (i = 1; i <= 4; i++)
        if (p[i] !~ /^[0-9]+$/ || p[i] + 0 > 255)
            return 0
    return 1
}

# tab-separated files: "-" for an empty field (sh's read would skip it)
function dash(s) { return s == "" ? "-" : s }

# Names that Unbound answers from its own default local zones: the special
# names of RFC 6761 and others, and the reverse zones of private and
# special addresses (AS112).  Returns why, or "".
function local_to_unbound(name,    n, p, o1, o2) {
    name = tolower(name)
    sub(/\.$/, "", name)
    if (is_ipv4(name)) {
        split(name, p, ".")
        o1 = p[1] + 0
        o2 = p[2] + 0
        if (o1 == 0 || o1 == 10 || o1 == 127 || (o1 == 169 && o2 == 254) ||
            (o1 == 172 && o2 >= 16 && o2 <= 31) || (o1 == 192 && o2 == 168) ||
            (o1 == 100 && o2 >= 64 && o2 <= 127) || name == "255.255.255.255" ||
            name ~ /^192\.0\.2\./ || name ~ /^198\.51\.100\./ || name ~ /^203\.0\.113\./)
            return "the reverse zone of a private or special address"
        return ""
    }
    if (name ~ /(^|\.)(test|invalid|localhost|onion|home\.arpa|resolver\.arpa)$/)
        return "a special-use name"
    if (name ~ /in-addr\.arpa$/ || name ~ /ip6\.arpa$/)
        return "" # reverse names written out: not checked here
    return ""
}

function add(list, item) { return list == "" ? item : list " " item }

function unsupported(why) {
    if (!(why in said)) {
        said[why] = 1
        print why > (out "/unsupported")
    }
}

function note(s) { print s > (out "/notes") }

{
    tab = index($0, "\t")
    path = substr($0, 1, tab - 1)
    val = substr($0, tab + 1)
    value[path] = val
    n = split(path, p, "/")
    if (p[1] == "nodes") {
        i = p[2]
        if (i + 1 > nnodes) nnodes = i + 1
        if (n == 3) nf[i, p[3]] = val
        else if (n == 4 && p[3] == "ip") nf[i, "ip"] = add(nf[i, "ip"], val)
        else if (n == 4 && p[3] == "zones") nf[i, "zones"] = add(nf[i, "zones"], val)
        else if (n == 4 && p[3] == "root_hints") nf[i, "root_hints"] = add(nf[i, "root_hints"], val)
    } else if (p[1] == "zones") {
        z = p[2]
        if (!(z in zseen)) {
            zseen[z] = 1
            zorder[++nzones] = z
        }
        if (n == 3 && p[3] == "file")
            zfile[z] = val
        else if (n == 4 && p[3] == "records") {
            k = p[4]
            if (k + 1 > zn[z]) zn[z] = k + 1
            rec[z, k] = val
        } else if (n == 5 && p[3] == "records") {
            k = p[4]
            if (k + 1 > zn[z]) zn[z] = k + 1
            robj[z, k] = 1
            rf[z, k, p[5]] = val
        }
    } else if (p[1] == "links" && n == 3 && p[3] == "loss" && val + 0 > 0) {
        lossy = lossy (lossy == "" ? "" : ", ") "links[" p[2] "] (loss " val ")"
    } else if (p[1] == "script") {
        k = p[2]
        if (k + 1 > nscript) nscript = k + 1
        sf[k, p[3]] = val
    }
    # every address written anywhere: the loopback addresses must not be one
    rest = val
    while (match(rest, /[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/)) {
        written[substr(rest, RSTART, RLENGTH)] = 1
        rest = substr(rest, RSTART + RLENGTH)
    }
}

END {
    printf "" > (out "/notes")
    printf "" > (out "/ops")
    # ---- nodes, addresses ------------------------------------------------
    nres = 0
    for (i = 0; i < nnodes; i++) {
        id = nf[i, "id"]
        role = nf[i, "role"]
        byid[id] = i
        na = split(nf[i, "ip"], ips, " ")
        for (k = 1; k <= na; k++)
            owner[ips[k]] = id
        if (role != "dns" && role != "resolver")
            continue
        printf "%s\t%s\t%s\t%s\t%s\n", id, role, nf[i, "ip"], dash(nf[i, "zones"]),
            dash(nf[i, "root_hints"]) > (out "/nodes")
        for (k = 1; k <= na; k++) {
            a = ips[k]
            split(a, o, ".")
            m = "127." o[2] "." o[3] "." o[4]
            if (m == "127.0.0.0" || m == "127.0.0.1" || (m in taken) || (m in written)) {
                do
                    m = "127.255.255." (++spare)
                while ((m in taken) || (m in written))
            }
            taken[m] = 1
            map[a] = m
            print a, m > (out "/map")
        }
        if (role == "resolver") {
            nres++
            if (nf[i, "mode"] == "recursive")
                unsupported("resolver " id " works in recursive mode, which Unbound's iterator has no counterpart for")
            # Unbound runs with rrset-roundrobin: no
            print "set nodes/" i "/round_robin false" > (out "/ops")
            # Both sides minimise, or neither (MINET_INTEROP_QMIN)
            if (qmin == 1)
                print "set nodes/" i "/qname_minimisation true" > (out "/ops")
            else if (nf[i, "qname_minimisation"] == "true") {
                print "set nodes/" i "/qname_minimisation false" > (out "/ops")
                note("resolver " id ": qname_minimisation set to false (Unbound runs with it off)")
            }
        }
        if (role == "dns" && nf[i, "recursion"] == "true")
            unsupported("dns node " id " has recursion on (a recursive chain), which NSD cannot do")
    }
    if (nres == 0)
        unsupported("no resolver node")
    if (lossy != "")
        unsupported(lossy " loses packets, the loopback the real servers use does not: the retransmissions cannot be compared")

    # ---- zones ------------------------------------------------------------
    for (zi = 1; zi <= nzones; zi++) {
        z = zorder[zi]
        if (z in zfile) {
            printf "%s\tfile\t%s\n", z, zfile[z] > (out "/zones")
            continue
        }
        f = out "/records." zi
        print "$ORIGIN " z > f
        for (k = 0; k < zn[z]; k++) {
            if (!((z, k) in robj)) {
                print rec[z, k] > f
                continue
            }
            if (((z, k, "region") in rf)) {
                # NSD gives everyone the same answer: left out on both sides.
                print "del zones/" z "/records/" k > (out "/ops")
                note("zone " z ": record " rf[z, k, "name"] " " rf[z, k, "type"] " " \
                     rf[z, k, "data"] " (region " rf[z, k, "region"] ") left out, here and in minet's copy: NSD has no answers by region")
                continue
            }
            line = rf[z, k, "name"]
            if ((z, k, "ttl") in rf)
                line = line " " rf[z, k, "ttl"]
            print line " IN " rf[z, k, "type"] " " rf[z, k, "data"] > f
        }
        close(f)
        printf "%s\trecords\t%s\n", z, f > (out "/zones")
    }

    # ---- the script, in the order minet runs it ----------------------------
    for (k = 0; k < nscript; k++) {
        order[k + 1] = k
        at[k] = sprintf("%.0f", usec(sf[k, "at"]))
    }
    for (a = 2; a <= nscript; a++) { # insertion sort: stable
        x = order[a]
        for (b = a - 1; b >= 1 && at[order[b]] + 0 > at[x] + 0; b--)
            order[b + 1] = order[b]
        order[b + 1] = x
    }
    for (j = 1; j <= nscript; j++) {
        k = order[j]
        on = sf[k, "on"]
        run = sf[k, "run"]
        nw = split(run, w, " ")
        if (on == "") {
            # a fault: down/up NODE, or down/up A B (a link)
            if ((w[1] == "down" || w[1] == "up") && nw == 2 && (w[2] in byid) &&
                nf[byid[w[2]], "role"] == "dns") {
                downs += w[1] == "down" ? 1 : -1
                printf "%s\t%s\tfault\t-\t%s\t%s\n", k, at[k], run, w[2] > (out "/lines")
                continue
            }
            unsupported("fault \"" run "\": only down/up of a dns node is played here")
            printf "%s\t%s\tskip\t-\t%s\t%s\n", k, at[k], run, "unsupported fault" > (out "/lines")
            continue
        }
        tool = w[1]
        if (tool != "host" && tool != "dig" && tool != "nslookup") {
            printf "%s\t%s\tskip\t%s\t%s\t%s\n", k, at[k], on, run,
                "not a host, dig or nslookup command" > (out "/lines")
            print "del script/" k > (out "/ops")
            continue
        }
        # The words of the command: options that take a value (BIND 9.18:
        # host's -c -m -N -R -t -W, dig's -b -c -f -k -p -q -t -x -y), the
        # server (host's and nslookup's second name, dig's @SERVER), and
        # the name asked (dig -x ADDRESS asks its reverse name).
        npos = 0
        args = ""
        why = ""
        server = ""
        for (q = 2; q <= nw; q++) {
            word = w[q]
            valued = tool == "host" ? "^-[cmNRtW]$" : tool == "dig" ? "^-[bcfkpqtxy]$" : "^$"
            if (word ~ valued && q < nw) {
                if (word == "-x" && (w2 = local_to_unbound(w[q + 1])) != "")
                    why = "Unbound answers " w[q + 1] " itself (" w2 "), without asking any server"
                if (word == "-x" && !is_ipv4(w[q + 1]))
                    why = "dig -x " w[q + 1] ": only IPv4 reverse names are played here"
                args = args " " word " " w[q + 1]
                q++
                continue
            }
            if (tool == "dig" && substr(word, 1, 1) == "@") {
                server = substr(word, 2)
                if (!is_ipv4(server) || !(server in map))
                    why = "its server " server " is not the address of a dns or resolver node"
                else
                    word = "@" map[server]
                args = args " " word
                continue
            }
            if (substr(word, 1, 1) == "-" || (tool == "dig" && substr(word, 1, 1) == "+")) {
                if (word ~ /^-[a-zA-Z]*6/ || word == "-6")
                    why = "option " word " would use IPv6, and the real servers have 127.0.0.0/8 only"
                if (tool == "dig" && word ~ /^\+(no)?trace$/)
                    why = "dig +trace asks the servers themselves; its timing shows in its output"
                args = args " " word
                continue
            }
            npos++
            if (npos == 1 && (w2 = local_to_unbound(word)) != "")
                why = "Unbound answers " word " itself (" w2 "), without asking any server"
            if (npos == 2 && tool != "dig") {
                server = word
                if (!is_ipv4(word) || !(word in map))
                    why = "its server " word " is not the address of a dns or resolver node"
                else
                    word = map[word]
            }
            args = args " " word
        }
        sub(/^ /, "", args)
        resolver = "-"
        if (server == "") {
            i = (on in byid) ? byid[on] : -1
            d = i >= 0 ? nf[i, "dns"] : ""
            if (d == "" || !(d in map))
                why = "node " on " has no local DNS server that a real server plays"
            else
                resolver = map[d]
        }
        # With two servers down (in the bundled scenarios: every server of
        # a zone), both resolvers retry past host's 10 s, but which server
        # each retry goes to is drawn at random (Unbound's own generator,
        # minet's seeded one), so the query sequences cannot match.
        if (why == "" && downs >= 2)
            why = "every server of the zone may be down: the resolver's retries go to servers drawn at random, by Unbound's generator and by minet's"
        if (why != "") {
            printf "%s\t%s\tskip\t%s\t%s\t%s\n", k, at[k], on, run, why > (out "/lines")
            print "del script/" k > (out "/ops")
            continue
        }
        printf "%s\t%s\tcompare\t%s\t%s\t%s\t%s\n", k, at[k], on, run, resolver, args > (out "/lines")
    }
    printf "" >> (out "/lines")
    printf "" >> (out "/zones")
}
