/* Classification of a candidate string by the matching rules 1-5 (address, URL, hash, e-mail,
 * host name, first that applies) into the keys the index is looked up with. This is the hot
 * path: one pass over the bytes computes character classes, and only plausible rules run. */
#include "match/match.h"

#include <ctype.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/url.h"

/* Character classes of one byte, OR-ed over a candidate to rule out rules quickly. */
enum {
    C_DIGIT = 1,  /* 0-9 */
    C_HEXA = 2,   /* a-f A-F */
    C_ALPHA = 4,  /* other letters */
    C_DOT = 8,    /* . */
    C_COLON = 16, /* : */
    C_DASH = 32,  /* - _ */
    C_AT = 64,    /* @ */
    C_OTHER = 128 /* anything else */
};

static unsigned char cls[256];
static unsigned char lower[256];  /* ASCII lower-case, other bytes unchanged */
static unsigned char hexval[256]; /* 0-15, or 16 for a non-hex byte */

static void init_tables(void)
{
    for (int i = 0; i < 256; i++) {
        unsigned char c = C_OTHER;
        if (i >= '0' && i <= '9')
            c = C_DIGIT;
        else if ((i >= 'a' && i <= 'f') || (i >= 'A' && i <= 'F'))
            c = C_HEXA;
        else if ((i >= 'g' && i <= 'z') || (i >= 'G' && i <= 'Z'))
            c = C_ALPHA;
        else if (i == '.')
            c = C_DOT;
        else if (i == ':')
            c = C_COLON;
        else if (i == '-' || i == '_')
            c = C_DASH;
        else if (i == '@')
            c = C_AT;
        cls[i] = c;
        lower[i] = (unsigned char)(i >= 'A' && i <= 'Z' ? i + 32 : i);
        hexval[i] = 16;
        if (i >= '0' && i <= '9')
            hexval[i] = (unsigned char)(i - '0');
        else if (i >= 'a' && i <= 'f')
            hexval[i] = (unsigned char)(i - 'a' + 10);
        else if (i >= 'A' && i <= 'F')
            hexval[i] = (unsigned char)(i - 'A' + 10);
    }
}

/* The tables are built before main() so that worker threads only read them. */
__attribute__((constructor)) static void classify_init(void)
{
    init_tables();
}

static const char *const type_names[VG_MATCH_NTYPES] = {
    "ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "md5", "sha1", "sha256",
};

const char *vg_match_type_name(enum vg_match_type t)
{
    return (unsigned)t < VG_MATCH_NTYPES ? type_names[t] : "?";
}

int vg_match_type_parse(struct vg_str s, enum vg_match_type *out)
{
    for (int i = 0; i < VG_MATCH_NTYPES; i++)
        if (vg_str_eq_nocase(s, vg_str_c(type_names[i]))) {
            *out = (enum vg_match_type)i;
            return 0;
        }
    return VG_EINVAL;
}

/* Dotted-quad IPv4 exactly as glibc's inet_pton(AF_INET) reads it: four decimal parts of
 * 0-255, no leading zeros, nothing else. Written out because inet_pton needs a C string. */
static int parse_ipv4(struct vg_str s, uint8_t addr[4])
{
    const char *p = s.ptr, *end = s.ptr + s.len;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (p >= end || *p != '.')
                return VG_EINVAL;
            p++;
        }
        if (p >= end || *p < '0' || *p > '9')
            return VG_EINVAL;
        unsigned v = (unsigned)(*p++ - '0');
        while (p < end && *p >= '0' && *p <= '9') {
            if (v == 0)
                return VG_EINVAL; /* leading zero */
            v = v * 10 + (unsigned)(*p++ - '0');
            if (v > 255)
                return VG_EINVAL;
        }
        addr[part] = (uint8_t)v;
    }
    return p == end ? 0 : VG_EINVAL;
}

/* IPv6 exactly as glibc's inet_pton(AF_INET6) reads it (its inet_pton6, written out: the call
 * needs a C string, and most strings that reach it here, such as hex fingerprints, fail within
 * a few bytes): groups of 1-4 hex digits, one "::" at most, an optional dotted-quad tail. */
