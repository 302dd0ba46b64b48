/* libFuzzer target of the checks of what users send (src/core/record.c: indicators, reports,
 * incidents, organisations; core/indicator.c's merge), of vg_email_domain and of the
 * product-name key (src/core/product.c). The input is read as a JSON document for the checks
 * and as plain bytes for the names. Properties:
 *  - a refusal of a JSON object names a field by a JSON pointer ("" for the whole body);
 *  - a checked indicator, report or incident is a fixed point: checked again it is accepted
 *    and equal (json_equal), so what is stored reads back as valid;
 *  - re-importing a stored indicator unchanged changes nothing, and merging a re-imported
 *    indicator twice changes nothing more than merging it once;
 *  - an accepted report's e-mail address has a domain (the intake looks its organisation up
 *    by it); vg_email_domain gives the bytes after the last '@', lower-cased, without one
 *    final dot, and never an empty domain;
 *  - a product name holds only [a-z0-9_], no '_' at the ends nor twice in a row, at most
 *    VG_PRODUCT_NAME_MAX bytes; normalising it again, or the input upper-cased, gives the same
 *    name; a quoted name without quoting or wildcards is the plain one; a key is the two
 *    names joined by ':'. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/indicator.h"
#include "core/product.h"
#include "core/record.h"
#include "util/json.h"

static void dump_fail(const char *what, const json_t *a, const json_t *b)
{
    char *x = a ? json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *y = b ? json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    fprintf(stderr, "%s\n  first:  %s\n  second: %s\n", what, x ? x : "(null)", y ? y : "(null)");
    abort();
}

static void refusal_names_field(const char *what, const json_t *in, int rc, const struct vg_diag *d)
{
    if (rc != 0 && json_is_object(in) && d->field[0] != '/' && d->field[0] != '\0') {
        fprintf(stderr, "%s refused without a field pointer: '%s' (%s)\n", what, d->field,
                d->message);
        abort();
    }
}

typedef int (*check_fn)(const json_t *in, enum vg_check_mode mode, json_t **out, struct vg_diag *d);

/* check(in) accepted gives out; check(out) must accept it and give out again. */
static json_t *fixed_point(const char *what, check_fn check, const json_t *in,
                           enum vg_check_mode mode)
{
    json_t *out = NULL, *again = NULL;
    struct vg_diag d;
    int rc = check(in, mode, &out, &d);
    refusal_names_field(what, in, rc, &d);
    if (rc != 0)
        return NULL;
    if (check(out, mode, &again, &d) != 0) {
        fprintf(stderr, "%s: its own output refused at '%s': %s\n", what, d.field, d.message);
        dump_fail("output", out, NULL);
    }
    if (!json_equal(out, again))
        dump_fail(what, out, again);
    json_decref(again);
    return out;
}

static int report_check(const json_t *in, enum vg_check_mode mode, json_t **out, struct vg_diag *d)
{
    (void)mode;
    return vg_report_check(in, out, d);
}

static void check_email_domain(const char *s)
{
    char out[512];
    int rc = vg_email_domain(s, out, sizeof out);
    const char *at = strrchr(s, '@');
    if (rc != 0) {
        /* refused: no '@', nothing after it but one dot, or too long for out */
        if (at && strlen(at + 1) > 1 && strlen(at + 1) < sizeof out - 1 &&
            !(strlen(at + 1) == 1 && at[1] == '.'))
            abort();
        return;
    }
    size_t n = strlen(at + 1);
    if (n && at[n] == '.')
        n--;
    if (n == 0 || strlen(out) != n) {
        fprintf(stderr, "email domain of '%s' is '%s'\n", s, out);
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        char c = at[1 + i];
        char want = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        if (out[i] != want)
            abort();
    }
}

