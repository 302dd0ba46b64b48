/* Unit tests of src/util: buffers, slices, time, JSON parsing limits, the logger. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/shown.h"
#include "util/str.h"
#include "util/time.h"
#include "util/uuid.h"

static void buf_cap_is_enforced(void **state)
{
    (void)state;
    struct vg_buf b;
    vg_buf_init(&b, 8);
    assert_int_equal(vg_buf_puts(&b, "1234"), 0);
    assert_int_equal(vg_buf_printf(&b, "%d", 567), 0);
    assert_string_equal(b.data, "1234567");
    assert_int_not_equal(vg_buf_puts(&b, "89"), 0);
    assert_true(b.failed);
    assert_string_equal(b.data, "1234567");
    vg_buf_cleanup(&b);
}

static void buf_html_escapes(void **state)
{
    (void)state;
    struct vg_buf b;
    vg_buf_init(&b, 1024);
    const char *s = "<a href=\"x\">&'</a>";
    vg_buf_put_html(&b, s, strlen(s));
    assert_string_equal(b.data, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    vg_buf_cleanup(&b);
}

static void buf_json_strings(void **state)
{
    (void)state;
    struct vg_buf b;
    vg_buf_init(&b, 1024);
    /* quotes, backslash, controls, valid UTF-8 kept, a stray byte and a cut sequence replaced */
    const char in[] = "a\"b\\c\n\t\x01 \xc3\xa9\xe6\xbc\xa2 \xff \xe6\xbc";
    assert_int_equal(vg_buf_put_json(&b, (struct vg_str){in, sizeof in - 1}), 0);
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\t\\u0001 \xc3\xa9\xe6\xbc\xa2 \\ufffd "
                                "\\ufffd\\ufffd\"");
    vg_buf_reset(&b);
    assert_int_equal(vg_buf_put_json(&b, (struct vg_str){"", 0}), 0);
    assert_string_equal(b.data, "\"\"");
    /* an absent value is a NULL slice: "" too, with no arithmetic on NULL (UBSan) */
    vg_buf_reset(&b);
    assert_int_equal(vg_buf_put_json(&b, (struct vg_str){NULL, 0}), 0);
    assert_string_equal(b.data, "\"\"");
    vg_buf_cleanup(&b);
    vg_buf_init(&b, 4);
    assert_int_not_equal(vg_buf_put_json(&b, vg_str_c("toolong")), 0);
    assert_true(b.failed);
    vg_buf_cleanup(&b);
}

