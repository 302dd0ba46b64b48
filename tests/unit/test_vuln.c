/* Unit tests of src/vuln: CPE names against the go-cpe vectors of the corpus, the version
 * order (a table, then antisymmetry and transitivity on random triples), ranges against
 * NVD's cpematch positives, the feed readers on corpus and broken samples, and matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/json.h"
#include "vuln/compact.h"
#include "vuln/cpe.h"
#include "vuln/feed.h"
#include "vuln/version.h"
#include "vuln/summary.h"
#include "vuln/vmatch.h"
#include "vuln/vuln.h"

/* ---- helpers ---- */

/* Path of rel under the shared corpus ($VIGIE_CORPUS, else ../shared/corpus), or NULL (and a
 * message) when the corpus is absent: the caller skips. Under CI=true a missing corpus file fails
 * the test instead (as need_corpus in tests/e2e/conftest.py). */
static const char *corpus(const char *rel, char *out, size_t cap)
{
    const char *base = getenv("VIGIE_CORPUS");
    if (!base || !*base)
        base = "../shared/corpus";
    snprintf(out, cap, "%s/%s", base, rel);
    struct stat sb;
    if (stat(out, &sb) != 0) {
        const char *ci = getenv("CI");
        if (ci && strcmp(ci, "true") == 0)
            fail_msg("corpus file %s absent: under CI=true a missing corpus is a failure", out);
        print_message("corpus file %s absent: skipped (set VIGIE_CORPUS)\n", out);
        return NULL;
    }
    return out;
}

static const char *const attrs[VG_CPE_NATTR] = {
    "part",     "vendor",     "product",   "version",   "update", "edition",
    "language", "sw_edition", "target_sw", "target_hw", "other",
};

/* Builds a WFN from a vector's JSON object; unquoted punctuation (the one upstream vector
 * with bare dots) is quoted first. Returns 0 or the first refusal, described in d. */
