/* Unit tests of src/match/listen.c on a real Unix socket in a temporary folder: lines split
 * across writes, numbered per connection; the bounded queue taking the lines that fit and
 * dropping (and counting) the others without making the writer wait; over-long lines skipped
 * and counted, the connection going on; take's batch cap and wait; the socket file's mode,
 * a live socket refused, a stale one replaced, any other file refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "match/listen.h"
#include "util/limits.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/vgunit.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/eve.sock", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return rmdir(dir);
}

static int sensor(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    memcpy(a.sun_path, path, strlen(path) + 1);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void send_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t w = write(fd, data, len);
        assert_true(w > 0);
        data += w;
        len -= (size_t)w;
    }
}

/* A listener on path whose queue holds max_lines lines. */
static struct vg_listen *open_listener(size_t max_lines)
{
    struct vg_listen *l = NULL;
    struct vg_listen_opts o = {max_lines, 4 * (size_t)VG_MAX_LINE, NULL, NULL};
    struct vg_diag d;
    assert_int_equal(vg_listen_open(path, &o, &l, &d), 0);
    return l;
}

/* Waits (5 s at most) until the listener counts `lines` lines. */
static void wait_lines(struct vg_listen *l, uint64_t lines)
{
    for (int i = 0; i < 500 && vg_listen_counts(l).lines < lines; i++) {
        struct timespec ts = {0, 10000000L};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(vg_listen_counts(l).lines, lines);
}

/* The queued lines, "conn/first/lines:data" per item. */
static void take_all(struct vg_listen *l, char *out, size_t cap)
{
    out[0] = '\0';
    struct vg_listen_item *items = vg_listen_take(l, 1, SIZE_MAX, 0);
    for (struct vg_listen_item *it = items; it; it = it->next) {
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%u/%llu/%zu:%.*s", it->conn, (unsigned long long)it->first,
                 it->lines, (int)it->len, it->data);
    }
    vg_listen_items_free(items);
}

static void lines_across_writes_numbered_per_connection(void **state)
{
    (void)state;
    struct vg_listen *l = open_listener(100);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0660);
    int a = sensor();
    send_all(a, "one\ntw", 6);
    wait_lines(l, 1);
    send_all(a, "o\nthree\n", 8);
    wait_lines(l, 3);
    int b = sensor();
    send_all(b, "bee\n", 4);
    wait_lines(l, 4);
    char got[256];
    take_all(l, got, sizeof got);
    assert_string_equal(got, "1/1/1:one\n1/2/2:two\nthree\n2/1/1:bee\n");
    struct vg_listen_counts c = vg_listen_counts(l);
    assert_int_equal(c.connections, 2);
    assert_int_equal(c.dropped, 0);
    assert_int_equal(c.bytes, 4 + 4 + 6 + 4);
    close(a);
    close(b);
    vg_listen_close(l);
    assert_int_equal(access(path, F_OK), -1); /* removed */
}

