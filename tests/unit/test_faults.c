/* Allocation failure injection, in SQLite's spirit: each operation (API requests through the
 * server's in-process entry, indicator and vulnerability feed imports) is run again and again
 * with its 1st, 2nd, ... nth allocation failing (util/mem.h's hook), each time on a fresh copy
 * of the same database, until a run completes without reaching the failure. Every run must
 * answer a clear error (500 "internal" or 503, or the use case's error code with a message)
 * or succeed in full; the database must then hold either nothing of the operation or all of
 * it (its tables' row counts and the incidents' states equal those before, or those after a
 * run without failure); and nothing may leak (the ASan build's LeakSanitizer checks at exit).
 * libsodium and libmicrohttpd allocate on their own and are not covered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "app/auth.h"
#include "app/indicators.h"
#include "app/watch.h"
#include "http/inproc.h"
#include "http/server.h"
#include "store/store.h"
#include "util/mem.h"

#ifndef VG_DATA
#define VG_DATA "tests/data"
#endif

/* Tables whose row counts tell what an operation wrote. */
static const char *const tables[] = {
    "user",   "token", "org",       "incident", "timeline", "observable", "incident_step",
    "intake", "audit", "indicator", "sighting", "alert",    "vuln",       "vuln_record",
    "kev",    "epss",  "finding",   "counter",  NULL,
};

/* A database's state as compared between runs: row counts, then the incidents' fields an
 * update changes, then the indicators' and the alerts' (as text, one string). */
struct state {
    char text[2048];
};

struct fx {
    char dir[64];
    char tmpl[128];                /* the database every run starts from */
    char path[128];                /* the copy a run works on */
    char admin[VG_TOKEN_LEN + 1];  /* admin's token */
    char reader[VG_TOKEN_LEN + 1]; /* a reader's token */
    char patch_url[128];           /* PATCH of the first incident, by its reference */
};

