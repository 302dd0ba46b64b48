/* Language tags for the CSAF test 6.1.12 (advisory/csaf_lang.h): RFC 5646's grammar, walked
 * subtag by subtag, and each language, script and region looked up in the generated tables. */
#include "advisory/csaf_lang.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "util/sort.h"

static int cmp2(const void *a, const void *b)
{
    return memcmp(a, b, 2);
}

static int cmp3(const void *a, const void *b)
{
    return memcmp(a, b, 3);
}

static int cmp4(const void *a, const void *b)
{
    return memcmp(a, b, 4);
}

/* Whether the n-character code (already in the table's case) is in the table. */
static bool in_table(const char *code, size_t n, const char *table, size_t count)
{
    int (*cmp)(const void *, const void *) = n == 2 ? cmp2 : n == 3 ? cmp3 : cmp4;
    return vg_search(code, table, count, n, cmp) != NULL;
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool all(const char *s, size_t n, bool alpha, bool digit)
{
    for (size_t i = 0; i < n; i++)
        if (!((alpha && is_alpha(s[i])) || (digit && is_digit(s[i]))))
            return false;
    return true;
}

/* s[0..n) in the case of the tables: lower (languages), upper (regions), title (scripts). */
static void recase(const char *s, size_t n, char *out, int how)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool up = how == 1 || (how == 2 && i == 0);
        if (up && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (!up && c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        out[i] = c;
    }
}

static bool language_exists(const char *s, size_t n)
{
    char c[3];
    recase(s, n, c, 0);
    if (n == 3 && c[0] == 'q' && c[1] >= 'a' && c[1] <= 't')
        return true; /* qaa-qtz: private use */
    return n == 2 ? in_table(c, 2, vg_csaf_lang2, vg_csaf_lang2_n)
                  : in_table(c, 3, vg_csaf_lang3, vg_csaf_lang3_n);
}

static bool script_exists(const char *s)
{
    char c[4];
    recase(s, 4, c, 2);
    if (c[0] == 'Q' && c[1] == 'a' && c[2] >= 'a' && c[2] <= 'b' && (c[2] == 'a' || c[3] <= 'x'))
        return true; /* Qaaa-Qabx: private use */
    return in_table(c, 4, vg_csaf_script4, vg_csaf_script4_n);
}

static bool region_exists(const char *s, size_t n)
{
    char c[3];
    recase(s, n, c, 1);
    return n == 2 ? in_table(c, 2, vg_csaf_region2, vg_csaf_region2_n)
                  : in_table(c, 3, vg_csaf_region3, vg_csaf_region3_n);
}

/* The grandfathered tags of RFC 5646 (section 2.2.8), valid as a whole. */
static const char *const grandfathered[] = {"en-GB-oed",  "i-ami",      "i-bnn",       "i-default",
                                            "i-enochian", "i-hak",      "i-klingon",   "i-lux",
                                            "i-mingo",    "i-navajo",   "i-pwn",       "i-tao",
                                            "i-tay",      "i-tsu",      "sgn-BE-FR",   "sgn-BE-NL",
                                            "sgn-CH-DE",  "art-lojban", "cel-gaulish", "no-bok",
                                            "no-nyn",     "zh-guoyu",   "zh-hakka",    "zh-min",
                                            "zh-min-nan", "zh-xiang",   NULL};

#define NOT_A_TAG "not a language tag (RFC 5646)"

const char *vg_csaf_lang_fault(const char *tag)
{
    for (const char *const *g = grandfathered; *g; g++)
        if (strcasecmp(tag, *g) == 0)
            return NULL;
    const char *sub[64];
    size_t len[64], n = 0;
    for (const char *p = tag;;) {
        size_t l = strcspn(p, "-");
        if (n == 64 || l == 0 || l > 8 || !all(p, l, true, true))
            return NOT_A_TAG;
        sub[n] = p;
        len[n++] = l;
        if (!p[l])
            break;
        p += l + 1;
    }
    size_t i = 0;
    if (len[0] == 1 && (sub[0][0] == 'x' || sub[0][0] == 'X'))
        return n > 1 ? NULL : NOT_A_TAG; /* private use only */
    if (len[0] < 2 || !all(sub[0], len[0], true, false))
        return NOT_A_TAG;
    if (len[0] >= 4)
        return "no language subtag of 4 to 8 letters is registered";
    if (!language_exists(sub[0], len[0]))
        return "no such language";
    i = 1;
    for (size_t e = 0; e < 3 && i < n && len[i] == 3 && all(sub[i], 3, true, false); e++) {
        if (!language_exists(sub[i], 3)) /* an extlang is a registered language too */
            return "no such extended language";
        i++;
    }
    if (i < n && len[i] == 4 && all(sub[i], 4, true, false)) {
        if (!script_exists(sub[i]))
            return "no such script";
        i++;
    }
    if (i < n && ((len[i] == 2 && all(sub[i], 2, true, false)) ||
                  (len[i] == 3 && all(sub[i], 3, false, true)))) {
        if (!region_exists(sub[i], len[i]))
            return "no such region";
        i++;
    }
    while (i < n && (len[i] >= 5 || (len[i] == 4 && is_digit(sub[i][0]))))
        i++;                                                               /* variants */
    while (i < n && len[i] == 1 && sub[i][0] != 'x' && sub[i][0] != 'X') { /* extensions */
        size_t k = i + 1;
        while (k < n && len[k] >= 2)
            k++;
        if (k == i + 1)
            return NOT_A_TAG;
        i = k;
    }
    if (i < n && len[i] == 1)
        return n > i + 1 ? NULL : NOT_A_TAG; /* private use */
    return i == n ? NULL : NOT_A_TAG;
}
