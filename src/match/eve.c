/* The JSON line reader of the matcher: a validating single-pass scanner that hands every string
 * value with its field path to a callback, without building a document. It accepts exactly
 * what jansson's json_loadb(flags 0) accepts as an object (UTF-8, escapes and surrogates,
 * integer and real ranges), nested at most VG_MAX_JSON_DEPTH deep; fuzz/fuzz_eve.c checks the
 * agreement. */
#include "match/match.h"
#include "util/mem.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define PATH_MAX_LEN 1024 /* longer field paths are cut */
#define SYNTH_FIELD  "http.hostname+http.url"

struct vg_match_eve {
    size_t cap;      /* bytes of each buffer below: grown to the longest line read */
    char *scratch;   /* unescaped string bytes */
    char *synth;     /* the synthetic http URL */
    char *host_copy; /* http.hostname as read */
    size_t host_len;
    bool has_host, has_url;
    char *url_copy; /* http.url as read */
    size_t url_len;
    char path[PATH_MAX_LEN + 32];
    size_t base[VG_MAX_JSON_DEPTH + 2];  /* path length of each open container */
    bool is_arr[VG_MAX_JSON_DEPTH + 2];  /* the container at each depth is an array */
    size_t index[VG_MAX_JSON_DEPTH + 2]; /* the current element of each open array */
};

/* Bytes that end the fast part of a string: '"', '\\', controls, and non-ASCII. */
static unsigned char special[256];

__attribute__((constructor)) static void eve_init(void)
{
    for (int i = 0; i < 256; i++)
        special[i] = i == '"' || i == '\\' || i < 0x20 || i >= 0x80;
}

struct vg_match_eve *vg_match_eve_new(void)
{
    return vg_calloc(1, sizeof(struct vg_match_eve));
}

/* Makes the buffers hold a line of len bytes. */
static int reserve(struct vg_match_eve *e, size_t len)
{
    if (len + 16 <= e->cap)
        return 0;
    size_t n = e->cap ? e->cap : 4096;
    while (n < len + 16)
        n *= 2;
    char **bufs[] = {&e->scratch, &e->synth, &e->host_copy, &e->url_copy};
    for (size_t i = 0; i < 4; i++) {
        char *p = vg_realloc(*bufs[i], n);
        if (!p)
            return VG_ENOMEM;
        *bufs[i] = p;
    }
    e->cap = n;
    return 0;
}

void vg_match_eve_free(struct vg_match_eve *e)
{
    if (!e)
        return;
    free(e->scratch);
    free(e->synth);
    free(e->host_copy);
    free(e->url_copy);
    free(e);
}

static inline const char *find_special(const char *p, const char *end)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* Signed compare: bytes >= 0x80 are negative, so "< 0x20" also catches them. */
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                                 _mm_cmplt_epi8(v, space));
        int bits = _mm_movemask_epi8(m);
        if (bits)
            return p + __builtin_ctz((unsigned)bits);
        p += 16;
    }
#endif
    while (p < end && !special[(unsigned char)*p])
        p++;
    return p;
}

static int hex4(const char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *w, uint32_t v)
{
    if (v < 0x80) {
        w[0] = (char)v;
        return 1;
    }
    if (v < 0x800) {
        w[0] = (char)(0xc0 | (v >> 6));
        w[1] = (char)(0x80 | (v & 0x3f));
        return 2;
    }
    if (v < 0x10000) {
        w[0] = (char)(0xe0 | (v >> 12));
        w[1] = (char)(0x80 | ((v >> 6) & 0x3f));
        w[2] = (char)(0x80 | (v & 0x3f));
        return 3;
    }
    w[0] = (char)(0xf0 | (v >> 18));
    w[1] = (char)(0x80 | ((v >> 12) & 0x3f));
    w[2] = (char)(0x80 | ((v >> 6) & 0x3f));
    w[3] = (char)(0x80 | (v & 0x3f));
    return 4;
}

/* read_string once a byte other than the closing quote stopped the fast part: the string
 * started at seg, p is at that byte (or end). */
