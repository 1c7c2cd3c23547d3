/* echo — bash 5.2's builtin echo: its words one blank apart, then a
 * newline.  Leading words made only of -n, -e and -E letters are options
 * (-n: no newline; -e: read backslash escapes; -E: do not, the default,
 * as bash without xpg_echo).  With -e: \a \b \c (print nothing more) \e
 * \E \f \n \r \t \v \\, \0NNN (octal), \xHH, \uHHHH and \UHHHHHHHH (as
 * UTF-8); any other backslash stays. */
#include <stdint.h>
#include <string.h>

#include "apps/apps.h"
#include "core/util.h"

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Appends s to out with its escapes read; false after \c. */
static bool put_escaped(const char *s, Buf *out)
{
    static const char from[] = "abeEfnrtv\\", to[] = "\a\b\033\033\f\n\r\t\v\\";
    while (*s) {
        if (*s != '\\' || !s[1]) {
            buf_putc(out, *s++);
            continue;
        }
        char e = s[1];
        const char *k = strchr(from, e);
        if (e && k) {
            buf_putc(out, to[k - from]);
            s += 2;
        } else if (e == 'c') {
            return false;
        } else if (e == '0') { /* \0NNN: up to three octal digits */
            unsigned v = 0;
            s += 2;
            for (int n = 0; n < 3 && *s >= '0' && *s <= '7'; n++)
                v = v * 8 + (unsigned)(*s++ - '0');
            buf_putc(out, (char)v);
        } else if ((e == 'x' || e == 'u' || e == 'U') && hex_value(s[2]) >= 0) {
            int max = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            uint32_t v = 0;
            s += 2;
            for (int n = 0; n < max && hex_value(*s) >= 0; n++)
                v = v * 16 + (uint32_t)hex_value(*s++);
            if (e == 'x')
                buf_putc(out, (char)v);
            else
                utf8_put(out, v);
        } else { /* not an escape: the backslash stays */
            buf_putc(out, *s++);
        }
    }
    return true;
}

void echo_main(Proc *p, int argc, char **argv)
{
    bool newline = true, escapes = false;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1] || a[1 + strspn(a + 1, "neE")] != '\0')
            break;
        for (const char *f = a + 1; *f; f++) {
            if (*f == 'n')
                newline = false;
            else
                escapes = *f == 'e';
        }
    }
    Buf out;
    buf_init(&out);
    bool more = true;
    for (int k = i; k < argc && more; k++) {
        if (k > i)
            buf_putc(&out, ' ');
        if (escapes)
            more = put_escaped(argv[k], &out);
        else
            buf_puts(&out, argv[k]);
    }
    if (newline && more)
        buf_putc(&out, '\n');
    proc_write(p, CON_STDOUT, out.data ? out.data : "", out.len);
    buf_fini(&out);
    proc_exit(p, 0);
}
