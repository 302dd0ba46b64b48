/* The strict JSON scanner of share/jscan.h: RFC 8259 values walked in place, without a tree.
 * Strings are checked as jansson checks them (UTF-8, escapes, surrogate pairs, no control
 * characters, no \u0000), so that what the scanner accepts jansson reads the same. */
#include "share/jscan.h"

#include <string.h>

static int fail(struct vg_jscan *s, size_t at, const char *what)
{
    if (!s->err) {
        s->err = what;
        s->err_pos = at;
    }
    return -1;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_ws(struct vg_jscan *s)
{
    while (s->pos < s->len && is_ws(s->p[s->pos]))
        s->pos++;
}

void vg_jscan_init(struct vg_jscan *s, const char *p, size_t len)
{
    memset(s, 0, sizeof *s);
    s->p = p;
    s->len = len;
    s->max_depth = VG_MAX_JSON_DEPTH;
}

int vg_jscan_peek(struct vg_jscan *s)
{
    skip_ws(s);
    return s->pos < s->len ? (unsigned char)s->p[s->pos] : 0;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = vg_hex_digit(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + (unsigned)h;
    }
    *out = v;
    return 0;
}

/* At the opening quote: checks the string and leaves pos after the closing quote. */
static int scan_string(struct vg_jscan *s, struct vg_str *raw)
{
    const unsigned char *p = (const unsigned char *)s->p;
    size_t i = s->pos + 1, n = s->len;
    if (s->pos >= n || p[s->pos] != '"')
        return fail(s, s->pos, "expected a string");
    for (;;) {
        while (i < n && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' && p[i] != '\\')
            i++;
        if (i >= n)
            return fail(s, n, "unterminated string");
        unsigned char c = p[i];
        if (c == '"')
            break;
        if (c < 0x20)
            return fail(s, i, "control character in a string");
        if (c >= 0x80) {
            size_t k = vg_utf8_len(p + i, n - i);
            if (!k)
                return fail(s, i, "invalid UTF-8 in a string");
            i += k;
            continue;
        }
        /* a backslash */
        if (i + 1 >= n)
            return fail(s, n, "unterminated string");
        c = p[i + 1];
        if (strchr("\"\\/bfnrt", c) && c) {
            i += 2;
            continue;
        }
        if (c != 'u')
            return fail(s, i, "invalid escape in a string");
        unsigned u;
        if (i + 6 > n || hex4(s->p + i + 2, &u) < 0)
            return fail(s, i, "invalid \\u escape in a string");
        if (u == 0)
            return fail(s, i, "\\u0000 in a string");
        if (u >= 0xDC00 && u <= 0xDFFF)
            return fail(s, i, "lone low surrogate in a string");
        if (u >= 0xD800 && u <= 0xDBFF) {
            unsigned lo;
            if (i + 12 > n || p[i + 6] != '\\' || p[i + 7] != 'u' || hex4(s->p + i + 8, &lo) < 0 ||
                lo < 0xDC00 || lo > 0xDFFF)
                return fail(s, i, "lone high surrogate in a string");
            i += 12;
            continue;
        }
        i += 6;
    }
    if (raw)
        *raw = (struct vg_str){s->p + s->pos + 1, i - s->pos - 1};
    s->pos = i + 1;
    return 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int scan_number(struct vg_jscan *s)
{
    size_t i = s->pos, n = s->len, start = s->pos;
    if (i < n && s->p[i] == '-')
        i++;
    if (i >= n || !is_digit(s->p[i]))
        return fail(s, start, "invalid number");
    if (s->p[i] == '0')
        i++;
    else
        while (i < n && is_digit(s->p[i]))
            i++;
    if (i < n && s->p[i] == '.') {
        i++;
        if (i >= n || !is_digit(s->p[i]))
            return fail(s, start, "invalid number");
        while (i < n && is_digit(s->p[i]))
            i++;
    }
    if (i < n && (s->p[i] == 'e' || s->p[i] == 'E')) {
        i++;
        if (i < n && (s->p[i] == '+' || s->p[i] == '-'))
            i++;
        if (i >= n || !is_digit(s->p[i]))
            return fail(s, start, "invalid number");
        while (i < n && is_digit(s->p[i]))
            i++;
    }
    s->pos = i;
    return 0;
}

static int scan_word(struct vg_jscan *s, const char *w)
{
    size_t k = strlen(w);
    if (s->len - s->pos < k || memcmp(s->p + s->pos, w, k) != 0)
        return fail(s, s->pos, "invalid value");
    s->pos += k;
    return 0;
}

static int open_level(struct vg_jscan *s, char c, const char *what)
{
    if (vg_jscan_peek(s) != c)
        return fail(s, s->pos, what);
    if (s->depth >= s->max_depth)
        return fail(s, s->pos, "nesting too deep");
    s->pos++;
    s->depth++;
    s->more[s->depth] = 0;
    return 0;
}

int vg_jscan_obj_begin(struct vg_jscan *s)
{
    return open_level(s, '{', "expected an object");
}

int vg_jscan_arr_begin(struct vg_jscan *s)
{
    return open_level(s, '[', "expected an array");
}

/* Before the next member or element: 1 if one follows, 0 if the level closed with `close`. */
static int next_in(struct vg_jscan *s, char close)
{
    if (s->err)
        return -1;
    int c = vg_jscan_peek(s);
    if (c == close) {
        s->pos++;
        s->depth--;
        return 0;
    }
    if (s->more[s->depth]) {
        if (c != ',')
            return fail(s, s->pos, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
        s->pos++;
        c = vg_jscan_peek(s);
        if (c == close)
            return fail(s, s->pos, "a ',' before the close");
    } else if (c == 0) {
        return fail(s, s->pos, "unexpected end of input");
    }
    s->more[s->depth] = 1;
    return 1;
}

int vg_jscan_obj_next(struct vg_jscan *s, struct vg_str *key)
{
    int r = next_in(s, '}');
    if (r <= 0)
        return r;
    if (vg_jscan_peek(s) != '"')
        return fail(s, s->pos, "expected a member name");
    if (scan_string(s, key) < 0)
        return -1;
    if (vg_jscan_peek(s) != ':')
        return fail(s, s->pos, "expected ':'");
    s->pos++;
    vg_jscan_peek(s);
    return 1;
}

int vg_jscan_arr_next(struct vg_jscan *s)
{
    return next_in(s, ']');
}

static int scan_value(struct vg_jscan *s)
{
    int c = vg_jscan_peek(s);
    int r;
    switch (c) {
    case '{':
        if (vg_jscan_obj_begin(s) < 0)
            return -1;
        while ((r = vg_jscan_obj_next(s, NULL)) > 0)
            if (scan_value(s) < 0)
                return -1;
        return r;
    case '[':
        if (vg_jscan_arr_begin(s) < 0)
            return -1;
        while ((r = vg_jscan_arr_next(s)) > 0)
            if (scan_value(s) < 0)
                return -1;
        return r;
    case '"': return scan_string(s, NULL);
    case 't': return scan_word(s, "true");
    case 'f': return scan_word(s, "false");
    case 'n': return scan_word(s, "null");
    case 0: return fail(s, s->pos, "unexpected end of input");
    default:
        if (c == '-' || is_digit((char)c))
            return scan_number(s);
        return fail(s, s->pos, "invalid value");
    }
}

int vg_jscan_value(struct vg_jscan *s, struct vg_str *span)
{
    if (s->err)
        return -1;
    vg_jscan_peek(s);
    size_t start = s->pos;
    if (scan_value(s) < 0)
        return -1;
    if (span)
        *span = (struct vg_str){s->p + start, s->pos - start};
    return 0;
}

int vg_jscan_string(struct vg_jscan *s, struct vg_str *raw)
{
    if (s->err)
        return -1;
    vg_jscan_peek(s);
    return scan_string(s, raw);
}

int vg_jscan_skip(struct vg_jscan *s)
{
    const char *p = s->p;
    size_t i, n = s->len, depth = 0;
    if (s->err)
        return -1;
    vg_jscan_peek(s);
    i = s->pos;
    if (i >= n)
        return fail(s, i, "unexpected end of input");
    do {
        char c = p[i];
        if (c == '"') {
            for (i++; i < n && p[i] != '"'; i++)
                if (p[i] == '\\')
                    i++;
            if (i >= n)
                return fail(s, n, "unterminated string");
            i++;
        } else if (c == '{' || c == '[') {
            depth++;
            i++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return fail(s, i, "unbalanced brackets");
            depth--;
            i++;
        } else if (depth == 0) {
            while (i < n && !is_ws(p[i]) && p[i] != ',' && p[i] != '}' && p[i] != ']')
                i++;
        } else {
            i++;
        }
    } while (depth > 0 && i < n);
    if (depth > 0)
        return fail(s, n, "unexpected end of input");
    s->pos = i;
    return 0;
}

int vg_jscan_unescape(struct vg_str raw, struct vg_buf *out)
{
    const char *p = raw.ptr;
    size_t i = 0, n = raw.len;
    while (i < n) {
        const char *bs = memchr(p + i, '\\', n - i);
        size_t run = bs ? (size_t)(bs - p) - i : n - i;
        vg_buf_append(out, p + i, run);
        i += run;
        if (i >= n)
            break;
        if (i + 1 >= n)
            return -1;
        char c = p[i + 1];
        unsigned u;
        switch (c) {
        case '"': vg_buf_putc(out, '"'); break;
        case '\\': vg_buf_putc(out, '\\'); break;
        case '/': vg_buf_putc(out, '/'); break;
        case 'b': vg_buf_putc(out, '\b'); break;
        case 'f': vg_buf_putc(out, '\f'); break;
        case 'n': vg_buf_putc(out, '\n'); break;
        case 'r': vg_buf_putc(out, '\r'); break;
        case 't': vg_buf_putc(out, '\t'); break;
        case 'u': {
            if (i + 6 > n || hex4(p + i + 2, &u) < 0)
                return -1;
            if (u >= 0xD800 && u <= 0xDBFF) {
                unsigned lo;
                if (i + 12 > n || p[i + 6] != '\\' || hex4(p + i + 8, &lo) < 0)
                    return -1;
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
            char e[4];
            size_t k;
            if (u < 0x80) {
                e[0] = (char)u;
                k = 1;
            } else if (u < 0x800) {
                e[0] = (char)(0xC0 | (u >> 6));
                e[1] = (char)(0x80 | (u & 0x3F));
                k = 2;
            } else if (u < 0x10000) {
                e[0] = (char)(0xE0 | (u >> 12));
                e[1] = (char)(0x80 | ((u >> 6) & 0x3F));
                e[2] = (char)(0x80 | (u & 0x3F));
                k = 3;
            } else {
                e[0] = (char)(0xF0 | (u >> 18));
                e[1] = (char)(0x80 | ((u >> 12) & 0x3F));
                e[2] = (char)(0x80 | ((u >> 6) & 0x3F));
                e[3] = (char)(0x80 | (u & 0x3F));
                k = 4;
            }
            vg_buf_append(out, e, k);
            i += 4;
            break;
        }
        default: return -1;
        }
        i += 2;
    }
    return out->failed ? -1 : 0;
}

bool vg_jscan_key_is(struct vg_str key, const char *lit)
{
    size_t n = strlen(lit);
    if (!memchr(key.ptr ? key.ptr : "", '\\', key.len))
        return key.len == n && memcmp(key.ptr, lit, n) == 0;
    if (key.len > 6 * 64)
        return false;
    struct vg_buf b;
    vg_buf_init(&b, 256);
    bool eq = vg_jscan_unescape(key, &b) == 0 && b.len == n && memcmp(b.data, lit, n) == 0;
    vg_buf_cleanup(&b);
    return eq;
}
