/* Live indicators (app/live.h, issue 17) on both backends: one test body run on SQLite and on
 * PostgreSQL (pg_fixture.h's cluster), the indicators imported by another connection (another
 * process) while the live index is checked at chosen times: a change is seen at the next look
 * (not before the interval), an expiry passed is a change, a failed build keeps the index in
 * use and is reported once for failures in a row (each time when forced), a version that failed
 * is not rebuilt again until it changes, and SIGHUP's force rebuilds even without a store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "app/live.h"
#include "core/record.h"
#include "store/pg_int.h"
#include "store/store.h"
#include "pg_fixture.h"
#include "pg_both.h"

struct seen {
    bool fail;                          /* add_files fails */
    int files;                          /* add_files calls */
    int swaps;                          /* swapped calls */
    int reports;                        /* report calls */
    const struct vg_match_index *given; /* by the last swapped */
    char last[256];                     /* the last report's message */
};

static int add_files(void *ctx, struct vg_match_index *idx, struct vg_diag *d)
{
    struct seen *s = ctx;
    s->files++;
    if (s->fail)
        return vg_diag_set(d, VG_EINVAL, "", "iocs.txt cannot be loaded");
    struct vg_str none = {NULL, 0};
    return vg_match_index_add(idx, VG_MATCH_DOMAIN, vg_str_c("file.example"), none, 0, d);
}

static void swapped(void *ctx, const struct vg_match_index *idx, const struct vg_attrib *a)
{
    struct seen *s = ctx;
    (void)a;
    s->swaps++;
    s->given = idx;
}

static void report(void *ctx, const struct vg_diag *d)
{
    struct seen *s = ctx;
    s->reports++;
    snprintf(s->last, sizeof s->last, "%s", d->message);
}

/* Imports value (expiring at expires, or never when NULL) through st. */
static void import(struct vg_store *st, const char *value, const char *expires)
{
    json_t *in = json_pack("{s:s}", "value", value), *ind = NULL, *out = NULL;
    if (expires)
        json_object_set_new(in, "expires", json_string(expires));
    struct vg_diag d = {0};
    assert_int_equal(vg_indicator_check(in, VG_CHECK_PATCH, &ind, &d), 0);
    json_t *arr = json_pack("[o]", ind);
    struct vg_actor who = {0, "system", "admin", 0};
    if (vg_store_indicator_import(st, &who, arr, &out, &d) != 0)
        fail_msg("import %s: %s", value, d.message);
    json_decref(out);
    json_decref(arr);
    json_decref(in);
}

static size_t count(const struct vg_live *l)
{
    return vg_match_index_count(vg_live_index(l));
}

#define T0 "2099-01-01T00:00:00Z"

