/* libFuzzer target: the Markdown-to-HTML path of the publications (advisory/markdown.c).
 * Whatever the bytes, vg_md_html's output is checked as a browser would read it: every '<'
 * opens a tag (text has no raw '<'), each tag is one cmark-gfm writes, with only the
 * attributes it writes (no on* handler, no style), no <script>, each href and src either
 * relative or http(s)/mailto, tags nested properly, and only characters XML 1.0 allows. A
 * small buffer gives VG_ETOOBIG, never a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "advisory/render.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/str.h"

static const char *const tags[] = {
    "p",  "h1",         "h2",    "h3",    "h4",    "h5",     "h6",  "ul", "ol",
    "li", "blockquote", "pre",   "code",  "em",    "strong", "del", "a",  "img",
    "br", "hr",         "table", "thead", "tbody", "tr",     "th",  "td",
};
static const char *const attrs[] = {"href", "src", "alt", "title", "align", "class", "start"};

static bool in(const char *const *list, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == len && strncmp(list[i], s, len) == 0)
            return true;
    return false;
}

/* An attribute value (escaped as written) that is a URL: relative, or http(s) or mailto. As
 * the URL standard reads it: a scheme is a letter then letters, digits, '+', '-' or '.' up to
 * a ':'; anything else ("%0Fhttp:", ":x", "a b:", an entity's '&') is no scheme, a relative
 * URL. cmark percent-encodes spaces and controls in href and src, and writes only & and ' as
 * entities, so the value holds no character a browser would strip before the scheme. */
static bool url_ok(const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (c == ':')
            return i == 0 || (i == 4 && strncasecmp(v, "http", 4) == 0) ||
                   (i == 5 && strncasecmp(v, "https", 5) == 0) ||
                   (i == 6 && strncasecmp(v, "mailto", 6) == 0);
        if (c <= 0x20)
            return false; /* cmark would have percent-encoded it */
        if (!alpha && (i == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')))
            return true;
    }
    return true;
}

static void check(const char *h, size_t n)
{
    const char *stack[4096];
    size_t lens[4096], depth = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)h[i];
        if (c == '>')
            abort(); /* text writes &gt; */
        if (c != '<') {
            size_t len = c < 0x80 ? 1 : vg_utf8_len((const unsigned char *)h + i, n - i);
            if (!len || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
                abort();
            i += len;
            continue;
        }
        const char *end = memchr(h + i, '>', n - i);
        if (!end)
            abort();
        const char *p = h + i + 1;
        bool closing = *p == '/';
        if (closing)
            p++;
        size_t nl = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789");
        if (!in(tags, sizeof tags / sizeof tags[0], p, nl))
            abort();
        const char *name = p;
        p += nl;
        bool self = end > p && end[-1] == '/';
        while (!closing && p < end) {
            p += strspn(p, " ");
            if (*p == '/' || p >= end)
                break;
            size_t al = strspn(p, "abcdefghijklmnopqrstuvwxyz-");
            if (!in(attrs, sizeof attrs / sizeof attrs[0], p, al) || p[al] != '=' ||
                p[al + 1] != '"')
                abort();
            const char *v = p + al + 2;
            const char *q = memchr(v, '"', (size_t)(end - v));
            if (!q)
                abort();
            if ((al == 4 && strncmp(p, "href", 4) == 0) || (al == 3 && strncmp(p, "src", 3) == 0))
                if (!url_ok(v, (size_t)(q - v)))
                    abort();
            p = q + 1;
        }
        bool is_void = (nl == 2 && (strncmp(name, "br", 2) == 0 || strncmp(name, "hr", 2) == 0)) ||
                       (nl == 3 && strncmp(name, "img", 3) == 0);
        if (is_void != self && !closing)
            abort();
        if (closing) {
            if (!depth || lens[depth - 1] != nl || strncmp(stack[depth - 1], name, nl) != 0)
                abort();
            depth--;
        } else if (!self) {
            if (depth == sizeof stack / sizeof stack[0])
                return; /* deeper than we follow: the rest is not checked */
            stack[depth] = name;
            lens[depth++] = nl;
        }
        i = (size_t)(end - h) + 1;
    }
    if (depth)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_BUF);
    int rc = vg_md_html((const char *)data, size, &b);
    if (rc != 0 && !(rc == VG_ETOOBIG && size > VG_MAX_MARKDOWN))
        abort();
    if (rc == 0 && b.data) {
        if (strlen(b.data) != b.len || strcasestr(b.data, "<script"))
            abort();
        check(b.data, b.len);
    }
    vg_buf_cleanup(&b);
    vg_buf_init(&b, 64);
    rc = vg_md_html((const char *)data, size, &b);
    if (rc != 0 && rc != VG_ETOOBIG)
        abort();
    vg_buf_cleanup(&b);
    return 0;
}
