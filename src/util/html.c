/* The escaping HTML writer (util/html.h). */
#include "util/html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/mem.h"
#include "util/str.h"

void vg_html_init(struct vg_html *h, size_t max)
{
    vg_buf_init(&h->b, max);
}

void vg_html_cleanup(struct vg_html *h)
{
    vg_buf_cleanup(&h->b);
}

bool vg_html_ok(const struct vg_html *h)
{
    return !h->b.failed;
}

/* A tag or attribute name of the code's: [a-z0-9-]+, the first a letter. */
static bool name_ok(const char *s)
{
    if (!s || !(*s >= 'a' && *s <= 'z'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}

static bool is_url_attr(const char *name)
{
    return !strcmp(name, "href") || !strcmp(name, "src") || !strcmp(name, "action") ||
           !strcmp(name, "formaction");
}

bool vg_html_url_ok(const char *url)
{
    if (!url)
        return false;
    if (url[0] == '/')
        return url[1] != '/' && url[1] != '\\'; /* "//host" leaves the site */
    if (url[0] == '?' || url[0] == '#' || url[0] == '\0')
        return true;
    return !strncasecmp(url, "https://", 8) || !strncasecmp(url, "http://", 7) ||
           !strncasecmp(url, "mailto:", 7);
}

static void fail(struct vg_html *h)
{
    h->b.failed = true;
}

/* Whether the code point of the UTF-8 sequence p[0..k) is one HTML calls a parse error in a
 * page: a control other than tab, LF, FF and CR (C0, DEL, C1) or a noncharacter. */
static bool html_bad_char(const unsigned char *p, size_t k)
{
    unsigned long v = k == 1   ? p[0]
                      : k == 2 ? (p[0] & 0x1fUL)
                      : k == 3 ? (p[0] & 0x0fUL)
                               : (p[0] & 0x07UL);
    for (size_t i = 1; i < k; i++)
        v = (v << 6) | (p[i] & 0x3fUL);
    if (v < 0x20)
        return v != '\t' && v != '\n' && v != '\f' && v != '\r';
    return (v >= 0x7f && v <= 0x9f) || (v >= 0xfdd0 && v <= 0xfdef) || (v & 0xfffe) == 0xfffe;
}

/* Appends s[0..n) escaped (& < > " '): text and attribute values alike. A byte that does not
 * start a UTF-8 sequence, and a character that is a parse error of HTML (a control, a
 * noncharacter), is written as U+FFFD: outside data (a JSON string may hold "\u0001") can never
 * make a page invalid. */
static void put_escaped(struct vg_html *h, const char *s, size_t n)
{
    static const char repl[] = "\xef\xbf\xbd";
    const unsigned char *u = (const unsigned char *)s;
    size_t start = 0, i = 0;
    while (i < n) {
        unsigned char c = u[i];
        if (c >= 0x20 && c < 0x7f && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'') {
            i++;
            continue;
        }
        size_t k = vg_utf8_len(u + i, n - i);
        if (k && !html_bad_char(u + i, k) && (c >= 0x80 || c < 0x20)) {
            i += k; /* tab, LF, FF, CR or a character beyond ASCII: kept */
            continue;
        }
        vg_buf_append(&h->b, s + start, i - start);
        if (k == 1 && c == '&')
            vg_buf_puts(&h->b, "&amp;");
        else if (k == 1 && c == '<')
            vg_buf_puts(&h->b, "&lt;");
        else if (k == 1 && c == '>')
            vg_buf_puts(&h->b, "&gt;");
        else if (k == 1 && c == '"')
            vg_buf_puts(&h->b, "&quot;");
        else if (k == 1 && c == '\'')
            vg_buf_puts(&h->b, "&#39;");
        else
            vg_buf_append(&h->b, repl, sizeof repl - 1);
        i += k ? k : 1;
        start = i;
    }
    vg_buf_append(&h->b, s + start, n - start);
}

static void put_attrs(struct vg_html *h, va_list ap)
{
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        if (!name_ok(name)) {
            fail(h);
            return;
        }
        if (!value)
            continue;
        vg_buf_putc(&h->b, ' ');
        vg_buf_puts(&h->b, name);
        if (!*value)
            continue;
        if (is_url_attr(name) && !vg_html_url_ok(value))
            value = "#";
        vg_buf_puts(&h->b, "=\"");
        put_escaped(h, value, strlen(value));
        vg_buf_putc(&h->b, '"');
    }
}

static void open_tag(struct vg_html *h, const char *tag, va_list ap)
{
    if (!name_ok(tag)) {
        fail(h);
        return;
    }
    vg_buf_putc(&h->b, '<');
    vg_buf_puts(&h->b, tag);
    put_attrs(h, ap);
    vg_buf_putc(&h->b, '>');
}

void vg_html_open(struct vg_html *h, const char *tag, ...)
{
    va_list ap;
    va_start(ap, tag);
    open_tag(h, tag, ap);
    va_end(ap);
}

void vg_html_void(struct vg_html *h, const char *tag, ...)
{
    va_list ap;
    va_start(ap, tag);
    open_tag(h, tag, ap);
    va_end(ap);
}

void vg_html_close(struct vg_html *h, const char *tag)
{
    if (!name_ok(tag)) {
        fail(h);
        return;
    }
    vg_buf_puts(&h->b, "</");
    vg_buf_puts(&h->b, tag);
    vg_buf_putc(&h->b, '>');
}

void vg_html_elem(struct vg_html *h, const char *tag, const char *text, ...)
{
    va_list ap;
    va_start(ap, text);
    open_tag(h, tag, ap);
    va_end(ap);
    vg_html_text(h, text);
    vg_html_close(h, tag);
}

void vg_html_text(struct vg_html *h, const char *s)
{
    if (s)
        put_escaped(h, s, strlen(s));
}

void vg_html_textn(struct vg_html *h, const char *s, size_t n)
{
    if (s)
        put_escaped(h, s, n);
}

void vg_html_textf(struct vg_html *h, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        fail(h);
        return;
    }
    if ((size_t)n < sizeof small) {
        put_escaped(h, small, (size_t)n);
        return;
    }
    char *big = vg_malloc((size_t)n + 1);
    if (!big) {
        fail(h);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    put_escaped(h, big, (size_t)n);
    free(big);
}

void vg_html_trusted(struct vg_html *h, const char *markup, size_t n)
{
    vg_buf_append(&h->b, markup, n);
}

int vg_url_encode(struct vg_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            vg_buf_putc(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            vg_buf_append(b, e, 3);
        }
    }
    return b->failed ? -1 : 0;
}

char *vg_html_steal(struct vg_html *h, size_t *len)
{
    if (h->b.failed) {
        vg_buf_cleanup(&h->b);
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = h->b.len;
    if (!h->b.data)
        return vg_strdup("");
    return vg_buf_steal(&h->b);
}
