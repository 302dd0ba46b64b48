/* CPE 2.3 names: unbinding of formatted strings and 2.2 URIs into WFNs, binding back, and
 * the NISTIR 7696 comparison. The rules and their section numbers are in NISTIR 7695 (naming)
 * and 7696 (matching); comments below cite them. */
#include "vuln/cpe.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "vuln/vuln.h"

static const char *const attr_names[VG_CPE_NATTR] = {
    "part",     "vendor",     "product",   "version",   "update", "edition",
    "language", "sw_edition", "target_sw", "target_hw", "other",
};

/* The attributes in URI order (7695 6.1.2): part..edition then language. */
static const enum vg_cpe_attr uri_attrs[7] = {
    VG_CPE_PART,   VG_CPE_VENDOR,  VG_CPE_PRODUCT,  VG_CPE_VERSION,
    VG_CPE_UPDATE, VG_CPE_EDITION, VG_CPE_LANGUAGE,
};

/* Characters a URI may carry percent-encoded (7695 6.1.3.3), besides %01 and %02. */
static const char pct_chars[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~";

/* A value being written into name->text. */
struct builder {
    struct vg_cpe_name *name;
    size_t pos; /* next free byte of name->text */
};

static void builder_init(struct builder *b, struct vg_cpe_name *name)
{
    vg_cpe_clear(name);
    b->name = name;
    b->pos = 0;
}

static int builder_put(struct builder *b, char c)
{
    if (b->pos + 1 >= sizeof b->name->text)
        return VG_ETOOBIG;
    b->name->text[b->pos++] = c;
    return 0;
}

/* One character of a WFN value: quoted (after `\`) or not. */
struct tok {
    char c;
    bool quoted;
};

/* Splits WFN value v into characters; returns their number or -1 (dangling `\`, too long). */
static int tokenize(struct vg_str v, struct tok *t, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < v.len; i++) {
        if (n >= cap)
            return -1;
        if (v.ptr[i] == '\\') {
            if (i + 1 >= v.len)
                return -1;
            t[n].c = v.ptr[++i];
            t[n].quoted = true;
        } else {
            t[n].c = v.ptr[i];
            t[n].quoted = false;
        }
        n++;
    }
    return (int)n;
}

static bool is_special(const struct tok *t)
{
    return !t->quoted && (t->c == '*' || t->c == '?');
}

/* Finds the wildcard prefix and suffix of a tokenized value: lead/trail are -1 for `*`, else
 * the number of `?`; body is tokens [*bs, *be). */
static void split_specials(const struct tok *t, int n, int *lead, int *trail, int *bs, int *be)
{
    int i = 0, j = n;
    *lead = 0;
    *trail = 0;
    if (n > 0 && is_special(&t[0]) && t[0].c == '*') {
        *lead = -1;
        i = 1;
    } else {
        while (i < n && is_special(&t[i]) && t[i].c == '?')
            i++;
        *lead = i;
    }
    if (j > i && is_special(&t[j - 1]) && t[j - 1].c == '*') {
        *trail = -1;
        j--;
    } else {
        while (j > i && is_special(&t[j - 1]) && t[j - 1].c == '?')
            j--;
        *trail = n - j;
    }
    *bs = i;
    *be = j;
}

/* Checks a WFN value (7695 5.3.2): letters, digits, `_` unquoted; other printable characters
 * quoted; `*` or a run of `?` only at either end. Returns the index of the first bad
 * character, or -1 if the value is well formed. */
static int check_value(struct vg_str v)
{
    struct tok t[VG_MAX_CPE + 8];
    if (v.len == 0)
        return 0;
    int n = tokenize(v, t, sizeof t / sizeof t[0]);
    if (n < 0)
        return (int)v.len - 1;
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i].c;
        if (c <= 0x20 || c >= 0x7f)
            return i;
        if (!t[i].quoted && !isalnum(c) && c != '_' && c != '*' && c != '?')
            return i;
    }
    int lead, trail, bs, be;
    split_specials(t, n, &lead, &trail, &bs, &be);
    for (int i = bs; i < be; i++)
        if (is_special(&t[i]))
            return i;
    if (bs == be && trail != 0 && n > 1)
        return n - 1; /* "**", "?*", "*?": wildcards on both sides of nothing */
    return -1;
}