static const char *read_string_rest(const char *seg, const char *p, const char *end, char *scratch,
                                    struct vg_str *out)
{
    char *w = NULL;
    for (bool first = true;; first = false) {
        if (!first)
            p = find_special(p, end);
        if (p >= end)
            return NULL;
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            if (!w) {
                *out = (struct vg_str){seg, (size_t)(p - seg)};
            } else {
                memcpy(w, seg, (size_t)(p - seg));
                w += p - seg;
                *out = (struct vg_str){scratch, (size_t)(w - scratch)};
            }
            return p + 1;
        }
        if (c < 0x20)
            return NULL;
        if (c >= 0x80) {
            size_t n = vg_utf8_len((const unsigned char *)p, (size_t)(end - p));
            if (!n)
                return NULL;
            p += n;
            continue;
        }
        /* A backslash. */
        if (!w)
            w = scratch;
        memcpy(w, seg, (size_t)(p - seg));
        w += p - seg;
        if (end - p < 2)
            return NULL;
        char e = p[1];
        p += 2;
        switch (e) {
        case '"': *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '/': *w++ = '/'; break;
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'u': {
            uint32_t v, lo;
            if (end - p < 4 || hex4(p, &v) != 0)
                return NULL;
            p += 4;
            if (v >= 0xd800 && v <= 0xdbff) {
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) != 0 ||
                    lo < 0xdc00 || lo > 0xdfff)
                    return NULL;
                p += 6;
                v = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
            } else if ((v >= 0xdc00 && v <= 0xdfff) || v == 0) {
                return NULL;
            }
            w += put_utf8(w, v);
            break;
        }
        default: return NULL;
        }
        seg = p;
    }
}

/* Reads a string whose opening quote is at p[-1]; sets *out (into the line, or into scratch
 * when it has escapes) and returns the byte after the closing quote, or NULL. Inlined: most
 * strings end at their first special byte, their closing quote. */
static inline __attribute__((always_inline)) const char *
read_string(const char *p, const char *end, char *scratch, struct vg_str *out)
{
    const char *q = find_special(p, end);
    if (q < end && *q == '"') {
        *out = (struct vg_str){p, (size_t)(q - p)};
        return q + 1;
    }
    return read_string_rest(p, q, end, scratch, out);
}

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads a number at p as jansson does (its grammar, integers within long long, reals that
 * do not overflow a double); returns the byte after it or NULL. */
static const char *read_number(const char *p, const char *end, char *scratch)
{
    const char *start = p;
    bool neg = false, real = false;
    if (p < end && *p == '-') {
        neg = true;
        p++;
    }
    if (p >= end)
        return NULL;
    const char *int_start = p;
    if (*p == '0') {
        p++;
        if (p < end && is_digit(*p))
            return NULL;
    } else if (*p >= '1' && *p <= '9') {
        while (p < end && is_digit(*p))
            p++;
    } else {
        return NULL;
    }
    size_t int_digits = (size_t)(p - int_start);
    if (p < end && *p == '.') {
        real = true;
        p++;
        if (p >= end || !is_digit(*p))
            return NULL;
        while (p < end && is_digit(*p))
            p++;
    }
    long exp_mag = 0;
    bool big_exp = false;
    if (p < end && (*p == 'e' || *p == 'E')) {
        real = true;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || !is_digit(*p))
            return NULL;
        while (p < end && is_digit(*p)) {
            if (exp_mag < 100000)
                exp_mag = exp_mag * 10 + (*p - '0');
            else
                big_exp = true;
            p++;
        }
    }
    if (!real) {
        if (int_digits < 19)
            return p;
        if (int_digits > 19)
            return NULL;
        /* 19 digits: compare with 9223372036854775807 (or ...808 when negative). */
        int cmp = memcmp(int_start, "9223372036854775807", 19);
        if (cmp > 0 && !(neg && memcmp(int_start, "9223372036854775808", 19) == 0))
            return NULL;
        return p;
    }
    /* A real can only overflow with a large magnitude: check those with strtod. */
    if (!big_exp && int_digits + (size_t)exp_mag < 300)
        return p;
    size_t n = (size_t)(p - start);
    memcpy(scratch, start, n);
    scratch[n] = '\0';
    errno = 0;
    double v = strtod(scratch, NULL);
    if ((v == HUGE_VAL || v == -HUGE_VAL) && errno == ERANGE)
        return NULL;
    return p;
}

/* JSON whitespace; in stream mode a newline is not whitespace but the end of the line. */
static inline const char *skip_ws(const char *p, const char *end, bool stream)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || (!stream && *p == '\n')))
        p++;
    return p;
}