static int wfn_try(const json_t *o, struct vg_cpe_name *nm, struct vg_diag *d)
{
    vg_cpe_clear(nm);
    for (int a = 0; a < VG_CPE_NATTR; a++) {
        const char *v = json_string_value(json_object_get(o, attrs[a]));
        if (!v)
            continue;
        char q[512];
        size_t n = 0;
        if (strcmp(v, "<ANY>") && strcmp(v, "<NA>")) {
            for (size_t i = 0; v[i] && n + 3 < sizeof q; i++) {
                if (v[i] == '\\' && v[i + 1]) {
                    q[n++] = v[i++];
                    q[n++] = v[i];
                    continue;
                }
                if (!strchr("*?_", v[i]) &&
                    !((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
                      (v[i] >= '0' && v[i] <= '9')))
                    q[n++] = '\\';
                q[n++] = v[i];
            }
            q[n] = '\0';
        } else {
            snprintf(q, sizeof q, "%s", v);
            n = strlen(q);
        }
        vg_diag_clear(d);
        int rc = vg_cpe_set(nm, (enum vg_cpe_attr)a, (struct vg_str){q, n}, d);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static void wfn_from_json(const json_t *o, struct vg_cpe_name *nm)
{
    struct vg_diag d;
    if (wfn_try(o, nm, &d) != 0)
        fail_msg("vg_cpe_set: %s", d.message);
}

/* The vectors where vigie departs from go-cpe, as NISTIR 7695 asks (issue 11 item 16): a
 * language is an RFC 5646 tag (5.3.3.3), where upstream writes "sp2" (after an example of
 * 7695) or punctuation; a 2.2 URI has no raw '?' (its grammar, 6.1.2.1, writes %01). Each is
 * refused, naming the attribute. */
static const struct {
    const char *set;
    size_t i;
    const char *field;
} departures[] = {
    {"match", 0, "language"},       {"unbind_uri", 0, "version"},   {"unbind_uri", 8, "language"},
    {"bind_to_uri", 1, "language"}, {"bind_to_uri", 3, "language"}, {"bind_to_fs", 1, "language"},
};

/* The attribute vigie refuses in vector i of set, or NULL when it agrees with upstream. */
static const char *departure(const char *set, size_t i)
{
    for (size_t k = 0; k < sizeof departures / sizeof departures[0]; k++)
        if (strcmp(departures[k].set, set) == 0 && departures[k].i == i)
            return departures[k].field;
    return NULL;
}

/* A departing WFN vector: its WFN is refused at the attribute named. */
static void expect_wfn_refused(const json_t *o, const char *field, const char *set, size_t i)
{
    struct vg_cpe_name nm;
    struct vg_diag d;
    if (wfn_try(o, &nm, &d) == 0)
        fail_msg("%s %zu: accepted, expected a refusal of its %s", set, i, field);
    assert_string_equal(d.field, field);
}

/* Checks that nm holds what a vector's "wfn" object says (absent attributes are ANY). */
static void expect_wfn(const struct vg_cpe_name *nm, const json_t *w, const char *input)
{
    for (int a = 0; a < VG_CPE_NATTR; a++) {
        const char *want = json_string_value(json_object_get(w, attrs[a]));
        if (!want)
            want = "<ANY>";
        char got[600];
        if (nm->cpe.kind[a] == VG_CPE_ANY)
            snprintf(got, sizeof got, "<ANY>");
        else if (nm->cpe.kind[a] == VG_CPE_NA)
            snprintf(got, sizeof got, "<NA>");
        else {
            struct vg_str v = vg_cpe_value(&nm->cpe, (enum vg_cpe_attr)a);
            snprintf(got, sizeof got, "%.*s", (int)v.len, v.ptr);
        }
        if (strcmp(got, want) != 0)
            fail_msg("%s: %s is '%s', expected '%s'", input, attrs[a], got, want);
    }
}

/* ---- CPE ---- */

static void cpe_go_vectors(void **state)
{
    (void)state;
    char path[512];
    if (!corpus("cpe/oracle/go-cpe-vectors.json", path, sizeof path))
        skip();
    json_error_t err;
    json_t *doc = json_load_file(path, 0, &err);
    assert_non_null(doc);
    int checked = 0;

    json_t *v;
    size_t i;
    int departed = 0;
    json_array_foreach(json_object_get(doc, "match"), i, v) {
        const char *dep = departure("match", i);
        if (dep) {
            expect_wfn_refused(json_object_get(v, "source"), dep, "match", i);
            departed++;
            continue;
        }
        struct vg_cpe_name s, t;
        wfn_from_json(json_object_get(v, "source"), &s);
        wfn_from_json(json_object_get(v, "target"), &t);
        enum vg_cpe_rel r = vg_cpe_compare(&s.cpe, &t.cpe);
        bool dis = r == VG_CPE_DISJOINT, eq = r == VG_CPE_EQUAL;
        bool sub = r == VG_CPE_SUBSET || eq, sup = r == VG_CPE_SUPERSET || eq;
        if (dis != json_is_true(json_object_get(v, "is_disjoint")) ||
            eq != json_is_true(json_object_get(v, "is_equal")) ||
            sub != json_is_true(json_object_get(v, "is_subset")) ||
            sup != json_is_true(json_object_get(v, "is_superset")))
            fail_msg("match vector %zu: got %s", i, vg_cpe_rel_name(r));
        checked++;
    }
    const char *unbind[2] = {"unbind_uri", "unbind_fs"};
    for (int k = 0; k < 2; k++)
        json_array_foreach(json_object_get(doc, unbind[k]), i, v) {
            const char *in = json_string_value(json_object_get(v, "input"));
            struct vg_cpe_name nm;
            struct vg_diag d;
            vg_diag_clear(&d);
            int rc = k == 0 ? vg_cpe_parse_uri(vg_str_c(in), &nm, &d)
                            : vg_cpe_parse_fs(vg_str_c(in), &nm, &d);
            const char *dep = departure(unbind[k], i);
            if (dep) {
                if (rc == 0)
                    fail_msg("%s %zu: '%s' accepted, expected a refusal of its %s", unbind[k], i,
                             in, dep);
                assert_string_equal(d.field, dep);
                departed++;
                continue;
            }
            if (json_is_true(json_object_get(v, "expect_error"))) {
                if (rc == 0)
                    fail_msg("%s %zu: '%s' accepted, expected an error", unbind[k], i, in);
                assert_true(d.message[0] != '\0');
            } else {
                if (rc != 0)
                    fail_msg("%s %zu: '%s' refused: %s", unbind[k], i, in, d.message);
                expect_wfn(&nm, json_object_get(v, "wfn"), in);
            }
            checked++;
        }
    const char *bind[2] = {"bind_to_uri", "bind_to_fs"};
    for (int k = 0; k < 2; k++)
        json_array_foreach(json_object_get(doc, bind[k]), i, v) {
            const char *dep = departure(bind[k], i);
            if (dep) {
                expect_wfn_refused(json_object_get(v, "wfn"), dep, bind[k], i);
                departed++;
                continue;
            }
            struct vg_cpe_name nm;
            wfn_from_json(json_object_get(v, "wfn"), &nm);
            struct vg_buf b;
            vg_buf_init(&b, 4096);
            if (k == 0)
                vg_cpe_write_uri(&nm.cpe, &b);
            else
                vg_cpe_write_fs(&nm.cpe, &b);
            assert_string_equal(b.data, json_string_value(json_object_get(v, "expected")));
            vg_buf_cleanup(&b);
            checked++;
        }
    /* 18 + 17 + 8 + 5 + 3 vectors, 6 of them departures */
    assert_int_equal(checked + departed, 51);
    assert_int_equal(departed, 6);
    json_decref(doc);
}

static void cpe_round_trip_and_errors(void **state)
{
    (void)state;
    struct vg_cpe_name nm;
    struct vg_diag d;
    const char *fs = "cpe:2.3:a:nodejs:node.js:16.13.0:*:*:*:lts:*:*:*";
    assert_int_equal(vg_cpe_parse(vg_str_c(fs), &nm, &d), 0);
    struct vg_buf b;
    vg_buf_init(&b, 4096);
    vg_cpe_write_fs(&nm.cpe, &b);
    assert_string_equal(b.data, fs);
    vg_buf_reset(&b);
    vg_cpe_write_uri(&nm.cpe, &b);
    assert_string_equal(b.data, "cpe:/a:nodejs:node.js:16.13.0::~~lts~~~");
    vg_buf_reset(&b);
    /* URI in, formatted string out. */
    assert_int_equal(vg_cpe_parse(vg_str_c("cpe:/o:microsoft:windows_10:1607::~~~~x64~"), &nm, &d),
                     0);
    vg_cpe_write_fs(&nm.cpe, &b);
    assert_string_equal(b.data, "cpe:2.3:o:microsoft:windows_10:1607:*:*:*:*:*:x64:*");
    vg_buf_cleanup(&b);
    /* A value that is just a hyphen stays a value through both bindings (it used to come
     * back as NA, found by fuzz_cpe). */
    struct vg_cpe_name back;
    assert_int_equal(vg_cpe_parse(vg_str_c("cpe:/a:%2d:x:1"), &nm, &d), 0);
    assert_int_equal(nm.cpe.kind[VG_CPE_VENDOR], VG_CPE_VALUE);
    vg_buf_init(&b, 4096);
    vg_cpe_write_fs(&nm.cpe, &b);
    assert_string_equal(b.data, "cpe:2.3:a:\\-:x:1:*:*:*:*:*:*:*");
    assert_int_equal(vg_cpe_parse(vg_str_c(b.data), &back, &d), 0);
    assert_int_equal(vg_cpe_compare(&nm.cpe, &back.cpe), VG_CPE_EQUAL);
    vg_buf_reset(&b);
    vg_cpe_write_uri(&nm.cpe, &b);
    assert_string_equal(b.data, "cpe:/a:%2d:x:1");
    vg_buf_cleanup(&b);
    /* Errors name the place. */
    assert_int_equal(vg_cpe_parse(vg_str_c("cpe:2.3:a:x:y:1.0:*:*:*:*:*:*"), &nm, &d), VG_EINVAL);
    assert_non_null(strstr(d.message, "11"));
    assert_int_equal(vg_cpe_parse(vg_str_c("cpe:2.3:a:x:y$z:1.0:*:*:*:*:*:*:*"), &nm, &d),
                     VG_EINVAL);
    assert_int_equal(d.offset, 13);
    assert_string_equal(d.field, "product");
    assert_int_equal(vg_cpe_parse(vg_str_c("cpe:2.3:a:x:y:1.0:*:*:*:*:*:*:*:extra"), &nm, &d),
                     VG_EINVAL);
    assert_int_equal(vg_cpe_parse(vg_str_c("cpe:2.3:q:x:y:1.0:*:*:*:*:*:*:*"), &nm, &d), VG_EINVAL);
    assert_int_equal(vg_cpe_parse(vg_str_c("cpe:2.3:a:x:y:1.0\\"), &nm, &d), VG_EINVAL);
    assert_int_equal(vg_cpe_parse(vg_str_c(""), &nm, &d), VG_EINVAL);
    char big[VG_MAX_CPE + 20];
    memset(big, 'a', sizeof big);
    memcpy(big, "cpe:2.3:a:", 10);
    assert_int_equal(vg_cpe_parse((struct vg_str){big, sizeof big}, &nm, &d), VG_ETOOBIG);
    /* Relations of whole names, as the CLI prints them. */
    struct vg_cpe_name s, t;
    vg_cpe_parse(vg_str_c("cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*"), &s, &d);
    vg_cpe_parse(vg_str_c("cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*"), &t, &d);
    assert_int_equal(vg_cpe_compare(&s.cpe, &t.cpe), VG_CPE_SUPERSET);
    assert_int_equal(vg_cpe_compare(&t.cpe, &s.cpe), VG_CPE_SUBSET);
    assert_int_equal(vg_cpe_compare(&t.cpe, &t.cpe), VG_CPE_EQUAL);
    vg_cpe_parse(vg_str_c("cpe:2.3:a:apache:tomcat:*:*:*:*:*:*:*:*"), &s, &d);
    assert_int_equal(vg_cpe_compare(&s.cpe, &t.cpe), VG_CPE_DISJOINT);
    vg_cpe_parse(vg_str_c("cpe:2.3:a:apache:http_server:2.4.4?:*:*:*:*:*:*:*"), &s, &d);
    assert_int_equal(vg_cpe_compare(&s.cpe, &t.cpe), VG_CPE_SUPERSET);
    assert_int_equal(vg_cpe_compare(&t.cpe, &s.cpe), VG_CPE_UNDEFINED);
}

/* Examples of NISTIR 7695 sections 6.1 and 6.2 (binding and unbinding): a name read in one
 * syntax, written in both; or refused. */
struct cpe_example {
    const char *in, *fs, *uri; /* fs == NULL: in must be refused */
};

static const struct cpe_example spec_examples[] = {
    {"cpe:/a:microsoft:internet_explorer:8.0.6001:beta",
     "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*",
     "cpe:/a:microsoft:internet_explorer:8.0.6001:beta"},
    {"cpe:/a:microsoft:internet_explorer:8.%2a:sp%3f",
     "cpe:2.3:a:microsoft:internet_explorer:8.\\*:sp\\?:*:*:*:*:*:*",
     "cpe:/a:microsoft:internet_explorer:8.%2a:sp%3f"},
    {"cpe:/a:microsoft:internet_explorer:8.%02:sp%01",
     "cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*",
     "cpe:/a:microsoft:internet_explorer:8.%02:sp%01"},
    {"cpe:/a:hp:insight_diagnostics:7.4.0.1570:-:~~online~win2003~x64~",
     "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*",
     "cpe:/a:hp:insight_diagnostics:7.4.0.1570:-:~~online~win2003~x64~"},
    {"cpe:/a:hp:openview_network_manager:7.51:-:~~~linux~~",
     "cpe:2.3:a:hp:openview_network_manager:7.51:-:*:*:*:linux:*:*",
     "cpe:/a:hp:openview_network_manager:7.51:-:~~~linux~~"},
    {"cpe:/a:foo~bar:big%7emoney_2010", "cpe:2.3:a:foo\\~bar:big\\~money_2010:*:*:*:*:*:*:*:*",
     "cpe:/a:foo%7ebar:big%7emoney_2010"},
    {"cpe:/a:foo%5cbar:big%24money_2010%07:::~~special~ipod_touch~80gb~", NULL, NULL},
    {"cpe:/a:foo:bar:12.%02.1234", NULL, NULL},
    {"cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*",
     "cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*",
     "cpe:/a:microsoft:internet_explorer:8.%02:sp%01"},
    {"cpe:2.3:a:hp:insight_diagnostics:7.4.*.1570:*:*:*:*:*:*:*", NULL, NULL},
    {"cpe:2.3:a:foo\\\\bar:big\\$money:2010:*:*:*:special:ipod_touch:80gb:*",
     "cpe:2.3:a:foo\\\\bar:big\\$money:2010:*:*:*:special:ipod_touch:80gb:*",
     "cpe:/a:foo%5cbar:big%24money:2010::~~special~ipod_touch~80gb~"},
    {"cpe:2.3:a:hp:openview_network_manager:7.51:*:*:*:*:linux:*:*",
     "cpe:2.3:a:hp:openview_network_manager:7.51:*:*:*:*:linux:*:*",
     "cpe:/a:hp:openview_network_manager:7.51::~~~linux~~"},
};

static void cpe_spec_examples(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof spec_examples / sizeof spec_examples[0]; i++) {
        const struct cpe_example *x = &spec_examples[i];
        struct vg_cpe_name nm;
        struct vg_diag d;
        vg_diag_clear(&d);
        int rc = vg_cpe_parse(vg_str_c(x->in), &nm, &d);
        if (!x->fs) {
            if (rc == 0)
                fail_msg("'%s' accepted, the specification refuses it", x->in);
            continue;
        }
        if (rc != 0)
            fail_msg("'%s': %s", x->in, d.message);
        struct vg_buf b;
        vg_buf_init(&b, 4096);
        vg_cpe_write_fs(&nm.cpe, &b);
        if (strcmp(b.data, x->fs) != 0)
            fail_msg("'%s' binds to '%s', expected '%s'", x->in, b.data, x->fs);
        vg_buf_reset(&b);
        vg_cpe_write_uri(&nm.cpe, &b);
        if (strcmp(b.data, x->uri) != 0)
            fail_msg("'%s' binds to '%s', expected '%s'", x->in, b.data, x->uri);
        vg_buf_cleanup(&b);
    }
}

/* tests/data/cpe: good-* samples parse, bad-* samples are refused with a message. */
static void cpe_samples(void **state)
{
    (void)state;
    const char *names[] = {"good-fs.txt",
                           "good-uri.txt",
                           "good-upper-case-prefix.txt",
                           "good-uri-pct02-alone.txt",
                           "bad-embedded-star.txt",
                           "bad-10-components.txt",
                           "bad-packed-edition.txt",
                           "bad-language.txt",
                           "bad-language-uri.txt",
                           "bad-uri-raw-star.txt"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[256], line[2048];
        snprintf(path, sizeof path, "tests/data/cpe/%s", names[i]);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        assert_non_null(fgets(line, sizeof line, f));
        fclose(f);
        line[strcspn(line, "\n")] = '\0';
        struct vg_cpe_name nm;
        struct vg_diag d;
        vg_diag_clear(&d);
        int rc = vg_cpe_parse(vg_str_c(line), &nm, &d);
        if (strncmp(names[i], "good", 4) == 0) {
            if (rc != 0)
                fail_msg("%s: %s", names[i], d.message);
        } else {
            assert_int_equal(rc, VG_EINVAL);
            assert_true(strstr(d.message, "byte") != NULL);
        }
    }
}

/* ---- versions ---- */

struct vpair {
    const char *a, *b;
    int want; /* sign of cmp(a, b) */
};

static const struct vpair vtable[] = {
    {"1.10", "1.9", 1},
    {"2.0", "2.0.0", 0},
    {"1.0-rc1", "1.0", -1},
    {"1.0alpha", "1.0beta", -1},
    {"1.0-beta2", "1.0-rc1", -1},
    {"1.0-alpha.1", "1.0-alpha.2", -1},
    {"1.0p1", "1.0", 1},
    {"1.0a", "1.0", 1},
    {"1.0.2k", "1.0.2j", 1},
    {"1.0.2", "1.0.2a", -1},
    {"1.0.1a", "1.0.2", -1},
    {"1.0.0", "1", 0},
    {"1.01", "1.1", 0},
    {"v1.2", "1.2", 0},
    {"1.2.3+build5", "1.2.3", 1},
    {"1.2.3+build5", "1.2.3+build6", -1},
    {"1.2.3+build9", "1.2.4", -1},
    {"2021-03-04", "2021-03-05", -1},
    {"20210304", "20201231", 1},
    {"2021.10", "2021.9", 1},
    {"8u292", "8u301", -1},
    {"8u292", "8", 1},
    {"8u292", "9", -1},
    {"1.8.0_292", "1.8.0_301", -1},
    {"2008", "2008r2", -1},
    {"1.0-dev", "1.0-alpha", -1},
    {"1.0-snapshot", "1.0", -1},
    {"1.0-preview1", "1.0-rc1", -1},
    {"1.0-beta", "1.0-preview", -1},
    {"1.0-rc", "1.0-rc1", -1},
    {"1.0rc1", "1.0-rc1", 0},
    {"1.0.0-rc.1", "1.0-rc1", 0},
    {"1.0a1", "1.0alpha1", 0},
    {"1.0b2", "1.0beta2", 0},
    {"1.0a1", "1.0b1", -1},
    {"1.0b1", "1.0", -1},
    {"1.0-final", "1.0", 0},
    {"1.0.GA", "1.0", 0},
    {"1.0-1", "1.0", 1},
    {"1.0-ubuntu1", "1.0", 1},
    {"1.0sp1", "1.0", 1},
    {"1.0sp1", "1.0sp2", -1},
    {"1.0-patch2", "1.0-patch10", -1},
    {"10.0.19041.1234", "10.0.19041.999", 1},
    {"2.4.49", "2.4.5", 1},
    {"2.4.50", "2.4.49", 1},
    {"0.9.9", "1.0", -1},
    {"1.0", "1.0.0.0.0", 0},
    {"1.0.0.1", "1.0", 1},
    {"5.0.0-beta", "5.0.0", -1},
    {"3.0.0-beta", "2.9.9", 1},
    {"1.2.3-alpha", "1.2.2", 1},
    {"", "1.0", -1},
    {"1.0", "1.0 ", 0},
    {"1.0-RC1", "1.0-rc1", 0},
    {"1.0.0-alpha", "1.0.0-alpha.1", -1},
    {"1.0.0-alpha.1", "1.0.0-beta", -1},
    {"4.1.0-rc.1", "4.1.0", -1},
    {"16.13.0", "16.16.0", -1},
    {"16.9.1", "16.13.0", -1},
    {"7.4.0.1570", "7.4", 1},
    {"1.0.2u", "1.1.0", -1},
    {"1.1.1w", "1.1.1", 1},
    {"2.0.0-M1", "2.0.0", -1},
    {"2.0.0-M1", "2.0.0-rc1", -1},
    {"1.0~rc1", "1.0", -1},
    {"11.0.2+9", "11.0.2", 1},
    {"6.00", "6.0", 0},
    {"1.0-lts", "1.0", 1},
    {"99999999999999999999.1", "99999999999999999999", 1},
    {"100000000000000000000", "99999999999999999999", 1},
};

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

static void version_table(void **state)
{
    (void)state;
    size_t n = sizeof vtable / sizeof vtable[0];
    assert_true(n >= 60);
    for (size_t i = 0; i < n; i++) {
        int c = sign(vg_version_cmp(vg_str_c(vtable[i].a), vg_str_c(vtable[i].b)));
        int r = sign(vg_version_cmp(vg_str_c(vtable[i].b), vg_str_c(vtable[i].a)));
        if (c != vtable[i].want || r != -vtable[i].want)
            fail_msg("cmp('%s', '%s') = %d / reverse %d, expected %d", vtable[i].a, vtable[i].b, c,
                     r, vtable[i].want);
    }
}

static void random_version(char *out, size_t cap, unsigned *seed)
{
    static const char alpha[] = "0123456789..--+_abprcuvmz~ 0019";
    size_t n = (size_t)(rand_r(seed) % 12);
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = alpha[rand_r(seed) % (sizeof alpha - 1)];
    out[n] = '\0';
}

static void version_total_order(void **state)
{
    (void)state;
    unsigned seed = 42;
    size_t nt = sizeof vtable / sizeof vtable[0];
    for (int round = 0; round < 200000; round++) {
        char buf[3][32];
        const char *v[3];
        for (int k = 0; k < 3; k++) {
            if (rand_r(&seed) % 3 == 0) {
                const struct vpair *p = &vtable[rand_r(&seed) % nt];
                v[k] = rand_r(&seed) % 2 ? p->a : p->b;
            } else {
                random_version(buf[k], sizeof buf[k], &seed);
                v[k] = buf[k];
            }
        }
        int ab = sign(vg_version_cmp(vg_str_c(v[0]), vg_str_c(v[1])));
        int ba = sign(vg_version_cmp(vg_str_c(v[1]), vg_str_c(v[0])));
        int bc = sign(vg_version_cmp(vg_str_c(v[1]), vg_str_c(v[2])));
        int ac = sign(vg_version_cmp(vg_str_c(v[0]), vg_str_c(v[2])));
        if (ab != -ba)
            fail_msg("not antisymmetric: '%s' '%s'", v[0], v[1]);
        if (ab <= 0 && bc <= 0 && ac > 0)
            fail_msg("not transitive: '%s' <= '%s' <= '%s'", v[0], v[1], v[2]);
        if (ab == 0 && bc == 0 && ac != 0)
            fail_msg("equivalence not transitive: '%s' '%s' '%s'", v[0], v[1], v[2]);
    }
}

static bool in_range(const char *v, const char *s, bool si, const char *e, bool ei)
{
    struct vg_version_range r = {{s, s ? strlen(s) : 0}, {e, e ? strlen(e) : 0}, si, ei};
    return vg_version_in_range(vg_str_c(v), &r);
}

static void version_ranges(void **state)
{
    (void)state;
    assert_true(in_range("2.4.49", "2.4.0", true, "2.4.50", false));
    assert_false(in_range("2.4.50", "2.4.0", true, "2.4.50", false));
    assert_true(in_range("2.4.50", "2.4.0", true, "2.4.50", true));
    assert_true(in_range("2.4.0", "2.4.0", true, "2.4.50", false));
    assert_false(in_range("2.4.0", "2.4.0", false, "2.4.50", false));
    assert_true(in_range("2.4", "2.4.0", true, NULL, false)); /* 2.4 == 2.4.0 */
    assert_false(in_range("2.3.99", "2.4", true, NULL, false));
    assert_true(in_range("3.0-rc1", NULL, false, "3.0", false)); /* a pre-release is before */
    assert_false(in_range("3.0.1", NULL, false, "3.0", true));
    assert_true(in_range("1.1.1k", "1.1.1", true, "1.1.1l", false));
    assert_false(in_range("1.1.1l", "1.1.1", true, "1.1.1l", false));
    assert_true(in_range("anything", NULL, false, NULL, false));
    assert_true(in_range("16.13.0", "16.13.0", true, "16.16.0", false));
    assert_false(in_range("16.9.0", "16.13.0", true, "16.16.0", false));
}

/* Every positive of NVD's cpematch answer is in its criterion's range, and the matcher finds
 * each of them when the criteria are a CVE's configuration. */
static void version_cpematch_positives(void **state)
{
    (void)state;
    char path[512];
    if (!corpus("nvd2/nvd-go/nvd-api/testdata/responses/cpematch-CVE-2022-32223.json", path,
                sizeof path))
        skip();
    json_error_t err;
    json_t *doc = json_load_file(path, 0, &err);
    assert_non_null(doc);
    json_t *ms = json_object_get(doc, "matchStrings"), *m;
    size_t i, positives = 0;
    json_t *matches = json_array();
    struct vg_inventory *inv = vg_inventory_new();
    json_array_foreach(ms, i, m) {
        json_t *crit = json_object_get(m, "matchString");
        struct vg_version_range r;
        memset(&r, 0, sizeof r);
        const char *b;
        if ((b = json_string_value(json_object_get(crit, "versionStartIncluding"))))
            r.start = vg_str_c(b), r.start_incl = true;
        if ((b = json_string_value(json_object_get(crit, "versionStartExcluding"))))
            r.start = vg_str_c(b);
        if ((b = json_string_value(json_object_get(crit, "versionEndIncluding"))))
            r.end = vg_str_c(b), r.end_incl = true;
        if ((b = json_string_value(json_object_get(crit, "versionEndExcluding"))))
            r.end = vg_str_c(b);
        json_t *pos, *p;
        size_t k;
        pos = json_object_get(crit, "matches");
        json_array_foreach(pos, k, p) {
            const char *name = json_string_value(json_object_get(p, "cpeName"));
            struct vg_cpe_name nm;
            struct vg_diag d;
            assert_int_equal(vg_cpe_parse(vg_str_c(name), &nm, &d), 0);
            if (r.start.ptr || r.end.ptr) {
                struct vg_buf ver;
                vg_buf_init(&ver, 256);
                vg_cpe_unquote(vg_cpe_value(&nm.cpe, VG_CPE_VERSION), &ver);
                if (!vg_version_in_range(vg_str_c(ver.data), &r))
                    fail_msg("%s not in its criterion's range", name);
                vg_buf_cleanup(&ver);
            }
            char org[32];
            snprintf(org, sizeof org, "org-%zu", positives);
            if (vg_inventory_add(inv, vg_str_c(org), vg_str_c(name), &d) < 0)
                fail_msg("%s: %s", name, d.message);
            positives++;
        }
        json_t *cm = json_deep_copy(crit);
        json_object_del(cm, "matches");
        json_object_set_new(cm, "vulnerable", json_true());
        json_array_append_new(matches, cm);
    }
    assert_int_equal(positives, 76);
    /* One CVE whose single node lists the six criteria. */
    json_t *page =
        json_pack("{s:[{s:{s:s,s:s,s:[{s:[{s:s,s:b,s:o}]}]}}]}", "vulnerabilities", "cve", "id",
                  "CVE-2022-32223", "lastModified", "2023-01-01", "configurations", "nodes",
                  "operator", "OR", "negate", 0, "cpeMatch", matches);
    assert_non_null(page);
    char *text = json_dumps(page, JSON_COMPACT);
    struct vg_vuln_set *s = vg_vuln_set_new();
    struct vg_feed_stats st = {0};
    struct vg_diag d;
    assert_int_equal(vg_feed_read_mem(s, VG_FEED_NVD, "cpematch", text, strlen(text), NULL, &st,
                                      &d),
                     0);
    assert_int_equal(st.added, 1);
    struct vg_vindex *ix = vg_vindex_build(s);
    struct vg_findings f;
    vg_findings_init(&f);
    assert_int_equal(vg_vmatch_all(ix, s, inv, &f), 0);
    assert_int_equal(f.n, positives);
    vg_findings_cleanup(&f);
    vg_vindex_free(ix);
    vg_vuln_set_free(s);
    vg_inventory_free(inv);
    free(text);
    json_decref(page);
    json_decref(doc);
}

/* ---- feeds ---- */

struct errors {
    char items[32][160]; /* "pointer: message" or "line N: message" */
    int n;
};

static void on_error(void *ctx, const char *file, const struct vg_diag *d)
{
    (void)file;
    struct errors *e = ctx;
    if (e->n < 32) {
        if (d->line > 0)
            snprintf(e->items[e->n++], sizeof e->items[0], "line %ld", d->line);
        else
            snprintf(e->items[e->n++], sizeof e->items[0], "%s", d->field);
    }
}

static int read_path(struct vg_vuln_set *s, const char *path, struct vg_feed_stats *st,
                     struct errors *e)
{
    struct vg_feed_opts o = {false, on_error, e};
    struct vg_diag d;
    vg_diag_clear(&d);
    memset(st, 0, sizeof *st);
    return vg_feed_read_path(s, VG_FEED_AUTO, path, &o, st, &d);
}

static void feed_corpus_nvd(void **state)
{
    (void)state;
    char path[512];
    if (!corpus("nvd2/nvd-go/nvd-api/testdata/responses/cves-2023.json", path, sizeof path))
        skip();
    struct vg_vuln_set *s = vg_vuln_set_new();
    struct vg_feed_stats st;
    struct errors e = {0};
    assert_int_equal(read_path(s, path, &st, &e), 0);
    assert_int_equal(st.added, 200);
    assert_int_equal(st.rejected, 0);
    /* Reading again changes nothing: same lastModified. */
    assert_int_equal(read_path(s, path, &st, &e), 0);
    assert_int_equal(st.unchanged, 200);
    long i = vg_vuln_set_find(s, vg_vuln_key(VG_STR("CVE-2022-44006")));
    assert_true(i >= 0);
    const struct vg_vuln *v = vg_vuln_set_at(s, (size_t)i)->nvd;
    assert_non_null(v);
    assert_true(v->cvss > 9.79f && v->cvss < 9.81f);
    assert_int_equal(v->cvss_version, 31);
    assert_string_equal(v->severity, "CRITICAL");
    assert_int_equal(v->nmatches, 1);
    assert_string_equal(v->matches[0].cpe.text + v->matches[0].cpe.off[VG_CPE_PRODUCT],
                        "backclick");
    assert_int_equal(v->cwes.len, 6);
    assert_string_equal(v->modified, "2022-11-20T14:02:24.783");
    const char *more[] = {"nvd2/nvd-go/nvd-api/testdata/responses/cves-1999.json",
                          "nvd2/nvd-go/nvd-api/testdata/responses/cves-CVE-2023-0001.json",
                          "nvd2/nvd-go/nvd-api/testdata/cve-2022-44006.json"};
    size_t want_added[] = {200, 1, 0};
    for (int k = 0; k < 3; k++) {
        assert_non_null(corpus(more[k], path, sizeof path));
        assert_int_equal(read_path(s, path, &st, &e), 0);
        assert_int_equal(st.rejected, 0);
        assert_int_equal(st.added, want_added[k]);
    }
    /* A 1999 CVE with only CVSS v2: score and severity from v2. */
    i = vg_vuln_set_find(s, vg_vuln_key(VG_STR("CVE-1999-0001")));
    if (i >= 0 && vg_vuln_set_at(s, (size_t)i)->nvd->cvss >= 0)
        assert_int_equal(vg_vuln_set_at(s, (size_t)i)->nvd->cvss_version, 20);
    vg_vuln_set_free(s);
}

static void feed_broken_nvd(void **state)
{
    (void)state;
    struct vg_vuln_set *s = vg_vuln_set_new();
    struct vg_feed_stats st;
    struct errors e = {0};
    assert_int_equal(read_path(s, "tests/data/nvd/broken.json", &st, &e), 0);
    assert_int_equal(st.added, 2);
    assert_int_equal(st.rejected, 7);
    const char *want[] = {
        "/vulnerabilities/1/cve/id",
        "/vulnerabilities/2/cve/configurations/0/nodes/0/cpeMatch/0/criteria",
        "/vulnerabilities/3/cve/configurations/0/nodes/0/operator",
        "/vulnerabilities/4/cve/metrics/cvssMetricV31/0/cvssData/baseScore",
        "/vulnerabilities/5/cve/configurations/0/nodes/0/cpeMatch/0/vulnerable",
        "/vulnerabilities/7/cve",
        "/vulnerabilities/8/cve/configurations",
    };
    assert_int_equal(e.n, 7);
    for (int k = 0; k < 7; k++)
        assert_string_equal(e.items[k], want[k]);
    /* A truncated file is refused as a whole, with its line. */
    struct vg_diag d;
    vg_diag_clear(&d);
    memset(&st, 0, sizeof st);
    assert_int_equal(vg_feed_read_path(s, VG_FEED_AUTO, "tests/data/nvd/not-json.json", NULL, &st,
                                       &d),
                     VG_EINVAL);
    assert_true(d.line >= 1);
    assert_int_equal(vg_feed_read_path(s, VG_FEED_AUTO, "tests/data/nvd/absent.json", NULL, &st,
                                       &d),
                     VG_EIO);
    vg_vuln_set_free(s);
}

static void feed_cve5(void **state)
{
    (void)state;
    struct vg_vuln_set *s = vg_vuln_set_new();
    struct vg_feed_stats st;
    struct errors e = {0};
    assert_int_equal(read_path(s, "tests/data/cve5/broken.json", &st, &e), 0);
    assert_int_equal(st.added, 2);
    assert_int_equal(st.rejected, 4);
    assert_string_equal(e.items[0], "/1/cveMetadata");
    assert_string_equal(e.items[1], "/2/cveMetadata/cveId");
    assert_string_equal(e.items[2], "/3/containers/cna/affected/0/versions/0");
    assert_string_equal(e.items[3], "/4/containers/cna/metrics/0/cvssV3_1/baseScore");
    long i = vg_vuln_set_find(s, vg_vuln_key(VG_STR("CVE-2024-3005")));
    assert_true(i >= 0 && vg_vuln_set_at(s, (size_t)i)->cve5->rejected);
    vg_vuln_set_free(s);

    char path[512];
    if (!corpus("cve5/cvelib/tests/data/CVEv5_advanced-example.json", path, sizeof path))
        skip();
    s = vg_vuln_set_new();
    assert_int_equal(read_path(s, path, &st, &e), 0);
    assert_int_equal(st.added, 1);
    const struct vg_vuln *v = vg_vuln_set_at(s, 0)->cve5;
    assert_string_equal(v->id, "CVE-1337-1234");
    assert_true(v->naffected >= 1);
    assert_string_equal(v->affected[0].vendor.ptr, "example_org");
    assert_string_equal(v->affected[0].product.ptr, "example_enterprise");
    assert_string_equal(v->affected[0].versions[0].less_than.ptr, "1.0.6");
    assert_non_null(corpus("cve5/cve-services/test/schemas/5.0/cveRecordList.json", path,
                           sizeof path));
    assert_int_equal(read_path(s, path, &st, &e), 0);
    assert_int_equal(st.added + st.updated + st.unchanged + st.rejected, 5);
    /* A directory tree: every record of the CVE Services samples, bad ones reported. */
    assert_non_null(corpus("cve5/cve-services/test/schemas", path, sizeof path));
    read_path(s, path, &st, &e);
    assert_true(st.files >= 10);
    assert_true(st.added + st.updated + st.unchanged >= 5);
    vg_vuln_set_free(s);
}

static int collect_visit(void *ctx, const char *path, int err, const struct vg_diag *d)
{
    (void)d;
    char *list = ctx;
    size_t n = strlen(list);
    snprintf(list + n, 1024 - n, "%s%s;", err ? "!" : "", path);
    return 0;
}

static void put_file(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
}

/* The one walker: feed files in byte order of names, subdirectories in place, hidden
 * entries and other names left out; a path that is no directory goes to the reader. */
static void feed_walk_order(void **state)
{
    (void)state;
    char dir[] = "/tmp/vigie-walk-XXXXXX", p[256];
    assert_non_null(mkdtemp(dir));
    const char *files[] = {"b.json", "a.csv", ".hidden.json", "notes.txt", "sub/c.json", "B.json"};
    snprintf(p, sizeof p, "%s/sub", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        put_file(p);
    }
    char list[1024] = "", want[1024];
    struct vg_diag d;
    assert_int_equal(vg_feed_walk(dir, collect_visit, list, &d), 0);
    snprintf(want, sizeof want, "%s/B.json;%s/a.csv;%s/b.json;%s/sub/c.json;", dir, dir, dir, dir);
    assert_string_equal(list, want);
    list[0] = '\0';
    assert_int_equal(vg_feed_walk("/nonexistent/x.json", collect_visit, list, &d), 0);
    assert_string_equal(list, "/nonexistent/x.json;");
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    snprintf(p, sizeof p, "%s/sub", dir);
    rmdir(p);
    rmdir(dir);
}

static void feed_kev_epss(void **state)
{
    (void)state;
    struct vg_vuln_set *s = vg_vuln_set_new();
    struct vg_feed_stats st;
    struct errors e = {0};
    assert_int_equal(read_path(s, "tests/data/kev/broken.json", &st, &e), 0);
    assert_int_equal(st.added, 2);
    assert_int_equal(st.rejected, 2);
    assert_string_equal(e.items[0], "/vulnerabilities/1/cveID");
    assert_string_equal(e.items[1], "/vulnerabilities/2/dateAdded");
    long i = vg_vuln_set_find(s, vg_vuln_key(VG_STR("CVE-2021-44228")));
    assert_true(i >= 0);
    const struct vg_vuln_entry *en = vg_vuln_set_at(s, (size_t)i);
    assert_true(en->has_kev && en->kev.ransomware);
    assert_string_equal(en->kev.date_added, "2021-12-10");
    assert_string_equal(en->kev.due_date, "2021-12-24");

    e.n = 0;
    assert_int_equal(read_path(s, "tests/data/epss/broken.csv", &st, &e), 0);
    assert_int_equal(st.added, 2);
    assert_int_equal(st.rejected, 4);
    assert_string_equal(e.items[0], "line 4");
    assert_string_equal(e.items[3], "line 7");
    assert_string_equal(vg_vuln_set_epss_model(s), "v2023.03.01,2023-03-15T00:00:00+0000");
    en = vg_vuln_set_at(s, (size_t)i);
    assert_true(en->epss > 0.975f && en->epss < 0.976f);
    struct vg_diag d;
    assert_int_equal(vg_feed_read_mem(s, VG_FEED_EPSS, "x", "cve,foo\n", 8, NULL, &st, &d),
                     VG_EINVAL);
    vg_vuln_set_free(s);

    char path[512];
    if (!corpus("kev/known_exploited_vulnerabilities.json", path, sizeof path))
        skip();
    s = vg_vuln_set_new();
    assert_int_equal(read_path(s, path, &st, &e), 0);
    assert_int_equal(st.added, 1404);
    assert_int_equal(st.rejected, 0);
    vg_vuln_set_free(s);
}

/* ---- matching ---- */

static const char *const inventory[][2] = {
    {"org-a", "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*"},
    {"org-a", "cpe:2.3:a:apache:http_server:2.4.50:*:*:*:*:*:*:*"},
    {"org-b", "cpe:2.3:a:apache:http_server:2.2.34:*:*:*:*:*:*:*"},
    {"org-b", "cpe:2.3:o:contec:solarview_compact_firmware:6.00:*:*:*:*:*:*:*"},
    {"org-b", "cpe:2.3:h:contec:solarview_compact:-:*:*:*:*:*:*:*"},
    {"org-c", "cpe:2.3:o:contec:solarview_compact_firmware:6.0:*:*:*:*:*:*:*"},
    {"org-a", "cpe:2.3:a:example:app:2.0:*:*:*:*:*:*:*"},
    {"org-a", "cpe:2.3:o:example:os:1.5:*:*:*:*:*:*:*"},
    {"org-b", "cpe:2.3:a:example:app:2.0:*:*:*:*:*:*:*"},
    {"org-b", "cpe:2.3:o:example:os:2.5:*:*:*:*:*:*:*"},
    {"org-c", "cpe:2.3:a:example:app:2.9:*:*:*:*:*:*:*"},
    {"org-d", "cpe:2.3:o:linux:linux_kernel:5.10:*:*:*:*:*:*:*"},
    {"org-d", "cpe:2.3:a:acme:gadget:1.5:*:*:*:*:*:*:*"},
    {"org-e", "cpe:2.3:a:acme:gadget:1.5:*:*:*:*:*:*:*"},
    {"org-e", "cpe:2.3:o:microsoft:windows:10:*:*:*:*:*:*:*"},
    {"org-e", "cpe:2.3:a:acme:widget:1.0.0:*:*:*:*:*:*:*"},
    {"org-e", "cpe:2.3:a:acme:tool:1.2.5:*:*:*:*:*:*:*"},
    {"org-e", "cpe:2.3:a:acme:tool:1.3:*:*:*:*:*:*:*"},
    {"org-a", "cpe:2.3:a:acme:rejected:1.0:*:*:*:*:*:*:*"},
    {"org-a", "cpe:2.3:a:acme:scored:1.1:*:*:*:*:*:*:*"},
    {"org-b", "cpe:2.3:a:acme:scored:1.0:*:*:*:*:*:*:*"},
    {"org-c", "cpe:2.3:a:acme:suite:4.0:*:*:*:*:windows:*:*"},
    {"org-d", "cpe:2.3:a:acme:suite:4.0:*:*:*:*:linux:*:*"},
    {"org-e", "cpe:2.3:a:acme:suite:4.5:*:*:*:*:*:*:*"},
    {"org-a", "cpe:2.3:a:example.org:example_enterprise:1.0.5:*:*:*:*:*:*:*"},
    {"org-b", "cpe:2.3:a:example.org:example_enterprise:1.0.6:*:*:*:*:*:*:*"},
    {"org-c", "cpe:/a:example.org:example_enterprise:2.3"},
    {"org-d", "cpe:2.3:a:example.org:example_enterprise:2.2:*:*:*:*:*:*:*"},
    {"org-d", "cpe:2.3:a:acme:router_os:15.1:*:*:*:*:*:*:*"},
    {"org-e", "cpe:2.3:a:acme:lib:4.1.7:*:*:*:*:*:*:*"},
    {"org-a", "cpe:2.3:a:acme:lib:4.2:*:*:*:*:*:*:*"},
    {"org-b", "cpe:2.3:a:acme:lib:3.9:*:*:*:*:*:*:*"},
    {"org-c", "cpe:2.3:a:widgetco:widget_pro:3.3.1:*:*:*:*:*:*:*"},
    {"org-c", "cpe:2.3:a:widgetco:widget_pro:3.4:*:*:*:*:*:*:*"},
};

/* The findings expected of the inventory above: "asset-index CVE". */
static const char *const expected[] = {
    "0 CVE-2024-0001",  "2 CVE-2024-0001",  "3 CVE-2024-0002",  "8 CVE-2024-0003",
    "10 CVE-2024-0003", "13 CVE-2024-0005", "15 CVE-2024-0005", "16 CVE-2024-0008",
    "19 CVE-2024-0007", "21 CVE-2024-0009", "23 CVE-2024-0009", "24 CVE-2024-2001",
    "26 CVE-2024-2001", "28 CVE-2024-2002", "29 CVE-2024-2003", "31 CVE-2024-2003",
    "32 CVE-2024-2004",
};

struct fixture {
    struct vg_vuln_set *s;
    struct vg_inventory *inv;
    struct vg_vindex *ix;
};

static int setup_match(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    fx->s = vg_vuln_set_new();
    struct vg_feed_stats st;
    struct errors e = {0};
    if (read_path(fx->s, "tests/data/nvd/match-cases.json", &st, &e) || st.added != 9 ||
        read_path(fx->s, "tests/data/cve5/affected.json", &st, &e) || st.added != 4)
        return -1;
    const char *kev = "{\"catalogVersion\":\"x\",\"vulnerabilities\":[{\"cveID\":\"CVE-2024-0005\","
                      "\"dateAdded\":\"2024-03-01\",\"dueDate\":\"2024-03-22\","
                      "\"knownRansomwareCampaignUse\":\"Unknown\"}]}";
    const char *epss = "#model_version:v2024.01.01,score_date:2024-03-01T00:00:00+0000\n"
                       "cve,epss,percentile\nCVE-2024-0003,0.5,0.9\nCVE-2024-0001,0.01,0.3\n";
    struct vg_diag d;
    vg_feed_read_mem(fx->s, VG_FEED_AUTO, "kev", kev, strlen(kev), NULL, &st, &d);
    vg_feed_read_mem(fx->s, VG_FEED_AUTO, "epss", epss, strlen(epss), NULL, &st, &d);
    fx->inv = vg_inventory_new();
    for (size_t i = 0; i < sizeof inventory / sizeof inventory[0]; i++)
        if (vg_inventory_add(fx->inv, vg_str_c(inventory[i][0]), vg_str_c(inventory[i][1]), &d) !=
            (long)i)
            return -1;
    fx->ix = vg_vindex_build(fx->s);
    *state = fx;
    return fx->ix ? 0 : -1;
}

static int teardown_match(void **state)
{
    struct fixture *fx = *state;
    vg_vindex_free(fx->ix);
    vg_inventory_free(fx->inv);
    vg_vuln_set_free(fx->s);
    free(fx);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Compares findings with the expected list (order-free, no duplicates). */
static void expect_findings(const struct fixture *fx, const struct vg_findings *f,
                            const char *const *want, size_t nwant, const char *what)
{
    char **got = calloc(f->n + 1, sizeof *got);
    for (size_t i = 0; i < f->n; i++) {
        char id[32];
        vg_vuln_key_id(vg_vuln_set_at(fx->s, f->v[i].entry)->key, id, sizeof id);
        got[i] = malloc(48);
        snprintf(got[i], 48, "%u %s", f->v[i].asset, id);
    }
    qsort(got, f->n, sizeof *got, cmp_str);
    const char **w = calloc(nwant + 1, sizeof *w);
    memcpy(w, want, nwant * sizeof *w);
    qsort(w, nwant, sizeof *w, cmp_str);
    for (size_t i = 0; i < f->n || i < nwant; i++) {
        const char *g = i < f->n ? got[i] : "(none)";
        const char *x = i < nwant ? w[i] : "(none)";
        if (strcmp(g, x) != 0)
            fail_msg("%s: finding %zu is '%s', expected '%s'", what, i, g, x);
    }
    for (size_t i = 0; i < f->n; i++)
        free(got[i]);
    free(got);
    free(w);
}

static void match_full(void **state)
{
    struct fixture *fx = *state;
    struct vg_findings f;
    vg_findings_init(&f);
    assert_int_equal(vg_vmatch_all(fx->ix, fx->s, fx->inv, &f), 0);
    size_t n = sizeof expected / sizeof expected[0];
    expect_findings(fx, &f, expected, n, "full re-match");
    /* Priority: KEV, then EPSS >= 0.1, then CVSS. */
    vg_findings_sort(&f, fx->s);
    char id[32];
    vg_vuln_key_id(vg_vuln_set_at(fx->s, f.v[0].entry)->key, id, sizeof id);
    assert_string_equal(id, "CVE-2024-0005");
    assert_int_equal(f.v[0].tier, 0);
    vg_vuln_key_id(vg_vuln_set_at(fx->s, f.v[2].entry)->key, id, sizeof id);
    assert_string_equal(id, "CVE-2024-0003");
    assert_int_equal(f.v[2].tier, 1);
    for (size_t i = 1; i < f.n; i++) {
        assert_true(f.v[i - 1].tier <= f.v[i].tier);
        if (f.v[i - 1].tier == f.v[i].tier)
            assert_true(f.v[i - 1].cvss >= f.v[i].cvss);
    }
    /* The v4.0 score wins over v3.1. */
    for (size_t i = 0; i < f.n; i++) {
        vg_vuln_key_id(vg_vuln_set_at(fx->s, f.v[i].entry)->key, id, sizeof id);
        if (strcmp(id, "CVE-2024-0007") == 0)
            assert_true(f.v[i].cvss > 9.29f && f.v[i].cvss < 9.31f);
    }
    struct vg_buf b;
    vg_buf_init(&b, 1 << 16);
    assert_int_equal(vg_finding_write_json(fx->s, fx->inv, &f.v[0], &b), 0);
    struct vg_diag d;
    json_t *j = vg_json_parse(b.data, b.len, &d);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "cve")), "CVE-2024-0005");
    assert_string_equal(json_string_value(json_object_get(j, "org")), "org-e");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "kev"), "dueDate")),
                        "2024-03-22");
    assert_true(json_is_null(json_object_get(j, "epss")));
    json_decref(j);
    vg_buf_cleanup(&b);
    vg_findings_cleanup(&f);
}

