/* The version order of docs/VERSIONS.md. A version becomes a list of items (numbers,
 * pre-release words, patch letters, post-release words, other words); lists compare item by
 * item, a missing item counting as END. Because each item maps to a key compared by one fixed
 * rule, the result is a total preorder whatever the bytes. */
#include "vuln/version.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "util/limits.h"

/* Item ranks, in order: a pre-release sorts before the end of the version, anything else
 * after it; numbers last so that 1.0a < 1.0.1. */
enum { R_PRE, R_END, R_WORD, R_LETTER, R_POST, R_NUM };

struct item {
    const char *p; /* digits without leading zeros, or the word */
    uint16_t len;  /* length of p (0 for the number zero) */
    uint8_t rank;  /* R_* */
    uint8_t sub;   /* pre-release stage: dev 0, alpha 1, beta 2, pre/milestone 3, rc 4 */
};

struct items {
    struct item it[VG_MAX_VERSION_ITEMS];
    int n;
};

static bool word_is(const char *p, size_t n, const char *w)
{
    size_t wl = strlen(w);
    if (wl != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)p[i]) != w[i])
            return false;
    return true;
}

static void push(struct items *s, const char *p, size_t len, int rank, int sub)
{
    if (s->n >= VG_MAX_VERSION_ITEMS)
        return;
    s->it[s->n++] = (struct item){p, (uint16_t)len, (uint8_t)rank, (uint8_t)sub};
}

/* Classifies the letter run p[0..n) found between bytes prev and next of the version. */
static void push_word(struct items *s, const char *p, size_t n, char prev, char next)
{
    static const char *const pre[5][4] = {
        {"dev", "snapshot", "nightly", NULL},  {"alpha", NULL},    {"beta", NULL},
        {"pre", "preview", "milestone", NULL}, {"rc", "cr", NULL},
    };
    static const char *const post[] = {"post", "patch", "pl", "sp", "update",
                                       "rev",  "p",     "u",  "r",  NULL};
    static const char *const none[] = {"final", "ga", "release", "stable", "rtm", NULL};
    bool next_digit = isdigit((unsigned char)next) != 0;
    if (n == 1) {
        char c = (char)tolower((unsigned char)p[0]);
        /* A lone letter followed by a number: 1.0a1 alpha 1, 1.0b2 beta 2, 1.0p1 patch 1. */
        if (next_digit && (c == 'a' || c == 'b')) {
            push(s, p, 1, R_PRE, c == 'a' ? 1 : 2);
            return;
        }
        if (next_digit && (c == 'p' || c == 'u' || c == 'r')) {
            push(s, p, 1, R_POST, 0);
            return;
        }
        if (c == 'm' && next_digit) {
            push(s, p, 1, R_PRE, 3);
            return;
        }
        /* Otherwise a patch letter: 1.0.2k, 1.0a. */
        push(s, p, 1, R_LETTER, 0);
        return;
    }
    (void)prev;
    for (int st = 0; st < 5; st++)
        for (int k = 0; pre[st][k]; k++)
            if (word_is(p, n, pre[st][k])) {
                push(s, p, n, R_PRE, st);
                return;
            }
    for (int k = 0; post[k]; k++)
        if (word_is(p, n, post[k])) {
            push(s, p, n, R_POST, 0);
            return;
        }
    for (int k = 0; none[k]; k++)
        if (word_is(p, n, none[k]))
            return;
    push(s, p, n, R_WORD, 0);
}

/* Drops the trailing zeros of every run of numbers (1.0.0 -> 1, 1.0.0-rc1 -> 1-rc1). */
static void strip_zeros(struct items *s)
{
    int out = 0;
    for (int i = 0; i < s->n;) {
        if (s->it[i].rank != R_NUM) {
            s->it[out++] = s->it[i++];
            continue;
        }
        int j = i;
        while (j < s->n && s->it[j].rank == R_NUM)
            j++;
        int last = j - 1;
        while (last > i && s->it[last].len == 0)
            last--;
        for (int k = i; k <= last; k++)
            s->it[out++] = s->it[k];
        i = j;
    }
    s->n = out;
}

