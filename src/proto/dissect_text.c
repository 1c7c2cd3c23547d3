#include "proto/dissect_text.h"

#include <stdio.h>
#include <string.h>

#include "net/ipv4.h"

/* A tree shows at most this many lines of one segment; a DATA body or a
 * directory listing would otherwise fill the inspector. */
#define TREE_LINES 64

/* The line that starts at *at in p's bytes: its length without the line
 * end; *at moves past the end (CRLF, or a bare LF as servers accept). */
static size_t next_line(const DissectPayload *p, size_t *at, const uint8_t **line)
{
    const uint8_t *b = p->frame + p->off;
    size_t i = *at, end = i;
    *line = b + i;
    while (end < p->len && b[end] != '\n')
        end++;
    *at = end < p->len ? end + 1 : end;
    if (end > i && b[end - 1] == '\r' && end < p->len)
        end--;
    return end - i;
}

static void put_escaped(Buf *out, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= 0x20 && s[i] < 0x7F)
            buf_putc(out, (char)s[i]);
        else
            buf_printf(out, "\\%03o", s[i]);
    }
}

static void first_line(const DissectPayload *p, Buf *out)
{
    size_t at = 0;
    const uint8_t *line;
    size_t n = next_line(p, &at, &line);
    put_escaped(out, line, n);
}

void dissect_text_smtp(const DissectPayload *p, Buf *out)
{
    buf_puts(out, p->to_server ? "C: " : "S: ");
    if (p->to_server) {
        first_line(p, out);
        return;
    }
    /* A multiline reply is one Info: "250-mail | PIPELINING | AUTH PLAIN",
     * the code shown once. */
    size_t at = 0;
    for (int k = 0; at < p->len; k++) {
        const uint8_t *line;
        size_t n = next_line(p, &at, &line);
        if (k > 0) {
            buf_puts(out, " | ");
            if (n >= 4 && line[0] >= '0' && line[0] <= '9' && (line[3] == '-' || line[3] == ' ')) {
                line += 4;
                n -= 4;
            }
        }
        put_escaped(out, line, n);
    }
}

void dissect_text_pop(const DissectPayload *p, Buf *out)
{
    buf_puts(out, p->to_server ? "C: " : "S: ");
    first_line(p, out);
}

void dissect_text_reqresp(const DissectPayload *p, Buf *out)
{
    buf_puts(out, p->to_server ? "Request: " : "Response: ");
    first_line(p, out);
}

void dissect_text_imap(const DissectPayload *p, Buf *out)
{
    /* Wireshark's IMAP Info names the segment's last line: for a response,
     * the tagged OK/NO/BAD after the untagged data. */
    buf_puts(out, p->to_server ? "Request: " : "Response: ");
    size_t at = 0, last_n = 0;
    const uint8_t *last = NULL;
    while (at < p->len) {
        const uint8_t *line;
        size_t n = next_line(p, &at, &line);
        if (n || !last) {
            last = line;
            last_n = n;
        }
    }
    if (last)
        put_escaped(out, last, last_n);
}

void dissect_text_http(const DissectPayload *p, Buf *out)
{
    first_line(p, out);
    buf_putc(out, ' ');
}

/* The payload's lines at depth, at most TREE_LINES, each as sent with its
 * end shown as Wireshark shows it. */
static void lines_tree(const DissectPayload *p, DissectTree *t, int depth)
{
    size_t at = 0;
    Buf b;
    buf_init(&b);
    int k = 0;
    for (; at < p->len && k < TREE_LINES; k++) {
        size_t start = at;
        const uint8_t *line;
        size_t n = next_line(p, &at, &line);
        buf_clear(&b);
        put_escaped(&b, line, n);
        if (at - start > n + 1)
            buf_puts(&b, "\\r\\n");
        else if (at - start > n)
            buf_puts(&b, "\\n");
        dissect_add(t, depth, p->off + start, at - start, "%s", b.data ? b.data : "");
    }
    if (at < p->len)
        dissect_add(t, depth, p->off + at, p->len - at, "[%zu more bytes]", p->len - at);
    buf_fini(&b);
}

void dissect_text_tree(const DissectPayload *p, DissectTree *t)
{
    const DissectApp *app = dissect_app_find(IP_PROTO_TCP, p->to_server ? p->dport : p->sport);
    dissect_add(t, 0, p->off, p->len, "%s", app ? app->words : "Data");
    lines_tree(p, t, 1);
}

void dissect_text_lines(const DissectPayload *p, DissectTree *t)
{
    const uint8_t *b = p->frame + p->off;
    size_t check = p->len < 20 ? p->len : 20, lines = 0;
    for (size_t i = 0; i < check; i++)
        if (b[i] != '\r' && b[i] != '\n' && (b[i] < 0x20 || b[i] >= 0x7F))
            return;
    for (size_t i = 0; i < p->len; i++)
        lines += b[i] == '\n';
    if (p->len && b[p->len - 1] != '\n')
        lines++;
    dissect_add(t, 0, p->off, p->len, "Line-based text data (%zu line%s)", lines,
                lines == 1 ? "" : "s");
    lines_tree(p, t, 1);
}

void dissect_text_label(const DissectPayload *p, char *label, size_t size, bool *response)
{
    *response = !p->to_server;
    Buf b;
    buf_init(&b);
    first_line(p, &b);
    snprintf(label, size, "%s", b.data ? b.data : "");
    buf_fini(&b);
}
