# TTLs that count down in a cache, for tests/run_interop_resolver.sh: a
# record's TTL as dig or host -v prints it depends on how long it has been
# cached, and the real servers answer in milliseconds of wall-clock time
# what minet's script spreads over seconds of simulated time.  Where two
# outputs differ only in TTLs, and each by at most TOL seconds (the time
# elapsed on either side, plus one for rounding), this prints the real
# output with minet's TTLs in those places, so that the comparison passes;
# otherwise it prints the real output unchanged.
#
#   awk -v tol=SECONDS -v minet=FILE -f ttl.awk REAL
# Prints, on standard error, "ttl N" when N TTLs were taken from minet's.

function is_rr(f, n) { return n >= 4 && substr(f[1], 1, 1) != ";" && f[2] ~ /^[0-9]+$/ }

# the line without its TTL (the number after the owner name)
function strip_ttl(s,    pre, rest) {
    if (!match(s, /^[^ \t]+[ \t]+/))
        return s
    pre = substr(s, 1, RLENGTH)
    rest = substr(s, RLENGTH + 1)
    sub(/^[0-9]+/, "", rest)
    return pre rest
}

{ real[NR] = $0 }

END {
    n = 0
    while ((getline l < minet) > 0)
        m[++n] = l
    if (n != NR) {
        for (i = 1; i <= NR; i++) print real[i]
        exit 0
    }
    changed = 0
    for (i = 1; i <= NR; i++) {
        out[i] = real[i]
        if (real[i] == m[i])
            continue
        nr = split(real[i], a, /[ \t]+/)
        nm = split(m[i], b, /[ \t]+/)
        # the line without its TTL must be the same
        ra = strip_ttl(real[i])
        mb = strip_ttl(m[i])
        d = a[2] - b[2]
        if (d < 0) d = -d
        if (!is_rr(a, nr) || !is_rr(b, nm) || a[1] != b[1] || ra != mb || d > tol) {
            for (k = 1; k <= NR; k++) print real[k]
            exit 0
        }
        out[i] = m[i]
        changed++
    }
    for (i = 1; i <= NR; i++) print out[i]
    if (changed)
        print "ttl " changed > "/dev/stderr"
}
