/* The HTTP transport with a route table of its own (not the API's): the content type a
 * handler sets is the one that goes out, JSON is the default, a route's least role is
 * enforced, and the router answers 404 and 405. A real server on 127.0.0.1, port 0. And the
 * rate limiter's buckets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/inproc.h"
#include "http/ratelimit.h"
#include "http/router.h"
#include "http/server.h"
#include "util/buf.h"
#include "util/limits.h"

static void page(struct vg_req *req, struct vg_resp *r)
{
    (void)req;
    struct vg_buf b;
    vg_buf_init(&b, 1024);
    vg_buf_puts(&b, "<!doctype html><p>vigie</p>");
    vg_resp_text(r, 200, VG_CONTENT_HTML, &b);
}

static void taxii(struct vg_req *req, struct vg_resp *r)
{
    (void)req;
    vg_resp_json(r, 200, json_pack("{s:s}", "title", "vigie"));
    r->content_type = VG_CONTENT_TAXII;
}

static void json(struct vg_req *req, struct vg_resp *r)
{
    (void)req;
    struct vg_buf b;
    vg_buf_init(&b, 1024);
    vg_buf_puts(&b, "{\"ok\":true}");
    vg_resp_buf(r, 200, &b);
}

/* A page whose writing failed (its buffer over the cap) answers a JSON 500. */
static void too_big(struct vg_req *req, struct vg_resp *r)
{
    (void)req;
    struct vg_buf b;
    vg_buf_init(&b, 8);
    vg_buf_puts(&b, "<!doctype html><p>far more than eight bytes</p>");
    vg_resp_text(r, 200, VG_CONTENT_HTML, &b);
}

/* Answers its path parameter as the router gave it. */
static void echo(struct vg_req *req, struct vg_resp *r)
{
    vg_resp_json(r, 200, json_pack("{s:s}", "p", req->params[0]));
}

static const struct vg_route routes[] = {
    {"GET", "/", VG_PUBLIC, page, 0},        {"GET", "/taxii2/", VG_PUBLIC, taxii, 0},
    {"GET", "/json/{}", VG_PUBLIC, json, 0}, {"GET", "/big", VG_PUBLIC, too_big, 0},
    {"GET", "/private", VG_READER, json, 0}, {"GET", "/echo/{}/x", VG_PUBLIC, echo, 0},
    {"POST", "/post", VG_PUBLIC, json, 0},   {"POST", "/raw", VG_PUBLIC, json, VG_ROUTE_RAW_BODY},
    {NULL, NULL, VG_PUBLIC, NULL, 0},
};

