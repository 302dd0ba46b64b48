/* Unit tests of advisories in the store (store/advisory.h) and of their workflow's rules that
 * need no server (app/advisory.h): references numbered per prefix, kind and year, never reused
 * and without gaps after a failed create, unique when two processes create at once; the audit
 * rows; the four-eyes rule and the single-analyst option. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/wait.h>

#include "app/advisory.h"
#include "store/store.h"
#include "store_fixture.h"
#include "util/mem.h"

/* Creates an advisory of kind (code) in year; returns its ref in out. */
static int create(struct vg_store *st, const struct vg_actor *a, const char *kind, const char *code,
                  int year, char out[64])
{
    json_t *c = json_pack("{s:s,s:s,s:s}", "kind", kind, "title", "t", "tlp", "CLEAR"), *rec = NULL;
    struct vg_diag d;
    int rc = vg_store_advisory_create(st, a, c, code, year, NULL, &rec, &d);
    if (rc == 0)
        snprintf(out, 64, "%s", json_string_value(json_object_get(rec, "ref")));
    json_decref(rec);
    json_decref(c);
    return rc;
}

static void numbered_per_kind_and_year(void **state)
{
    struct fixture *f = *state;
    char ref[64];
    assert_int_equal(create(f->st, &who, "avis", "AVI", 2026, ref), 0);
    assert_string_equal(ref, "VIGIE-2026-AVI-0001");
    assert_int_equal(create(f->st, &who, "avis", "AVI", 2026, ref), 0);
    assert_string_equal(ref, "VIGIE-2026-AVI-0002");
    assert_int_equal(create(f->st, &who, "alerte", "ALE", 2026, ref), 0);
    assert_string_equal(ref, "VIGIE-2026-ALE-0001");
    assert_int_equal(create(f->st, &who, "avis", "AVI", 2027, ref), 0);
    assert_string_equal(ref, "VIGIE-2027-AVI-0001");
    /* a create that fails (no title: the insert is refused) takes no number */
    json_t *c = json_pack("{s:s,s:s}", "kind", "avis", "tlp", "CLEAR"), *rec = NULL;
    struct vg_diag d;
    assert_int_not_equal(vg_store_advisory_create(f->st, &who, c, "AVI", 2026, NULL, &rec, &d), 0);
    json_decref(c);
    assert_null(rec);
    assert_int_equal(create(f->st, &who, "avis", "AVI", 2026, ref), 0);
    assert_string_equal(ref, "VIGIE-2026-AVI-0003");
    assert_int_equal(scalar_on(f->path, "SELECT last FROM advisory_counter WHERE kind = 'avis' "
                                        "AND year = 2026"),
                     3);
    /* another prefix has its own numbers */
    snprintf(f->st->config.adv_prefix, sizeof f->st->config.adv_prefix, "CERTX");
    assert_int_equal(create(f->st, &who, "avis", "AVI", 2026, ref), 0);
    assert_string_equal(ref, "CERTX-2026-AVI-0001");
    /* each create audited, under the actor's name */
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM audit WHERE action = "
                                        "'advisory.create' AND actor = 'tester' AND object LIKE "
                                        "'advisory:%'"),
                     6);
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM audit WHERE object = "
                                        "'advisory:VIGIE-2026-AVI-0003'"),
                     1);
    /* the record as get gives it */
    json_t *a = NULL;
    assert_int_equal(vg_store_advisory_get(f->st, "VIGIE-2026-AVI-0002", &a), 0);
    assert_string_equal(json_string_value(json_object_get(a, "status")), "draft");
    assert_int_equal(json_integer_value(json_object_get(a, "version")), 0);
    assert_int_equal(json_integer_value(json_object_get(a, "number")), 2);
    assert_int_equal(json_array_size(json_object_get(a, "revisions")), 0);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(a, "authors"), 0), "name")),
                        "tester");
    json_decref(a);
    assert_int_equal(vg_store_advisory_get(f->st, "VIGIE-2026-AVI-0009", &a), VG_ENOENT);
}