/* Sets the path of a member: the container's path, a dot, the key; returns its length. */
/* wide: 16 bytes can be read at key.ptr. */
static size_t set_member(struct vg_match_eve *e, size_t base, struct vg_str key, bool wide)
{
    size_t len = base;
    if (len > 0 && len < PATH_MAX_LEN)
        e->path[len++] = '.';
    size_t n = key.len;
    if (n > PATH_MAX_LEN - len)
        n = len < PATH_MAX_LEN ? PATH_MAX_LEN - len : 0;
    if (n <= 16 && wide) { /* most keys: one 16-byte copy (path has room past PATH_MAX_LEN) */
        memcpy(e->path + len, key.ptr, 16);
    } else if (n <= 16) { /* a short loop beats a call to memcpy */
        for (size_t i = 0; i < n; i++)
            e->path[len + i] = key.ptr[i];
    } else {
        memcpy(e->path + len, key.ptr, n);
    }
    return len + n;
}

/* Sets the path of an array element: the array's path and "[i]"; returns its length. */
static size_t set_element(struct vg_match_eve *e, size_t base, size_t i)
{
    char tmp[24];
    size_t n = 0;
    tmp[n++] = '[';
    char digits[20];
    size_t nd = 0;
    do {
        digits[nd++] = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    while (nd)
        tmp[n++] = digits[--nd];
    tmp[n++] = ']';
    size_t len = base;
    if (n > PATH_MAX_LEN - len)
        n = len < PATH_MAX_LEN ? PATH_MAX_LEN - len : 0;
    memcpy(e->path + len, tmp, n);
    return len + n;
}

/* jansson quirk, kept for exact agreement: after a number or a literal it puts the next byte
 * back, and a NUL byte put back is then skipped; so one NUL right after such a token is
 * ignored ({"a":1<NUL>} is accepted), while a NUL anywhere else ends the input. */
static inline const char *after_scalar(const char *p, const char *end)
{
    return p < end && *p == '\0' ? p + 1 : p;
}

static int fail(struct vg_diag *d, const char *line, const char *p, const char *what)
{
    vg_diag_set(d, VG_EINVAL, "", "malformed JSON at byte %zu: %s", (size_t)(p - line) + 1, what);
    if (d)
        d->offset = (long)(p - line);
    return VG_EINVAL;
}

/* Reads one object from line to end. In stream mode the line stops at the first newline, and
 * end may be a bound before real_end (the end of the data): the object must then be followed
 * by a newline, or by real_end itself; *next is set after the newline. */
static inline int scan(struct vg_match_eve *e, const char *line, const char *end,
                       const char *real_end, bool stream, const char **next, vg_match_string_fn fn,
                       void *ctx, struct vg_diag *d)
{
    if (reserve(e, (size_t)(end - line)) != 0)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    const char *p = line;
    int depth = 0;  /* open containers */
    size_t cur = 0; /* length of the path of the value being read */
    struct vg_str s;
    const char *q; /* where a string being read started; the end of a number */
    int rc;
    e->has_host = e->has_url = false;

    p = skip_ws(p, end, stream);
    if (p >= end || *p != '{')
        return fail(d, line, p, "expected '{'");

value:
    p = skip_ws(p, end, stream);
    if (p >= end)
        return fail(d, line, p, "unexpected end");
    switch (*p) {
    case '{':
    case '[':
        if (depth >= VG_MAX_JSON_DEPTH) {
            vg_diag_set(d, VG_ETOOBIG, "", "JSON nested deeper than %d levels", VG_MAX_JSON_DEPTH);
            return VG_ETOOBIG;
        }
        depth++;
        e->base[depth] = cur;
        e->is_arr[depth] = *p == '[';
        e->index[depth] = 0;
        p = skip_ws(p + 1, end, stream);
        if (p < end && *p == (e->is_arr[depth] ? ']' : '}')) {
            p++;
            depth--;
            goto after_value;
        }
        if (e->is_arr[depth]) {
            cur = set_element(e, e->base[depth], 0);
            goto value;
        }
        goto member;
    case '"':
        q = p;
        p = read_string(p + 1, end, e->scratch, &s);
        if (!p)
            return fail(d, line, q, "bad string (unterminated, bad escape or UTF-8)");
        if (cur == 13 && depth == 2 && memcmp(e->path, "http.hostname", 13) == 0) {
            memcpy(e->host_copy, s.ptr, s.len);
            e->host_len = s.len;
            e->has_host = true;
        } else if (cur == 8 && depth == 2 && memcmp(e->path, "http.url", 8) == 0) {
            memcpy(e->url_copy, s.ptr, s.len);
            e->url_len = s.len;
            e->has_url = true;
        }
        if ((rc = fn(ctx, s, (struct vg_str){e->path, cur})) != 0)
            return rc;
        goto after_value;
    case 't':
        if (end - p < 4 || memcmp(p, "true", 4) != 0)
            return fail(d, line, p, "bad literal");
        p = after_scalar(p + 4, end);
        goto after_value;
    case 'f':
        if (end - p < 5 || memcmp(p, "false", 5) != 0)
            return fail(d, line, p, "bad literal");
        p = after_scalar(p + 5, end);
        goto after_value;
    case 'n':
        if (end - p < 4 || memcmp(p, "null", 4) != 0)
            return fail(d, line, p, "bad literal");
        p = after_scalar(p + 4, end);
        goto after_value;
    default: {
        q = read_number(p, end, e->scratch);
        if (!q)
            return fail(d, line, p, "bad value");
        p = after_scalar(q, end);
        goto after_value;
    }
    }

member:
    /* At the first byte of a member (whitespace skipped): "key" : value */
    p = skip_ws(p, end, stream);
    if (p >= end || *p != '"')
        return fail(d, line, p, "expected a key");
    q = p;
    p = read_string(p + 1, end, e->scratch, &s);
    if (!p)
        return fail(d, line, q, "bad key (unterminated, bad escape or UTF-8)");
    /* the key in the line (no escape) with 16 bytes after it: a wide copy */
    cur = set_member(e, e->base[depth], s, s.ptr == q + 1 && end - s.ptr >= 16);
    p = skip_ws(p, end, stream);
    if (p >= end || *p != ':')
        return fail(d, line, p, "expected ':'");
    p++;
    goto value;

after_value:
    p = skip_ws(p, end, stream);
    if (depth == 0) {
        if (stream) {
            if (p < end && *p == '\n')
                *next = p + 1;
            else if (p == real_end)
                *next = p;
            else
                return fail(d, line, p, "text after the object");
        } else if (p != end) {
            return fail(d, line, p, "text after the object");
        }
        goto done;
    }
    if (p >= end)
        return fail(d, line, p, "unexpected end");
    if (*p == ',') {
        p++;
        if (e->is_arr[depth]) {
            cur = set_element(e, e->base[depth], ++e->index[depth]);
            goto value;
        }
        goto member;
    }
    if (*p == (e->is_arr[depth] ? ']' : '}')) {
        p++;
        depth--;
        goto after_value;
    }
    return fail(d, line, p, "expected ',' or a closing bracket");

done:
    if (e->has_host && e->has_url && e->url_len > 0 && e->url_copy[0] == '/') {
        memcpy(e->synth, "http://", 7);
        memcpy(e->synth + 7, e->host_copy, e->host_len);
        memcpy(e->synth + 7 + e->host_len, e->url_copy, e->url_len);
        struct vg_str u = {e->synth, 7 + e->host_len + e->url_len};
        if ((rc = fn(ctx, u, VG_STR(SYNTH_FIELD))) != 0)
            return rc;
    }
    return 0;
}

int vg_match_eve_read(struct vg_match_eve *e, const char *line, size_t len, vg_match_string_fn fn,
                      void *ctx, struct vg_diag *d)
{
    if (len > VG_MAX_LINE)
        return vg_diag_set(d, VG_ETOOBIG, "", "line longer than %d bytes", VG_MAX_LINE);
    return scan(e, line, line + len, line + len, false, NULL, fn, ctx, d);
}

int vg_match_eve_read_next(struct vg_match_eve *e, const char *p, const char *end,
                           const char **next, vg_match_string_fn fn, void *ctx, struct vg_diag *d)
{
    const char *bound = (size_t)(end - p) > VG_MAX_LINE ? p + VG_MAX_LINE + 1 : end;
    return scan(e, p, bound, end, true, next, fn, ctx, d);
}
