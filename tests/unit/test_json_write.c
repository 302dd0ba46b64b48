/* vg_json_write (util/json.c) against jansson's own json_dumps on seeded random documents:
 * the two must write the same bytes, but for the case of \u escapes' hex digits (jansson
 * writes \u001F, vg_buf_put_json \u001f) (the published site's CSAF documents and their hashes
 * rely on vg_json_write; jansson is the reference), and what vg_json_write writes parses back
 * to an equal document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/json.h"
#include "util/limits.h"

static uint64_t rng;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A random string: ASCII, quotes, backslashes, control characters (not \b and \f, which
 * jansson writes in their short form and vg_buf_put_json as \u0008 and \u000c: both JSON),
 * and UTF-8 of 2, 3 and 4 bytes. */
static json_t *random_string(void)
{
    static const char *const parts[] = {"a",    "Z",  "0",  " ",  "\"",       "\\",
                                        "/",    "\n", "\t", "\r", "\x01",     "\x1f",
                                        "\x7f", "é",  "€",  "𝄞",  "<script>", "CVE-2026-0001",
                                        ""};
    char buf[256] = "";
    size_t n = next() % 12, len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = parts[next() % (sizeof parts / sizeof parts[0])];
        size_t m = strlen(p);
        if (len + m < sizeof buf) {
            memcpy(buf + len, p, m);
            len += m;
        }
    }
    return json_stringn(buf, len);
}

static json_t *random_value(int depth)
{
    switch (next() % (depth > 4 ? 6 : 8)) {
    case 0: return random_string();
    case 1: return json_integer((json_int_t)(next() % 2000001) - 1000000);
    case 2: {
        static const double reals[] = {9.8,   7.5,  0.1,           10.0, 0.0,
                                       -3.25, 1e-7, 123456789.125, 1e22, 2.5e-300};
        return json_real(reals[next() % (sizeof reals / sizeof reals[0])]);
    }
    case 3: return json_true();
    case 4: return json_false();
    case 5: return json_null();
    case 6: {
        json_t *a = json_array();
        for (size_t i = next() % 5; i > 0; i--)
            json_array_append_new(a, random_value(depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (size_t i = next() % 5; i > 0; i--) {
            json_t *k = random_string();
            json_object_set_new(o, json_string_value(k), random_value(depth + 1));
            json_decref(k);
        }
        return o;
    }
    }
}

/* \u001F -> \u001f (an escaped backslash before "u" is left alone) */
static void lower_escapes(char *s)
{
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] == '\\') {
            s++;
            continue;
        }
        if (s[0] == '\\' && s[1] == 'u')
            for (int i = 2; i < 6 && s[i]; i++)
                if (s[i] >= 'A' && s[i] <= 'F')
                    s[i] = (char)(s[i] - 'A' + 'a');
    }
}

static void agrees_with_jansson(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3000; seed++) {
        rng = seed * 0x9e3779b97f4a7c15ULL;
        json_t *v = random_value(0);
        char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
        struct vg_buf b;
        vg_buf_init(&b, 1 << 20);
        assert_int_equal(vg_json_write(&b, v), 0);
        lower_escapes(want);
        if (strcmp(b.data ? b.data : "", want) != 0)
            fail_msg("seed %llu:\n jansson: %s\n vigie:   %s", (unsigned long long)seed, want,
                     b.data);
        json_t *back = json_loads(b.data, JSON_DECODE_ANY, NULL);
        assert_non_null(back);
        assert_true(json_equal(back, v));
        json_decref(back);
        free(want);
        vg_buf_cleanup(&b);
        json_decref(v);
    }
}

static void edges(void **state)
{
    (void)state;
    struct vg_buf b;
    /* the short escapes jansson uses and the \u form vigie uses read back the same */
    vg_buf_init(&b, 1024);
    json_t *s = json_string("\b\f");
    assert_int_equal(vg_json_write(&b, s), 0);
    json_t *back = json_loads(b.data, JSON_DECODE_ANY, NULL);
    assert_true(json_equal(back, s));
    json_decref(back);
    json_decref(s);
    vg_buf_cleanup(&b);
    /* a whole real keeps its ".0"; the extremes of integers */
    vg_buf_init(&b, 1024);
    json_t *a = json_pack("[f,f,I,I]", 10.0, -0.5, (json_int_t)INT64_MIN, (json_int_t)INT64_MAX);
    assert_int_equal(vg_json_write(&b, a), 0);
    assert_string_equal(b.data, "[10.0,-0.5,-9223372036854775808,9223372036854775807]");
    json_decref(a);
    vg_buf_cleanup(&b);
    /* too deep: refused; over the buffer's cap: VG_ETOOBIG */
    json_t *deep = json_array(), *cur = deep;
    for (int i = 0; i < VG_MAX_JSON_DEPTH + 1; i++) {
        json_t *in = json_array();
        json_array_append_new(cur, in);
        cur = in;
    }
    vg_buf_init(&b, 1 << 20);
    assert_int_equal(vg_json_write(&b, deep), VG_EINVAL);
    vg_buf_cleanup(&b);
    json_decref(deep);
    vg_buf_init(&b, 8);
    json_t *big = json_string("more than eight bytes");
    assert_int_equal(vg_json_write(&b, big), VG_ETOOBIG);
    json_decref(big);
    vg_buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(agrees_with_jansson),
        cmocka_unit_test(edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
