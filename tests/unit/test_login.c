/* Unit tests of the password check of logins (app/auth.c): every refusal costs one Argon2id
 * verification, of the dummy hash when there is no user's hash to check, so that its time does
 * not tell which names exist; and the login tokens minted expire and are capped.
 * crypto_pwhash_str_verify is interposed here (this program's definition wins over
 * libsodium's, which it calls through dlsym) to count the verifications and see their hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "app/auth.h"
#include "store/schema.h"
#include "store/store.h"
#include "util/time.h"

#include "store_fixture.h"

static int verifications;       /* calls of crypto_pwhash_str_verify */
static char verified_hash[256]; /* the hash of the last one */

int crypto_pwhash_str_verify(const char str[crypto_pwhash_STRBYTES], const char *passwd,
                             unsigned long long passwdlen)
{
    typedef int (*verify_fn)(const char[crypto_pwhash_STRBYTES], const char *, unsigned long long);
    static verify_fn real;
    if (!real)
        real = (verify_fn)dlsym(RTLD_NEXT, "crypto_pwhash_str_verify");
    verifications++;
    snprintf(verified_hash, sizeof verified_hash, "%s", str);
    return real(str, passwd, passwdlen);
}

/* One check of name and password: its answer, and how many verifications it made. */
static int check(struct fixture *f, const char *name, const char *pw, int *n, long long *uid)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    verifications = 0;
    verified_hash[0] = '\0';
    int rc = vg_auth_password_check(f->st, name, pw, uid, &d);
    *n = verifications;
    if (rc == VG_EPERM)
        assert_string_equal(d.message, "wrong user name or password");
    return rc;
}

/* Unknown user, disabled user, user without a password, wrong password: the same answer after
 * the same work, one verification each; the first three verify the dummy hash. */
static void every_refusal_verifies_once(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    long long id, uid = 0;
    int n;
    assert_int_equal(vg_auth_init(), 0);
    assert_int_equal(vg_auth_user_create(f->st, "ana", "analyst", "correct horse battery", &id, &d),
                     0);
    assert_int_equal(vg_auth_user_create(f->st, "dis", "analyst", "correct horse battery", &id, &d),
                     0);
    exec_on(f->path, "UPDATE user SET disabled = 1 WHERE name = 'dis'");
    assert_int_equal(vg_auth_user_create(f->st, "nopw", "reader", NULL, &id, &d), 0);

    assert_int_equal(check(f, "nobody", "correct horse battery", &n, &uid), VG_EPERM);
    assert_int_equal(n, 1);
    assert_string_equal(verified_hash, vg_auth_dummy_hash);
    assert_int_equal(check(f, "dis", "correct horse battery", &n, &uid), VG_EPERM);
    assert_int_equal(n, 1);
    assert_string_equal(verified_hash, vg_auth_dummy_hash);
    assert_int_equal(check(f, "nopw", "", &n, &uid), VG_EPERM);
    assert_int_equal(n, 1);
    assert_string_equal(verified_hash, vg_auth_dummy_hash);
    assert_int_equal(check(f, "ana", "wrong horse battery", &n, &uid), VG_EPERM);
    assert_int_equal(n, 1);
    assert_true(strncmp(verified_hash, "$argon2id$", 10) == 0);
    assert_string_not_equal(verified_hash, vg_auth_dummy_hash);
    assert_int_equal(uid, 0);
    assert_int_equal(check(f, "ana", "correct horse battery", &n, &uid), 0);
    assert_int_equal(n, 1);
    assert_true(uid > 0);
}

/* The dummy costs what a user's hash costs: the parameters vg_auth_password_hash uses. */
static void dummy_hash_has_the_users_cost(void **state)
{
    (void)state;
    char hash[crypto_pwhash_STRBYTES];
    assert_int_equal(vg_auth_password_hash("whatever it is", hash, sizeof hash), 0);
    assert_int_equal(crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                    crypto_pwhash_MEMLIMIT_INTERACTIVE),
                     0);
    assert_int_equal(crypto_pwhash_str_needs_rehash(vg_auth_dummy_hash,
                                                    crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                    crypto_pwhash_MEMLIMIT_INTERACTIVE),
                     0);
    /* the same prefix up to the salt: algorithm, version, memory, passes, lanes */
    const char *salt = strstr(hash, "p=1$");
    assert_non_null(salt);
    assert_memory_equal(hash, vg_auth_dummy_hash, (size_t)(salt - hash) + 4);
}

/* A login token expires after the policy's lifetime and is refused then with VG_EPERM (an
 * expired token, not an unknown one); minting past the cap revokes the oldest. */