static int parse_ipv6(struct vg_str s, uint8_t addr[16])
{
    uint8_t tmp[16] = {0};
    const char *p = s.ptr, *end = s.ptr + s.len;
    size_t tp = 0, colonp = SIZE_MAX;
    if (p == end)
        return VG_EINVAL;
    if (*p == ':' && (++p == end || *p != ':'))
        return VG_EINVAL;
    const char *curtok = p;
    unsigned digits = 0, val = 0;
    while (p < end) {
        unsigned char ch = (unsigned char)*p++;
        unsigned v = hexval[ch];
        if (v < 16) {
            if (digits == 4)
                return VG_EINVAL;
            val = val << 4 | v;
            digits++;
            continue;
        }
        if (ch == ':') {
            curtok = p;
            if (digits == 0) {
                if (colonp != SIZE_MAX)
                    return VG_EINVAL;
                colonp = tp;
                continue;
            }
            if (p == end || tp + 2 > 16)
                return VG_EINVAL;
            tmp[tp++] = (uint8_t)(val >> 8);
            tmp[tp++] = (uint8_t)val;
            digits = 0;
            val = 0;
            continue;
        }
        if (ch == '.' && tp + 4 <= 16 &&
            parse_ipv4((struct vg_str){curtok, (size_t)(end - curtok)}, tmp + tp) == 0) {
            tp += 4;
            digits = 0;
            break;
        }
        return VG_EINVAL;
    }
    if (digits > 0) {
        if (tp + 2 > 16)
            return VG_EINVAL;
        tmp[tp++] = (uint8_t)(val >> 8);
        tmp[tp++] = (uint8_t)val;
    }
    if (colonp != SIZE_MAX) {
        if (tp == 16)
            return VG_EINVAL; /* "::" would stand for no group */
        size_t n = tp - colonp;
        memmove(tmp + 16 - n, tmp + colonp, n);
        memset(tmp + colonp, 0, 16 - n - colonp);
        tp = 16;
    }
    if (tp != 16)
        return VG_EINVAL;
    memcpy(addr, tmp, 16);
    return 0;
}

/* Reads an address whose bytes are known: has_colon tells IPv6 from IPv4, no NUL inside. */
static int parse_ip_known(struct vg_str s, bool has_colon, int *af, uint8_t addr[16])
{
    if (s.len < 2 || s.len > 45)
        return VG_EINVAL;
    if (has_colon) {
        if (parse_ipv6(s, addr) != 0)
            return VG_EINVAL;
        *af = 6;
        return 0;
    }
    if (parse_ipv4(s, addr) != 0)
        return VG_EINVAL;
    *af = 4;
    return 0;
}

int vg_match_parse_ip(struct vg_str s, int *af, uint8_t addr[16])
{
    if (s.len < 2 || s.len > 45 || memchr(s.ptr, '\0', s.len))
        return VG_EINVAL; /* inet_pton would stop at a NUL byte */
    return parse_ip_known(s, memchr(s.ptr, ':', s.len) != NULL, af, addr);
}

/* Drops one final dot of a host name; false if what is left is empty or too long. */
static inline bool host_length_ok(struct vg_str *s)
{
    if (s->len && s->ptr[s->len - 1] == '.')
        s->len--;
    return s->len > 0 && s->len <= VG_MAX_HOSTNAME;
}

/* The labels of host name s (final dot dropped): at least two, none empty, the last with a
 * letter; with check, every other byte a letter, digit, '-' or '_' (else known to be); the
 * bytes lower-cased into out when out is not NULL. */