static void tokenize(const char *p, size_t n, struct items *s)
{
    s->n = 0;
    size_t i = 0;
    if (n >= 2 && (p[0] == 'v' || p[0] == 'V') && isdigit((unsigned char)p[1]))
        i = 1;
    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        if (isdigit(c)) {
            size_t s0 = i;
            while (i < n && isdigit((unsigned char)p[i]))
                i++;
            size_t z = s0;
            while (z < i && p[z] == '0')
                z++;
            push(s, p + z, i - z, R_NUM, 0);
        } else if (isalpha(c)) {
            size_t s0 = i;
            while (i < n && isalpha((unsigned char)p[i]))
                i++;
            push_word(s, p + s0, i - s0, s0 > 0 ? p[s0 - 1] : '\0', i < n ? p[i] : '\0');
        } else {
            i++; /* separators and any other byte */
        }
    }
    strip_zeros(s);
}

/* Appends the key of one item list: a rank byte, then a fixed-size or self-delimiting
 * payload, so that memcmp over keys orders lists exactly as item-by-item comparison would.
 * The list ends with an R_END byte, which is what a missing item compares as. */
static size_t encode_items(const struct items *s, unsigned char *k, size_t at)
{
    for (int i = 0; i < s->n; i++) {
        const struct item *it = &s->it[i];
        k[at++] = (unsigned char)(it->rank + 1);
        if (it->rank == R_NUM) {
            k[at++] = (unsigned char)(it->len >> 8);
            k[at++] = (unsigned char)(it->len & 0xff);
            memcpy(k + at, it->p, it->len);
            at += it->len;
        } else if (it->rank == R_PRE) {
            k[at++] = it->sub;
        } else {
            for (size_t j = 0; j < it->len; j++)
                k[at++] = (unsigned char)tolower((unsigned char)it->p[j]);
            k[at++] = 0; /* words are letters only: 0 ends them, shorter sorts first */
        }
    }
    k[at++] = R_END + 1;
    return at;
}

size_t vg_version_key(struct vg_str v, unsigned char *key)
{
    if (v.len > VG_MAX_VERSION)
        v.len = VG_MAX_VERSION;
    const char *p = v.ptr ? v.ptr : "";
    const char *plus = v.len ? memchr(p, '+', v.len) : NULL;
    size_t mlen = plus ? (size_t)(plus - p) : v.len;
    struct items s;
    tokenize(p, mlen, &s);
    size_t at = encode_items(&s, key, 0);
    /* Equal releases: no build metadata sorts first, then builds by the same rules. */
    if (!plus) {
        key[at++] = 0;
        return at;
    }
    key[at++] = 1;
    tokenize(plus + 1, v.len - mlen - 1, &s);
    return encode_items(&s, key, at);
}

int vg_version_key_cmp(const unsigned char *a, size_t al, const unsigned char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    if (c)
        return c < 0 ? -1 : 1;
    return al < bl ? -1 : al > bl ? 1 : 0;
}

int vg_version_cmp(struct vg_str a, struct vg_str b)
{
    unsigned char ka[VG_VERSION_KEY_MAX], kb[VG_VERSION_KEY_MAX];
    size_t al = vg_version_key(a, ka), bl = vg_version_key(b, kb);
    return vg_version_key_cmp(ka, al, kb, bl);
}

bool vg_version_in_range(struct vg_str v, const struct vg_version_range *r)
{
    if (r->start.ptr) {
        int c = vg_version_cmp(v, r->start);
        if (c < 0 || (c == 0 && !r->start_incl))
            return false;
    }
    if (r->end.ptr) {
        int c = vg_version_cmp(v, r->end);
        if (c > 0 || (c == 0 && !r->end_incl))
            return false;
    }
    return true;
}