static void login_tokens_expire_and_are_capped(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    long long id, tid[4];
    char tok[4][VG_TOKEN_LEN + 1], role[16], expires[VG_TIME_LEN];
    struct vg_auth_policy policy = {3600, 3, NULL};
    assert_int_equal(vg_auth_user_create(f->st, "ana", "analyst", NULL, &id, &d), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(vg_auth_login_mint(f->st, "ana", id, &policy, tok[i], &tid[i], role,
                                            sizeof role, expires, &d),
                         0);
    time_t exp;
    assert_int_equal(vg_time_parse(expires, &exp), 0);
    assert_true(exp > time(NULL) + 3590 && exp <= time(NULL) + 3600);
    struct vg_actor a;
    struct vg_token_meta m;
    assert_int_equal(vg_auth_token_check(f->st, tok[0], VG_TOKEN_LEN, &a, &m), VG_ENOENT);
    for (int i = 1; i < 4; i++) {
        assert_int_equal(vg_auth_token_check(f->st, tok[i], VG_TOKEN_LEN, &a, &m), 0);
        assert_string_equal(m.kind, "login");
        assert_int_equal(m.id, tid[i]);
    }
    /* expired a second ago, while cached on this connection: refused, as expired */
    char past[VG_TIME_LEN], sql[256];
    vg_time_fmt(time(NULL) - 1, past);
    snprintf(sql, sizeof sql, "UPDATE token SET expires = '%s' WHERE id = %lld", past, tid[3]);
    exec_on(f->path, sql);
    assert_int_equal(vg_auth_token_check(f->st, tok[3], VG_TOKEN_LEN, &a, &m), VG_EPERM);
    assert_string_equal(m.expires, past);
    /* the user disabled after the password check: no token */
    exec_on(f->path, "UPDATE user SET disabled = 1 WHERE name = 'ana'");
    assert_int_equal(vg_auth_login_mint(f->st, "ana", id, &policy, tok[0], &tid[0], role,
                                        sizeof role, expires, &d),
                     VG_EPERM);
    /* another user's id under this name: no token */
    assert_int_equal(vg_auth_user_create(f->st, "bob", "analyst", NULL, &id, &d), 0);
    assert_int_equal(vg_auth_login_mint(f->st, "bob", id + 1, &policy, tok[0], &tid[0], role,
                                        sizeof role, expires, &d),
                     VG_EPERM);
}

/* A console session (kind "session", web/): minted with its idle time counting from now
 * (last_used set), the session lifetime by default, capped apart from login tokens; its CSRF
 * token is 64 hex digits that depend on the session's secret only, checked in full. */
static void sessions_and_their_csrf(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    long long uid, sid, lid;
    char s1[VG_TOKEN_LEN + 1], s2[VG_TOKEN_LEN + 1], lt[VG_TOKEN_LEN + 1], role[16];
    char expires[VG_TIME_LEN];
    assert_int_equal(vg_auth_user_create(f->st, "ana", "reader", NULL, &uid, &d), 0);
    struct vg_auth_policy session = {0, 1, "session"}, login = {0, 1, NULL};
    assert_int_equal(vg_auth_login_mint(f->st, "ana", uid, &session, s1, &sid, role, sizeof role,
                                        expires, &d),
                     0);
    assert_string_equal(role, "reader");
    time_t exp, used;
    assert_int_equal(vg_time_parse(expires, &exp), 0);
    assert_true(exp > time(NULL) + VG_SESSION_TTL - 10 && exp <= time(NULL) + VG_SESSION_TTL);
    assert_int_equal(vg_auth_login_mint(f->st, "ana", uid, &login, lt, &lid, role, sizeof role,
                                        expires, &d),
                     0);
    struct vg_actor a;
    struct vg_token_meta m;
    assert_int_equal(vg_auth_token_check(f->st, s1, VG_TOKEN_LEN, &a, &m), 0);
    assert_string_equal(m.kind, "session");
    assert_int_equal(m.id, sid);
    assert_int_equal(vg_time_parse(m.last_used, &used), 0);
    assert_true(used >= time(NULL) - 5 && used <= time(NULL));
    assert_int_equal(vg_auth_token_check(f->st, lt, VG_TOKEN_LEN, &a, &m), 0);
    assert_string_equal(m.kind, "login");
    assert_true(m.last_used[0] == '\0'); /* a login token's use starts unknown */
    /* a second session with a cap of one revokes the first, not the login token */
    assert_int_equal(vg_auth_login_mint(f->st, "ana", uid, &session, s2, &sid, role, sizeof role,
                                        expires, &d),
                     0);
    assert_int_equal(vg_auth_token_check(f->st, s1, VG_TOKEN_LEN, &a, &m), VG_ENOENT);
    assert_int_equal(vg_auth_token_check(f->st, lt, VG_TOKEN_LEN, &a, &m), 0);

    char c1[VG_CSRF_LEN + 1], c1b[VG_CSRF_LEN + 1], c2[VG_CSRF_LEN + 1];
    vg_auth_csrf(s1, c1);
    vg_auth_csrf(s1, c1b);
    vg_auth_csrf(s2, c2);
    assert_int_equal(strlen(c1), VG_CSRF_LEN);
    assert_int_equal(strspn(c1, "0123456789abcdef"), VG_CSRF_LEN);
    assert_string_equal(c1, c1b);
    assert_string_not_equal(c1, c2);
    assert_true(vg_auth_csrf_ok(s1, c1));
    assert_false(vg_auth_csrf_ok(s2, c1));
    assert_false(vg_auth_csrf_ok(s1, NULL));
    assert_false(vg_auth_csrf_ok(NULL, c1));
    assert_false(vg_auth_csrf_ok(s1, ""));
    char cut[VG_CSRF_LEN + 2];
    snprintf(cut, sizeof cut, "%.63s", c1);
    assert_false(vg_auth_csrf_ok(s1, cut));
    snprintf(cut, sizeof cut, "%sx", c1);
    assert_false(vg_auth_csrf_ok(s1, cut));
    memcpy(cut, c1, sizeof c1);
    cut[VG_CSRF_LEN - 1] = cut[VG_CSRF_LEN - 1] == '0' ? '1' : '0';
    assert_false(vg_auth_csrf_ok(s1, cut));
}

/* A database of schema 5, whose login tokens never expired: migration 006 makes them login
 * tokens expiring 12 hours after their creation (an old one is expired at once); the others
 * become api tokens without an expiry. */
static void migration_gives_old_login_tokens_an_expiry(void **state)
{
    struct fixture *f = *state;
    char path[160], sql[512];
    snprintf(path, sizeof path, "%s/v5.db", f->dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    for (const struct vg_migration *m = vg_schema_migrations; m->version && m->version <= 5; m++)
        assert_int_equal(sqlite3_exec(db, m->sql, NULL, NULL, NULL), SQLITE_OK);
    char recent[VG_TIME_LEN];
    vg_time_fmt(time(NULL) - 3600, recent);
    snprintf(sql, sizeof sql,
             "PRAGMA user_version = 5;"
             "INSERT INTO user(name, role, created) VALUES ('ana', 'analyst', '%s');"
             "INSERT INTO token(user_id, hash, label, created) VALUES "
             "(1, x'01', 'login', '2020-01-01T00:00:00.123456Z'), (1, x'02', 'login', '%s'), "
             "(1, x'03', 'cli', '2020-01-01T00:00:00Z')",
             recent, recent);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_store *st = vg_store_open(path, NULL, &d);
    assert_non_null(st);
    vg_store_close(st);
    assert_int_equal(scalar_on(path, "SELECT count(*) FROM token WHERE kind = 'login' AND "
                                     "expires = '2020-01-01T12:00:00Z' AND id = 1"),
                     1);
    char want[VG_TIME_LEN];
    vg_time_fmt(time(NULL) - 3600 + 12 * 3600, want);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM token WHERE kind = 'login' AND expires = '%s' AND id = 2", want);
    long long n = scalar_on(path, sql);
    if (n != 1) { /* the second may have turned between the two vg_time_fmt */
        vg_time_fmt(time(NULL) - 3600 + 12 * 3600 - 1, want);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM token WHERE kind = 'login' AND expires = '%s' AND id = 2",
                 want);
        n = scalar_on(path, sql);
    }
    assert_int_equal(n, 1);
    assert_int_equal(scalar_on(path, "SELECT count(*) FROM token WHERE kind = 'api' AND "
                                     "expires IS NULL AND last_used IS NULL AND id = 3"),
                     1);
    char p[200];
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_refusal_verifies_once, setup, teardown),
        cmocka_unit_test(dummy_hash_has_the_users_cost),
        cmocka_unit_test_setup_teardown(login_tokens_expire_and_are_capped, setup, teardown),
        cmocka_unit_test_setup_teardown(sessions_and_their_csrf, setup, teardown),
        cmocka_unit_test_setup_teardown(migration_gives_old_login_tokens_an_expiry, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