static inline bool labels_ok(struct vg_str s, bool check, char *out)
{
    size_t labels = 1, start = 0;
    bool letter = false; /* the current label has a letter */
    for (size_t i = 0; i < s.len; i++) {
        unsigned char b = (unsigned char)s.ptr[i], l = lower[b];
        if (out)
            out[i] = (char)l;
        if (l == '.') {
            if (i == start)
                return false;
            labels++;
            start = i + 1;
            letter = false;
        } else if (check && !(cls[b] & (C_DIGIT | C_HEXA | C_ALPHA | C_DASH))) {
            return false;
        } else {
            letter |= l >= 'a'; /* lower-case letters are the only such bytes past '_' */
        }
    }
    return start < s.len && labels >= 2 && letter;
}

bool vg_match_is_hostname(struct vg_str s)
{
    return host_length_ok(&s) && labels_ok(s, true, NULL);
}

/* Lower-cases host name s (already checked) into c->host without its final dot. */
static void set_host(struct vg_match_cand *c, struct vg_str s)
{
    if (s.len && s.ptr[s.len - 1] == '.')
        s.len--;
    for (size_t i = 0; i < s.len; i++)
        c->host[i] = (char)lower[(unsigned char)s.ptr[i]];
    c->host[s.len] = '\0';
    c->host_len = s.len;
}

/* vg_match_is_hostname(s) then set_host(c, s) in one pass, for s whose bytes are known to be
 * letters, digits, '.', '-' and '_' only; c->host may be written when false is returned. */
static bool set_known_host(struct vg_match_cand *c, struct vg_str s)
{
    if (!host_length_ok(&s) || !labels_ok(s, false, c->host))
        return false;
    c->host[s.len] = '\0';
    c->host_len = s.len;
    return true;
}

/* The host part of a URL: an address (brackets already removed) or a host name. */
static void classify_url_host(struct vg_match_cand *c, struct vg_str host)
{
    int af;
    c->host_kind = VG_MATCH_KIND_NONE;
    if (vg_match_parse_ip(host, &af, c->addr) == 0)
        c->host_kind = af == 4 ? VG_MATCH_KIND_IPV4 : VG_MATCH_KIND_IPV6;
    else if (vg_match_is_hostname(host)) {
        c->host_kind = VG_MATCH_KIND_HOST;
        set_host(c, host);
    }
}

/* Blanks as isspace() sees them in the C locale, without its per-call cost. */
static inline bool blank(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline struct vg_str trim(struct vg_str s)
{
    while (s.len && blank((unsigned char)s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && blank((unsigned char)s.ptr[s.len - 1]))
        s.len--;
    return s;
}

/* True if s holds a byte above 0x7f and its other bytes are those of host names (letters,
 * digits, '.', '-', '_'): a candidate for rule 5 once in A-labels. */
static bool unicode_host(struct vg_str s)
{
    bool wide = false;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char b = (unsigned char)s.ptr[i];
        if (b > 0x7f)
            wide = true;
        else if (cls[b] & (C_OTHER | C_COLON | C_AT))
            return false;
    }
    return wide;
}

static unsigned classes_slow(const unsigned char *u, size_t n)
{
    unsigned mask = 0;
    for (size_t i = 0; i < n; i++)
        mask |= cls[u[i]];
    return mask;
}

#ifdef __SSE2__
/* Bytes of v in [lo, lo + n) (as unsigned bytes): 0xff in those lanes. */
static inline __m128i in_range(__m128i v, int lo, int n)
{
    return _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - lo))),
                          _mm_set1_epi8((char)(n - 0x80)));
}
#endif

/* The OR of cls[] over the n bytes at u: 16 bytes at a time, the last 16 overlapping the block
 * before (an OR does not mind) when n is not a multiple of 16. */