static bool prefix_nocase(struct vg_str s, const char *p)
{
    size_t n = strlen(p);
    if (s.len < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)s.ptr[i]) != p[i])
            return false;
    return true;
}

/* Length of the run of n..max letters (digits when digits is set) at v[i], or 0. */
static size_t subtag(struct vg_str v, size_t i, size_t n, size_t max, bool digits)
{
    size_t k = 0;
    while (i + k < v.len && k <= max &&
           (digits ? isdigit((unsigned char)v.ptr[i + k]) : isalpha((unsigned char)v.ptr[i + k])))
        k++;
    return k >= n && k <= max ? k : 0;
}

/* Checks a language value in WFN form. 7695 5.3.3.3 asks for an RFC 5646 tag; CPE names use
 * its first parts, as the CPE 2.3 dictionary's schema does: a language of 2 or 3 letters, then
 * an optional script of 4 letters and an optional region of 2 letters or 3 digits, joined by
 * quoted hyphens ("en\-us", "zh\-hant\-tw", "es\-419"). A value holding a wildcard is
 * checked for its characters only (letters, digits, quoted hyphens). Returns -1 if well
 * formed, else the index of the first bad byte. */
static int check_language(struct vg_str v)
{
    if (vg_cpe_has_wildcard(v)) {
        for (size_t i = 0; i < v.len; i++) {
            if (v.ptr[i] == '\\' && i + 1 < v.len && v.ptr[i + 1] == '-')
                i++;
            else if (!isalnum((unsigned char)v.ptr[i]) && v.ptr[i] != '*' && v.ptr[i] != '?')
                return (int)i;
        }
        return -1;
    }
    size_t i = subtag(v, 0, 2, 3, false);
    if (i == 0)
        return 0;
    size_t k;
    if (i + 2 < v.len && v.ptr[i] == '\\' && v.ptr[i + 1] == '-' &&
        (k = subtag(v, i + 2, 4, 4, false)) != 0 &&
        (i + 2 + k == v.len || v.ptr[i + 2 + k] == '\\'))
        i += 2 + k; /* script */
    if (i + 2 < v.len && v.ptr[i] == '\\' && v.ptr[i + 1] == '-' &&
        ((k = subtag(v, i + 2, 2, 2, false)) != 0 || (k = subtag(v, i + 2, 3, 3, true)) != 0))
        i += 2 + k; /* region */
    return i == v.len ? -1 : (int)i;
}

/* Finishes attribute a with the bytes written since start; checks the value. */
static int builder_end(struct builder *b, enum vg_cpe_attr a, size_t start, const char *what,
                       long where, struct vg_diag *d)
{
    struct vg_cpe *c = &b->name->cpe;
    if (builder_put(b, '\0') < 0)
        return vg_diag_set(d, VG_ETOOBIG, attr_names[a], "CPE name too long");
    struct vg_str v = {b->name->text + start, b->pos - 1 - start};
    if (v.len == 1 && v.ptr[0] == '*') {
        /* "*" alone is ANY, whatever wrote it (a URI's "%02" alone, 6.1.3.2): as the
         * formatted string binding "*" reads back, so that both bindings compare the same. */
        b->pos = start;
        c->kind[a] = VG_CPE_ANY;
        return 0;
    }
    int bad = check_value(v);
    if (bad >= 0) {
        vg_diag_set(d, VG_EINVAL, attr_names[a],
                    "%s: bad %s value at byte %ld: '%.*s' (quote punctuation with \\; * and ? "
                    "only at either end)",
                    what, attr_names[a], where, (int)v.len, v.ptr);
        if (d)
            d->offset = where;
        return VG_EINVAL;
    }
    if (a == VG_CPE_PART && !(v.len == 1 && strchr("aoh", tolower((unsigned char)v.ptr[0]))))
        return vg_diag_set(d, VG_EINVAL, "part", "%s: part must be a, o or h, not '%.*s'", what,
                           (int)v.len, v.ptr);
    if (a == VG_CPE_PART) /* "A" is part a: names compare and key in lower case */
        b->name->text[start] = (char)tolower((unsigned char)v.ptr[0]);
    if (a == VG_CPE_LANGUAGE && (bad = check_language(v)) >= 0) {
        vg_diag_set(d, VG_EINVAL, "language",
                    "%s: language at byte %ld is no RFC 5646 tag: '%.*s' (a language of 2 or 3 "
                    "letters, then an optional script of 4 letters and region of 2 letters or 3 "
                    "digits: en-us, zh-hant-tw, es-419)",
                    what, where, (int)v.len, v.ptr);
        if (d)
            d->offset = where;
        return VG_EINVAL;
    }
    c->kind[a] = VG_CPE_VALUE;
    c->off[a] = (uint16_t)start;
    c->len[a] = (uint16_t)v.len;
    return 0;
}

