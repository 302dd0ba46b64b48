/* The text writer of the advisory pages and feeds (advisory/render_int.h): escaping, the
 * characters XML 1.0 allows, URL schemes and dates. */
#include "advisory/render_int.h"

#include <string.h>
#include <strings.h>

#include "util/err.h"
#include "util/mem.h"
#include "util/str.h"

/* The length of the character at p if XML 1.0 allows it (Char of its section 2.2, without C1
 * controls and DEL, which it only discourages), 0 for a byte to drop. */
static size_t xml_char(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return (c >= 0x20 && c != 0x7f) || c == '\t' || c == '\n' || c == '\r' ? 1 : 0;
    size_t n = vg_utf8_len(p, avail);
    if (n == 2 && c == 0xc2 && p[1] < 0xa0) /* U+0080-U+009F */
        return 0;
    if (n == 3 && c == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)) /* U+FFFE/F */
        return 0;
    return n;
}

/* escape: & < > " ' as entities; else only ' (see vg_render_clean). */
static void put(struct vg_buf *b, const char *s, size_t n, bool escape)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, start = 0;
    while (i < n) {
        unsigned char c = p[i];
        const char *rep = c == '\'' ? "&#39;" : NULL;
        if (escape) {
            switch (c) {
            case '&': rep = "&amp;"; break;
            case '<': rep = "&lt;"; break;
            case '>': rep = "&gt;"; break;
            case '"': rep = "&quot;"; break;
            case '\'': rep = "&#39;"; break;
            default: break;
            }
        }
        size_t len = rep ? 0 : xml_char(p + i, n - i);
        if (len) {
            i += len;
            continue;
        }
        vg_buf_append(b, s + start, i - start);
        if (rep)
            vg_buf_puts(b, rep);
        i++;
        start = i;
    }
    vg_buf_append(b, s + start, n - start);
}

void vg_render_text(struct vg_buf *b, const char *s, size_t n)
{
    put(b, s, n, true);
}

void vg_render_str(struct vg_buf *b, const char *s)
{
    if (s)
        put(b, s, strlen(s), true);
}

void vg_render_clean(struct vg_buf *b, const char *s, size_t n)
{
    put(b, s, n, false);
}

int vg_render_rc(const struct vg_buf *b, unsigned long failures)
{
    if (!b->failed)
        return 0;
    return vg_mem_thread_failures() != failures ? VG_ENOMEM : VG_ETOOBIG;
}

/* The scheme of url, lower-cased into out (cap bytes): 1 when it has one, 0 when it is
 * relative, -1 when it cannot be read (a control character or a scheme too long). */
static int url_scheme(const char *url, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)url;
    while (*p && *p <= 0x20) /* browsers strip leading C0 controls and spaces */
        p++;
    size_t n = 0;
    for (; *p; p++) {
        unsigned char c = *p;
        if (c == '\t' || c == '\n' || c == '\r') /* and remove tabs and line breaks */
            continue;
        if (c == ':') {
            out[n] = '\0';
            return n ? 1 : 0;
        }
        if (c == '/' || c == '?' || c == '#')
            return 0;
        if (c < 0x20 || c == 0x7f)
            return -1;
        if (n + 1 >= cap)
            return -1;
        out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    return 0;
}

bool vg_render_url_ok(const char *url)
{
    char scheme[16];
    if (!url)
        return false;
    int rc = url_scheme(url, scheme, sizeof scheme);
    if (rc == 0)
        return true;
    return rc > 0 && (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0 ||
                      strcmp(scheme, "mailto") == 0);
}

bool vg_render_url_http(const char *url)
{
    if (!url || (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0))
        return false;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return false;
    return true;
}

bool vg_render_time(const char *s, time_t *t)
{
    return s && vg_time_parse(s, t) == 0;
}