static void match_naive_and_incremental_agree(void **state)
{
    struct fixture *fx = *state;
    size_t n = sizeof expected / sizeof expected[0];
    struct vg_findings f;
    vg_findings_init(&f);
    assert_int_equal(vg_vmatch_naive(fx->s, 0, vg_vuln_set_count(fx->s), fx->inv, &f), 0);
    expect_findings(fx, &f, expected, n, "naive");
    f.n = 0;
    for (size_t e = 0; e < vg_vuln_set_count(fx->s); e++)
        assert_int_equal(vg_vmatch_vuln(fx->s, e, fx->inv, &f), 0);
    expect_findings(fx, &f, expected, n, "one CVE at a time");
    f.n = 0;
    for (size_t a = 0; a < vg_inventory_count(fx->inv); a++)
        assert_int_equal(vg_vmatch_asset(fx->ix, fx->s, fx->inv, a, &f), 0);
    expect_findings(fx, &f, expected, n, "one asset at a time");
    /* A new asset: org-c gains the hardware, so its firmware becomes vulnerable. */
    struct vg_diag d;
    long a = vg_inventory_add(fx->inv, VG_STR("org-c"),
                              VG_STR("cpe:2.3:h:contec:solarview_compact:-:*:*:*:*:*:*:*"), &d);
    assert_true(a > 0);
    f.n = 0;
    assert_int_equal(vg_vmatch_vuln(fx->s,
                                    (size_t)vg_vuln_set_find(fx->s,
                                                             vg_vuln_key(VG_STR("CVE-2024-0002"))),
                                    fx->inv, &f),
                     0);
    const char *want2[] = {"3 CVE-2024-0002", "5 CVE-2024-0002"};
    expect_findings(fx, &f, want2, 2, "after adding hardware");
    vg_findings_cleanup(&f);
}