static void check_name(struct vg_str s)
{
    char a[VG_PRODUCT_NAME_MAX + 1], b[VG_PRODUCT_NAME_MAX + 1], q[VG_PRODUCT_NAME_MAX + 1];
    long n = vg_product_name(s, VG_PRODUCT_PLAIN, a, sizeof a);
    if (n < 0 || n > VG_PRODUCT_NAME_MAX || (size_t)n != strlen(a))
        abort();
    for (long i = 0; i < n; i++) {
        char c = a[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            abort();
        if (c == '_' && (i == 0 || i == n - 1 || a[i - 1] == '_'))
            abort();
    }
    if (vg_product_name((struct vg_str){a, (size_t)n}, VG_PRODUCT_PLAIN, b, sizeof b) != n ||
        strcmp(a, b) != 0) {
        fprintf(stderr, "product name not a fixed point: '%s' then '%s'\n", a, b);
        abort();
    }
    char *up = malloc(s.len ? s.len : 1);
    bool plain = true;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        up[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
        plain = plain && c != '\\' && c != '*' && c != '?';
    }
    if (vg_product_name((struct vg_str){up, s.len}, VG_PRODUCT_PLAIN, b, sizeof b) != n ||
        strcmp(a, b) != 0)
        abort();
    free(up);
    long nq = vg_product_name(s, VG_PRODUCT_QUOTED, q, sizeof q);
    if (plain && (nq != n || strcmp(a, q) != 0))
        abort();
    if (!plain && nq >= 0 && (size_t)nq != strlen(q))
        abort();
}

static void check_names(const uint8_t *data, size_t size)
{
    /* vendor and product: the input cut at its first ':' (or in two halves) */
    const uint8_t *colon = memchr(data, ':', size);
    size_t cut = colon ? (size_t)(colon - data) : size / 2;
    struct vg_str v = {(const char *)data, cut};
    struct vg_str p = {(const char *)data + cut + (colon ? 1 : 0), size - cut - (colon ? 1 : 0)};
    check_name(v);
    check_name(p);
    char key[VG_PRODUCT_KEY_MAX + 1], nv[VG_PRODUCT_NAME_MAX + 1], np[VG_PRODUCT_NAME_MAX + 1];
    long k = vg_product_key(v, p, VG_PRODUCT_PLAIN, key, sizeof key);
    long a = vg_product_name(v, VG_PRODUCT_PLAIN, nv, sizeof nv);
    long b = vg_product_name(p, VG_PRODUCT_PLAIN, np, sizeof np);
    if (k != a + 1 + b || strncmp(key, nv, (size_t)a) != 0 || key[a] != ':' ||
        strcmp(key + a + 1, np) != 0)
        abort();
    /* The input as a CPE 2.3 formatted string: a key, when there is one, is well formed. */
    char *cpe = malloc(size + 1);
    memcpy(cpe, data, size);
    cpe[size] = '\0';
    long kc = vg_product_key_cpe23(cpe, key, sizeof key);
    if (kc >= 0 && ((size_t)kc != strlen(key) || !strchr(key, ':')))
        abort();
    check_email_domain(cpe);
    free(cpe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_names(data, size);
    json_t *in = vg_json_parse((const char *)data, size, NULL);
    if (!in)
        return 0;
    json_t *cur = fixed_point("indicator (create)", vg_indicator_check, in, VG_CHECK_CREATE);
    json_t *given = fixed_point("indicator (patch)", vg_indicator_check, in, VG_CHECK_PATCH);
    if (given) {
        /* stored: what a first import stores; importing the same again changes nothing */
        json_t *stored = vg_indicator_merge(NULL, cur ? cur : given);
        json_t *m0 = vg_indicator_merge(stored, cur ? cur : given);
        if (!stored || !json_equal(stored, m0))
            dump_fail("re-importing the stored indicator changes it", stored, m0);
        json_t *m1 = vg_indicator_merge(stored, given);
        json_t *m2 = vg_indicator_merge(m1, given);
        if (!m1 || !m2 || !json_equal(m1, m2))
            dump_fail("merging twice differs from merging once", m1, m2);
        json_decref(stored);
        json_decref(m0);
        json_decref(m1);
        json_decref(m2);
    }
    json_decref(cur);
    json_decref(given);
    json_t *rep = fixed_point("report", report_check, in, VG_CHECK_CREATE);
    if (rep) {
        const char *email =
            json_string_value(json_object_get(json_object_get(rep, "reporter"), "email"));
        char dom[512];
        if (email && vg_email_domain(email, dom, sizeof dom) != 0) {
            fprintf(stderr, "accepted reporter e-mail '%s' has no domain\n", email);
            abort();
        }
        json_decref(rep);
    }
    json_decref(fixed_point("incident (create)", vg_incident_check, in, VG_CHECK_CREATE));
    json_decref(fixed_point("incident (patch)", vg_incident_check, in, VG_CHECK_PATCH));
    json_t *org = NULL;
    struct vg_diag d;
    int rc = vg_org_check(in, VG_CHECK_CREATE, &org, &d);
    refusal_names_field("organisation", in, rc, &d);
    json_decref(org);
    json_decref(in);
    return 0;
}