static void live_body(const struct backend *be)
{
    struct seen s = {0};
    import(be->b, "a.example", NULL);
    struct vg_live_opts o = {be->a, true, add_files, swapped, report, &s, 0.9};
    struct vg_diag d = {0};
    struct vg_live *l = vg_live_new(&o, &d);
    assert_non_null(l);
    assert_int_equal(count(l), 2); /* a.example and the file's */
    assert_non_null(vg_live_attrib(l));
    assert_int_equal(s.swaps, 0); /* the first build is no swap */
    double m = vg_time_mono();

    /* a change by another connection: seen at the first look one interval after the last */
    import(be->b, "b.example", NULL);
    assert_int_equal(vg_live_check_at(l, T0, m + 0.5, false), 0);
    assert_int_equal(count(l), 2);
    assert_int_equal(vg_live_check_at(l, T0, m + 1.0, false), 1);
    assert_int_equal(count(l), 3);
    assert_int_equal(s.swaps, 1);
    assert_ptr_equal(s.given, vg_live_index(l));
    /* nothing changed: no rebuild */
    int files = s.files;
    assert_int_equal(vg_live_check_at(l, T0, m + 2.0, false), 0);
    assert_int_equal(s.files, files);

    /* a failed build: the index in use kept, reported */
    s.fail = true;
    import(be->b, "c.example", NULL);
    const struct vg_match_index *kept = vg_live_index(l);
    assert_int_equal(vg_live_check_at(l, T0, m + 3.0, false), 0);
    assert_ptr_equal(vg_live_index(l), kept);
    assert_int_equal(count(l), 3);
    assert_int_equal(s.reports, 1);
    assert_string_equal(s.last, "iocs.txt cannot be loaded");
    assert_int_equal(vg_live_failures(l), 1);
    /* the same version is not built again at each look */
    files = s.files;
    assert_int_equal(vg_live_check_at(l, T0, m + 4.0, false), 0);
    assert_int_equal(s.files, files);
    assert_int_equal(vg_live_failures(l), 1);
    /* forced (SIGHUP): built again, its failure reported again */
    assert_int_equal(vg_live_check_at(l, T0, m + 4.1, true), 0);
    assert_int_equal(s.files, files + 1);
    assert_int_equal(s.reports, 2);
    /* failures in a row from changes: reported once */
    import(be->b, "d.example", NULL);
    assert_int_equal(vg_live_check_at(l, T0, m + 5.1, false), 0);
    import(be->b, "e.example", NULL);
    assert_int_equal(vg_live_check_at(l, T0, m + 6.1, false), 0);
    assert_int_equal(vg_live_failures(l), 4);
    assert_int_equal(s.reports, 2);
    assert_ptr_equal(vg_live_index(l), kept);
    /* healed: the next change is built and swapped; a later failure is news again */
    s.fail = false;
    assert_int_equal(vg_live_check_at(l, T0, m + 7.1, false), 0); /* the failed version */
    import(be->b, "f.example", NULL);
    assert_int_equal(vg_live_check_at(l, T0, m + 8.1, false), 1);
    assert_int_equal(count(l), 7);
    assert_int_equal(vg_live_reloads(l), 2);
    s.fail = true;
    import(be->b, "g.example", NULL);
    assert_int_equal(vg_live_check_at(l, T0, m + 9.1, false), 0);
    assert_int_equal(s.reports, 3);
    s.fail = false;
    assert_int_equal(vg_live_check_at(l, T0, m + 9.2, true), 1);
    assert_int_equal(count(l), 8);

    /* an expiry passed is a change: x.example matches until 00:00:05, not from then on */
    import(be->b, "x.example", "2099-01-01T00:00:05Z");
    assert_int_equal(vg_live_check_at(l, T0, m + 10.5, false), 1);
    assert_int_equal(count(l), 9);
    assert_int_equal(vg_live_check_at(l, "2099-01-01T00:00:04Z", m + 11.5, false), 0);
    assert_int_equal(vg_live_check_at(l, "2099-01-01T00:00:05Z", m + 12.5, false), 1);
    assert_int_equal(count(l), 8);
    assert_int_equal(vg_live_check_at(l, "2099-01-01T00:00:06Z", m + 13.5, false), 0);
    assert_int_equal(s.reports, 3);
    vg_live_free(l);

    /* no store: only a forced reload rebuilds (from the files) */
    struct seen f = {0};
    struct vg_live_opts fo = {NULL, false, add_files, swapped, report, &f, 0};
    l = vg_live_new(&fo, &d);
    assert_non_null(l);
    assert_int_equal(count(l), 1);
    assert_null(vg_live_attrib(l));
    assert_int_equal(vg_live_check_at(l, T0, m + 100, false), 0);
    assert_int_equal(f.files, 1);
    assert_int_equal(vg_live_check_at(l, T0, m + 100, true), 1);
    assert_int_equal(f.files, 2);
    vg_live_free(l);
    /* a first build that fails: no live index, the reason given */
    f.fail = true;
    memset(&d, 0, sizeof d);
    assert_null(vg_live_new(&fo, &d));
    assert_string_equal(d.message, "iocs.txt cannot be loaded");
}

static void live_on_sqlite(void **state)
{
    (void)state;
    struct backend be;
    be_open(&be, false);
    live_body(&be);
    be_close(&be);
}

static void live_on_pg(void **state)
{
    (void)state;
    struct backend be;
    be_open(&be, true);
    live_body(&be);
    be_close(&be);
}

int main(void)
{
    (void)blank_times; /* pg_both.h's helpers for traces, not needed here */
    (void)traces_equal;
    (void)be_sql;
    (void)be_scalar;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(live_on_sqlite),
        cmocka_unit_test(live_on_pg),
    };
    return cmocka_run_group_tests(tests, pg_cluster_start, pg_cluster_stop);
}