static inline unsigned classes(const unsigned char *u, size_t n)
{
#ifdef __SSE2__
    if (n >= 16) {
        __m128i digit = _mm_setzero_si128(), hexa = digit, alpha = digit, dot = digit;
        __m128i colon = digit, dash = digit, at = digit, other = digit;
        for (size_t i = 0;; i += 16) {
            if (i + 16 > n)
                i = n - 16;
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(u + i));
            __m128i lv = _mm_or_si128(v, _mm_set1_epi8(0x20)); /* A-Z to a-z */
            __m128i d = in_range(v, '0', 10), h = in_range(lv, 'a', 6), a = in_range(lv, 'g', 20);
            __m128i p = _mm_cmpeq_epi8(v, _mm_set1_epi8('.'));
            __m128i c = _mm_cmpeq_epi8(v, _mm_set1_epi8(':'));
            __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')),
                                     _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
            __m128i t = _mm_cmpeq_epi8(v, _mm_set1_epi8('@'));
            __m128i known = _mm_or_si128(_mm_or_si128(_mm_or_si128(d, h), _mm_or_si128(a, p)),
                                         _mm_or_si128(_mm_or_si128(c, m), t));
            digit = _mm_or_si128(digit, d);
            hexa = _mm_or_si128(hexa, h);
            alpha = _mm_or_si128(alpha, a);
            dot = _mm_or_si128(dot, p);
            colon = _mm_or_si128(colon, c);
            dash = _mm_or_si128(dash, m);
            at = _mm_or_si128(at, t);
            other = _mm_or_si128(other, _mm_cmpeq_epi8(known, _mm_setzero_si128()));
            if (i + 16 == n)
                break;
        }
        return (_mm_movemask_epi8(digit) ? C_DIGIT : 0) | (_mm_movemask_epi8(hexa) ? C_HEXA : 0) |
               (_mm_movemask_epi8(alpha) ? C_ALPHA : 0) | (_mm_movemask_epi8(dot) ? C_DOT : 0) |
               (_mm_movemask_epi8(colon) ? C_COLON : 0) | (_mm_movemask_epi8(dash) ? C_DASH : 0) |
               (_mm_movemask_epi8(at) ? C_AT : 0) | (_mm_movemask_epi8(other) ? C_OTHER : 0);
    }
#endif
    return classes_slow(u, n);
}

static bool scheme_sep_slow(const char *p, size_t n)
{
    for (size_t i = 0; i + 2 < n; i++)
        if (p[i] == ':' && p[i + 1] == '/' && p[i + 2] == '/')
            return true;
    return false;
}

/* True if "://" is in the n bytes at p: 16 positions at a time (three loads one byte apart). */
static inline bool scheme_sep(const char *p, size_t n)
{
#ifdef __SSE2__
    if (n >= 18) {
        for (size_t i = 0;; i += 16) {
            if (i + 18 > n)
                i = n - 18;
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + i + 1));
            __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(p + i + 2));
            __m128i m = _mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8(':')),
                                      _mm_and_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8('/')),
                                                    _mm_cmpeq_epi8(c, _mm_set1_epi8('/'))));
            if (_mm_movemask_epi8(m))
                return true;
            if (i + 18 == n)
                return false;
        }
    }
#endif
    return scheme_sep_slow(p, n);
}

unsigned vg_match_char_classes(struct vg_str s, bool fast)
{
    const unsigned char *u = (const unsigned char *)s.ptr;
    return fast ? classes(u, s.len) : classes_slow(u, s.len);
}

bool vg_match_has_scheme_sep(struct vg_str s, bool fast)
{
    return fast ? scheme_sep(s.ptr, s.len) : scheme_sep_slow(s.ptr, s.len);
}

enum vg_match_kind vg_match_classify(struct vg_str s, struct vg_match_cand *c)
{
    c->kind = VG_MATCH_KIND_NONE;
    c->host_kind = VG_MATCH_KIND_NONE;
    c->key_len = 0;
    c->host_len = 0;
    c->has_key_hash = false;
    c->nhost_hash = 0;
    s = trim(s);
    if (s.len >= 2 && s.ptr[0] == '<' && s.ptr[s.len - 1] == '>') {
        s.ptr++;
        s.len -= 2;
        s = trim(s);
    }
    if (s.len == 0)
        return c->kind;

    const unsigned char *u = (const unsigned char *)s.ptr;
    unsigned mask = classes(u, s.len);

