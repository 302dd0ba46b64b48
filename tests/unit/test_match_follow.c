/* Unit tests of src/match/follow.c on real files in a temporary folder: whole lines only (a
 * partial one waits), numbering, max_lines, rotation (the old file to its end, its last line
 * without newline included), truncation, a file appearing late, resuming from a position, a
 * line longer than VG_MAX_LINE, and the state file (round trip, atomic write, each error
 * naming its place). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "match/follow.h"
#include "util/buf.h"
#include "util/limits.h"

static char dir[64];
static char path[128];
static char *buf;
#define CAP (VG_FOLLOW_MIN_BUF + 16)

/* What the callbacks saw: "first:data" per call of lines, "!what@line" per note. */
struct seen {
    struct vg_buf log;
    int fail; /* lines returns this when not 0 */
};

static int on_lines(void *ctx, struct vg_follow_file *f, const char *data, size_t len,
                    uint64_t first)
{
    (void)f;
    struct seen *s = ctx;
    if (s->fail)
        return s->fail;
    vg_buf_printf(&s->log, "%llu:", (unsigned long long)first);
    vg_buf_append(&s->log, data, len);
    vg_buf_putc(&s->log, '|');
    return 0;
}

static void on_note(void *ctx, const struct vg_follow_file *f, enum vg_follow_note what,
                    uint64_t line, int err)
{
    (void)f;
    (void)err;
    static const char *const names[] = {"opened", "resumed", "rotated", "truncated",
                                        "long",   "cannot",  "moved"};
    struct seen *s = ctx;
    vg_buf_printf(&s->log, "!%s@%llu|", names[what], (unsigned long long)line);
}

static void put(const char *p, const char *text, const char *mode)
{
    FILE *fp = fopen(p, mode);
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    assert_int_equal(fclose(fp), 0);
}

/* Polls f once and returns what the callbacks saw (then forgets it). */
static const char *poll_seen(struct vg_follow_file *f, struct seen *s, size_t max_lines)
{
    struct vg_follow_ops ops = {on_lines, on_note, s, max_lines};
    struct vg_diag d;
    vg_buf_reset(&s->log);
    assert_int_equal(vg_follow_poll(f, buf, CAP, &ops, &d), 0);
    return s->log.data ? s->log.data : "";
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/vgfollow.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/log", dir);
    buf = malloc(CAP);
    assert_non_null(buf);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(buf);
    return 0;
}

static void whole_lines_only(void **state)
{
    (void)state;
    struct seen s = {{0}, 0};
    vg_buf_init(&s.log, 4 * CAP);
    struct vg_follow_file f;
    vg_follow_init(&f, path, NULL);
    assert_string_equal(poll_seen(&f, &s, 0), ""); /* not there yet: waited for */
    assert_int_equal(f.fd, -1);
    put(path, "a\nb\nhalf", "w");
    assert_string_equal(poll_seen(&f, &s, 0), "!opened@0|1:a\nb\n|");
    assert_int_equal(f.pos.offset, 4);
    assert_int_equal(f.pos.line, 2);
    assert_string_equal(poll_seen(&f, &s, 0), ""); /* the partial line waits */
    put(path, " done\nc\nd\ne\n", "a");
    /* two lines per call at most */
    assert_string_equal(poll_seen(&f, &s, 2), "3:half done\nc\n|5:d\ne\n|");
    assert_int_equal(f.pos.offset, 20);
    assert_int_equal(f.pos.line, 6);
    /* a refusal leaves the position where it was */
    put(path, "f\n", "a");
    s.fail = -42;
    struct vg_follow_ops ops = {on_lines, on_note, &s, 0};
    assert_int_equal(vg_follow_poll(&f, buf, CAP, &ops, NULL), -42);
    assert_int_equal(f.pos.offset, 20);
    s.fail = 0;
    assert_string_equal(poll_seen(&f, &s, 0), "7:f\n|");
    /* too small a buffer */
    assert_int_equal(vg_follow_poll(&f, buf, VG_FOLLOW_MIN_BUF - 1, &ops, NULL), VG_EINVAL);
    vg_follow_cleanup(&f);
    vg_buf_cleanup(&s.log);
    unlink(path);
}

