# The options students try, for tests/run_interop_resolver.sh with
# MINET_INTEROP_TOOLS=1: a new script for a scenario, made of the names its
# own script looks up, each asked with host's, dig's and nslookup's options.
#
#   awk -f json.awk S.json | awk -f battery.awk
#
# Prints the script as one JSON array (for json.awk's "set script ..."), or
# nothing when the scenario has no host line to take names from, or has a
# fault (a server that goes down makes the timing Unbound's own).  Lines
# are 1 s apart, on the node of the scenario's first host line; each name
# is asked first with plain host, so that the later questions find the
# delegations in the resolver's cache, as a student's would.

function is_ipv4(a,    p, n, i) {
    n = split(a, p, ".")
    if (n != 4)
        return 0
    for (i = 1; i <= 4; i++)
        if (p[i] !~ /^[0-9]+$/ || p[i] + 0 > 255)
            return 0
    return 1
}

function line(cmd) {
    out = out (nl++ ? ", " : "") sprintf("{\"at\": \"%ds\", \"on\": \"%s\", \"run\": \"%s\"}", nl - 1, node, cmd)
}

{
    tab = index($0, "\t")
    path = substr($0, 1, tab - 1)
    val = substr($0, tab + 1)
    n = split(path, p, "/")
    if (p[1] == "script" && n == 3)
        sf[p[2], p[3]] = val
    if (p[1] == "script" && p[2] + 1 > nscript)
        nscript = p[2] + 1
}

END {
    for (k = 0; k < nscript; k++) {
        if (sf[k, "on"] == "") {
            fault = 1
            continue
        }
        nw = split(sf[k, "run"], w, " ")
        if (w[1] != "host")
            continue
        # the name: host's first word that is not an option or its value
        name = ""
        npos = 0
        for (q = 2; q <= nw; q++) {
            if (w[q] ~ /^-[cmNRtW]$/) {
                q++
                continue
            }
            if (substr(w[q], 1, 1) == "-")
                continue
            if (++npos == 1)
                name = w[q]
        }
        if (npos != 1 || name == "" || (name in seen))
            continue
        if (node == "")
            node = sf[k, "on"]
        seen[name] = 1
        names[++nnames] = name
    }
    if (fault || nnames == 0)
        exit 0
    out = ""
    nl = 0
    for (i = 1; i <= nnames; i++) {
        x = names[i]
        if (is_ipv4(x)) {
            line("host " x)
            line("dig -x " x)
            line("dig +short -x " x)
            line("nslookup " x)
            line("host -v " x)
            continue
        }
        line("host " x)
        line("host -a " x)
        line("host -v " x)
        # BIND's host -t ANY and dig NAME ANY ask over TCP; host -a over UDP
        line("host -t ANY " x)
        line("host -t AAAA " x)
        line("host -t NS " x)
        line("dig " x)
        line("dig +short " x)
        line("dig +noall +answer " x)
        line("dig " x " ANY")
        line("dig -t MX " x)
        line("dig +nocomments +nostats +nocmd " x " AAAA")
        line("dig +noquestion +noadditional +noauthority " x " NS")
        line("nslookup " x)
        line("nslookup -type=MX " x)
        line("nslookup -query=AAAA " x)
        line("nslookup -type=SOA " x)
        line("nslookup -type=NS " x)
    }
    print "[" out "]"
}
