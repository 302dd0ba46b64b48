/* The escaping HTML writer (util/html.h). */
#include "util/html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/mem.h"

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
        vg_buf_put_html(&h->b, value, strlen(value));
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
        vg_buf_put_html(&h->b, s, strlen(s));
}

void vg_html_textn(struct vg_html *h, const char *s, size_t n)
{
    if (s)
        vg_buf_put_html(&h->b, s, n);
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
        vg_buf_put_html(&h->b, small, (size_t)n);
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
    vg_buf_put_html(&h->b, big, (size_t)n);
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
