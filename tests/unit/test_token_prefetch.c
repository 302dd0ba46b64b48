/* The tokens of a server's batch looked up at once (vg_auth_prefetch, vg_store_token_prefetch)
 * on both backends: the same answers as one lookup each (valid, unknown, revoked, expired,
 * duplicates, a partner's skipped), the answers kept until the batch ends, and any write of
 * tokens or users through the connection dropping them at once, so that a revocation made by
 * an earlier request of a batch is seen by the later ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "app/auth.h"
#include "store/pg_int.h"
#include "store/store.h"
#include "pg_fixture.h"
#include "pg_two.h"

/* One answer of vg_auth_token_check. */
struct answer {
    int rc;
    struct vg_actor who;
    struct vg_token_meta meta;
};

static struct answer check(struct vg_store *st, const char *tok)
{
    struct answer a;
    memset(&a, 0, sizeof a);
    a.rc = vg_auth_token_check(st, tok, strlen(tok), &a.who, &a.meta);
    return a;
}

static void answers_equal(const struct answer *x, const struct answer *y)
{
    assert_int_equal(x->rc, y->rc);
    if (x->rc != 0 && x->rc != VG_EPERM)
        return;
    assert_int_equal(x->who.user_id, y->who.user_id);
    assert_string_equal(x->who.name, y->who.name);
    assert_string_equal(x->who.role, y->who.role);
    assert_int_equal(x->who.partner_id, y->who.partner_id);
    assert_int_equal(x->meta.id, y->meta.id);
    assert_string_equal(x->meta.kind, y->meta.kind);
    assert_string_equal(x->meta.expires, y->meta.expires);
    assert_string_equal(x->meta.last_used, y->meta.last_used);
}

static int prefetch(struct vg_store *st, char toks[][VG_TOKEN_LEN + 1], size_t n)
{
    struct vg_str s[16];
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++)
        s[i] = vg_str_c(toks[i]);
    return vg_auth_prefetch(st, s, n);
}

enum { ALICE, BOB, OLD, CAROL, UNKNOWN, PARTNER, ALICE2, NTOK };