/* Decodes one URI component (7695 6.1.3.2) into attribute a. base is the component's offset
 * in the input, for messages. */
static int decode_uri_comp(struct builder *b, enum vg_cpe_attr a, struct vg_str s, long base,
                           struct vg_diag *d)
{
    struct vg_cpe *c = &b->name->cpe;
    if (s.len == 0) {
        c->kind[a] = VG_CPE_ANY;
        return 0;
    }
    if (s.len == 1 && s.ptr[0] == '-') {
        c->kind[a] = VG_CPE_NA;
        return 0;
    }
    size_t start = b->pos;
    int rc = 0;
    for (size_t i = 0; i < s.len && rc == 0; i++) {
        char ch = (char)tolower((unsigned char)s.ptr[i]);
        if (ch == '*' || ch == '?') {
            /* The URI grammar (6.1.2.1) has no raw wildcard: "%02" and "%01" are. */
            vg_diag_set(d, VG_EINVAL, attr_names[a],
                        "URI: raw '%c' at byte %ld (a 2.2 URI writes the wildcards %%02 for * and "
                        "%%01 for ?, a literal %c as %%%02x)",
                        ch, base + (long)i, ch, ch);
            goto bad;
        }
        if (ch == '%') {
            int h = i + 2 < s.len ? vg_hex_digit(s.ptr[i + 1]) : -1;
            int l = i + 2 < s.len ? vg_hex_digit(s.ptr[i + 2]) : -1;
            if (h < 0 || l < 0) {
                vg_diag_set(d, VG_EINVAL, attr_names[a], "URI: bad percent-encoding at byte %ld",
                            base + (long)i);
                goto bad;
            }
            int v = h * 16 + l;
            i += 2;
            if (v == 1)
                rc = builder_put(b, '?');
            else if (v == 2)
                rc = builder_put(b, '*');
            else if (v < 0x80 && v != 0 && strchr(pct_chars, v)) {
                rc = builder_put(b, '\\');
                if (rc == 0)
                    rc = builder_put(b, (char)v);
            } else {
                vg_diag_set(d, VG_EINVAL, attr_names[a],
                            "URI: %%%02x at byte %ld is not a CPE character", v,
                            base + (long)i - 2);
                goto bad;
            }
        } else if (ch == '.' || ch == '-' || ch == '~') {
            rc = builder_put(b, '\\');
            if (rc == 0)
                rc = builder_put(b, ch);
        } else if (isalnum((unsigned char)ch) || ch == '_') {
            rc = builder_put(b, ch);
        } else {
            vg_diag_set(d, VG_EINVAL, attr_names[a],
                        "URI: character '%c' at byte %ld must be "
                        "percent-encoded",
                        isprint((unsigned char)ch) ? ch : '?', base + (long)i);
            goto bad;
        }
    }
    if (rc < 0)
        return vg_diag_set(d, VG_ETOOBIG, attr_names[a], "CPE name too long");
    return builder_end(b, a, start, "URI", base, d);
bad:
    if (d)
        d->offset = base;
    return VG_EINVAL;
}

