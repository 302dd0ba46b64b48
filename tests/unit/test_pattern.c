/* Unit tests of the STIX 2.1 pattern grammar (src/share/pattern.c): patterns of the grammar
 * that parse, broken ones with the byte position of the error, the limits, the tree of a few,
 * and the reduction to indicator values (what reduces, what does not and where). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/pattern.h"
#include "util/limits.h"

static int parse(struct vg_pattern *p, const char *s, struct vg_diag *d)
{
    vg_diag_clear(d);
    return vg_pattern_parse(p, s, strlen(s), d);
}

/* Patterns of the grammar, from STIX 2.1 section 9's examples and each production. */
static void pattern_good(void **state)
{
    (void)state;
    static const char *const good[] = {
        "[ipv4-addr:value = '198.51.100.1/32']",
        "[ ipv4-addr:value = '10.0.0.0' ]",
        "[file:hashes.'SHA-256' = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']",
        "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']",
        "[email-message:from_ref.value = 'a@example.com']",
        "[email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\\\.exe$']",
        "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = "
        "'203.0.113.33/32']",
        "[domain-name:value = 'example.com'] FOLLOWEDBY [url:value = 'http://x/']",
        "([ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32'] "
        "FOLLOWEDBY [domain-name:value = 'example.com']) WITHIN 600 SECONDS",
        "[file:size > 1024] REPEATS 5 TIMES",
        "[file:size >= 1024 AND file:size <= 2048 AND file:size < 4096.5 AND file:size != -1]",
        "[x509-certificate:serial_number <> '0']",
        "[a:b == 1]",
        "[process:pid IN (1, 2, +3)] START t'2016-06-01T00:00:00Z' STOP "
        "t'2016-07-01T00:00:00.123Z'",
        "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
        "[ipv4-addr:value ISSUPERSET '198.51.100.0/24']",
        "[file:name LIKE 'foo%']",
        "[file:name NOT LIKE 'foo%']",
        "[EXISTS windows-registry-key:values]",
        "[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']",
        "[file:magic_number_hex = h'ffd8']",
        "[file:x_flag = true] AND [file:y_flag = false]",
        "[user-account:x = .5] OR ([a:b = 1] AND [c:d = 2])",
        "[(a:b = 'x' OR c:d = 'y') AND e:f = 'z']",
        "[file:parent_directory_ref.path = 'C:\\\\Windows\\\\System32']",
        "[file:name = 'it\\'s']",
        "[windows-registry-key:values[0].name = 'x']",
        "[a:b IN ()]",
    };
    struct vg_pattern p;
    vg_pattern_init(&p);
    struct vg_diag d;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int rc = parse(&p, good[i], &d);
        if (rc != 0)
            fail_msg("%s: %s", good[i], d.message);
        assert_true(p.root >= 0);
    }
    vg_pattern_cleanup(&p);
}