static void full_queue_drops_and_counts(void **state)
{
    (void)state;
    struct vg_listen *l = open_listener(3);
    int a = sensor();
    send_all(a, "1\n2\n3\n4\n5\n", 10); /* 3 fit, 2 dropped: the writer never waits */
    wait_lines(l, 5);
    send_all(a, "6\n", 2); /* still full */
    wait_lines(l, 6);
    char got[256];
    take_all(l, got, sizeof got);
    assert_string_equal(got, "1/1/3:1\n2\n3\n");
    send_all(a, "7\n", 2); /* room again: numbered after the dropped ones */
    wait_lines(l, 7);
    take_all(l, got, sizeof got);
    assert_string_equal(got, "1/7/1:7\n");
    struct vg_listen_counts c = vg_listen_counts(l), *per;
    size_t n;
    assert_int_equal(c.dropped, 3);
    assert_int_equal(vg_listen_connection_counts(l, &per, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(per[0].dropped, 3);
    assert_int_equal(per[0].lines, 7);
    free(per);
    close(a);
    vg_listen_close(l);
}

static void overlong_lines_skipped_connection_goes_on(void **state)
{
    (void)state;
    struct vg_listen *l = open_listener(100);
    size_t big = 3 * (size_t)VG_MAX_LINE;
    char *x = malloc(big);
    assert_non_null(x);
    memset(x, 'x', big);
    int a = sensor();
    send_all(a, "a\n", 2);
    send_all(a, x, (size_t)VG_MAX_LINE); /* exactly at the limit: kept */
    send_all(a, "\n", 1);
    send_all(a, x, (size_t)VG_MAX_LINE + 1); /* one over, whole in the buffer */
    send_all(a, "\nb\n", 3);
    send_all(a, x, big); /* over, longer than the buffer: skipped up to its newline */
    send_all(a, "\nc\n", 3);
    wait_lines(l, 6);
    struct vg_listen_item *items = vg_listen_take(l, 1, SIZE_MAX, 0);
    uint64_t seen[8];
    size_t k = 0, lines = 0;
    for (struct vg_listen_item *it = items; it; it = it->next) {
        for (size_t i = 0; i < it->lines && k < 8; i++)
            seen[k++] = it->first + i;
        lines += it->lines;
    }
    vg_listen_items_free(items);
    assert_int_equal(lines, 4);
    assert_int_equal(seen[0], 1);
    assert_int_equal(seen[1], 2);
    assert_int_equal(seen[2], 4);
    assert_int_equal(seen[3], 6);
    assert_int_equal(vg_listen_counts(l).malformed, 2);
    free(x);
    close(a);
    vg_listen_close(l);
}

static void take_caps_and_waits(void **state)
{
    (void)state;
    struct vg_listen *l = open_listener(100);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_null(vg_listen_take(l, 10, 10, 50)); /* nothing: waits 50 ms */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms >= 45);
    int a = sensor();
    send_all(a, "1\n", 2);
    wait_lines(l, 1);
    send_all(a, "2\n", 2);
    wait_lines(l, 2);
    send_all(a, "3\n", 2);
    wait_lines(l, 3);
    /* three items of one line: a cap of 2 takes two, the third stays */
    struct vg_listen_item *it = vg_listen_take(l, 1, 2, 0);
    assert_non_null(it);
    assert_non_null(it->next);
    assert_null(it->next->next);
    vg_listen_items_free(it);
    /* fewer lines than wanted: given once the oldest waited wait_ms */
    it = vg_listen_take(l, 100, 100, 30);
    assert_non_null(it);
    assert_int_equal(it->first, 3);
    vg_listen_items_free(it);
    close(a);
    vg_listen_stop(l);
    assert_null(vg_listen_take(l, 100, 100, 10000)); /* stopped: at once */
    vg_listen_close(l);
}

static void socket_file_rules(void **state)
{
    (void)state;
    struct vg_listen *l, *l2;
    struct vg_listen_opts o = {10, 4 * (size_t)VG_MAX_LINE, NULL, NULL};
    struct vg_diag d;
    assert_int_equal(vg_listen_open(path, &o, &l, &d), 0);
    assert_int_equal(vg_listen_open(path, &o, &l2, &d), VG_EEXIST);
    assert_non_null(strstr(d.message, "another process listens on it"));
    /* a stale socket: bound, never listened on, closed */
    vg_listen_close(l);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    memcpy(a.sun_path, path, strlen(path) + 1);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    close(fd);
    assert_int_equal(vg_listen_open(path, &o, &l, &d), 0);
    vg_listen_close(l);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(vg_listen_open(path, &o, &l, &d), VG_EEXIST);
    assert_non_null(strstr(d.message, "not a socket"));
    unlink(path);
    char longp[200];
    memset(longp, 'a', sizeof longp - 1);
    longp[sizeof longp - 1] = '\0';
    assert_int_equal(vg_listen_open(longp, &o, &l, &d), VG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_across_writes_numbered_per_connection),
        cmocka_unit_test(full_queue_drops_and_counts),
        cmocka_unit_test(overlong_lines_skipped_connection_goes_on),
        cmocka_unit_test(take_caps_and_waits),
        cmocka_unit_test(socket_file_rules),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