/* A newer record replaces an older one; an index built before stays safe to use (stale
 * hits are dropped) and a rebuilt index sees the new applicability. */
static void match_update_after_index(void **state)
{
    struct fixture *fx = *state;
    const char *page =
        "{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2024-0001\","
        "\"lastModified\":\"2024-06-01T00:00:00.000\",\"configurations\":[{\"nodes\":["
        "{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,"
        "\"criteria\":\"cpe:2.3:a:apache:http_server:2.4.50:*:*:*:*:*:*:*\"}]}]}]}},"
        "{\"cve\":{\"id\":\"CVE-2024-0002\",\"lastModified\":\"2023-01-01T00:00:00.000\"}}]}";
    struct vg_feed_stats st = {0};
    struct vg_diag d;
    assert_int_equal(vg_feed_read_mem(fx->s, VG_FEED_AUTO, "update", page, strlen(page), NULL, &st,
                                      &d),
                     0);
    assert_int_equal(st.updated, 1);   /* CVE-2024-0001: later lastModified */
    assert_int_equal(st.unchanged, 1); /* CVE-2024-0002: older, ignored */
    struct vg_findings f;
    vg_findings_init(&f);
    assert_int_equal(vg_vmatch_all(fx->ix, fx->s, fx->inv, &f), 0); /* stale index: no crash */
    vg_vindex_free(fx->ix);
    fx->ix = vg_vindex_build(fx->s);
    f.n = 0;
    assert_int_equal(vg_vmatch_all(fx->ix, fx->s, fx->inv, &f), 0);
    size_t n0001 = 0;
    for (size_t i = 0; i < f.n; i++) {
        char id[32];
        vg_vuln_key_id(vg_vuln_set_at(fx->s, f.v[i].entry)->key, id, sizeof id);
        if (strcmp(id, "CVE-2024-0001") == 0) {
            assert_int_equal(f.v[i].asset, 1); /* now 2.4.50 only */
            n0001++;
        }
    }
    assert_int_equal(n0001, 1);
    vg_findings_cleanup(&f);
}

