/* libFuzzer target of the escaping HTML writer (src/util/html.c): any bytes as a text, an
 * attribute value and a link's URL never bring markup of their own. The page written,
 *   <p title="A"><a href="U">T</a></p>
 * is parsed back: exactly the writer's '<', '>' and '"' (the input's are all escaped), every
 * '&' starts one of the writer's entities, the href is "#" or a URL vg_html_url_ok accepts and
 * never "javascript:", and the page is UTF-8 without the controls HTML refuses. The input is
 * cut in three at its first two NUL bytes (missing parts are empty). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/html.h"
#include "util/str.h"

static size_t count(const char *s, size_t n, char c)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == c;
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 3);
    if (!in)
        return 0;
    memcpy(in, data, size);
    in[size] = in[size + 1] = in[size + 2] = '\0';
    const char *attr = in, *url = attr + strlen(attr) + 1;
    if (url > in + size)
        url = in + size + 1;
    const char *text = url + strlen(url) + 1;
    if (text > in + size)
        text = in + size + 2;
    struct vg_html h;
    vg_html_init(&h, 1u << 22);
    vg_html_open(&h, "p", "title", attr, NULL);
    vg_html_elem(&h, "a", text, "href", url, NULL);
    vg_html_close(&h, "p");
    size_t n = 0;
    char *page = vg_html_steal(&h, &n);
    if (!page)
        abort(); /* far under the cap: cannot fail */
    if (count(page, n, '<') != 4 || count(page, n, '>') != 4)
        abort();
    /* title="...", href="...": 4 quotes, or 2 when the title is empty (written bare) */
    size_t quotes = count(page, n, '"');
    if (quotes != (attr[0] ? 2u : 0u) + (url[0] ? 2u : 0u))
        abort();
    static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    for (size_t i = 0; i < n; i++) {
        if (page[i] != '&')
            continue;
        size_t e = 0;
        while (e < 5 && strncmp(page + i, ents[e], strlen(ents[e])) != 0)
            e++;
        if (e == 5)
            abort();
    }
    for (size_t i = 0; i < n;) {
        size_t k = vg_utf8_len((const unsigned char *)page + i, n - i);
        unsigned char c = (unsigned char)page[i];
        if (!k || (c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r') || c == 0x7f)
            abort();
        i += k;
    }
    const char *href = strstr(page, "<a href=\"");
    if (url[0]) {
        if (!href)
            abort();
        href += 9;
        if (!strncasecmp(href, "javascript:", 11) || !strncasecmp(href, "data:", 5) ||
            (strncmp(href, "#\"", 2) != 0 && !vg_html_url_ok(url)))
            abort();
    }
    free(page);
    free(in);
    return 0;
}