/* Unbinds one formatted-string component (7695 6.2.3) into attribute a. */
static int unbind_fs_comp(struct builder *b, enum vg_cpe_attr a, struct vg_str s, long base,
                          struct vg_diag *d)
{
    struct vg_cpe *c = &b->name->cpe;
    if (s.len == 0) {
        vg_diag_set(d, VG_EINVAL, attr_names[a], "formatted string: empty %s at byte %ld",
                    attr_names[a], base);
        if (d)
            d->offset = base;
        return VG_EINVAL;
    }
    if (s.len == 1 && s.ptr[0] == '*') {
        c->kind[a] = VG_CPE_ANY;
        return 0;
    }
    if (s.len == 1 && s.ptr[0] == '-') {
        c->kind[a] = VG_CPE_NA;
        return 0;
    }
    size_t start = b->pos;
    int rc = 0;
    for (size_t i = 0; i < s.len && rc == 0; i++) {
        char ch = s.ptr[i];
        if (ch == '\\' && i + 1 < s.len) {
            char q = s.ptr[++i];
            if (!isalnum((unsigned char)q) && q != '_')
                rc = builder_put(b, '\\');
            if (rc == 0)
                rc = builder_put(b, q);
        } else if (ch == '.' || ch == '-') {
            rc = builder_put(b, '\\');
            if (rc == 0)
                rc = builder_put(b, ch);
        } else if (ch == '*' || ch == '?') {
            /* Wildcards only at either end: `*` alone there, `?` in a run (7695 5.3.2). */
            bool lead = true, trail = true;
            for (size_t k = 0; k < i; k++)
                lead = lead && s.ptr[k] == '?' && ch == '?';
            for (size_t k = i + 1; k < s.len; k++)
                trail = trail && s.ptr[k] == '?' && ch == '?';
            if (ch == '*') {
                lead = i == 0;
                trail = i + 1 == s.len;
            }
            if (!lead && !trail) {
                vg_diag_set(d, VG_EINVAL, attr_names[a],
                            "formatted string: wildcard '%c' at byte %ld is inside the %s value "
                            "(quote it as \\%c, or put it at either end)",
                            ch, base + (long)i, attr_names[a], ch);
                if (d)
                    d->offset = base + (long)i;
                return VG_EINVAL;
            }
            rc = builder_put(b, ch);
        } else if (isalnum((unsigned char)ch) || ch == '_') {
            rc = builder_put(b, ch);
        } else {
            vg_diag_set(d, VG_EINVAL, attr_names[a],
                        "formatted string: character '%c' at byte %ld must be quoted with \\",
                        isprint((unsigned char)ch) ? ch : '?', base + (long)i);
            if (d)
                d->offset = base + (long)i;
            return VG_EINVAL;
        }
    }
    if (rc < 0)
        return vg_diag_set(d, VG_ETOOBIG, attr_names[a], "CPE name too long");
    return builder_end(b, a, start, "formatted string", base, d);
}

void vg_cpe_clear(struct vg_cpe_name *name)
{
    memset(&name->cpe, 0, sizeof name->cpe);
    name->cpe.text = name->text;
    name->text[0] = '\0';
}

