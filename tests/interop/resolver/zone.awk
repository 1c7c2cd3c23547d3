# Turns what `nsd-checkzone -p ZONE FILE` prints into one line per record,
# every owner name absolute: OWNER TTL CLASS TYPE RDATA...
# (NSD prints $ORIGIN lines, relative owners, a blank owner for "the same
# as above", and an SOA across two lines in parentheses.)
/^;/ { next }
/^\$ORIGIN[ \t]/ { origin = $2; next }
{
    line = $0
    if (pending != "") {
        line = pending " " line
        pending = ""
    }
    if (index(line, "(") && !index(line, ")")) {
        pending = line
        next
    }
    gsub(/[()]/, " ", line)
    blank = (line ~ /^[ \t]/)
    n = split(line, f, " ")
    if (n == 0)
        next
    if (blank)
        start = 1
    else {
        owner = f[1]
        if (owner == "@")
            owner = origin
        else if (owner !~ /\.$/)
            owner = owner (origin == "." ? "." : "." origin)
        start = 2
    }
    out = owner
    for (i = start; i <= n; i++)
        out = out " " f[i]
    print out
}