#define PER_CHILD 25

/* Two processes create at once on one file: the references are unique and without gaps. */
static void concurrent_creation(void **state)
{
    struct fixture *f = *state;
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            struct vg_diag d;
            struct vg_store *st = vg_store_open(f->path, NULL, &d);
            int bad = !st;
            struct vg_actor a = {10 + k, "", "analyst", 0};
            snprintf(a.name, sizeof a.name, "proc%d", k);
            char ref[64];
            for (int i = 0; st && i < PER_CHILD; i++)
                bad |= create(st, &a, "avis", "AVI", 2031, ref) != 0;
            vg_store_close(st);
            _exit(bad);
        }
    }
    for (int k = 0; k < 2; k++) {
        int status;
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM advisory WHERE year = 2031"),
                     2 * PER_CHILD);
    assert_int_equal(scalar_on(f->path, "SELECT count(DISTINCT ref) FROM advisory WHERE year = "
                                        "2031"),
                     2 * PER_CHILD);
    assert_int_equal(scalar_on(f->path, "SELECT min(number) FROM advisory WHERE year = 2031"), 1);
    assert_int_equal(scalar_on(f->path, "SELECT max(number) FROM advisory WHERE year = 2031"),
                     2 * PER_CHILD);
    /* both processes did create some (they ran at once, each its own creates) */
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM audit WHERE actor = 'proc0'"),
                     PER_CHILD);
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM audit WHERE actor = 'proc1'"),
                     PER_CHILD);
}

/* The four-eyes rule at the use case: the author cannot publish, another analyst can; with
 * single_analyst the author can, and the audit says so. */
static void four_eyes(void **state)
{
    struct fixture *f = *state;
    const struct vg_actor alice = {2, "alice", "analyst", 0}, bob = {3, "bob", "analyst", 0};
    json_t *in = json_pack("{s:s,s:s,s:[{s:s,s:s,s:s}]}", "kind", "avis", "title", "T",
                           "affected_systems", "vendor", "Acme", "product", "Gateway", "versions",
                           "< 2.1"),
           *out = NULL;
    struct vg_diag d;
    assert_int_equal(vg_advisory_create(f->st, &alice, in, &out, &d), 0);
    char ref[64];
    snprintf(ref, sizeof ref, "%s", json_string_value(json_object_get(out, "ref")));
    json_decref(out);
    /* bob edits it: both are authors now */
    json_t *patch = json_pack("{s:s}", "summary", "S");
    assert_int_equal(vg_advisory_patch(f->st, &bob, ref, patch, &out, &d), 0);
    assert_int_equal(json_array_size(json_object_get(out, "authors")), 2);
    json_decref(out);
    assert_int_equal(vg_advisory_publish(f->st, &alice, ref, &out, &d), VG_ECONFLICT);
    assert_int_equal(vg_advisory_submit(f->st, &alice, ref, &out, &d), 0);
    json_decref(out);
    assert_int_equal(vg_advisory_publish(f->st, &alice, ref, &out, &d), VG_EPERM);
    assert_non_null(strstr(d.message, "four eyes"));
    assert_int_equal(vg_advisory_publish(f->st, &bob, ref, &out, &d), VG_EPERM);
    const struct vg_actor carol = {4, "carol", "analyst", 0};
    assert_int_equal(vg_advisory_publish(f->st, &carol, ref, &out, &d), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "version")), 1);
    json_decref(out);
    /* a revision by alice; with single_analyst, she publishes it herself */
    json_t *rev = json_pack("{s:s,s:s}", "description", "Mise à jour", "solution", "Patch");
    assert_int_equal(vg_advisory_revise(f->st, &alice, ref, rev, &out, &d), 0);
    json_decref(out);
    assert_int_equal(vg_advisory_submit(f->st, &alice, ref, &out, &d), 0);
    json_decref(out);
    assert_int_equal(vg_advisory_publish(f->st, &alice, ref, &out, &d), VG_EPERM);
    f->st->config.single_analyst = true;
    assert_int_equal(vg_advisory_publish(f->st, &alice, ref, &out, &d), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "version")), 2);
    json_t *r2 = json_array_get(json_object_get(out, "revisions"), 1);
    assert_string_equal(json_string_value(json_object_get(r2, "description")), "Mise à jour");
    json_decref(out);
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM audit WHERE action = "
                                        "'advisory.publish' AND actor = 'alice' AND "
                                        "json_extract(detail, '$.single_analyst') = 1"),
                     1);
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM audit WHERE action = "
                                        "'advisory.publish' AND actor = 'carol' AND "
                                        "json_extract(detail, '$.single_analyst') = 0"),
                     1);
    /* the published C form */
    struct vg_advisory a;
    assert_int_equal(vg_advisory_published(f->st, ref, &a, &d), 0);
    assert_int_equal(a.version, 2);
    assert_int_equal(a.nrevisions, 2);
    assert_string_equal(a.revisions[0].description, "Version initiale");
    assert_string_equal(a.solution, "Patch");
    vg_advisory_free(&a);
    json_decref(rev);
    json_decref(patch);
    json_decref(in);
}