/* Broken patterns and the byte position reported. */
static void pattern_bad(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        long pos;
        const char *says;
    } bad[] = {
        {"", 0, "expected '['"},
        {"ipv4-addr:value = '1'", 0, "expected '['"},
        {"[ipv4-addr:value = '1'", 22, "expected ']'"},
        {"[ipv4-addr:value = '1']]", 23, "unbalanced"},
        {"[ipv4-addr:value = '1'] [url:value = 'x']", 24, "expected AND, OR or FOLLOWEDBY"},
        {"[ipv4-addr:value = '1]", 19, "string not closed"},
        {"[ipv4-addr:value = 'a\\nb']", 21, "backslash"},
        {"[ipv4-addr:value '1']", 17, "expected a comparison operator"},
        {"[ipv4-addr = '1']", 11, "expected ':'"},
        {"[ipv4-addr: = '1']", 12, "expected a property name"},
        {"[file:hashes.SHA-256 = 'x']", 16, "quoted"},
        {"[ipv4-addr:value = ]", 19, "expected a constant"},
        {"[ipv4-addr:value = '1' AND]", 26, "expected an object path"},
        {"[a:b = 01]", 7, "does not start with 0"},
        {"[a:b = 1.]", 7, "digits after"},
        {"[a:b = 12abc]", 9, "after a number"},
        {"[a:b ! 1]", 5, "'!' not followed"},
        {"[a:b = t'2016-13-01T00:00:00Z']", 7, "timestamp"},
        {"[a:b = t'2016-01-01T00:00:00']", 7, "timestamp"},
        {"[a:b = t'2016-01-01T00:00:00Z]", 7, "not closed"},
        {"[a:b = h'abc']", 7, "hexadecimal"},
        {"[a:b = h'zz']", 7, "hexadecimal"},
        {"[a:b = b'abc']", 7, "base64"},
        {"[a:b = b'ab=c']", 7, "base64"},
        {"[a:b LIKE 1]", 10, "string constant"},
        {"[a:b > true]", 7, "not ordered"},
        {"[a:b IN (1,]", 11, "expected a constant"},
        {"[a:b IN 1]", 8, "expected '('"},
        {"[a:b = 1] WITHIN 0 SECONDS", 17, "positive"},
        {"[a:b = 1] WITHIN -5 SECONDS", 17, "positive"},
        {"[a:b = 1] WITHIN 5", 18, "expected SECONDS"},
        {"[a:b = 1] REPEATS 2.5 TIMES", 18, "positive integer"},
        {"[a:b = 1] REPEATS 2", 19, "expected TIMES"},
        {"[a:b = 1] START t'2016-06-01T00:00:00Z'", 39, "expected STOP"},
        {"[a:b = 1] START '2016'", 16, "START takes"},
        {"[a:b[x] = 1]", 5, "list index"},
        {"[a:b = 1] FOLLOWEDBY", 20, "expected '['"},
        {"([a:b = 1]", 10, "expected ')'"},
        {"[(a:b = 1]", 9, "expected ')'"},
        {"[a:b = 1] and [c:d = 2]", 10, "expected AND, OR or FOLLOWEDBY"},
        {"[a:b = 1 & c:d = 2]", 9, "unexpected character"},
    };
    struct vg_pattern p;
    vg_pattern_init(&p);
    struct vg_diag d;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = parse(&p, bad[i].s, &d);
        if (rc != VG_EINVAL)
            fail_msg("%s: rc %d, expected VG_EINVAL", bad[i].s, rc);
        if (d.offset != bad[i].pos || !strstr(d.message, bad[i].says))
            fail_msg("%s: got offset %ld \"%s\", expected %ld \"%s\"", bad[i].s, d.offset,
                     d.message, bad[i].pos, bad[i].says);
        char pos[32];
        snprintf(pos, sizeof pos, "position %ld:", bad[i].pos);
        assert_non_null(strstr(d.message, pos));
        assert_int_equal(p.root, -1);
    }
    vg_pattern_cleanup(&p);
}

/* The three limits, each just at and just over. */
static void pattern_limits(void **state)
{
    (void)state;
    struct vg_pattern p;
    vg_pattern_init(&p);
    struct vg_diag d;
    /* length: a pattern of exactly VG_MAX_PATTERN bytes parses, one more does not */
    size_t cap = VG_MAX_PATTERN + 2;
    char *s = malloc(cap);
    assert_non_null(s);
    const char *head = "[a:b = '";
    size_t hl = strlen(head);
    memcpy(s, head, hl);
    memset(s + hl, 'x', VG_MAX_PATTERN - hl - 2);
    memcpy(s + VG_MAX_PATTERN - 2, "']", 2);
    assert_int_equal(vg_pattern_parse(&p, s, VG_MAX_PATTERN, &d), 0);
    memcpy(s + VG_MAX_PATTERN - 2, "x']", 3);
    vg_diag_clear(&d);
    assert_int_equal(vg_pattern_parse(&p, s, VG_MAX_PATTERN + 1, &d), VG_ETOOBIG);
    assert_non_null(strstr(d.message, "longer than 65536"));
    free(s);

    /* depth: 31 parentheses inside the observation's bracket is 32 levels */
    char deep[512];
    for (int n = VG_MAX_PATTERN_DEPTH - 1; n <= VG_MAX_PATTERN_DEPTH; n++) {
        size_t k = 0;
        deep[k++] = '[';
        for (int j = 0; j < n; j++)
            deep[k++] = '(';
        memcpy(deep + k, "a:b = 1", 7);
        k += 7;
        for (int j = 0; j < n; j++)
            deep[k++] = ')';
        deep[k++] = ']';
        vg_diag_clear(&d);
        int rc = vg_pattern_parse(&p, deep, k, &d);
        if (n == VG_MAX_PATTERN_DEPTH - 1) {
            assert_int_equal(rc, 0);
        } else {
            assert_int_equal(rc, VG_ETOOBIG);
            assert_int_equal(d.offset, 1 + VG_MAX_PATTERN_DEPTH - 1); /* the 32nd '(' */
            assert_non_null(strstr(d.message, "deeper"));
        }
    }
    /* observations nest through parentheses too */
    size_t k = 0;
    for (int j = 0; j < VG_MAX_PATTERN_DEPTH; j++)
        deep[k++] = '(';
    memcpy(deep + k, "[a:b = 1]", 9);
    k += 9;
    for (int j = 0; j < VG_MAX_PATTERN_DEPTH; j++)
        deep[k++] = ')';
    assert_int_equal(vg_pattern_parse(&p, deep, k, &d), VG_ETOOBIG);

    /* terms: 500 comparisons with a constant each is 1000; one more comparison is over */
    struct vg_buf_like {
        char *b;
        size_t n;
    } t = {malloc(64 * 1024), 0};
    assert_non_null(t.b);
    for (int n = 500; n <= 501; n++) {
        t.n = 0;
        t.b[t.n++] = '[';
        for (int j = 0; j < n; j++)
            t.n += (size_t)snprintf(t.b + t.n, 64, "%sa:b = %d", j ? " OR " : "", j);
        t.b[t.n++] = ']';
        vg_diag_clear(&d);
        int rc = vg_pattern_parse(&p, t.b, t.n, &d);
        assert_int_equal(rc, n == 500 ? 0 : VG_ETOOBIG);
        if (n == 500)
            assert_int_equal(p.ncmp, 500);
        else
            assert_non_null(strstr(d.message, "more than 1000"));
    }
    free(t.b);
    vg_pattern_cleanup(&p);
}