static void rotation_and_truncation(void **state)
{
    (void)state;
    struct seen s = {{0}, 0};
    vg_buf_init(&s.log, 4 * CAP);
    struct vg_follow_file f;
    vg_follow_init(&f, path, NULL);
    put(path, "one\ntwo\n", "w");
    assert_string_equal(poll_seen(&f, &s, 0), "!opened@0|1:one\ntwo\n|");
    /* written, then renamed away: nothing new at the path yet, the old file still followed */
    char old[160];
    snprintf(old, sizeof old, "%s.1", path);
    put(path, "three\nfour", "a");
    assert_int_equal(rename(path, old), 0);
    assert_string_equal(poll_seen(&f, &s, 0), "3:three\n|");
    /* the new file: the old one's last line without newline first, then the new from 1 */
    put(path, "new1\nnew2\n", "w");
    assert_string_equal(poll_seen(&f, &s, 0), "4:four|!rotated@0|!opened@0|1:new1\nnew2\n|");
    assert_int_equal(f.pos.line, 2);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(f.pos.ino == (uint64_t)st.st_ino);
    /* copy-truncate: shorter than the offset, read again from its start */
    assert_int_equal(truncate(path, 0), 0);
    put(path, "x\n", "a");
    assert_string_equal(poll_seen(&f, &s, 0), "!truncated@0|1:x\n|");
    assert_int_equal(f.pos.offset, 2);
    vg_follow_cleanup(&f);
    vg_buf_cleanup(&s.log);
    unlink(path);
    unlink(old);
}

/* logrotate renames the log and creates the new one, then signals the writer, which writes to
 * the old file until it reopens: the old file is followed while it grows. */
static void rotation_waits_for_the_writer(void **state)
{
    (void)state;
    struct seen s = {{0}, 0};
    vg_buf_init(&s.log, 4 * CAP);
    struct vg_follow_file f;
    vg_follow_init(&f, path, NULL);
    put(path, "a\n", "w");
    assert_string_equal(poll_seen(&f, &s, 0), "!opened@0|1:a\n|");
    assert_string_equal(poll_seen(&f, &s, 0), "");
    char old[160];
    snprintf(old, sizeof old, "%s.1", path);
    assert_int_equal(rename(path, old), 0);
    put(path, "", "w");
    put(old, "b\n", "a"); /* the writer has not reopened yet */
    assert_string_equal(poll_seen(&f, &s, 0), "2:b\n|");
    put(old, "c\nd", "a");
    assert_string_equal(poll_seen(&f, &s, 0), "3:c\n|");
    put(path, "new\n", "a"); /* reopened: the old file no longer grows */
    assert_string_equal(poll_seen(&f, &s, 0), "4:d|!rotated@0|!opened@0|1:new\n|");
    vg_follow_cleanup(&f);
    vg_buf_cleanup(&s.log);
    unlink(path);
    unlink(old);
}

static void resume_from_a_position(void **state)
{
    (void)state;
    struct seen s = {{0}, 0};
    vg_buf_init(&s.log, 4 * CAP);
    put(path, "a\nb\nc\n", "w");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    struct vg_follow_pos at = {path, (uint64_t)st.st_dev, (uint64_t)st.st_ino, 4, 2};
    struct vg_follow_file f;
    vg_follow_init(&f, path, &at);
    assert_string_equal(poll_seen(&f, &s, 0), "!resumed@0|3:c\n|");
    vg_follow_cleanup(&f);
    /* the same file, shorter than the offset: from its start */
    at.offset = 100;
    vg_follow_init(&f, path, &at);
    assert_string_equal(poll_seen(&f, &s, 0), "!truncated@0|1:a\nb\nc\n|");
    vg_follow_cleanup(&f);
    /* another file (inode) at the path: from its start */
    at.offset = 4;
    at.ino++;
    vg_follow_init(&f, path, &at);
    assert_string_equal(poll_seen(&f, &s, 0), "!opened@0|1:a\nb\nc\n|");
    vg_follow_cleanup(&f);
    /* rotated while stopped: the old file found under its new name, read on from the offset to
     * its end (a last line without newline included), then the file at the path */
    at.ino--;
    put(path, "d\ne", "a");
    char old[160];
    snprintf(old, sizeof old, "%s.1", path);
    assert_int_equal(rename(path, old), 0);
    vg_follow_init(&f, path, &at);
    assert_string_equal(poll_seen(&f, &s, 0), "!moved@0|!resumed@0|3:c\nd\n|"); /* no new */
    put(path, "new\n", "w");
    assert_string_equal(poll_seen(&f, &s, 0), "5:e|!rotated@0|!opened@0|1:new\n|");
    vg_follow_cleanup(&f);
    unlink(old);
    vg_buf_cleanup(&s.log);
    unlink(path);
}