/* A criterion with a wildcard product and an exact version (matched outside the index's
 * buckets) meets only assets of that version, in a full re-match as in the other ways. */
static void match_wildcard_name_exact_version(void **state)
{
    (void)state;
    const char *page =
        "{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2025-3008\","
        "\"lastModified\":\"2025-02-04T00:00:00.000\",\"configurations\":[{\"nodes\":["
        "{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,"
        "\"criteria\":\"cpe:2.3:a:acme:w*:2.0:*:*:*:*:*:*:*\"}]}]}]}}]}";
    struct vg_vuln_set *s = vg_vuln_set_new();
    struct vg_feed_stats st = {0};
    struct vg_diag d;
    assert_int_equal(vg_feed_read_mem(s, VG_FEED_AUTO, "p", page, strlen(page), NULL, &st, &d), 0);
    struct vg_inventory *inv = vg_inventory_new();
    assert_int_equal(vg_inventory_add(inv, VG_STR("o"),
                                      VG_STR("cpe:2.3:a:acme:widget_pro\\+:1.2:*:*:*:*:*:*:*"), &d),
                     0);
    assert_int_equal(vg_inventory_add(inv, VG_STR("o"),
                                      VG_STR("cpe:2.3:a:acme:widget:2.0:*:*:*:*:*:*:*"), &d),
                     1);
    struct vg_vindex *ix = vg_vindex_build(s);
    struct vg_findings f;
    vg_findings_init(&f);
    assert_int_equal(vg_vmatch_all(ix, s, inv, &f), 0);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.v[0].asset, 1);
    f.n = 0;
    assert_int_equal(vg_vmatch_asset(ix, s, inv, 0, &f), 0);
    assert_int_equal(f.n, 0);
    vg_findings_cleanup(&f);
    vg_vindex_free(ix);
    vg_inventory_free(inv);
    vg_vuln_set_free(s);
}