/* The state of advisory ref and of its revisions, as text, read through a connection of its
 * own (the caller frees it). */
static char *state_text(const char *path, const char *ref)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT status || '|' || version || '|' || title || '|' "
                                        "|| coalesce(published, '-') || '|' || "
                                        "coalesce(draft, '-') || '|' || authors || '|' || "
                                        "coalesce(pending_description, '-') || '|' || "
                                        "(closed_at IS NOT NULL) || '|' || (SELECT count(*) "
                                        "FROM advisory_revision) || '|' || (SELECT count(*) "
                                        "FROM audit) FROM advisory WHERE ref = ?",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(q, 1, ref, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    char *t = vg_strdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
    return t;
}

enum step { PATCH, SUBMIT, PUBLISH, REVISE, CLOSE };

/* The body of a step, built before any allocation is made to fail. */
static json_t *step_body(enum step s)
{
    if (s == PATCH)
        return json_pack("{s:s,s:[s]}", "summary", "S", "cves", "CVE-2024-0001");
    if (s == REVISE)
        return json_pack("{s:s,s:s}", "description", "Correctif", "solution", "Patch");
    return NULL;
}

static int run_step(struct vg_store *st, enum step s, const char *ref, const json_t *in,
                    json_t **out, struct vg_diag *d)
{
    const struct vg_actor alice = {2, "alice", "analyst", 0}, bob = {3, "bob", "analyst", 0};
    switch (s) {
    case PATCH: return vg_advisory_patch(st, &alice, ref, in, out, d);
    case SUBMIT: return vg_advisory_submit(st, &alice, ref, out, d);
    case PUBLISH: return vg_advisory_publish(st, &bob, ref, out, d);
    case REVISE: return vg_advisory_revise(st, &alice, ref, in, out, d);
    case CLOSE: return vg_advisory_close(st, &bob, ref, NULL, out, d);
    }
    return VG_EINVAL;
}

/* Copies the fixture's database (checkpointed by closing it) to snap, and back. */
static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
}

static void reopen(struct fixture *f, const char *from, const char *to)
{
    struct vg_diag d;
    vg_store_close(f->st);
    char p[200];
    snprintf(p, sizeof p, "%s-wal", f->path);
    assert_int_equal(access(p, F_OK), -1); /* the last connection's close checkpointed */
    copy_file(from, to);
    f->st = vg_store_open(f->path, NULL, &d);
    assert_non_null(f->st);
}

static void snapshot(struct fixture *f, const char *snap)
{
    reopen(f, f->path, snap);
}

static void restore(struct fixture *f, const char *snap)
{
    reopen(f, snap, f->path);
}