static void long_line_skipped(void **state)
{
    (void)state;
    struct seen s = {{0}, 0};
    vg_buf_init(&s.log, 4 * CAP);
    /* a line of exactly VG_MAX_LINE bytes is given (the scanner takes it); one of CAP bytes
     * and more without a newline is noted and skipped up to its newline */
    size_t n = (size_t)VG_MAX_LINE;
    char *big = malloc(CAP + 100);
    assert_non_null(big);
    memset(big, 'x', n);
    big[n] = '\n';
    big[n + 1] = '\0';
    put(path, "a\n", "w");
    put(path, big, "a");
    struct vg_follow_file f;
    vg_follow_init(&f, path, NULL);
    poll_seen(&f, &s, 0);
    assert_int_equal(f.pos.line, 2);
    assert_int_equal(f.pos.offset, 2 + n + 1);
    memset(big, 'y', CAP + 50);
    big[CAP + 50] = '\0';
    put(path, big, "a");
    assert_string_equal(poll_seen(&f, &s, 0), "!long@3|");
    assert_true(f.skipping);
    put(path, "yyy\nz\n", "a");
    assert_string_equal(poll_seen(&f, &s, 0), "4:z\n|");
    assert_int_equal(f.pos.line, 4);
    assert_false(f.skipping);
    free(big);
    vg_follow_cleanup(&f);
    vg_buf_cleanup(&s.log);
    unlink(path);
}

static void state_round_trip(void **state)
{
    (void)state;
    char sp[160];
    snprintf(sp, sizeof sp, "%s/state.json", dir);
    struct vg_follow_pos *got;
    size_t n;
    struct vg_diag d;
    /* missing: an empty state */
    assert_int_equal(vg_follow_state_read(sp, &got, &n, &d), 0);
    assert_int_equal(n, 0);
    assert_null(got);
    /* an inode with its high bits set (overlayfs): kept bit for bit */
    struct vg_follow_pos pos[2] = {{"/var/log/a \"q\".json", 2049, 18446744073709551600ull, 99, 3},
                                   {"b", 0, 0, 0, 0}};
    assert_int_equal(vg_follow_state_write(sp, pos, 2, &d), 0);
    char tmp[170];
    snprintf(tmp, sizeof tmp, "%s.tmp", sp);
    assert_int_equal(access(tmp, F_OK), -1); /* renamed over */
    assert_int_equal(vg_follow_state_read(sp, &got, &n, &d), 0);
    assert_int_equal(n, 2);
    assert_string_equal(got[0].path, pos[0].path);
    assert_int_equal(got[0].dev, 2049);
    assert_true(got[0].ino == 18446744073709551600ull);
    assert_int_equal(got[0].offset, 99);
    assert_int_equal(got[0].line, 3);
    assert_string_equal(got[1].path, "b");
    vg_follow_state_free(got, n);
    /* a folder that is not there: VG_EIO naming the temporary file */
    char bad[200];
    snprintf(bad, sizeof bad, "%s/nope/state.json", dir);
    assert_int_equal(vg_follow_state_write(bad, pos, 1, &d), VG_EIO);
    assert_non_null(strstr(d.message, "nope/state.json.tmp"));
}