static void prefetch_body(struct two *be)
{
    struct vg_store *a = be->a, *b = be->b;
    struct vg_diag d = {0};
    char tok[NTOK][VG_TOKEN_LEN + 1];
    long long bob_tid = 0, carol = 0, alice_tid = 0;
    assert_int_equal(vg_auth_user_token(a, "alice", "analyst", "cli", tok[ALICE], &d), 0);
    assert_int_equal(vg_auth_user_token(a, "bob", "reader", "cli", tok[BOB], &d), 0);
    long long alice = 0;
    assert_int_equal(vg_store_user_ensure(a, "alice", "analyst", &alice, &d), 0);
    assert_int_equal(vg_auth_token_new(a, alice, "old", "2001-02-03T04:05:06Z", tok[OLD], NULL, &d),
                     0);
    assert_int_equal(vg_store_user_ensure(a, "carol", "admin", &carol, &d), 0);
    assert_int_equal(vg_auth_token_new(a, carol, "c", NULL, tok[CAROL], NULL, &d), 0);
    assert_int_equal(vg_auth_token_new(a, alice, "a2", NULL, tok[ALICE2], &alice_tid, &d), 0);
    /* a well-formed token nobody made, and a partner's form (looked up by its own check) */
    snprintf(tok[UNKNOWN], sizeof tok[UNKNOWN], "vgt_%064d", 7);
    snprintf(tok[PARTNER], sizeof tok[PARTNER], "vgp_%064d", 7);
    json_t *list = NULL;
    long long bob = 0;
    assert_int_equal(vg_store_user_ensure(a, "bob", "reader", &bob, &d), 0);
    assert_int_equal(vg_store_token_list(a, bob, &list), 0);
    bob_tid = json_integer_value(json_object_get(json_array_get(list, 0), "id"));
    json_decref(list);
    assert_true(bob_tid > 0);

    /* the answers of one lookup each, then with the batch's tokens prefetched: equal */
    struct answer one[NTOK];
    for (int i = 0; i < NTOK; i++)
        one[i] = check(a, tok[i]);
    assert_int_equal(one[ALICE].rc, 0);
    assert_string_equal(one[ALICE].who.name, "alice");
    assert_string_equal(one[ALICE].who.role, "analyst");
    assert_string_equal(one[BOB].who.role, "reader");
    assert_int_equal(one[BOB].meta.id, bob_tid);
    assert_int_equal(one[OLD].rc, VG_EPERM); /* expired: found, the check refuses it */
    assert_string_equal(one[OLD].meta.expires, "2001-02-03T04:05:06Z");
    assert_int_equal(one[UNKNOWN].rc, VG_ENOENT);
    assert_int_equal(one[PARTNER].rc, VG_ENOENT);
    /* a duplicate in the batch (two requests with one token) */
    char batch[NTOK + 1][VG_TOKEN_LEN + 1];
    memcpy(batch, tok, sizeof tok);
    memcpy(batch[NTOK], tok[BOB], sizeof batch[NTOK]);
    assert_int_equal(prefetch(a, batch, NTOK + 1), 0);
    for (int i = 0; i < NTOK; i++) {
        struct answer x = check(a, tok[i]);
        answers_equal(&one[i], &x);
    }

    /* the answers are the batch's: a revocation by another connection after the prefetch is
     * seen once the batch ended (the server prefetches after its batch's requests arrived) */
    assert_int_equal(vg_store_token_revoke(b, bob_tid, 0, &d), 0);
    assert_int_equal(check(a, tok[BOB]).rc, 0);
    vg_auth_prefetch_end(a);
    assert_int_equal(check(a, tok[BOB]).rc, VG_ENOENT);
    assert_int_equal(check(b, tok[BOB]).rc, VG_ENOENT);

    /* inside a batch: a write of tokens through the connection drops the answers at once */
    struct {
        const char *what;
        int tok; /* the token refused after the write, or -1: none (the answers still equal) */
    } writes[] = {{"revoke", ALICE2}, {"prune", ALICE}, {"touch", -1},
                  {"add", -1},        {"password", -1}, {"ensure", -1}};
    for (size_t w = 0; w < sizeof writes / sizeof writes[0]; w++) {
        assert_int_equal(prefetch(a, tok, NTOK), 0);
        /* another connection revokes carol's token: the kept answer still says 0 until a
         * write through a drops it (so the answers were kept, then dropped) */
        raw_sql(be, "UPDATE token SET revoked = '2026-01-01T00:00:00Z' WHERE label = 'c'");
        assert_int_equal(check(a, tok[CAROL]).rc, 0);
        int rc = -1;
        if (!strcmp(writes[w].what, "revoke")) {
            rc = vg_store_token_revoke(a, alice_tid, alice, &d);
        } else if (!strcmp(writes[w].what, "prune")) {
            /* alice's unrevoked api tokens: "cli" and the expired one, the newest: cli goes */
            rc = vg_store_token_prune(a, alice, "api", 1, &d);
        } else if (!strcmp(writes[w].what, "touch")) {
            rc = vg_store_token_touch(a, one[CAROL].meta.id, "2026-03-04T05:06:07Z", &d);
        } else if (!strcmp(writes[w].what, "add")) {
            char fresh[VG_TOKEN_LEN + 1];
            rc = vg_auth_token_new(a, carol, "fresh", NULL, fresh, NULL, &d);
        } else if (!strcmp(writes[w].what, "password")) {
            rc = vg_store_user_set_password(a, "carol", "$argon2id$x", &d);
        } else {
            rc = vg_store_user_ensure(a, "dave", "reader", NULL, &d);
        }
        assert_int_equal(rc, 0);
        assert_null(a->prefetch);
        assert_int_equal(check(a, tok[CAROL]).rc, VG_ENOENT);
        if (writes[w].tok >= 0)
            assert_int_equal(check(a, tok[writes[w].tok]).rc, VG_ENOENT);
        assert_int_equal(check(a, tok[OLD]).rc, VG_EPERM);
        vg_auth_prefetch_end(a);
        raw_sql(be, "UPDATE token SET revoked = NULL WHERE label = 'c'");
    }
    assert_int_equal(check(a, tok[ALICE]).rc, VG_ENOENT);  /* pruned */
    assert_int_equal(check(a, tok[ALICE2]).rc, VG_ENOENT); /* revoked */
    assert_int_equal(check(a, tok[CAROL]).rc, 0);

    /* nothing to prefetch (no user token): nothing kept; lookups as before */
    assert_int_equal(prefetch(a, &tok[PARTNER], 1), 0);
    assert_null(a->prefetch);
    assert_int_equal(check(a, tok[CAROL]).rc, 0);
}

static void prefetch_on_sqlite(void **state)
{
    (void)state;
    struct two be;
    open_sqlite(&be);
    prefetch_body(&be);
    close_two(&be);
}

static void prefetch_on_pg(void **state)
{
    (void)state;
    struct two be;
    open_pg(&be);
    prefetch_body(&be);
    /* bob's (by the other connection), alice's second (revoked) and first (pruned) */
    assert_int_equal(pg_scalar_on(be.raw, "SELECT count(*) FROM token WHERE revoked IS NOT NULL"),
                     3);
    close_two(&be);
}

int main(void)
{
    assert_int_equal(vg_auth_init(), 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prefetch_on_sqlite),
        cmocka_unit_test(prefetch_on_pg),
    };
    return cmocka_run_group_tests(tests, pg_cluster_start, pg_cluster_stop);
}