/* Each step with its 1st, 2nd, ... allocation failing, until a run completes without reaching
 * the failure: a run that fails answers an error and leaves the advisory, its revisions and
 * the audit log as they were; a run that succeeds leaves them as the same step on a twin
 * database without failure does (then the database is restored and the next allocation
 * tried): never a success built on a failed allocation. */
static void steps_under_allocation_failure(void **state)
{
    struct fixture *f = *state;
    const struct vg_actor alice = {2, "alice", "analyst", 0};
    json_t *in = json_pack("{s:s,s:s,s:[{s:s,s:s,s:s}]}", "kind", "alerte", "title", "T",
                           "affected_systems", "vendor", "Acme", "product", "Gateway", "versions",
                           "< 2.1"),
           *out = NULL;
    struct vg_diag d;
    /* a second database where the same steps run without failure: the reference */
    char ref_path[160];
    snprintf(ref_path, sizeof ref_path, "%s/ref.db", f->dir);
    struct vg_store *twin = vg_store_open(ref_path, NULL, &d);
    assert_non_null(twin);
    assert_int_equal(vg_advisory_create(f->st, &alice, in, &out, &d), 0);
    char ref[64];
    snprintf(ref, sizeof ref, "%s", json_string_value(json_object_get(out, "ref")));
    json_decref(out);
    assert_int_equal(vg_advisory_create(twin, &alice, in, &out, &d), 0);
    json_decref(out);
    json_decref(in);
    static const enum step steps[] = {PATCH, SUBMIT, PUBLISH, REVISE, SUBMIT, PUBLISH, CLOSE};
    char snap[160];
    snprintf(snap, sizeof snap, "%s/snap.db", f->dir);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        json_t *body = step_body(steps[i]);
        assert_int_equal(run_step(twin, steps[i], ref, body, &out, &d), 0);
        json_decref(out);
        char *before = state_text(f->path, ref), *expected = state_text(ref_path, ref);
        assert_string_not_equal(expected, before);
        snapshot(f, snap);
        long n, absorbed = 0;
        for (n = 1; n < 100000; n++) {
            vg_diag_clear(&d);
            vg_mem_fail_after(n);
            out = NULL;
            int rc = run_step(f->st, steps[i], ref, body, &out, &d);
            long failed = vg_mem_failed();
            vg_mem_fail_after(0);
            char *now = state_text(f->path, ref);
            if (rc != 0) {
                if (!failed || (rc != VG_ENOMEM && rc != VG_EIO) || !d.message[0] || out)
                    fail_msg("step %zu, allocation %ld failed: %d (%s: %s)", i, n, rc, d.field,
                             d.message);
                if (strcmp(now, before) != 0)
                    fail_msg("step %zu, allocation %ld failed (%d: %s): the state changed\n"
                             "before: %s\nafter:  %s",
                             i, n, rc, d.message, before, now);
            } else {
                json_decref(out);
                if (strcmp(now, expected) != 0)
                    fail_msg("step %zu, allocation %ld failed: the state is not a whole step's\n"
                             "got:      %s\nexpected: %s",
                             i, n, now, expected);
                if (failed) { /* SQLite made do without it: start again from before */
                    absorbed++;
                    restore(f, snap);
                }
            }
            free(now);
            if (failed == 0)
                break;
        }
        assert_true(n > 10); /* the step allocates: failures were met */
        assert_true(absorbed < n / 2);
        json_decref(body);
        free(expected);
        free(before);
    }
    char *end = state_text(f->path, ref);
    assert_non_null(strstr(end, "published|3|"));
    free(end);
    vg_store_close(twin);
    const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[200];
        snprintf(p, sizeof p, "%s%s", ref_path, sfx[i]);
        unlink(p);
    }
    unlink(snap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(numbered_per_kind_and_year, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_creation, setup, teardown),
        cmocka_unit_test_setup_teardown(four_eyes, setup, teardown),
        cmocka_unit_test_setup_teardown(steps_under_allocation_failure, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