static void state_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *message;
        const char *field;
    } cases[] = {
        {"", "not JSON: ", ""},
        {"{\"files\":[\n{\"path\":\"a\",}]}", "not JSON: malformed JSON at line 2", ""},
        {"[]", "not a follow state: no array \"files\"", "files"},
        {"{\"files\":[],\"x\":1}", "x", "x"},
        {"{\"files\":[{\"path\":\"a\",\"dev\":1,\"ino\":1,\"offset\":1}]}",
         "files[0].line is missing", "files[0].line"},
        {"{\"files\":[{\"path\":\"a\",\"dev\":1,\"ino\":1,\"offset\":1.5,\"line\":0}]}",
         "files[0].offset is not a whole number from 0", "files[0].offset"},
        {"{\"files\":[{\"path\":\"a\",\"dev\":1,\"ino\":1,\"offset\":1,\"line\":-1}]}",
         "files[0].line is not a whole number from 0", "files[0].line"},
        {"{\"files\":[{\"path\":\"a\",\"dev\":true,\"ino\":1,\"offset\":1,\"line\":0}]}",
         "files[0].dev is not a whole number", "files[0].dev"},
        {"{\"files\":[{\"path\":\"a\",\"dev\":1,\"ino\":1,\"offset\":1,\"line\":0},"
         "{\"path\":7,\"dev\":1,\"ino\":1,\"offset\":1,\"line\":0}]}",
         "files[1].path is not a file name", "files[1]"},
        {"{\"files\":[{\"path\":\"a\",\"dev\":1,\"ino\":1,\"offset\":1,\"line\":0,\"y\":2}]}", "y",
         "files[0]"},
        {"{\"files\":[null]}", "files[0] is not an object", "files[0]"},
    };
    char sp[160];
    snprintf(sp, sizeof sp, "%s/bad.json", dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        put(sp, cases[i].text, "w");
        struct vg_follow_pos *got = (void *)1;
        size_t n = 9;
        struct vg_diag d;
        vg_diag_clear(&d);
        assert_int_equal(vg_follow_state_read(sp, &got, &n, &d), VG_EINVAL);
        assert_null(got);
        assert_int_equal(n, 0);
        if (!strstr(d.message, cases[i].message) || !strstr(d.field, cases[i].field))
            fail_msg("case %zu: message '%s' field '%s'", i, d.message, d.field);
    }
    unlink(sp);
    /* not readable as a file */
    struct vg_follow_pos *got;
    size_t n;
    struct vg_diag d;
    assert_int_equal(vg_follow_state_read(dir, &got, &n, &d), VG_EIO);
}

/* The samples of tests/data/follow_state (the fuzz target's seeds): each broken_* refused as
 * VG_EINVAL with a message, each other accepted and written back to a text read the same. */
static void state_samples(void **state)
{
    (void)state;
    DIR *sdir = opendir("tests/data/follow_state");
    assert_non_null(sdir);
    int good = 0, broken = 0;
    struct dirent *e;
    while ((e = readdir(sdir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char file[512];
        snprintf(file, sizeof file, "tests/data/follow_state/%s", e->d_name);
        struct vg_follow_pos *pos = NULL, *again = NULL;
        size_t n = 0, m = 0;
        struct vg_diag d = {0};
        int rc = vg_follow_state_read(file, &pos, &n, &d);
        if (strncmp(e->d_name, "broken", 6) == 0) {
            if (rc != VG_EINVAL || !d.message[0] || pos || n)
                fail_msg("%s: %d, not refused", file, rc);
            broken++;
            continue;
        }
        if (rc != 0)
            fail_msg("%s: %s", file, d.message);
        struct vg_buf b;
        vg_buf_init(&b, 1 << 20);
        vg_follow_state_format(pos, n, &b);
        assert_int_equal(vg_follow_state_parse(b.data, b.len, &again, &m, &d), 0);
        assert_int_equal(m, n);
        for (size_t i = 0; i < n; i++) {
            assert_string_equal(again[i].path, pos[i].path);
            assert_true(again[i].dev == pos[i].dev && again[i].ino == pos[i].ino &&
                        again[i].offset == pos[i].offset && again[i].line == pos[i].line);
        }
        vg_buf_cleanup(&b);
        vg_follow_state_free(pos, n);
        vg_follow_state_free(again, m);
        good++;
    }
    closedir(sdir);
    assert_true(good >= 3 && broken >= 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_lines_only),
        cmocka_unit_test(rotation_and_truncation),
        cmocka_unit_test(rotation_waits_for_the_writer),
        cmocka_unit_test(resume_from_a_position),
        cmocka_unit_test(long_line_skipped),
        cmocka_unit_test(state_round_trip),
        cmocka_unit_test(state_errors),
        cmocka_unit_test(state_samples),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