static struct fx fx;

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    if (!in) {
        unlink(to);
        return;
    }
    FILE *out = fopen(to, "wb");
    assert_non_null(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* A fresh copy of the template database (and its WAL, if one is left) at fx.path. */
static void fresh_db(void)
{
    const char *sfx[] = {"", "-wal"};
    char a[160], b[160];
    for (int i = 0; i < 2; i++) {
        snprintf(a, sizeof a, "%s%s", fx.tmpl, sfx[i]);
        snprintf(b, sizeof b, "%s%s", fx.path, sfx[i]);
        copy_file(a, b);
    }
    snprintf(b, sizeof b, "%s-shm", fx.path);
    unlink(b);
}

static void append_sql(struct state *s, sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q = NULL;
    size_t len = strlen(s->text);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    const unsigned char *v = sqlite3_column_text(q, 0);
    snprintf(s->text + len, sizeof s->text - len, "%s;", v ? (const char *)v : "-");
    sqlite3_finalize(q);
}

/* Reads the state of the database at path through a connection of its own. */
static void read_state(const char *path, struct state *s)
{
    sqlite3 *db = NULL;
    s->text[0] = '\0';
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char sql[128];
    for (int i = 0; tables[i]; i++) {
        snprintf(sql, sizeof sql, "SELECT '%s=' || count(*) FROM \"%s\"", tables[i], tables[i]);
        append_sql(s, db, sql);
    }
    append_sql(s, db,
               "SELECT group_concat(id || ':' || status || ':' || severity || ':' || tlp || ':' "
               "|| coalesce(assignee, ''), ',') FROM (SELECT * FROM incident ORDER BY id)");
    append_sql(s, db, "SELECT group_concat(id || ':' || status, ',') FROM (SELECT * FROM alert)");
    append_sql(s, db,
               "SELECT group_concat(id || ':' || coalesce(revoked, ''), ',') FROM "
               "(SELECT * FROM token ORDER BY id)");
    /* each incident has its creation in the timeline, each intake's incident exists */
    append_sql(s, db,
               "SELECT 'orphans=' || ((SELECT count(*) FROM incident i WHERE NOT EXISTS "
               "(SELECT 1 FROM timeline t WHERE t.incident_id = i.id AND t.action = 'created')) "
               "+ (SELECT count(*) FROM intake WHERE incident_ref IS NOT NULL AND incident_ref "
               "NOT IN (SELECT ref FROM incident)))");
    sqlite3_close(db);
}

static struct vg_server *start(const char *path)
{
    struct vg_server_config cfg = {0};
    cfg.routes = vg_api_routes;
    cfg.db = path;
    cfg.listen = NULL;
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_server *srv = vg_server_start(&cfg, NULL, &d);
    if (!srv)
        fail_msg("server: %s", d.message);
    return srv;
}

/* One request through srv, without failure injection; the answer's body in *out. */
static int call(struct vg_server *srv, const char *method, const char *url, const char *token,
                const char *body, struct vg_raw_resp *out)
{
    char auth[VG_TOKEN_LEN + 16];
    snprintf(auth, sizeof auth, "Bearer %s", token ? token : "");
    const char *headers[] = {"Authorization", auth, "Content-Type", "application/json", NULL};
    struct vg_raw_req rq = {0};
    rq.method = method;
    rq.url = url;
    rq.headers = token ? headers : headers + 2;
    rq.body = body;
    rq.body_len = body ? strlen(body) : 0;
    assert_int_equal(vg_server_handle(srv, &rq, out), 0);
    return out->status;
}

static void must(struct vg_server *srv, const char *method, const char *url, const char *body,
                 int status)
{
    struct vg_raw_resp out;
    int got = call(srv, method, url, fx.admin, body, &out);
    if (got != status)
        fail_msg("%s %s: %d %s", method, url, got, out.body ? out.body : "");
    vg_raw_resp_cleanup(&out);
}

/* The template: admin and reader tokens, user "ana" with a password hashed at libsodium's
 * least cost (a login checks it in microseconds, not Argon2id's interactive 100 ms), an
 * organisation, an incident with observables, an indicator and an alert. */
static int setup(void **state)
{
    (void)state;
    if (vg_auth_init() != 0)
        return -1;
    snprintf(fx.dir, sizeof fx.dir, "/tmp/vigie-faults-XXXXXX");
    if (!mkdtemp(fx.dir))
        return -1;
    snprintf(fx.tmpl, sizeof fx.tmpl, "%s/tmpl.db", fx.dir);
    snprintf(fx.path, sizeof fx.path, "%s/run.db", fx.dir);
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_store *st = vg_store_open(fx.tmpl, NULL, &d);
    if (!st || vg_auth_user_token(st, "admin", "admin", "t", fx.admin, &d) != 0 ||
        vg_auth_user_token(st, "rita", "reader", "t", fx.reader, &d) != 0) {
        fprintf(stderr, "setup: %s\n", d.message);
        return -1;
    }
    long long id;
    if (vg_auth_user_create(st, "ana", "analyst", NULL, &id, &d) != 0)
        return -1;
    vg_store_close(st);
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(hash, "correct horse", 13, crypto_pwhash_OPSLIMIT_MIN,
                              crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return -1;
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    if (sqlite3_open(fx.tmpl, &db) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "UPDATE user SET password_hash = ? WHERE name = 'ana'", -1, &q,
                           NULL) != SQLITE_OK ||
        sqlite3_bind_text(q, 1, hash, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_step(q) != SQLITE_DONE)
        return -1;
    sqlite3_finalize(q);
    sqlite3_close(db);

    struct vg_server *srv = start(fx.tmpl);
    must(srv, "POST", "/api/v1/orgs",
         "{\"name\":\"Min\",\"kind\":\"ministry\",\"assets\":{\"cidrs\":[\"192.0.2.0/24\"],"
         "\"domains\":[\"min.example\"]}}",
         201);
    must(srv, "POST", "/api/v1/incidents",
         "{\"title\":\"First\",\"class\":\"malicious-code\",\"type\":\"infected-system\","
         "\"severity\":\"high\",\"observables\":[{\"value\":\"192.0.2.1\"}]}",
         201);
    must(srv, "POST", "/api/v1/incidents",
         "{\"title\":\"Second\",\"class\":\"fraud\",\"type\":\"phishing\",\"severity\":\"low\"}",
         201);
    must(srv, "POST", "/api/v1/indicators", "{\"type\":\"domain-name\",\"value\":\"evil.example\"}",
         201);
    must(srv, "POST", "/api/v1/events",
         "{\"src_ip\":\"192.0.2.7\",\"dns\":{\"rrname\":\"evil.example\"}}\n", 200);
    vg_server_stop(srv);
    if (sqlite3_open(fx.tmpl, &db) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT ref FROM incident WHERE id = 1", -1, &q, NULL) !=
            SQLITE_OK ||
        sqlite3_step(q) != SQLITE_ROW)
        return -1;
    snprintf(fx.patch_url, sizeof fx.patch_url, "/api/v1/incidents/%s",
             (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    const char *names[] = {"tmpl.db", "run.db"}, *sfx[] = {"", "-wal", "-shm"};
    char p[200];
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 3; k++) {
            snprintf(p, sizeof p, "%s/%s%s", fx.dir, names[i], sfx[k]);
            unlink(p);
        }
    rmdir(fx.dir);
    return 0;
}

/* What an operation of the API is. */
struct op {
    const char *method, *url, *body;
    const char *token; /* NULL: none */
    int ok;            /* its status when it succeeds */
};

/* The answer of a run whose allocation failed: a 500 "internal" or a 503, with a JSON error
 * body; or the success status (the failure was handled, e.g. by SQLite). */
static void check_failed_answer(const struct op *op, long n, const struct vg_raw_resp *out)
{
    if (out->status == op->ok)
        return;
    if (out->status != 500 && out->status != 503)
        fail_msg("%s %s, allocation %ld failing: status %d (want %d, 500 or 503): %s", op->method,
                 op->url, n, out->status, op->ok, out->body ? out->body : "");
    if (!out->body)
        return; /* even the error's text could not be allocated: the status says it */
    assert_string_equal(out->content_type, "application/json; charset=utf-8");
    json_t *v = json_loads(out->body, 0, NULL);
    if (!v)
        fail_msg("allocation %ld failing: %d answer not JSON: %s", n, out->status, out->body);
    const char *code = json_string_value(json_object_get(json_object_get(v, "error"), "code"));
    if (!code || (strcmp(code, "internal") != 0 && strcmp(code, "unavailable") != 0))
        fail_msg("allocation %ld failing: error code %s: %s", n, code ? code : "(none)", out->body);
    json_decref(v);
}

/* Runs op with allocation n failing, for n = 1, 2, ... on a fresh database each time, until
 * a run completes without reaching the failure. Returns the number of allocations of the
 * run without failure. */
static long inject_request(const struct op *op)
{
    struct state before, after, got;
    /* the run without failure: what "all of it" is */
    fresh_db();
    read_state(fx.path, &before);
    struct vg_server *srv = start(fx.path);
    struct vg_raw_resp out;
    vg_mem_count_start();
    call(srv, op->method, op->url, op->token, op->body, &out);
    long total = vg_mem_count();
    vg_mem_fail_after(0);
    vg_server_stop(srv);
    if (out.status != op->ok)
        fail_msg("%s %s: %d %s", op->method, op->url, out.status, out.body ? out.body : "");
    vg_raw_resp_cleanup(&out);
    read_state(fx.path, &after);
    assert_true(total > 0);
    const char *from = getenv("VG_FAULTS_FROM"); /* to reproduce a run: its n */
    for (long n = from ? strtol(from, NULL, 10) : 1;; n++) {
        if (getenv("VG_FAULTS_VERBOSE"))
            fprintf(stderr, "# %s %s: allocation %ld fails\n", op->method, op->url, n);
        fresh_db();
        srv = start(fx.path);
        vg_mem_fail_after(n);
        char auth[VG_TOKEN_LEN + 16];
        snprintf(auth, sizeof auth, "Bearer %s", op->token ? op->token : "");
        const char *headers[] = {"Authorization", auth, "Content-Type", "application/json", NULL};
        struct vg_raw_req rq = {0};
        rq.method = op->method;
        rq.url = op->url;
        rq.headers = op->token ? headers : headers + 2;
        rq.body = op->body;
        rq.body_len = op->body ? strlen(op->body) : 0;
        int rc = vg_server_handle(srv, &rq, &out);
        long failed = vg_mem_failed();
        vg_mem_fail_after(0);
        vg_server_stop(srv);
        read_state(fx.path, &got);
        if (!failed) {
            assert_int_equal(rc, 0);
            assert_int_equal(out.status, op->ok);
            assert_string_equal(got.text, after.text);
            vg_raw_resp_cleanup(&out);
            return total;
        }
        if (rc == VG_ENOMEM)
            assert_int_equal(out.status, 0); /* not even the request could be allocated */
        else
            check_failed_answer(op, n, &out);
        /* a success whose answer could not be written says its writes are done */
        bool done =
            out.status == op->ok || (out.body && strstr(out.body, "the request was carried out"));
        bool none = strcmp(got.text, before.text) == 0, all = strcmp(got.text, after.text) == 0;
        if (done ? !all : !none)
            fail_msg("%s %s, allocation %ld failing, answered %d: database\n  %s\nwant %s\n  %s",
                     op->method, op->url, n, out.status, got.text,
                     done ? "all of it" : "nothing of it", done ? after.text : before.text);
        vg_raw_resp_cleanup(&out);
    }
}

static void create_incident(void **state)
{
    (void)state;
    struct op op = {"POST", "/api/v1/incidents",
                    "{\"title\":\"Ransomware\",\"class\":\"malicious-code\",\"type\":"
                    "\"infected-system\",\"severity\":\"critical\",\"tlp\":\"AMBER+STRICT\","
                    "\"observables\":[{\"value\":\"192.0.2.1\"},{\"value\":"
                    "\"http://Evil.example:80/x#y\"},{\"value\":"
                    "\"44d88612fea8a8f36de82e1278abb02f\"}]}",
                    fx.admin, 201};
    long n = inject_request(&op);
    print_message("create incident: %ld allocations, each failed once\n", n);
}

static void post_report(void **state)
{
    (void)state;
    struct op op = {"POST", "/api/v1/reports",
                    "{\"reporter\":{\"name\":\"Jo\",\"email\":\"jo@min.example\"},"
                    "\"organisation\":{\"name\":\"Min\",\"kind\":\"ministry\"},\"title\":"
                    "\"Phishing\",\"description\":\"mails\",\"observables\":[{\"value\":"
                    "\"bad@evil.example\"}]}",
                    NULL, 201};
    long n = inject_request(&op);
    print_message("public report: %ld allocations\n", n);
}

static void post_events(void **state)
{
    (void)state;
    struct op op = {"POST", "/api/v1/events",
                    "{\"src_ip\":\"192.0.2.9\",\"dns\":{\"rrname\":\"evil.example\"}}\n"
                    "{\"a\":tru}\n"
                    "{\"http\":{\"hostname\":\"www.evil.example\",\"url\":\"/x\"}}\n",
                    fx.admin, 200};
    long n = inject_request(&op);
    print_message("events: %ld allocations\n", n);
}

static void list_incidents(void **state)
{
    (void)state;
    struct op op = {"GET", "/api/v1/incidents?limit=1&status=new", NULL, fx.reader, 200};
    long n = inject_request(&op);
    print_message("list: %ld allocations\n", n);
}

static void patch_incident(void **state)
{
    (void)state;
    struct op op = {"PATCH", fx.patch_url,
                    "{\"status\":\"triage\",\"severity\":\"critical\",\"assignee\":\"ana\"}",
                    fx.admin, 200};
    long n = inject_request(&op);
    print_message("patch: %ld allocations\n", n);
}

static void login(void **state)
{
    (void)state;
    struct op op = {"POST", "/api/v1/login", "{\"name\":\"ana\",\"password\":\"correct horse\"}",
                    NULL, 201};
    long n = inject_request(&op);
    print_message("login: %ld allocations\n", n);
}

/* The in-process entry itself: query arguments, headers, Content-Length and the router's
 * answers come out as they would over a socket. */
static void inproc_entry(void **state)
{
    (void)state;
    fresh_db();
    struct vg_server *srv = start(fx.path);
    struct vg_raw_resp out;
    /* the path is routed as sent: an encoded letter is not the route's */
    assert_int_equal(call(srv, "GET", "/api/v1/incid%65nts", fx.reader, NULL, &out), 404);
    vg_raw_resp_cleanup(&out);
    /* percent-encoded and '+' arguments, limit honoured, a cursor to the next page */
    assert_int_equal(call(srv, "GET", "/api/v1/incidents?limit=1&x=a+b%26", fx.reader, NULL, &out),
                     200);
    assert_string_equal(out.content_type, "application/json; charset=utf-8");
    json_t *v = json_loads(out.body, 0, NULL);
    assert_non_null(v);
    assert_int_equal(json_array_size(json_object_get(v, "items")), 1);
    assert_true(json_is_string(json_object_get(v, "next_cursor")));
    json_decref(v);
    vg_raw_resp_cleanup(&out);
    assert_int_equal(call(srv, "GET", "/api/v1/incidents?limit=0", fx.reader, NULL, &out), 400);
    assert_non_null(strstr(out.body, "\"field\":\"limit\""));
    vg_raw_resp_cleanup(&out);
    /* no token, a wrong role, a missing route, a wrong method */
    assert_int_equal(call(srv, "GET", "/api/v1/incidents", NULL, NULL, &out), 401);
    assert_non_null(strstr(out.body, "\"code\":\"unauthorized\""));
    vg_raw_resp_cleanup(&out);
    assert_int_equal(call(srv, "POST", "/api/v1/incidents", fx.reader, "{}", &out), 403);
    assert_non_null(strstr(out.body, "\"code\":\"forbidden\""));
    vg_raw_resp_cleanup(&out);
    assert_int_equal(call(srv, "GET", "/api/v1/nothing", fx.reader, NULL, &out), 404);
    vg_raw_resp_cleanup(&out);
    assert_int_equal(call(srv, "DELETE", "/api/v1/incidents", fx.reader, NULL, &out), 405);
    assert_string_equal(out.allow, "GET, POST");
    vg_raw_resp_cleanup(&out);
    /* Content-Length: over the cap is a 413 before anything is read; a shorter one cuts the
     * body (here into malformed JSON); one that is not a number is refused */
    const char *big[] = {"Content-Length", "99999999", NULL};
    const char *cut[] = {"content-length", "5", "content-type", "application/json", NULL};
    const char *bad[] = {"Content-Length", "12x", NULL};
    struct vg_raw_req rq = {"POST", "/api/v1/login", big, NULL, "{}", 2};
    assert_int_equal(vg_server_handle(srv, &rq, &out), 0);
    assert_int_equal(out.status, 413);
    assert_non_null(strstr(out.body, "\"code\":\"too_large\""));
    vg_raw_resp_cleanup(&out);
    rq.headers = cut;
    rq.body = "{\"name\":\"ana\"}";
    rq.body_len = strlen(rq.body);
    assert_int_equal(vg_server_handle(srv, &rq, &out), 0);
    assert_int_equal(out.status, 400);
    assert_non_null(strstr(out.body, "\"code\":\"malformed_json\""));
    vg_raw_resp_cleanup(&out);
    rq.headers = bad;
    assert_int_equal(vg_server_handle(srv, &rq, &out), 0);
    assert_int_equal(out.status, 400);
    assert_non_null(strstr(out.body, "Content-Length"));
    vg_raw_resp_cleanup(&out);
    vg_server_stop(srv);
}

/* ---- imports: the use cases without a server ---- */

static int read_all(const char *path, char **data, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    *data = malloc((size_t)n + 1);
    *len = fread(*data, 1, (size_t)n, fp);
    (*data)[*len] = '\0';
    fclose(fp);
    return 0;
}

typedef int (*import_fn)(struct vg_store *st, const void *arg, struct vg_diag *d);

static int import_iocs(struct vg_store *st, const void *arg, struct vg_diag *d)
{
    const struct vg_actor who = {1, "admin", "admin", 0};
    struct vg_indicators_options o = {NULL, "test", -1, false};
    struct vg_indicators_counts c = {0};
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(read_all(arg, &data, &len), 0);
    int rc = vg_indicators_import_text(st, &who, &o, arg, data, len, NULL, NULL, &c, d);
    free(data);
    return rc;
}

static int import_feed(struct vg_store *st, const void *arg, struct vg_diag *d)
{
    char *const *paths = arg;
    size_t n = 0;
    while (paths[n])
        n++;
    struct vg_watch_opts o = {0};
    struct vg_watch_stats s = {0};
    int rc = vg_watch_import(st, paths, n, &o, &s, d);
    /* a file that could not be read is an error of the import, even if another was read */
    if (rc == 0 && s.bad_files)
        rc = VG_EIO;
    return rc;
}

/* As inject_request, for an import: the use case returns 0, or an error code with a message;
 * the database holds nothing of it or all of it. */
static long inject_import(import_fn fn, const void *arg, const char *what)
{
    struct state before, after, got;
    struct vg_diag d;
    fresh_db();
    read_state(fx.path, &before);
    struct vg_store *st = vg_store_open(fx.path, NULL, &d);
    assert_non_null(st);
    vg_mem_count_start();
    int rc = fn(st, arg, &d);
    long total = vg_mem_count();
    vg_mem_fail_after(0);
    vg_store_close(st);
    if (rc)
        fail_msg("%s: %d %s", what, rc, d.message);
    read_state(fx.path, &after);
    assert_string_not_equal(before.text, after.text);
    const char *from = getenv("VG_FAULTS_FROM"); /* to reproduce a run: its n */
    for (long n = from ? strtol(from, NULL, 10) : 1;; n++) {
        fresh_db();
        vg_diag_clear(&d);
        st = vg_store_open(fx.path, NULL, &d);
        assert_non_null(st);
        vg_mem_fail_after(n);
        rc = fn(st, arg, &d);
        long failed = vg_mem_failed();
        vg_mem_fail_after(0);
        vg_store_close(st);
        read_state(fx.path, &got);
        if (!failed) {
            assert_int_equal(rc, 0);
            assert_string_equal(got.text, after.text);
            return total;
        }
        if (rc && !d.message[0])
            fail_msg("%s, allocation %ld failing: error %d without a message", what, n, rc);
        bool none = strcmp(got.text, before.text) == 0, all = strcmp(got.text, after.text) == 0;
        if (rc == 0 ? !all : !(none || all))
            fail_msg("%s, allocation %ld failing, returned %d (%s): database\n  %s\nwant %s\n"
                     "  %s",
                     what, n, rc, d.message, got.text, rc ? "nothing or all of it" : "all of it",
                     rc ? before.text : after.text);
    }
}

static void indicator_file_import(void **state)
{
    (void)state;
    long n = inject_import(import_iocs, VG_DATA "/iocs/good.txt", "iocs/good.txt");
    print_message("indicator import: %ld allocations\n", n);
    n = inject_import(import_iocs, VG_DATA "/iocs/good.csv", "iocs/good.csv");
    print_message("indicator import (CSV): %ld allocations\n", n);
}

static void vuln_feed_imports(void **state)
{
    (void)state;
    static char *const nvd[] = {VG_DATA "/nvd/match-cases.json", NULL};
    static char *const cve5[] = {VG_DATA "/cve5/affected.json", NULL};
    static char *const kev[] = {VG_DATA "/kev/good.json", NULL};
    static char *const epss[] = {VG_DATA "/epss/good.csv", NULL};
    printf("# NVD: %ld allocations\n", inject_import(import_feed, nvd, "nvd"));
    printf("# CVE 5: %ld allocations\n", inject_import(import_feed, cve5, "cve5"));
    printf("# KEV: %ld allocations\n", inject_import(import_feed, kev, "kev"));
    printf("# EPSS: %ld allocations\n", inject_import(import_feed, epss, "epss"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(inproc_entry),
        cmocka_unit_test(create_incident),
        cmocka_unit_test(post_report),
        cmocka_unit_test(post_events),
        cmocka_unit_test(list_incidents),
        cmocka_unit_test(patch_incident),
        cmocka_unit_test(login),
        cmocka_unit_test(indicator_file_import),
        cmocka_unit_test(vuln_feed_imports),
    };
    /* VG_FAULTS_ONLY=create_incident runs one test (while fixing what it finds) */
    if (getenv("VG_FAULTS_ONLY"))
        cmocka_set_test_filter(getenv("VG_FAULTS_ONLY"));
    return cmocka_run_group_tests(tests, setup, teardown);
}