int vg_cpe_parse_fs(struct vg_str in, struct vg_cpe_name *name, struct vg_diag *d)
{
    struct builder b;
    builder_init(&b, name);
    if (in.len > VG_MAX_CPE)
        return vg_diag_set(d, VG_ETOOBIG, "", "CPE name longer than %d bytes", VG_MAX_CPE);
    if (!prefix_nocase(in, "cpe:2.3:")) { /* the prefix ignores case, as a URI scheme */
        vg_diag_set(d, VG_EINVAL, "", "formatted string must start with 'cpe:2.3:' (byte 0)");
        if (d)
            d->offset = 0;
        return VG_EINVAL;
    }
    size_t i = 8;
    for (int a = 0; a < VG_CPE_NATTR; a++) {
        size_t s = i;
        while (i < in.len && in.ptr[i] != ':') {
            if (in.ptr[i] == '\\')
                i++;
            i++;
        }
        if (i > in.len)
            i = in.len;
        if (i >= in.len && a < VG_CPE_NATTR - 1) {
            vg_diag_set(d, VG_EINVAL, attr_names[a],
                        "formatted string: %d components, expected 11 after 'cpe:2.3:' "
                        "(ends at byte %zu)",
                        a + 1, in.len);
            if (d)
                d->offset = (long)in.len;
            return VG_EINVAL;
        }
        int rc =
            unbind_fs_comp(&b, (enum vg_cpe_attr)a, (struct vg_str){in.ptr + s, i - s}, (long)s, d);
        if (rc < 0)
            return rc;
        if (a < VG_CPE_NATTR - 1)
            i++; /* the ':' */
    }
    if (i < in.len) {
        vg_diag_set(d, VG_EINVAL, "other",
                    "formatted string: more than 11 components (extra ':' at byte %zu)", i);
        if (d)
            d->offset = (long)i;
        return VG_EINVAL;
    }
    return 0;
}

int vg_cpe_parse_uri(struct vg_str in, struct vg_cpe_name *name, struct vg_diag *d)
{
    struct builder b;
    builder_init(&b, name);
    if (in.len > VG_MAX_CPE)
        return vg_diag_set(d, VG_ETOOBIG, "", "CPE name longer than %d bytes", VG_MAX_CPE);
    if (!prefix_nocase(in, "cpe:/")) {
        vg_diag_set(d, VG_EINVAL, "", "URI must start with 'cpe:/' (byte 0)");
        if (d)
            d->offset = 0;
        return VG_EINVAL;
    }
    size_t i = 5;
    for (int k = 0; i <= in.len; k++) {
        size_t s = i;
        while (i < in.len && in.ptr[i] != ':')
            i++;
        if (k >= 7) {
            vg_diag_set(d, VG_EINVAL, "", "URI: more than 7 components (byte %zu)", s);
            if (d)
                d->offset = (long)s;
            return VG_EINVAL;
        }
        struct vg_str comp = {in.ptr + s, i - s};
        enum vg_cpe_attr a = uri_attrs[k];
        int rc;
        if (a == VG_CPE_EDITION && comp.len > 0 && comp.ptr[0] == '~') {
            /* Packed edition (7695 6.1.3.5): ~edition~sw_edition~target_sw~target_hw~other */
            static const enum vg_cpe_attr packed[5] = {VG_CPE_EDITION, VG_CPE_SW_EDITION,
                                                       VG_CPE_TARGET_SW, VG_CPE_TARGET_HW,
                                                       VG_CPE_OTHER};
            size_t j = 1;
            for (int p = 0; p < 5; p++) {
                size_t ps = j;
                while (j < comp.len && comp.ptr[j] != '~')
                    j++;
                if ((p < 4 && j >= comp.len) || (p == 4 && j < comp.len)) {
                    vg_diag_set(d, VG_EINVAL, "edition",
                                "URI: packed edition at byte %zu needs exactly 5 fields "
                                "(~edition~sw_edition~target_sw~target_hw~other)",
                                s);
                    if (d)
                        d->offset = (long)s;
                    return VG_EINVAL;
                }
                rc = decode_uri_comp(&b, packed[p], (struct vg_str){comp.ptr + ps, j - ps},
                                     (long)(s + ps), d);
                if (rc < 0)
                    return rc;
                j++;
            }
        } else {
            rc = decode_uri_comp(&b, a, comp, (long)s, d);
            if (rc < 0)
                return rc;
        }
        i++;
    }
    return 0;
}