/* The API's summary of a CVE from its stored records: NVD and CVE 5 layouts. */
static void summary_of_stored_records(void **state)
{
    (void)state;
    json_error_t err;
    json_t *stored = json_loads(
        "{\"cve\":\"CVE-2024-0001\",\"cvss\":9.8,\"records\":["
        "{\"source\":\"nvd\",\"record\":{\"descriptions\":[{\"lang\":\"en\",\"value\":\"N\"}],"
        "\"references\":[{\"url\":\"https://a\",\"tags\":[\"Patch\"]}]}},"
        "{\"source\":\"cve5\",\"record\":{\"containers\":{\"cna\":{"
        "\"descriptions\":[{\"lang\":\"en\",\"value\":\"C\"}],"
        "\"references\":[{\"url\":\"https://a\"},{\"url\":\"https://b\"}]}}}}]}",
        0, &err);
    assert_non_null(stored);
    json_t *sum = vg_vuln_summary(stored);
    assert_non_null(sum);
    assert_null(json_object_get(sum, "records"));
    assert_non_null(json_object_get(stored, "records")); /* the input is left as it was */
    assert_string_equal(json_string_value(json_object_get(sum, "cve")), "CVE-2024-0001");
    char *txt = json_dumps(json_object_get(sum, "sources"), JSON_COMPACT);
    assert_string_equal(txt, "[\"nvd\",\"cve5\"]");
    free(txt);
    txt = json_dumps(json_object_get(sum, "descriptions"), JSON_COMPACT);
    assert_string_equal(txt, "[{\"lang\":\"en\",\"value\":\"N\"}]");
    free(txt);
    txt = json_dumps(json_object_get(sum, "references"), JSON_COMPACT);
    assert_string_equal(txt, "[{\"url\":\"https://a\",\"tags\":[\"Patch\"]},"
                             "{\"url\":\"https://b\",\"tags\":[]}]");
    free(txt);
    json_decref(sum);
    json_decref(stored);
}

