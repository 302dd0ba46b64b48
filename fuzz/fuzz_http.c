/* libFuzzer target for the HTTP request path as a whole, through the server's in-process entry
 * (http/inproc.h): the same body cap, route matching on raw paths, query arguments, token and
 * role checks, handlers and database thread as over a socket. One server on a temporary SQLite
 * database is set up once, with an admin, an analyst and a reader token, organisations,
 * incidents, an indicator and an alert, so that ids and authorised paths are reached.
 *
 * Input: four lines, then the body (the rest, NDJSON for /api/v1/events):
 *   METHOD\n  TARGET (path and query, percent-encoded)\n  AUTH\n  CONTENT-LENGTH\n  BODY
 * AUTH is "@admin", "@analyst" or "@reader" (that user's valid token), "-" (no header), or the
 * Authorization header's value as is; CONTENT-LENGTH is "-" (none) or the header's value.
 * Every request says Content-Type: application/json, so that bodies reach their handlers
 * (the 415 of other types is pinned by tests/unit/test_http.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "app/auth.h"
#include "http/inproc.h"
#include "http/server.h"
#include "store/store.h"

static struct vg_server *srv;
static char dir[64];
static char tokens[3][VG_TOKEN_LEN + 1]; /* admin, analyst, reader */

static void cleanup(void)
{
    vg_server_stop(srv);
    char p[128];
    const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/fuzz.db%s", dir, sfx[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* One request, its answer dropped (but checked: every answer has a status and JSON errors,
 * TAXII error messages under /taxii2). */
static void request(const char *method, const char *url, const char *auth, const char *cl,
                    const char *body, size_t len)
{
    const char *headers[7] = {"Content-Type", "application/json", NULL};
    int h = 2;
    if (auth) {
        headers[h++] = "Authorization";
        headers[h++] = auth;
    }
    if (cl) {
        headers[h++] = "Content-Length";
        headers[h++] = cl;
    }
    struct vg_raw_req rq = {method, url, headers, "192.0.2.200", body, len};
    struct vg_raw_resp out;
    if (vg_server_handle(srv, &rq, &out) != 0)
        abort(); /* only when out of memory */
    if (out.status < 200 || out.status > 599)
        abort();
    bool head = strcmp(method, "HEAD") == 0;
    if (head && out.body)
        abort(); /* HEAD answers without a body */
    /* under /taxii2 every answer is TAXII's: its errors are {title, description, http_status} */
    bool taxii = strncmp(url, "/taxii2", 7) == 0 && strchr("/?", url[7]); /* "" included */
    const char *err = taxii ? "\"http_status\"" : "\"error\"";
    /* when memory failed (fault injection) the 500 stays in vigie's form: rewriting it as
     * TAXII's needs memory too */
    bool oom = taxii && out.status == 500 && out.body && strstr(out.body, "\"error\"");
    if (!head && out.status >= 400 && !oom && (!out.body || !strstr(out.body, err)))
        abort(); /* an error without its JSON body */
    vg_raw_resp_cleanup(&out);
}

static void seed(const char *method, const char *url, const char *body)
{
    char auth[VG_TOKEN_LEN + 16];
    snprintf(auth, sizeof auth, "Bearer %s", tokens[0]);
    request(method, url, auth, NULL, body, body ? strlen(body) : 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(dir, sizeof dir, "/tmp/vigie-fuzz-http-XXXXXX");
    if (vg_auth_init() != 0 || !mkdtemp(dir))
        abort();
    char path[128];
    snprintf(path, sizeof path, "%s/fuzz.db", dir);
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_store *st = vg_store_open(path, NULL, &d);
    if (!st || vg_auth_user_token(st, "admin", "admin", "fuzz", tokens[0], &d) ||
        vg_auth_user_token(st, "ana", "analyst", "fuzz", tokens[1], &d) ||
        vg_auth_user_token(st, "rita", "reader", "fuzz", tokens[2], &d)) {
        fprintf(stderr, "fuzz_http: %s\n", d.message);
        abort();
    }
    vg_store_close(st);
    struct vg_server_config cfg = {0};
    cfg.routes = vg_api_routes;
    cfg.db = path;
    cfg.report_per_minute = 1e9; /* the intake's rate limit would answer most reports 429 */
    srv = vg_server_start(&cfg, NULL, &d);
    if (!srv)
        abort();
    atexit(cleanup);
    seed("POST", "/api/v1/orgs",
         "{\"name\":\"Min\",\"kind\":\"ministry\",\"assets\":{\"cidrs\":[\"192.0.2.0/24\"],"
         "\"domains\":[\"min.example\"],\"products\":[\"cpe:2.3:a:apache:http_server:2.4.1:*:*:*:"
         "*:*:*:*\"]}}");
    seed("POST", "/api/v1/orgs", "{\"name\":\"Ville\",\"kind\":\"local-authority\"}");
    seed("POST", "/api/v1/incidents",
         "{\"title\":\"First\",\"class\":\"malicious-code\",\"type\":\"infected-system\","
         "\"observables\":[{\"value\":\"192.0.2.1\"},{\"value\":\"evil.example\"}]}");
    seed("POST", "/api/v1/incidents",
         "{\"title\":\"Second\",\"class\":\"fraud\",\"type\":\"phishing\",\"org\":1}");
    seed("POST", "/api/v1/indicators", "{\"type\":\"domain-name\",\"value\":\"evil.example\"}");
    seed("POST", "/api/v1/events",
         "{\"src_ip\":\"192.0.2.7\",\"dns\":{\"rrname\":\"evil.example\"}}\n");
    return 0;
}

/* The next line of [*p, end) as a NUL-terminated copy in out (cut at cap - 1). */
static void next_line(const char **p, const char *end, char *out, size_t cap)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    size_t n = (size_t)((nl ? nl : end) - *p);
    size_t k = n < cap - 1 ? n : cap - 1;
    memcpy(out, *p, k);
    out[k] = '\0';
    *p = nl ? nl + 1 : end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    char method[16], url[4096], auth[512], cl[64];
    next_line(&p, end, method, sizeof method);
    next_line(&p, end, url, sizeof url);
    next_line(&p, end, auth, sizeof auth);
    next_line(&p, end, cl, sizeof cl);
    char bearer[VG_TOKEN_LEN + 16];
    const char *a = auth;
    if (strcmp(auth, "-") == 0) {
        a = NULL;
    } else if (auth[0] == '@') {
        int who = strcmp(auth, "@admin") == 0 ? 0 : strcmp(auth, "@analyst") == 0 ? 1 : 2;
        snprintf(bearer, sizeof bearer, "Bearer %s", tokens[who]);
        a = bearer;
    }
    request(method, url, a, strcmp(cl, "-") == 0 ? NULL : cl, p, (size_t)(end - p));
    return 0;
}