/* The tree: precedence (AND before OR before FOLLOWEDBY), qualifiers, paths and constants. */
static void pattern_tree(void **state)
{
    (void)state;
    struct vg_pattern p;
    vg_pattern_init(&p);
    struct vg_diag d;
    assert_int_equal(parse(&p, "[a:b = 1] OR [c:d = 2] AND [e:f = 3] FOLLOWEDBY [g:h = 4]", &d), 0);
    const struct vg_pattern_node *n = &p.nodes[p.root];
    assert_int_equal(n->kind, VG_PAT_FOLLOWEDBY);
    assert_int_equal(n->pos, 37);
    n = &p.nodes[n->a];
    assert_int_equal(n->kind, VG_PAT_OBS_OR);
    assert_int_equal(p.nodes[n->b].kind, VG_PAT_OBS_AND);

    assert_int_equal(parse(&p, "[a:b = 1 OR c:d = 2 AND e:f = 3]", &d), 0);
    n = &p.nodes[p.nodes[p.root].a];
    assert_int_equal(n->kind, VG_PAT_OR);
    assert_int_equal(p.nodes[n->b].kind, VG_PAT_AND);

    assert_int_equal(parse(&p,
                           "[file:hashes.'SHA-256' NOT IN ('a\\'b', 'c\\\\d', 7)] "
                           "WITHIN 5 SECONDS REPEATS 2 TIMES",
                           &d),
                     0);
    n = &p.nodes[p.root];
    assert_int_equal(n->kind, VG_PAT_QUALIFIED);
    assert_int_equal(n->qual, VG_PAT_REPEATS);
    assert_int_equal(p.nodes[n->a].qual, VG_PAT_WITHIN);
    n = &p.nodes[p.nodes[p.nodes[n->a].a].a];
    assert_int_equal(n->kind, VG_PAT_COMPARISON);
    assert_true(n->negated);
    assert_int_equal(n->op, VG_PAT_IN);
    assert_string_equal(vg_pattern_str(&p, n->path_off), "file:hashes.SHA-256");
    assert_int_equal(n->nconsts, 3);
    assert_string_equal(vg_pattern_str(&p, p.consts[n->first].off), "a'b");
    assert_string_equal(vg_pattern_str(&p, p.consts[n->first + 1].off), "c\\d");
    assert_int_equal(p.consts[n->first + 1].len, 3);
    assert_int_equal(p.consts[n->first + 2].kind, VG_PAT_INT);
    assert_int_equal(p.consts[n->first].pos, 31);

    assert_int_equal(parse(&p, "[email-message:body_multipart[*].body_raw_ref.'name' = 'x']", &d),
                     0);
    n = &p.nodes[p.nodes[p.root].a];
    assert_string_equal(vg_pattern_str(&p, n->path_off),
                        "email-message:body_multipart[*].body_raw_ref.name");
    vg_pattern_cleanup(&p);
}

struct want {
    const char *type;
    const char *value;
};

static void check_reduce(const char *s, bool conj, const struct want *w, size_t n)
{
    struct vg_pattern p;
    vg_pattern_init(&p);
    struct vg_pattern_reduced r = {0};
    struct vg_diag d;
    if (parse(&p, s, &d) != 0)
        fail_msg("%s: %s", s, d.message);
    if (vg_pattern_reduce(&p, &r, &d) != 0)
        fail_msg("%s: %s", s, d.message);
    assert_int_equal(r.n, n);
    assert_int_equal(r.conjunction, conj);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(r.pairs[i].type, w[i].type);
        assert_string_equal(vg_pattern_str(&p, r.pairs[i].off), w[i].value);
    }
    vg_pattern_reduced_cleanup(&r);
    vg_pattern_cleanup(&p);
}