static void match_inventory_checks(void **state)
{
    (void)state;
    struct vg_inventory *inv = vg_inventory_new();
    struct vg_diag d;
    assert_int_equal(vg_inventory_add(inv, VG_STR("o"),
                                      VG_STR("cpe:2.3:a:acme:tool:*:*:*:*:*:*:*:*"), &d),
                     VG_EINVAL);
    assert_int_equal(vg_inventory_add(inv, VG_STR("o"),
                                      VG_STR("cpe:2.3:a:acme:*:1.0:*:*:*:*:*:*:*"), &d),
                     VG_EINVAL);
    assert_int_equal(vg_inventory_add(inv, VG_STR("o"), VG_STR("not a cpe"), &d), VG_EINVAL);
    assert_int_equal(vg_inventory_add(inv, VG_STR(""),
                                      VG_STR("cpe:2.3:a:acme:tool:1.0:*:*:*:*:*:*:*"), &d),
                     VG_EINVAL);
    assert_int_equal(vg_inventory_add(inv, VG_STR("o"),
                                      VG_STR("cpe:2.3:a:acme:tool:1.0:*:*:*:*:*:*:*"), &d),
                     0);
    assert_string_equal(vg_inventory_org(inv, 0), "o");
    vg_inventory_free(inv);
}