struct fixture {
    char dir[64];
    char path[128];
    struct vg_server *srv;
    int port;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/vigie-http-XXXXXX");
    if (!f || !mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/v.db", f->dir);
    struct vg_server_config cfg = {0};
    cfg.routes = routes;
    cfg.db = f->path;
    cfg.listen = "127.0.0.1:0";
    cfg.threads = 2;
    struct vg_diag d;
    vg_diag_clear(&d);
    f->srv = vg_server_start(&cfg, &f->port, &d);
    if (!f->srv) {
        fprintf(stderr, "server: %s\n", d.message);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    vg_server_stop(f->srv);
    char p[160];
    const char *sfx[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, sfx[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* GETs path and returns the whole answer (headers and body), NUL-terminated, in out. */
static void get(const struct fixture *f, const char *path, char *out, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)f->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    char req[256];
    int n =
        snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path);
    assert_int_equal(write(fd, req, (size_t)n), n);
    size_t len = 0;
    ssize_t r;
    while (len + 1 < cap && (r = read(fd, out + len, cap - 1 - len)) > 0)
        len += (size_t)r;
    out[len] = '\0';
    close(fd);
}

static void content_type_set_by_handler_goes_out(void **state)
{
    char ans[4096];
    get(*state, "/", ans, sizeof ans);
    assert_non_null(strstr(ans, "HTTP/1.1 200"));
    assert_non_null(strstr(ans, "Content-Type: text/html; charset=utf-8\r\n"));
    assert_non_null(strstr(ans, "\r\n\r\n<!doctype html><p>vigie</p>"));
    get(*state, "/taxii2/", ans, sizeof ans);
    assert_non_null(strstr(ans, "Content-Type: application/taxii+json;version=2.1\r\n"));
    assert_non_null(strstr(ans, "{\"title\":\"vigie\"}"));
}

static void json_is_the_default(void **state)
{
    char ans[4096];
    get(*state, "/json/1", ans, sizeof ans);
    assert_non_null(strstr(ans, "HTTP/1.1 200"));
    assert_non_null(strstr(ans, "Content-Type: application/json; charset=utf-8\r\n"));
    assert_non_null(strstr(ans, "{\"ok\":true}"));
    /* an error after a page is JSON again */
    get(*state, "/big", ans, sizeof ans);
    assert_non_null(strstr(ans, "HTTP/1.1 500"));
    assert_non_null(strstr(ans, "Content-Type: application/json; charset=utf-8\r\n"));
    assert_null(strstr(ans, "text/html"));
}

static void routes_of_the_table_only(void **state)
{
    char ans[4096];
    get(*state, "/api/v1/health", ans, sizeof ans);
    assert_non_null(strstr(ans, "HTTP/1.1 404"));
    assert_non_null(strstr(ans, "Content-Type: application/json; charset=utf-8\r\n"));
    get(*state, "/private", ans, sizeof ans);
    assert_non_null(strstr(ans, "HTTP/1.1 401"));
}

/* One in-process request; its status, the answer in *out (the caller cleans it up). */
static int handle(struct vg_server *srv, const char *method, const char *url,
                  const char *const *headers, const char *body, struct vg_raw_resp *out)
{
    struct vg_raw_req rq = {method, url, headers, NULL, body, body ? strlen(body) : 0};
    assert_int_equal(vg_server_handle(srv, &rq, out), 0);
    return out->status;
}

/* The in-process path follows the socket's rules: paths routed as sent (parameters decoded,
 * %00 and %2F refused), HEAD as GET without a body, 415 for a body that is not JSON, the 401
 * challenge, Connection: close after a refused Content-Length with Transfer-Encoding, and the
 * request target's cap. */
static void inproc_transport_rules(void **state)
{
    struct fixture *f = *state;
    char db[160];
    snprintf(db, sizeof db, "%s/inproc.db", f->dir);
    struct vg_server_config cfg = {0};
    cfg.routes = routes;
    cfg.db = db;
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_server *srv = vg_server_start(&cfg, NULL, &d);
    assert_non_null(srv);
    struct vg_raw_resp out;
    assert_int_equal(handle(srv, "GET", "/echo/a%2Db%25c/x?q=%00", NULL, NULL, &out), 200);
    assert_string_equal(out.body, "{\"p\":\"a-b%c\"}\n");
    vg_raw_resp_cleanup(&out);
    const char *bad[] = {"/echo/a%00/x", "/echo/a%2Fb/x", "/echo/a%2fb/x", "/ech%6F/a/x"};
    for (size_t i = 0; i < 4; i++) {
        int st = handle(srv, "GET", bad[i], NULL, NULL, &out);
        assert_int_equal(st, i < 3 ? 400 : 404);
        assert_non_null(strstr(out.body, i < 3 ? "\"field\":\"path\"" : "not_found"));
        vg_raw_resp_cleanup(&out);
    }
    assert_int_equal(handle(srv, "HEAD", "/json/1", NULL, NULL, &out), 200);
    assert_null(out.body);
    assert_int_equal(out.body_len, 0);
    assert_string_equal(out.content_type, VG_CONTENT_JSON); /* the GET's headers */
    vg_raw_resp_cleanup(&out);
    const char *plain[] = {"Content-Type", "text/plain", NULL};
    const char *js[] = {"content-type", "Application/Json ; charset=UTF-8", NULL};
    const char *nd[] = {"Content-Type", "application/x-ndjson", NULL};
    assert_int_equal(handle(srv, "POST", "/post", plain, "{}", &out), 415);
    assert_non_null(strstr(out.body, "\"code\":\"unsupported_media_type\""));
    assert_non_null(strstr(out.body, "\"field\":\"Content-Type\""));
    vg_raw_resp_cleanup(&out);
    assert_int_equal(handle(srv, "POST", "/post", NULL, "{}", &out), 415);
    vg_raw_resp_cleanup(&out);
    assert_int_equal(handle(srv, "POST", "/post", nd, "{}", &out), 415);
    vg_raw_resp_cleanup(&out);
    assert_int_equal(handle(srv, "POST", "/post", js, "{}", &out), 200);
    vg_raw_resp_cleanup(&out);
    assert_int_equal(handle(srv, "POST", "/post", plain, NULL, &out), 200); /* no body */
    vg_raw_resp_cleanup(&out);
    assert_int_equal(handle(srv, "POST", "/raw", nd, "{}\n", &out), 200);
    vg_raw_resp_cleanup(&out);
    assert_int_equal(handle(srv, "POST", "/raw", plain, "{}\n", &out), 415);
    assert_non_null(strstr(out.body, "application/x-ndjson"));
    vg_raw_resp_cleanup(&out);
    assert_int_equal(handle(srv, "GET", "/private", NULL, NULL, &out), 401);
    assert_string_equal(out.www_authenticate, "Bearer realm=\"vigie\"");
    vg_raw_resp_cleanup(&out);
    assert_int_equal(handle(srv, "GET", "/json/1", NULL, NULL, &out), 200);
    assert_string_equal(out.www_authenticate, "");
    assert_false(out.close);
    vg_raw_resp_cleanup(&out);
    const char *clte[] = {"Content-Type",
                          "application/json",
                          "Content-Length",
                          "2",
                          "Transfer-Encoding",
                          "chunked",
                          NULL};
    assert_int_equal(handle(srv, "POST", "/post", clte, "{}", &out), 400);
    assert_true(out.close);
    assert_non_null(strstr(out.body, "\"field\":\"Transfer-Encoding\""));
    vg_raw_resp_cleanup(&out);
    /* a Content-Length that is not a number: 400, as TAXII's error under /taxii2 (fuzz_http) */
    const char *badcl[] = {"Content-Type", "application/json", "Content-Length", "GET", NULL};
    assert_int_equal(handle(srv, "POST", "/post", badcl, "{}", &out), 400);
    assert_non_null(strstr(out.body, "\"message\":\"bad Content-Length\""));
    vg_raw_resp_cleanup(&out);
    assert_int_equal(handle(srv, "POST", "/taxii2/api/x", badcl, "{}", &out), 400);
    assert_non_null(strstr(out.body, "\"http_status\""));
    assert_non_null(strstr(out.body, "bad Content-Length"));
    assert_string_equal(out.content_type, "application/taxii+json;version=2.1");
    vg_raw_resp_cleanup(&out);
    static char url[VG_MAX_TARGET + 2];
    memset(url, 'a', sizeof url - 1);
    url[0] = '/';
    url[sizeof url - 1] = '\0';
    assert_int_equal(handle(srv, "GET", url, NULL, NULL, &out), 414);
    assert_true(out.close);
    vg_raw_resp_cleanup(&out);
    url[sizeof url - 2] = '\0'; /* at the cap: routed (no such route) */
    assert_int_equal(handle(srv, "GET", url, NULL, NULL, &out), 404);
    vg_raw_resp_cleanup(&out);
    vg_server_stop(srv);
    const char *sfx[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char p[180];
        snprintf(p, sizeof p, "%s%s", db, sfx[i]);
        unlink(p);
    }
}

/* The rate limiter: a burst, then refusals with a wait, per client; a client's bucket is not
 * reset by others coming and going, and a flood of clients does not wedge the limiter. */
static void ratelimit_per_client(void **state)
{
    (void)state;
    struct vg_ratelimit *rl = vg_ratelimit_new(1, 2); /* one a minute, two at once */
    assert_non_null(rl);
    int wait = -1;
    assert_true(vg_ratelimit_take(rl, "192.0.2.1", &wait));
    assert_true(vg_ratelimit_take(rl, "192.0.2.1", &wait));
    assert_int_equal(wait, -1);
    assert_false(vg_ratelimit_take(rl, "192.0.2.1", &wait));
    assert_true(wait >= 59 && wait <= 61);
    assert_true(vg_ratelimit_take(rl, "192.0.2.10", NULL)); /* another client: its own */
    char client[64];
    for (int i = 0; i < 8; i++) {
        snprintf(client, sizeof client, "198.51.100.%d", i);
        assert_true(vg_ratelimit_take(rl, client, NULL));
    }
    assert_false(vg_ratelimit_take(rl, "192.0.2.1", NULL)); /* still its bucket */
    for (int i = 0; i < 100000; i++) {
        snprintf(client, sizeof client, "2001:db8::%x", i);
        assert_true(vg_ratelimit_take(rl, client, NULL)); /* new clients get a full bucket */
    }
    assert_true(vg_ratelimit_take(rl, "203.0.113.5", NULL));
    assert_true(vg_ratelimit_take(rl, "203.0.113.5", NULL));
    assert_false(vg_ratelimit_take(rl, "203.0.113.5", NULL));
    vg_ratelimit_free(rl);
    vg_ratelimit_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(content_type_set_by_handler_goes_out),
        cmocka_unit_test(json_is_the_default),
        cmocka_unit_test(routes_of_the_table_only),
        cmocka_unit_test(ratelimit_per_client),
        cmocka_unit_test(inproc_transport_rules),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