static void pattern_reduce_ok(void **state)
{
    (void)state;
    check_reduce("[ipv4-addr:value = '198.51.100.0/24']", false,
                 (struct want[]){{"ipv4-addr", "198.51.100.0/24"}}, 1);
    check_reduce("[domain-name:value = 'a.example' OR ipv4-addr:value = '60.10.1.120']", false,
                 (struct want[]){{"domain-name", "a.example"}, {"ipv4-addr", "60.10.1.120"}}, 2);
    check_reduce("[ipv6-addr:value IN ('2001:db8::1', '2001:db8::2')] OR [url:value = "
                 "'http://x/it\\'s']",
                 false,
                 (struct want[]){{"ipv6-addr", "2001:db8::1"},
                                 {"ipv6-addr", "2001:db8::2"},
                                 {"url", "http://x/it's"}},
                 3);
    check_reduce("[file:hashes.'SHA-256' = 'aa' AND file:hashes.MD5 = 'bb']", true,
                 (struct want[]){{"sha256", "aa"}, {"md5", "bb"}}, 2);
    check_reduce("[file:hashes.md5 = 'cc'] AND [file:hashes.'sha-1' = 'dd']", true,
                 (struct want[]){{"md5", "cc"}, {"sha1", "dd"}}, 2);
    check_reduce("[file:hashes.SHA1 = 'ee' OR file:hashes.SHA256 = 'ff' OR file:hashes.'SHA1' = "
                 "'gg']",
                 false, (struct want[]){{"sha1", "ee"}, {"sha256", "ff"}, {"sha1", "gg"}}, 3);
    check_reduce("[email-message:from_ref.value = 'a@b.example' OR email-addr:value == "
                 "'c@d.example']",
                 false,
                 (struct want[]){{"email-addr", "a@b.example"}, {"email-addr", "c@d.example"}}, 2);
    check_reduce("([ipv4-addr:value = '1.2.3.4'])", false,
                 (struct want[]){{"ipv4-addr", "1.2.3.4"}}, 1);
}

static void check_irreducible(const char *s, long pos, const char *says)
{
    struct vg_pattern p;
    vg_pattern_init(&p);
    struct vg_pattern_reduced r = {0};
    struct vg_diag d;
    if (parse(&p, s, &d) != 0)
        fail_msg("%s: %s", s, d.message);
    vg_diag_clear(&d);
    int rc = vg_pattern_reduce(&p, &r, &d);
    if (rc != VG_EINVAL || d.offset != pos || !strstr(d.message, says))
        fail_msg("%s: rc %d offset %ld \"%s\", expected %ld \"%s\"", s, rc, d.offset, d.message,
                 pos, says);
    assert_non_null(strstr(d.message, "not reducible"));
    vg_pattern_reduced_cleanup(&r);
    vg_pattern_cleanup(&p);
}

static void pattern_reduce_refused(void **state)
{
    (void)state;
    check_irreducible("[domain-name:value LIKE '%.example']", 1, "operator LIKE");
    check_irreducible("[domain-name:value MATCHES '^a']", 1, "operator MATCHES");
    check_irreducible("[ipv4-addr:value != '1.2.3.4']", 1, "operator !=");
    check_irreducible("[ipv4-addr:value ISSUBSET '10.0.0.0/8']", 1, "operator ISSUBSET");
    check_irreducible("[EXISTS ipv4-addr:value]", 1, "operator EXISTS");
    check_irreducible("[ipv4-addr:value NOT = '1.2.3.4']", 1, "NOT");
    check_irreducible("[ipv4-addr:value = '1.2.3.4' OR file:name = 'x']", 32,
                      "object path 'file:name'");
    check_irreducible("[ipv4-addr:value = '1'] FOLLOWEDBY [url:value = 'x']", 24, "FOLLOWEDBY");
    check_irreducible("[ipv4-addr:value = '1'] WITHIN 5 SECONDS", 24, "qualifier WITHIN");
    check_irreducible("[ipv4-addr:value = '1'] REPEATS 5 TIMES", 24, "qualifier REPEATS");
    check_irreducible("[ipv4-addr:value = '1'] START t'2016-06-01T00:00:00Z' STOP "
                      "t'2016-06-01T00:00:01Z'",
                      24, "START/STOP");
    check_irreducible("[ipv4-addr:value IN ('1', 2)]", 26, "not a string");
    check_irreducible("[file:hashes.'SHA-512' = 'aa']", 1, "object path 'file:hashes.SHA-512'");
    check_irreducible("[ipv4-addr:value[0] = 'x']", 1, "object path");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pattern_good),      cmocka_unit_test(pattern_bad),
        cmocka_unit_test(pattern_limits),    cmocka_unit_test(pattern_tree),
        cmocka_unit_test(pattern_reduce_ok), cmocka_unit_test(pattern_reduce_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