static void str_to_u64_bounds(void **state)
{
    (void)state;
    unsigned long long v;
    assert_int_equal(vg_str_to_u64(VG_STR("42"), 1, 100, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(vg_str_to_u64(VG_STR("101"), 1, 100, &v), -1);
    assert_int_equal(vg_str_to_u64(VG_STR("4x"), 1, 100, &v), -1);
    assert_int_equal(vg_str_to_u64(VG_STR(""), 0, 100, &v), -1);
    assert_int_equal(vg_str_to_u64(VG_STR("99999999999999999999"), 0, ~0ULL, &v), -1);
    assert_int_equal(vg_str_to_u64(VG_STR("18446744073709551615"), 0, ~0ULL, &v), 0);
}

static void str_trim_and_compare(void **state)
{
    (void)state;
    struct vg_str s = vg_str_trim(VG_STR("  Ab \t\n"));
    assert_int_equal(s.len, 2);
    assert_true(vg_str_eq_nocase(s, VG_STR("aB")));
    assert_false(vg_str_eq(s, VG_STR("aB")));
}

/* Untrusted bytes in messages: controls, backslashes, C1 controls and non-UTF-8 bytes escaped;
 * VG_MAX_SHOWN bytes shown whole, one more cut with the length; never a character cut in two. */
static void shown_escapes_and_cuts(void **state)
{
    (void)state;
    struct vg_shown sh;
    assert_string_equal(vg_shown(VG_STR("a\x1b[2J\n\r\t\\b\x7f"), 0, &sh),
                        "a\\x1b[2J\\n\\r\\t\\\\b\\x7f");
    /* é kept; U+009B (CSI, c2 9b) escaped; a lone continuation byte and a truncated é */
    assert_string_equal(vg_shown(VG_STR("\xc3\xa9\xc2\x9b\x80\xc3"), 0, &sh),
                        "\xc3\xa9\\xc2\\x9b\\x80\\xc3");
    assert_string_equal(vg_shown(VG_STR("\xc2\xa0"), 0, &sh), "\xc2\xa0"); /* U+00A0 kept */
    assert_string_equal(vg_shown_msg("at \\ byte 3\x1b", &sh), "at \\ byte 3\\x1b");
    char v[VG_MAX_SHOWN + 2];
    memset(v, 'a', sizeof v);
    assert_int_equal(strlen(vg_shown((struct vg_str){v, VG_MAX_SHOWN}, 0, &sh)), VG_MAX_SHOWN);
    vg_shown((struct vg_str){v, VG_MAX_SHOWN + 1}, 0, &sh);
    assert_int_equal(strlen(sh.text), VG_MAX_SHOWN + strlen("...(201 bytes)"));
    assert_string_equal(sh.text + VG_MAX_SHOWN, "...(201 bytes)");
    /* a 2-byte character across the cut is left out whole */
    v[VG_MAX_SHOWN - 1] = (char)0xc3;
    v[VG_MAX_SHOWN] = (char)0xa9;
    vg_shown((struct vg_str){v, VG_MAX_SHOWN + 2}, 0, &sh);
    assert_string_equal(sh.text + VG_MAX_SHOWN - 1, "...(202 bytes)");
    /* the worst case fits: every byte escaped, the largest room */
    char ctl[VG_SHOWN_ROOM + 50];
    memset(ctl, 1, sizeof ctl);
    vg_shown((struct vg_str){ctl, sizeof ctl}, VG_SHOWN_ROOM * 2, &sh);
    assert_int_equal(strlen(sh.text), VG_SHOWN_ROOM * 4 + strlen("...(1074 bytes)"));
    assert_string_equal(vg_shown((struct vg_str){NULL, 0}, 0, &sh), "");
}

static void utf8_sequences(void **state)
{
    (void)state;
    const unsigned char ok2[] = {0xc3, 0xa9}, ok3[] = {0xe2, 0x82, 0xac},
                        ok4[] = {0xf0, 0x9f, 0x98, 0x80};
    assert_int_equal(vg_utf8_len((const unsigned char *)"a", 1), 1);
    assert_int_equal(vg_utf8_len(ok2, 2), 2);
    assert_int_equal(vg_utf8_len(ok3, 3), 3);
    assert_int_equal(vg_utf8_len(ok4, 4), 4);
    assert_int_equal(vg_utf8_len(ok4, 3), 0); /* truncated */
    const unsigned char overlong[] = {0xc0, 0xaf}, overlong3[] = {0xe0, 0x80, 0xaf},
                        surrogate[] = {0xed, 0xa0, 0x80}, big[] = {0xf4, 0x90, 0x80, 0x80},
                        cont[] = {0x80}, badcont[] = {0xc3, 0x28};
    assert_int_equal(vg_utf8_len(overlong, 2), 0);
    assert_int_equal(vg_utf8_len(overlong3, 3), 0);
    assert_int_equal(vg_utf8_len(surrogate, 3), 0);
    assert_int_equal(vg_utf8_len(big, 4), 0);
    assert_int_equal(vg_utf8_len(cont, 1), 0);
    assert_int_equal(vg_utf8_len(badcont, 2), 0);
}

static void time_parse_forms(void **state)
{
    (void)state;
    time_t t;
    assert_int_equal(vg_time_parse("2026-11-29T04:50:40Z", &t), 0);
    assert_int_equal((long long)t, 1795927840LL);
    assert_int_equal(vg_time_parse("2026-11-29T06:50:40.5+02:00", &t), 0);
    assert_int_equal((long long)t, 1795927840LL);
    assert_int_equal(vg_time_parse("2026-11-29", &t), 0);
    assert_int_equal(vg_time_parse("2026-02-30", &t), -1);
    assert_int_equal(vg_time_parse("2026-11-29T25:00:00Z", &t), -1);
    assert_int_equal(vg_time_parse("yesterday", &t), -1);
    char out[VG_TIME_LEN];
    vg_time_fmt(1795927840, out);
    assert_string_equal(out, "2026-11-29T04:50:40Z");
}

static void json_depth_limit(void **state)
{
    (void)state;
    struct vg_diag d;
    vg_diag_clear(&d);
    char deep[VG_MAX_JSON_DEPTH * 2 + 4];
    size_t n = 0;
    for (int i = 0; i < VG_MAX_JSON_DEPTH + 1; i++)
        deep[n++] = '[';
    for (int i = 0; i < VG_MAX_JSON_DEPTH + 1; i++)
        deep[n++] = ']';
    assert_null(vg_json_parse(deep, n, &d));
    assert_non_null(strstr(d.message, "deeper"));
    json_t *ok = vg_json_parse("{\"a\":\"[[[\"}", 11, &d);
    assert_non_null(ok);
    json_decref(ok);
    assert_null(vg_json_parse("{\"a\":1,\"a\":2}", 13, &d));
    assert_null(vg_json_parse("{\"a\":\n tru}", 11, &d));
    assert_int_equal(d.line, 2);
}

static void json_unknown_field_named(void **state)
{
    (void)state;
    struct vg_diag d;
    json_t *o = json_pack("{s:i,s:i}", "name", 1, "colour", 2);
    static const char *const allowed[] = {"name", NULL};
    assert_int_equal(vg_json_check_fields(o, allowed, "/org/", &d), VG_EINVAL);
    assert_string_equal(d.field, "/org/colour");
    json_decref(o);
}

/* Runs the logger with stderr (fd 2) sent to a temporary file; returns what it wrote. */
static char *logged(void (*emit)(void))
{
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
    emit();
    fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    long n = ftell(tmp);
    assert_true(n >= 0);
    char *out = calloc((size_t)n + 1, 1);
    assert_non_null(out);
    rewind(tmp);
    assert_int_equal(fread(out, 1, (size_t)n, tmp), (size_t)n);
    fclose(tmp);
    return out;
}

static void emit_each_level(void)
{
    vg_log(VG_LOG_DEBUG, "hidden %d", 0);
    vg_info("listening on %s:%d", "127.0.0.1", 8080);
    vg_warn("slow request: %.1f s", 2.5);
    vg_error("database: %s", "locked");
}

static void emit_debug(void)
{
    vg_log_set_level(VG_LOG_DEBUG);
    vg_log(VG_LOG_DEBUG, "cache rebuilt (%u entries)", 3u);
    vg_log_set_level(VG_LOG_ERROR);
    vg_info("dropped");
    vg_warn("dropped");
    vg_error("kept");
    vg_log_set_level(VG_LOG_INFO); /* the default, for the tests after this one */
}

static void log_format_and_levels(void **state)
{
    (void)state;
    /* Default level info: debug is dropped; one line per message, "vigie: <level>: <text>". */
    char *out = logged(emit_each_level);
    assert_string_equal(out, "vigie: info: listening on 127.0.0.1:8080\n"
                             "vigie: warn: slow request: 2.5 s\n"
                             "vigie: error: database: locked\n");
    free(out);
    /* The level is a minimum: debug shows everything, error only errors. */
    out = logged(emit_debug);
    assert_string_equal(out, "vigie: debug: cache rebuilt (3 entries)\nvigie: error: kept\n");
    free(out);
}

/* UUIDv5 against Python's uuid.uuid5 (an independent implementation), v4's form, parsing. */
static void uuid_forms(void **state)
{
    (void)state;
    char u[VG_UUID_LEN + 1];
    const char *sco = "{\"value\":\"198.51.100.3\"}";
    vg_uuid5(vg_uuid_ns_stix, sco, strlen(sco), u);
    assert_string_equal(u, "28bb3599-77cd-5a82-a950-b5bc3caf07c4");
    const char *name = "indicator:ipv4-addr:198.51.100.3";
    vg_uuid5(vg_uuid_ns_vigie, name, strlen(name), u);
    assert_string_equal(u, "5ee6b459-10eb-5f6a-9884-685b3b71d7a1");
    vg_uuid4(u);
    assert_true(vg_uuid_valid(u, strlen(u)));
    assert_int_equal(u[14], '4');
    assert_true(strchr("89ab", u[19]) != NULL);
    unsigned char b[16];
    assert_int_equal(vg_uuid_parse("00ABEDB4-aa42-466c-9c01-fed23315a9b7", 36, b), 0);
    assert_memory_equal(b, vg_uuid_ns_stix, 16);
    assert_false(vg_uuid_valid("00abedb4-aa42-466c-9c01-fed23315a9b", 35));
    assert_false(vg_uuid_valid("00abedb4aaa42-466c-9c01-fed23315a9b7", 36));
    assert_false(vg_uuid_valid("00abedb4-aa42-466c-9c01-fed23315a9bg", 36));
    assert_false(vg_uuid_valid("00abedb4-aa4-2466c-9c01-fed23315a9b7", 36));
}

/* vg_buf_reserve: room in one allocation, capped, a hint that never fails the buffer. */
static void buf_reserve_hint(void **state)
{
    (void)state;
    struct vg_buf b;
    vg_buf_init(&b, 100);
    assert_int_equal(vg_buf_reserve(&b, 50), 0);
    assert_int_equal(b.cap, 51);
    assert_string_equal(b.data, "");
    assert_int_equal(vg_buf_puts(&b, "abc"), 0);
    assert_int_equal(vg_buf_reserve(&b, 1000), 0); /* capped: len + (max - len) + 1 */
    assert_int_equal(b.cap, 101);
    assert_false(b.failed);
    assert_string_equal(b.data, "abc");
    assert_int_equal(vg_buf_reserve(&b, 10), 0); /* already room: nothing allocated */
    assert_int_equal(b.cap, 101);
    vg_buf_cleanup(&b);
}

/* vg_grow: from first, doubling to hold need; nothing changed when it fails (overflow, or an
 * allocation the hook refuses). */
static void grow_doubles_and_fails_cleanly(void **state)
{
    (void)state;
    int *a = NULL;
    size_t cap = 0;
    assert_int_equal(vg_grow((void **)&a, &cap, 0, sizeof *a, 4), 0);
    assert_null(a);
    assert_int_equal(vg_grow((void **)&a, &cap, 1, sizeof *a, 4), 0);
    assert_int_equal(cap, 4);
    assert_int_equal(vg_grow((void **)&a, &cap, 4, sizeof *a, 4), 0);
    assert_int_equal(cap, 4);
    assert_int_equal(vg_grow((void **)&a, &cap, 5, sizeof *a, 4), 0);
    assert_int_equal(cap, 8);
    assert_int_equal(vg_grow((void **)&a, &cap, 33, sizeof *a, 4), 0);
    assert_int_equal(cap, 64);
    a[63] = 7;
    int *keep = a;
    assert_int_equal(vg_grow((void **)&a, &cap, SIZE_MAX / 2 + 2, 1, 4), VG_ENOMEM);
    assert_int_equal(vg_grow((void **)&a, &cap, SIZE_MAX / 4 + 1, sizeof *a, 4), VG_ENOMEM);
    vg_mem_fail_after(1);
    assert_int_equal(vg_grow((void **)&a, &cap, 65, sizeof *a, 4), VG_ENOMEM);
    vg_mem_fail_after(0);
    assert_ptr_equal(a, keep);
    assert_int_equal(cap, 64);
    assert_int_equal(a[63], 7);
    size_t c1 = 0;
    char *b = NULL;
    assert_int_equal(vg_grow((void **)&b, &c1, 3, 1, 0), 0); /* first 0: from 1 */
    assert_int_equal(c1, 4);
    free(b);
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grow_doubles_and_fails_cleanly),
        cmocka_unit_test(buf_cap_is_enforced),
        cmocka_unit_test(buf_html_escapes),
        cmocka_unit_test(buf_json_strings),
        cmocka_unit_test(str_to_u64_bounds),
        cmocka_unit_test(str_trim_and_compare),
        cmocka_unit_test(shown_escapes_and_cuts),
        cmocka_unit_test(time_parse_forms),
        cmocka_unit_test(utf8_sequences),
        cmocka_unit_test(json_depth_limit),
        cmocka_unit_test(json_unknown_field_named),
        cmocka_unit_test(log_format_and_levels),
        cmocka_unit_test(uuid_forms),
        cmocka_unit_test(buf_reserve_hint),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
