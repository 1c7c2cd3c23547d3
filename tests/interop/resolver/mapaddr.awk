# Replaces each IPv4 address that a map file lists, as a whole word, by its
# counterpart: the simulated addresses of minet's servers by the loopback
# addresses their real counterparts listen on, or back (rev=1).
#
#   awk -v map=FILE [-v rev=1] -f mapaddr.awk [INPUT...]
#
# FILE holds "SIMULATED LOOPBACK" pairs, one a line.  An address is a whole
# word when no digit or dot touches it on either side, so 10.0.0.53 is not
# found inside 110.0.0.53 or 10.0.0.531.
BEGIN {
    while ((getline line < map) > 0) {
        split(line, f, " ")
        if (f[1] == "")
            continue
        if (rev)
            to[f[2]] = f[1]
        else
            to[f[1]] = f[2]
    }
    close(map)
}
{
    out = ""
    rest = $0
    while (match(rest, /[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/)) {
        before = substr(rest, 1, RSTART - 1)
        addr = substr(rest, RSTART, RLENGTH)
        after = substr(rest, RSTART + RLENGTH)
        prev = substr(before, length(before), 1)
        next1 = substr(after, 1, 1)
        whole = (prev == "" || index("0123456789.", prev) == 0) && \
                (next1 == "" || index("0123456789.", next1) == 0)
        if (whole && (addr in to))
            addr = to[addr]
        out = out before addr
        rest = after
    }
    print out rest
}