int vg_cpe_parse(struct vg_str in, struct vg_cpe_name *name, struct vg_diag *d)
{
    if (prefix_nocase(in, "cpe:/"))
        return vg_cpe_parse_uri(in, name, d);
    return vg_cpe_parse_fs(in, name, d);
}

int vg_cpe_set(struct vg_cpe_name *name, enum vg_cpe_attr a, struct vg_str v, struct vg_diag *d)
{
    struct vg_cpe *c = &name->cpe;
    if ((unsigned)a >= VG_CPE_NATTR)
        return vg_diag_set(d, VG_EINVAL, "", "no such CPE attribute");
    if (v.len == 0 || vg_str_eq(v, VG_STR("<ANY>"))) {
        c->kind[a] = VG_CPE_ANY;
        return 0;
    }
    if (vg_str_eq(v, VG_STR("<NA>"))) {
        c->kind[a] = VG_CPE_NA;
        return 0;
    }
    struct builder b = {name, 0};
    /* Append after the last value in use. */
    for (int i = 0; i < VG_CPE_NATTR; i++)
        if (c->kind[i] == VG_CPE_VALUE && (size_t)c->off[i] + c->len[i] + 1 > b.pos)
            b.pos = (size_t)c->off[i] + c->len[i] + 1;
    size_t start = b.pos;
    for (size_t i = 0; i < v.len; i++)
        if (builder_put(&b, v.ptr[i]) < 0)
            return vg_diag_set(d, VG_ETOOBIG, attr_names[a], "CPE name too long");
    return builder_end(&b, a, start, "WFN", 0, d);
}

struct vg_str vg_cpe_value(const struct vg_cpe *c, enum vg_cpe_attr a)
{
    if (c->kind[a] != VG_CPE_VALUE)
        return (struct vg_str){"", 0};
    return (struct vg_str){c->text + c->off[a], c->len[a]};
}

bool vg_cpe_product_key(const struct vg_cpe *c, char *out, size_t cap, size_t *len)
{
    static const enum vg_cpe_attr at[3] = {VG_CPE_PART, VG_CPE_VENDOR, VG_CPE_PRODUCT};
    size_t n = 0;
    for (int i = 0; i < 3; i++) {
        if (c->kind[at[i]] != VG_CPE_VALUE)
            return false;
        struct vg_str v = vg_cpe_value(c, at[i]);
        if (vg_cpe_has_wildcard(v) || n + v.len + 2 > cap)
            return false;
        for (size_t k = 0; k < v.len; k++)
            out[n++] = (char)tolower((unsigned char)v.ptr[k]);
        if (i < 2)
            out[n++] = ':';
    }
    out[n] = '\0';
    *len = n;
    return true;
}

const char *vg_cpe_attr_name(enum vg_cpe_attr a)
{
    return (unsigned)a < VG_CPE_NATTR ? attr_names[a] : "?";
}

int vg_cpe_unquote(struct vg_str v, struct vg_buf *out)
{
    for (size_t i = 0; i < v.len; i++) {
        if (v.ptr[i] == '\\' && i + 1 < v.len)
            i++;
        vg_buf_putc(out, v.ptr[i]);
    }
    return out->failed ? VG_ENOMEM : 0;
}

int vg_cpe_write_fs(const struct vg_cpe *c, struct vg_buf *out)
{
    vg_buf_puts(out, "cpe:2.3");
    for (int a = 0; a < VG_CPE_NATTR; a++) {
        vg_buf_putc(out, ':');
        if (c->kind[a] == VG_CPE_ANY) {
            vg_buf_putc(out, '*');
        } else if (c->kind[a] == VG_CPE_NA) {
            vg_buf_putc(out, '-');
        } else if (vg_str_eq(vg_cpe_value(c, (enum vg_cpe_attr)a), VG_STR("\\-"))) {
            /* The string "-" stays quoted: unquoted, it would read back as NA. */
            vg_buf_puts(out, "\\-");
        } else {
            /* 7695 6.2.2.2: `.`, `-` and `_` are written unquoted. */
            struct vg_str v = vg_cpe_value(c, (enum vg_cpe_attr)a);
            for (size_t i = 0; i < v.len; i++) {
                if (v.ptr[i] == '\\' && i + 1 < v.len) {
                    char q = v.ptr[++i];
                    if (q != '.' && q != '-' && q != '_')
                        vg_buf_putc(out, '\\');
                    vg_buf_putc(out, q);
                } else {
                    vg_buf_putc(out, v.ptr[i]);
                }
            }
        }
    }
    return out->failed ? VG_ENOMEM : 0;
}