/* ---- compact form ---- */

/* Encodes v, decodes it, encodes the copy: the same bytes, the same matching fields. */
static struct vg_vuln *round_trip(const struct vg_vuln *v)
{
    struct vg_buf a, b;
    vg_buf_init(&a, 1 << 24);
    vg_buf_init(&b, 1 << 24);
    assert_int_equal(vg_vuln_encode(v, &a), 0);
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_vuln *c = vg_vuln_decode(a.data, a.len, &d);
    if (!c)
        fail_msg("%s: %s: %s", v->id, d.field, d.message);
    assert_int_equal(vg_vuln_encode(c, &b), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_string_equal(c->id, v->id);
    assert_true(c->key == v->key);
    assert_string_equal(c->modified, v->modified);
    assert_string_equal(c->published, v->published);
    assert_string_equal(c->severity, v->severity);
    assert_true(c->cvss == v->cvss || (c->cvss < 0 && v->cvss < 0));
    assert_int_equal(c->nmatches, v->nmatches);
    assert_int_equal(c->nnodes, v->nnodes);
    assert_int_equal(c->naffected, v->naffected);
    assert_int_equal(c->simple, v->simple);
    for (uint32_t i = 0; i < v->nmatches; i++) {
        for (int k = 0; k < VG_CPE_NATTR; k++) {
            struct vg_str x = vg_cpe_value(&c->matches[i].cpe, (enum vg_cpe_attr)k);
            struct vg_str y = vg_cpe_value(&v->matches[i].cpe, (enum vg_cpe_attr)k);
            assert_int_equal(c->matches[i].cpe.kind[k], v->matches[i].cpe.kind[k]);
            assert_true(x.len == y.len && memcmp(x.ptr, y.ptr, x.len) == 0);
        }
        assert_int_equal(c->matches[i].node, v->matches[i].node);
        assert_int_equal(c->matches[i].vulnerable, v->matches[i].vulnerable);
    }
    /* every prefix is refused, and says where it stopped */
    for (size_t n = 0; n < a.len; n++) {
        vg_diag_clear(&d);
        struct vg_vuln *t = vg_vuln_decode(a.data, n, &d);
        if (t)
            fail_msg("%s: a prefix of %zu of %zu bytes decoded", v->id, n, a.len);
        assert_true(strncmp(d.field, "byte ", 5) == 0);
    }
    /* altered bytes are refused or decoded, never read past (the sanitizer run checks) */
    for (size_t i = 0; i < a.len; i++) {
        char saved = a.data[i];
        a.data[i] = (char)(saved ^ 0x5a);
        vg_vuln_free(vg_vuln_decode(a.data, a.len, &d));
        a.data[i] = saved;
    }
    vg_buf_cleanup(&a);
    vg_buf_cleanup(&b);
    return c;
}

/* The set of the fixture rebuilt from compact forms matches exactly as the parsed one. */
static void compact_round_trip(void **state)
{
    struct fixture *fx = *state;
    struct vg_vuln_set *s = vg_vuln_set_new();
    for (size_t i = 0; i < vg_vuln_set_count(fx->s); i++) {
        const struct vg_vuln_entry *e = vg_vuln_set_at(fx->s, i);
        if (e->nvd)
            assert_true(vg_vuln_set_put(s, round_trip(e->nvd)) >= 0);
        if (e->cve5)
            assert_true(vg_vuln_set_put(s, round_trip(e->cve5)) >= 0);
        if (e->has_kev)
            assert_true(vg_vuln_set_put_kev(s, e->key, &e->kev) >= 0);
        if (e->epss >= 0)
            assert_true(vg_vuln_set_put_epss(s, e->key, e->epss, e->epss_pct) >= 0);
    }
    assert_int_equal(vg_vuln_set_count(s), vg_vuln_set_count(fx->s));
    struct vg_vindex *ix = vg_vindex_build(s);
    struct vg_findings f;
    vg_findings_init(&f);
    assert_int_equal(vg_vmatch_all(ix, s, fx->inv, &f), 0);
    /* entries were added in the same order: expect_findings reads ids through fx->s */
    expect_findings(fx, &f, expected, sizeof expected / sizeof expected[0], "from compact forms");
    vg_findings_cleanup(&f);
    vg_vindex_free(ix);
    vg_vuln_set_free(s);
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    unsigned char *buf = malloc(1 << 20);
    *n = fread(buf, 1, 1 << 20, fp);
    fclose(fp);
    return buf;
}

/* tests/data/compact: good forms decode and re-encode to themselves; broken ones are
 * refused at the byte named. */
static void compact_samples(void **state)
{
    (void)state;
    static const char *const good[] = {"nvd-and.vgc", "nvd-range.vgc", "cve5.vgc"};
    static const struct {
        const char *file, *field;
    } broken[] = {
        {"broken-magic.vgc", "byte 0"},
        {"broken-truncated.vgc", "byte 50"},
        {"broken-count.vgc", "byte 85"},
        {"broken-value.vgc", "byte 119"},
    };
    char path[256];
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        snprintf(path, sizeof path, "tests/data/compact/%s", good[i]);
        size_t n = 0;
        unsigned char *p = slurp(path, &n);
        assert_non_null(p);
        struct vg_diag d;
        struct vg_vuln *v = vg_vuln_decode(p, n, &d);
        if (!v)
            fail_msg("%s: %s: %s", path, d.field, d.message);
        struct vg_buf b;
        vg_buf_init(&b, 1 << 20);
        vg_vuln_encode(v, &b);
        assert_int_equal(b.len, n);
        assert_memory_equal(b.data, p, n);
        vg_buf_cleanup(&b);
        vg_vuln_free(v);
        free(p);
    }
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        snprintf(path, sizeof path, "tests/data/compact/%s", broken[i].file);
        size_t n = 0;
        unsigned char *p = slurp(path, &n);
        assert_non_null(p);
        struct vg_diag d;
        vg_diag_clear(&d);
        assert_null(vg_vuln_decode(p, n, &d));
        if (strcmp(d.field, broken[i].field) != 0)
            fail_msg("%s: refused at '%s' (%s), expected '%s'", path, d.field, d.message,
                     broken[i].field);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cpe_go_vectors),
        cmocka_unit_test(cpe_round_trip_and_errors),
        cmocka_unit_test(cpe_samples),
        cmocka_unit_test(cpe_spec_examples),
        cmocka_unit_test(version_table),
        cmocka_unit_test(version_total_order),
        cmocka_unit_test(version_ranges),
        cmocka_unit_test(version_cpematch_positives),
        cmocka_unit_test(feed_corpus_nvd),
        cmocka_unit_test(feed_broken_nvd),
        cmocka_unit_test(feed_cve5),
        cmocka_unit_test(feed_kev_epss),
        cmocka_unit_test_setup_teardown(match_full, setup_match, teardown_match),
        cmocka_unit_test_setup_teardown(match_naive_and_incremental_agree, setup_match,
                                        teardown_match),
        cmocka_unit_test_setup_teardown(match_update_after_index, setup_match, teardown_match),
        cmocka_unit_test(match_inventory_checks),
        cmocka_unit_test(match_wildcard_name_exact_version),
        cmocka_unit_test(summary_of_stored_records),
        cmocka_unit_test(feed_walk_order),
        cmocka_unit_test_setup_teardown(compact_round_trip, setup_match, teardown_match),
        cmocka_unit_test(compact_samples),
    };
    return cmocka_run_group_tests_name("vuln", tests, NULL, NULL);
}
