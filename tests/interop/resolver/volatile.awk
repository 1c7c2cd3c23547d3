# What must differ between a real run and minet's, masked for
# tests/run_interop_resolver.sh: dig's query id, Query time, WHEN, MSG SIZE
# and COOKIE line, the round-trip time in host -v's "Received" line and in
# dig +short +identify's "from server ADDRESS in N ms.".
# Everything else is kept, byte for byte.
#
#   awk -f volatile.awk OUTPUT
/^;; ->>HEADER<<- / { sub(/, id: [0-9]+$/, ", id: ID") }
/^;; Query time: [0-9]+ msec$/ { $0 = ";; Query time: T msec" }
/^;; WHEN: / { $0 = ";; WHEN: DATE" }
/^;; MSG SIZE  rcvd: [0-9]+$/ { $0 = ";; MSG SIZE  rcvd: N" }
/^; COOKIE: / { next }
/^(;; )?Received [0-9]+ bytes from .* in [0-9]+ ms$/ { sub(/ in [0-9]+ ms$/, " in T ms") }
/ from server [0-9.]+ in [0-9]+ ms\.$/ { sub(/ in [0-9]+ ms\.$/, " in T ms.") }
{ print }