/* One URI component (7695 6.1.2.3 transform_for_uri). */
static void uri_comp(const struct vg_cpe *c, enum vg_cpe_attr a, struct vg_buf *out)
{
    if (c->kind[a] == VG_CPE_ANY)
        return;
    if (c->kind[a] == VG_CPE_NA) {
        vg_buf_putc(out, '-');
        return;
    }
    struct vg_str v = vg_cpe_value(c, a);
    if (vg_str_eq(v, VG_STR("\\-"))) {
        vg_buf_puts(out, "%2d"); /* "-" alone would read back as NA */
        return;
    }
    for (size_t i = 0; i < v.len; i++) {
        char ch = v.ptr[i];
        if (ch == '\\' && i + 1 < v.len) {
            char q = v.ptr[++i];
            if (isalnum((unsigned char)q) || q == '_' || q == '.' || q == '-')
                vg_buf_putc(out, (char)tolower((unsigned char)q));
            else
                vg_buf_printf(out, "%%%02x", (unsigned char)q);
        } else if (ch == '?') {
            vg_buf_puts(out, "%01");
        } else if (ch == '*') {
            vg_buf_puts(out, "%02");
        } else {
            vg_buf_putc(out, (char)tolower((unsigned char)ch));
        }
    }
}

int vg_cpe_write_uri(const struct vg_cpe *c, struct vg_buf *out)
{
    size_t start = out->len;
    vg_buf_puts(out, "cpe:/");
    for (int k = 0; k < 7; k++) {
        enum vg_cpe_attr a = uri_attrs[k];
        if (k > 0)
            vg_buf_putc(out, ':');
        if (a == VG_CPE_EDITION &&
            (c->kind[VG_CPE_SW_EDITION] != VG_CPE_ANY || c->kind[VG_CPE_TARGET_SW] != VG_CPE_ANY ||
             c->kind[VG_CPE_TARGET_HW] != VG_CPE_ANY || c->kind[VG_CPE_OTHER] != VG_CPE_ANY)) {
            static const enum vg_cpe_attr packed[5] = {VG_CPE_EDITION, VG_CPE_SW_EDITION,
                                                       VG_CPE_TARGET_SW, VG_CPE_TARGET_HW,
                                                       VG_CPE_OTHER};
            for (int p = 0; p < 5; p++) {
                vg_buf_putc(out, '~');
                uri_comp(c, packed[p], out);
            }
        } else {
            uri_comp(c, a, out);
        }
    }
    if (out->failed)
        return VG_ENOMEM;
    /* Trailing empty components are dropped (7695 6.1.2.2). */
    while (out->len > start + 5 && out->data[out->len - 1] == ':')
        out->data[--out->len] = '\0';
    return 0;
}

int vg_cpe_write_json(const struct vg_cpe *c, struct vg_buf *out)
{
    vg_buf_putc(out, '{');
    for (int a = 0; a < VG_CPE_NATTR; a++) {
        if (a > 0)
            vg_buf_putc(out, ',');
        vg_buf_put_json(out, vg_str_c(attr_names[a]));
        vg_buf_putc(out, ':');
        if (c->kind[a] == VG_CPE_ANY)
            vg_buf_put_json(out, VG_STR("<ANY>"));
        else if (c->kind[a] == VG_CPE_NA)
            vg_buf_put_json(out, VG_STR("<NA>"));
        else
            vg_buf_put_json(out, vg_cpe_value(c, (enum vg_cpe_attr)a));
    }
    vg_buf_putc(out, '}');
    return out->failed ? VG_ENOMEM : 0;
}

