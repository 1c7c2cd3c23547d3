# A small JSON reader for tests/run_interop_resolver.sh, in POSIX awk (mawk
# runs it), so that the test needs no jq or Python.
#
#   awk -f json.awk FILE                 one line per scalar: PATH<TAB>VALUE
#   awk -v mode=edit -v ops=OPS -f json.awk FILE     the document, edited
#
# PATH is the keys and indexes from the top, joined by "/" (indexes from 0):
# nodes/2/id, zones/montana.edu./records/4.  A string VALUE is unescaped
# (\n and \t become the two characters \n and \t, so that a value stays on
# one line); true, false, null and numbers are printed as written.  Empty
# objects and arrays print nothing.
#
# mode=edit prints the document again, compact, with OPS applied: OPS is a
# list of operations separated by newlines, each
#     del PATH            remove that member or element
#     set PATH JSON       replace it, or add it to its object if missing
# Strings are written back exactly as they were read.

function fail(msg) {
    printf "json.awk: %s: %s\n", FILENAME, msg > "/dev/stderr"
    exit 2
}

# ---- tokens ------------------------------------------------------------

function skip_ws() {
    while (pos <= len && index(" \t\r\n", substr(src, pos, 1)))
        pos++
}

function parse_value(path,    c, id, rest) {
    skip_ws()
    if (pos > len)
        fail("unexpected end")
    c = substr(src, pos, 1)
    id = ++nid
    ppath[id] = path
    if (c == "{")
        return parse_object(id, path)
    if (c == "[")
        return parse_array(id, path)
    rest = substr(src, pos)
    if (c == "\"") {
        if (!match(rest, /^"([^"\\]|\\.)*"/))
            fail("bad string at " pos)
        type[id] = "s"
    } else if (match(rest, /^-?[0-9][0-9]*(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) {
        type[id] = "n"
    } else if (match(rest, /^(true|false|null)/)) {
        type[id] = "l"
    } else {
        fail("unexpected character '" c "' at " pos)
    }
    raw[id] = substr(rest, 1, RLENGTH)
    pos += RLENGTH
    return id
}

function parse_object(id, path,    k, kid, n, c) {
    type[id] = "o"
    n = 0
    pos++
    skip_ws()
    if (substr(src, pos, 1) == "}") {
        pos++
        nkids[id] = 0
        return id
    }
    for (;;) {
        skip_ws()
        if (!match(substr(src, pos), /^"([^"\\]|\\.)*"/))
            fail("expected a key at " pos)
        k = unescape(substr(src, pos + 1, RLENGTH - 2))
        pos += RLENGTH
        skip_ws()
        if (substr(src, pos, 1) != ":")
            fail("expected ':' at " pos)
        pos++
        kid = parse_value(path == "" ? k : path "/" k)
        n++
        kids[id, n] = kid
        keys[id, n] = k
        skip_ws()
        c = substr(src, pos, 1)
        pos++
        if (c == "}")
            break
        if (c != ",")
            fail("expected ',' or '}' at " pos - 1)
    }
    nkids[id] = n
    return id
}

function parse_array(id, path,    kid, n, c) {
    type[id] = "a"
    n = 0
    pos++
    skip_ws()
    if (substr(src, pos, 1) == "]") {
        pos++
        nkids[id] = 0
        return id
    }
    for (;;) {
        kid = parse_value(path == "" ? n : path "/" n)
        n++
        kids[id, n] = kid
        skip_ws()
        c = substr(src, pos, 1)
        pos++
        if (c == "]")
            break
        if (c != ",")
            fail("expected ',' or ']' at " pos - 1)
    }
    nkids[id] = n
    return id
}

# \" \\ \/ \b \f \n \r \t and \uXXXX (as UTF-8); \n and \t are kept as the
# two characters, so that a value stays on one line.
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
        if (d == "n" || d == "t" || d == "r")
            out = out "\\" d
        else if (d == "b" || d == "f")
            out = out ""
        else if (d == "u") {
            code = hexval(substr(s, i + 1, 4))
            i += 4
            out = out utf8(code)
        } else
            out = out d
    }
    return out
}

function hexval(h,    i, v) {
    v = 0
    h = tolower(h)
    for (i = 1; i <= length(h); i++)
        v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
    return v
}

function utf8(c) {
    if (c < 128)
        return sprintf("%c", c)
    if (c < 2048)
        return sprintf("%c%c", 192 + int(c / 64), 128 + c % 64)
    return sprintf("%c%c%c", 224 + int(c / 4096), 128 + int(c / 64) % 64, 128 + c % 64)
}

# ---- output -------------------------------------------------------------

function flat(id,    i) {
    if (type[id] == "o" || type[id] == "a") {
        for (i = 1; i <= nkids[id]; i++)
            flat(kids[id, i])
        return
    }
    if (type[id] == "s")
        printf "%s\t%s\n", ppath[id], unescape(substr(raw[id], 2, length(raw[id]) - 2))
    else
        printf "%s\t%s\n", ppath[id], raw[id]
}

function quote(k) {
    gsub(/\\/, "\\\\", k)
    gsub(/"/, "\\\"", k)
    return "\"" k "\""
}

function emit(id,    i, first, out, k, p) {
    if (type[id] != "o" && type[id] != "a")
        return raw[id]
    out = type[id] == "o" ? "{" : "["
    first = 1
    for (i = 1; i <= nkids[id]; i++) {
        k = kids[id, i]
        p = ppath[k]
        if (p in del)
            continue
        out = out (first ? "" : ",")
        first = 0
        if (type[id] == "o")
            out = out quote(keys[id, i]) ":"
        out = out ((p in set) ? set[p] : emit(k))
        seen[p] = 1
    }
    # members to add to this object
    if (type[id] == "o")
        for (p in set)
            if (!(p in seen) && parent_of(p) == ppath[id] && !(p in added)) {
                added[p] = 1
                out = out (first ? "" : ",") quote(last_of(p)) ":" set[p]
                first = 0
            }
    return out (type[id] == "o" ? "}" : "]")
}

function parent_of(p,    i) {
    i = match(p, /\/[^\/]*$/)
    return i ? substr(p, 1, i - 1) : ""
}

function last_of(p,    i) {
    i = match(p, /\/[^\/]*$/)
    return i ? substr(p, i + 1) : p
}

{ src = src $0 "\n" }

END {
    len = length(src)
    pos = 1
    nid = 0
    top = parse_value("")
    skip_ws()
    if (pos <= len)
        fail("text after the document at " pos)
    if (mode == "edit") {
        n = split(ops, op, "\n")
        for (i = 1; i <= n; i++) {
            if (op[i] == "")
                continue
            if (substr(op[i], 1, 4) == "del ")
                del[substr(op[i], 5)] = 1
            else if (substr(op[i], 1, 4) == "set ") {
                rest = substr(op[i], 5)
                sp = index(rest, " ")
                set[substr(rest, 1, sp - 1)] = substr(rest, sp + 1)
            } else
                fail("unknown operation: " op[i])
        }
        print emit(top)
    } else
        flat(top)
}