    /* Rule 1: an address, as inet_pton reads it. */
    int af;
    if ((mask & ~(unsigned)(C_DIGIT | C_DOT)) == 0 ||
        ((mask & C_COLON) && (mask & ~(unsigned)(C_DIGIT | C_HEXA | C_DOT | C_COLON)) == 0)) {
        if (parse_ip_known(s, (mask & C_COLON) != 0, &af, c->addr) == 0) {
            c->kind = af == 4 ? VG_MATCH_KIND_IPV4 : VG_MATCH_KIND_IPV6;
            return c->kind;
        }
    }
    /* Rule 2: a URL. */
    if ((mask & C_COLON) && (mask & C_OTHER) && scheme_sep(s.ptr, s.len)) {
        c->kind = VG_MATCH_KIND_URL;
        struct vg_str host;
        size_t n;
        int rc = vg_match_url_normalise(s, c->key, sizeof c->key, &n, &host);
        if (rc == 0) {
            c->key_len = n;
            classify_url_host(c, host);
        } else if (rc == VG_ETOOBIG) {
            /* Too long to equal a URL indicator, but its host may still hit. */
            char tmp[512];
            struct vg_str head = {s.ptr, s.len < 400 ? s.len : 400};
            if (vg_match_url_normalise(head, tmp, sizeof tmp, &n, &host) == 0 &&
                host.len < sizeof c->key) {
                memcpy(c->key, host.ptr, host.len);
                classify_url_host(c, (struct vg_str){c->key, host.len});
            }
        }
        return c->kind;
    }
    /* Rule 3: a hash. */
    if ((mask & ~(unsigned)(C_DIGIT | C_HEXA)) == 0 &&
        (s.len == 32 || s.len == 40 || s.len == 64)) {
        c->kind = VG_MATCH_KIND_HASH;
        for (size_t i = 0; i < s.len / 2; i++)
            c->key[i] = (char)((hexval[u[2 * i]] << 4) | hexval[u[2 * i + 1]]);
        c->key_len = s.len / 2;
        return c->kind;
    }
    /* Rule 4: an e-mail address. */
    if (mask & C_AT) {
        const char *at = s.ptr + s.len;
        while (at > s.ptr && at[-1] != '@')
            at--;
        at--; /* the last '@' */
        struct vg_str host = {at + 1, (size_t)(s.ptr + s.len - at - 1)};
        if (at > s.ptr && vg_match_is_hostname(host)) {
            c->kind = VG_MATCH_KIND_EMAIL;
            if (s.len <= VG_MAX_OBSERVABLE) {
                for (size_t i = 0; i < s.len; i++)
                    c->key[i] = (char)lower[u[i]];
                c->key_len = s.len;
                if (c->key[s.len - 1] == '.')
                    c->key_len--; /* the host's final dot */
            }
            c->host_kind = VG_MATCH_KIND_HOST;
            set_host(c, host);
            return c->kind;
        }
    }
    /* Rule 5: a host name. */
    if ((mask & C_DOT) && (mask & ~(unsigned)(C_DIGIT | C_HEXA | C_ALPHA | C_DOT | C_DASH)) == 0) {
        if (set_known_host(c, s)) {
            c->kind = VG_MATCH_KIND_HOST;
            c->host_kind = VG_MATCH_KIND_HOST;
        }
    } else if ((mask & C_DOT) && !(mask & (C_COLON | C_AT)) && s.len <= 4 * VG_MAX_HOSTNAME &&
               unicode_host(s)) {
        /* A Unicode host name is looked up by its A-labels, as the indicator store keeps
         * it (core/url.c): "bücher.example" hits "xn--bcher-kva.example". */
        char a[VG_MAX_HOSTNAME + 8];
        size_t n;
        if (vg_host_to_ascii(s, a, sizeof a, &n, NULL) == 0 &&
            vg_match_is_hostname((struct vg_str){a, n})) {
            c->kind = VG_MATCH_KIND_HOST;
            c->host_kind = VG_MATCH_KIND_HOST;
            set_host(c, (struct vg_str){a, n});
        }
    }
    return c->kind;
}