bool vg_cpe_has_wildcard(struct vg_str v)
{
    for (size_t i = 0; i < v.len; i++) {
        if (v.ptr[i] == '\\')
            i++;
        else if (v.ptr[i] == '*' || v.ptr[i] == '?')
            return true;
    }
    return false;
}

bool vg_cpe_glob(struct vg_str pattern, struct vg_str target)
{
    struct tok p[VG_MAX_CPE + 8], t[VG_MAX_CPE + 8];
    int np = tokenize(pattern, p, sizeof p / sizeof p[0]);
    int nt = tokenize(target, t, sizeof t / sizeof t[0]);
    if (np < 0 || nt < 0)
        return false;
    int lead, trail, bs, be;
    split_specials(p, np, &lead, &trail, &bs, &be);
    int blen = be - bs;
    /* A run of k `?` at an end stands for 0..k characters there (7696 6.1.3), `*` for any. */
    for (int pos = 0; pos + blen <= nt; pos++) {
        if (lead >= 0 && pos > lead)
            break;
        int rest = nt - pos - blen;
        if (trail >= 0 && rest > trail)
            continue;
        bool ok = true;
        for (int k = 0; k < blen && ok; k++)
            ok = tolower((unsigned char)p[bs + k].c) == tolower((unsigned char)t[pos + k].c);
        if (ok)
            return true;
    }
    return false;
}

enum vg_cpe_rel vg_cpe_compare_attr(const struct vg_cpe *src, const struct vg_cpe *tgt,
                                    enum vg_cpe_attr a)
{
    int sk = src->kind[a], tk = tgt->kind[a];
    struct vg_str sv = vg_cpe_value(src, a), tv = vg_cpe_value(tgt, a);
    /* 7696 6.1.2, Table 6-2. */
    if (tk == VG_CPE_VALUE && vg_cpe_has_wildcard(tv))
        return VG_CPE_UNDEFINED;
    if (sk == tk && (sk != VG_CPE_VALUE || vg_str_eq_nocase(sv, tv)))
        return VG_CPE_EQUAL;
    if (sk == VG_CPE_ANY)
        return VG_CPE_SUPERSET;
    if (tk == VG_CPE_ANY)
        return VG_CPE_SUBSET;
    if (sk == VG_CPE_NA || tk == VG_CPE_NA)
        return VG_CPE_DISJOINT;
    return vg_cpe_glob(sv, tv) ? VG_CPE_SUPERSET : VG_CPE_DISJOINT;
}

enum vg_cpe_rel vg_cpe_compare(const struct vg_cpe *src, const struct vg_cpe *tgt)
{
    bool all_eq = true, sub = true, super = true;
    for (int a = 0; a < VG_CPE_NATTR; a++) {
        enum vg_cpe_rel r = vg_cpe_compare_attr(src, tgt, (enum vg_cpe_attr)a);
        if (r == VG_CPE_DISJOINT)
            return VG_CPE_DISJOINT;
        if (r != VG_CPE_EQUAL)
            all_eq = false;
        if (r != VG_CPE_EQUAL && r != VG_CPE_SUBSET)
            sub = false;
        if (r != VG_CPE_EQUAL && r != VG_CPE_SUPERSET)
            super = false;
    }
    if (all_eq)
        return VG_CPE_EQUAL;
    if (sub)
        return VG_CPE_SUBSET;
    if (super)
        return VG_CPE_SUPERSET;
    return VG_CPE_UNDEFINED;
}

const char *vg_cpe_rel_name(enum vg_cpe_rel r)
{
    switch (r) {
    case VG_CPE_DISJOINT: return "DISJOINT";
    case VG_CPE_SUBSET: return "SUBSET";
    case VG_CPE_SUPERSET: return "SUPERSET";
    case VG_CPE_EQUAL: return "EQUAL";
    default: return "UNDEFINED";
    }
}
