/* Unit tests of CVSS vectors and scores (src/advisory/cvss.c): the scoring oracle of the shared
 * corpus (NVD's v3.x vector -> score pairs, NVD's CVE records with their v2, v3.0 and v3.1
 * cvssData, the CVSS objects of the CSAF 2.0 examples), the v2 guide's worked examples and our
 * samples (tests/data/cvss/good.txt), the broken vectors with the offset of their fault
 * (tests/data/cvss/bad.txt), the rounding boundaries and the severity bands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "advisory/cvss.h"

#define CORPUS "../shared/corpus"

static void assert_score(double got, double want, const char *what, const char *vector)
{
    if (fabs(got - want) > 1e-9)
        fail_msg("%s: %s score %.4f, want %.1f", vector, what, got, want);
}

static void parse_ok(const char *v, struct vg_cvss *c)
{
    struct vg_diag d;
    if (vg_cvss_parse(v, strlen(v), c, &d) != 0)
        fail_msg("%s: %s (offset %ld)", v, d.message, d.offset);
}

/* The vector -> (score, severity) pairs of NVD's Go client (v3.0 and v3.1). */
static void oracle_pairs(void **state)
{
    (void)state;
    static const char *const files[] = {CORPUS "/nvd2/nvd-go/cvss/v30/testdata/v30-scores.json",
                                        CORPUS "/nvd2/nvd-go/cvss/v31/testdata/v31-scores.json"};
    size_t n = 0;
    for (size_t f = 0; f < 2; f++) {
        json_t *a = json_load_file(files[f], 0, NULL);
        if (!a)
            skip();
        size_t i;
        json_t *p;
        json_array_foreach(a, i, p) {
            const char *v = json_string_value(json_object_get(p, "vector"));
            struct vg_cvss c;
            struct vg_cvss_scores s;
            parse_ok(v, &c);
            assert_int_equal(c.version, f == 0 ? VG_CVSS_V30 : VG_CVSS_V31);
            assert_int_equal(vg_cvss_score(&c, &s), 0);
            assert_score(s.base, json_number_value(json_object_get(p, "score")), "base", v);
            assert_string_equal(vg_cvss_severity(s.base),
                                json_string_value(json_object_get(p, "severity")));
            n++;
        }
        json_decref(a);
    }
    assert_int_equal(n, 82); /* 3 + 79 */
}

/* NVD's CVE records: every cvssData (v2, v3.0, v3.1) scores its baseScore, and each metric
 * named in the JSON form has the value the vector gives (the names of FIRST's schemas). */
static size_t nvd_file(const char *path, size_t *by_version)
{
    json_t *j = json_load_file(path, 0, NULL);
    if (!j)
        return 0;
    size_t n = 0, i;
    json_t *vuln;
    json_array_foreach(json_object_get(j, "vulnerabilities"), i, vuln) {
        const char *key;
        json_t *list;
        json_object_foreach(json_object_get(json_object_get(vuln, "cve"), "metrics"), key, list) {
            size_t k;
            json_t *m;
            json_array_foreach(list, k, m) {
                json_t *data = json_object_get(m, "cvssData");
                const char *v = json_string_value(json_object_get(data, "vectorString"));
                struct vg_cvss c;
                struct vg_cvss_scores s;
                parse_ok(v, &c);
                assert_int_equal(vg_cvss_score(&c, &s), 0);
                assert_score(s.base, json_number_value(json_object_get(data, "baseScore")), "base",
                             v);
                const char *sev = json_string_value(json_object_get(data, "baseSeverity"));
                if (sev)
                    assert_string_equal(vg_cvss_severity(s.base), sev);
                size_t nm;
                const struct vg_cvss_metric *ms = vg_cvss_metrics(c.version, &nm);
                size_t named = 0;
                for (size_t x = 0; x < nm; x++) {
                    const char *jv = json_string_value(json_object_get(data, ms[x].json));
                    if (!jv)
                        continue;
                    int idx = c.value[x] >= 0 ? c.value[x] : ms[x].undefined;
                    assert_string_equal(ms[x].values[idx].json, jv);
                    named++;
                }
                assert_true(named >= 6); /* the base metrics at least */
                by_version[c.version == VG_CVSS_V2 ? 0 : c.version == VG_CVSS_V30 ? 1 : 2]++;
                n++;
            }
        }
    }
    json_decref(j);
    return n;
}

static void oracle_nvd(void **state)
{
    (void)state;
    static const char *const files[] =
        {CORPUS "/nvd2/nvd-go/nvd-api/testdata/responses/cves-2023.json",
         CORPUS "/nvd2/nvd-go/nvd-api/testdata/responses/cves-1999.json",
         CORPUS "/nvd2/nvd-go/nvd-api/testdata/responses/cves-CVE-2023-0001.json"};
    size_t n = 0, by[3] = {0, 0, 0};
    for (size_t f = 0; f < 3; f++)
        n += nvd_file(files[f], by);
    if (n == 0)
        skip();
    assert_int_equal(n, 529);
    assert_int_equal(by[0], 198);
    assert_int_equal(by[1], 3);
    assert_int_equal(by[2], 328);
}

/* The CSAF examples' score objects: base, temporal and environmental scores and severities. */
static size_t csaf_scores(const char *path)
{
    json_t *j = json_load_file(path, 0, NULL);
    assert_non_null(j);
    size_t n = 0, i, k;
    json_t *vuln, *score;
    json_array_foreach(json_object_get(j, "vulnerabilities"), i, vuln) {
        json_array_foreach(json_object_get(vuln, "scores"), k, score) {
            static const char *const kinds[] = {"cvss_v2", "cvss_v3"};
            for (size_t x = 0; x < 2; x++) {
                json_t *o = json_object_get(score, kinds[x]);
                if (!o)
                    continue;
                const char *v = json_string_value(json_object_get(o, "vectorString"));
                struct vg_cvss c;
                struct vg_cvss_scores s;
                parse_ok(v, &c);
                assert_int_equal(vg_cvss_score(&c, &s), 0);
                static const char *const names[] = {"baseScore", "temporalScore",
                                                    "environmentalScore"};
                static const char *const sevs[] = {"baseSeverity", "temporalSeverity",
                                                   "environmentalSeverity"};
                double got[] = {s.base, s.temporal, s.environmental};
                for (size_t y = 0; y < 3; y++) {
                    json_t *want = json_object_get(o, names[y]);
                    if (want) {
                        assert_score(got[y], json_number_value(want), names[y], v);
                        n++;
                    }
                    const char *sev = json_string_value(json_object_get(o, sevs[y]));
                    if (sev)
                        assert_string_equal(vg_cvss_severity(got[y]), sev);
                }
            }
        }
    }
    json_decref(j);
    return n;
}

static void oracle_csaf_examples(void **state)
{
    (void)state;
    static const char *const dirs[] = {CORPUS "/csaf2.0/examples/csaf",
                                       CORPUS "/csaf2.0/examples/csaf/csaf_vex"};
    size_t n = 0;
    for (size_t k = 0; k < 2; k++) {
        DIR *dir = opendir(dirs[k]);
        if (!dir)
            skip();
        struct dirent *de;
        while ((de = readdir(dir))) {
            size_t nl = strlen(de->d_name);
            if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0)
                continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dirs[k], de->d_name);
            n += csaf_scores(path);
        }
        closedir(dir);
    }
    assert_true(n >= 10);
}

/* Our samples: vector, then base, temporal and environmental scores; each must also write
 * back to a vector that parses to the same metrics. */
static void samples_good(void **state)
{
    (void)state;
    FILE *f = fopen("tests/data/cvss/good.txt", "r");
    assert_non_null(f);
    char line[512];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        line[strcspn(line, "\n")] = 0;
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = 0;
        double want[3];
        assert_int_equal(sscanf(tab + 1, "%lf %lf %lf", &want[0], &want[1], &want[2]), 3);
        struct vg_cvss c, again;
        struct vg_cvss_scores s;
        parse_ok(line, &c);
        assert_int_equal(vg_cvss_score(&c, &s), 0);
        assert_score(s.base, want[0], "base", line);
        assert_score(s.temporal, want[1], "temporal", line);
        assert_score(s.environmental, want[2], "environmental", line);
        char out[VG_CVSS_MAX_VECTOR];
        assert_int_equal(vg_cvss_format(&c, out, sizeof out), 0);
        parse_ok(out, &again);
        assert_memory_equal(&c, &again, sizeof c);
        n++;
    }
    fclose(f);
    assert_int_equal(n, 14);
}

static void samples_bad(void **state)
{
    (void)state;
    FILE *f = fopen("tests/data/cvss/bad.txt", "r");
    assert_non_null(f);
    char line[512];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        line[strcspn(line, "\n")] = 0;
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = 0;
        long off = strtol(tab + 1, NULL, 10);
        struct vg_cvss c;
        struct vg_diag d;
        memset(&d, 0, sizeof d);
        if (vg_cvss_parse(line, strlen(line), &c, &d) != VG_EINVAL)
            fail_msg("\"%s\" accepted", line);
        if (d.offset != off)
            fail_msg("\"%s\": fault at %ld (%s), want %ld", line, d.offset, d.message, off);
        assert_true(d.message[0] != 0);
        n++;
    }
    fclose(f);
    assert_int_equal(n, 24);
    struct vg_cvss c;
    struct vg_diag d;
    assert_int_equal(vg_cvss_parse("", 0, &c, &d), VG_EINVAL);
    assert_string_equal(d.message, "empty CVSS vector");
    assert_int_equal(vg_cvss_parse("A", 1, &c, &d), VG_EINVAL);
    assert_string_equal(d.message, "\"A\" is not a metric:value pair");
    assert_int_equal(vg_cvss_parse("AV:N/AC:L/Au:N/C:C/I:C/A:C/E:X", 30, &c, &d), VG_EINVAL);
    assert_string_equal(d.message, "bad value in CVSS metric \"E:X\"");
}

/* The canonical order, whatever the order read; the given temporal metrics kept, "X" too. */
static void format_canonical(void **state)
{
    (void)state;
    struct vg_cvss c;
    char out[VG_CVSS_MAX_VECTOR];
    parse_ok("CVSS:3.1/E:X/A:H/I:L/C:N/S:C/UI:R/PR:L/AC:H/AV:P/MAV:N", &c);
    assert_int_equal(vg_cvss_format(&c, out, sizeof out), 0);
    assert_string_equal(out, "CVSS:3.1/AV:P/AC:H/PR:L/UI:R/S:C/C:N/I:L/A:H/E:X/MAV:N");
    parse_ok("Au:S/AV:A/AC:M/C:P/I:N/A:N/TD:L", &c);
    assert_int_equal(vg_cvss_format(&c, out, sizeof out), 0);
    assert_string_equal(out, "AV:A/AC:M/Au:S/C:P/I:N/A:N/TD:L");
    assert_int_equal(vg_cvss_format(&c, out, 10), VG_ETOOBIG);
    assert_int_equal(vg_cvss_format(&c, out, 31), VG_ETOOBIG); /* one short of the NUL */
    assert_int_equal(vg_cvss_format(&c, out, 32), 0);
    c.version = 40;
    assert_int_equal(vg_cvss_format(&c, out, sizeof out), VG_EINVAL);
    struct vg_cvss_scores s;
    assert_int_equal(vg_cvss_score(&c, &s), VG_EINVAL);
}

/* Temporal and environmental equations: a modified metric replaces its base metric, "X" keeps
 * it; 3.0 and 3.1 differ in the changed-scope modified impact. */
static void environmental(void **state)
{
    (void)state;
    struct vg_cvss c;
    struct vg_cvss_scores s;
    parse_ok("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MAV:L/MPR:H", &c);
    assert_int_equal(vg_cvss_score(&c, &s), 0);
    assert_score(s.base, 9.8, "base", "MAV:L/MPR:H");
    /* as the base vector AV:L/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H: 6.7 */
    assert_score(s.environmental, 6.7, "environmental", "MAV:L/MPR:H");
    parse_ok("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/CR:L/IR:L/AR:L", &c);
    assert_int_equal(vg_cvss_score(&c, &s), 0);
    assert_score(s.environmental, 8.0, "environmental", "CR:L/IR:L/AR:L");
    parse_ok("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H/MS:C", &c);
    assert_int_equal(vg_cvss_score(&c, &s), 0);
    assert_score(s.base, 8.8, "base", "PR:L S:U");
    assert_score(s.environmental, 10.0, "environmental", "PR:L MS:C"); /* PR:L weighs 0.68 */
    /* the modified impact's cap: MISS = min(0.9959, 0.915) gives 8.1 (0.916 would give 8.2) */
    parse_ok("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H/CR:H/IR:H/AR:H", &c);
    assert_int_equal(vg_cvss_score(&c, &s), 0);
    assert_score(s.environmental, 8.1, "environmental", "CR:H/IR:H/AR:H");
    parse_ok("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MC:N/MI:N/MA:N", &c);
    assert_int_equal(vg_cvss_score(&c, &s), 0);
    assert_score(s.environmental, 0.0, "environmental", "no modified impact");
    parse_ok("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:U", &c);
    assert_int_equal(vg_cvss_score(&c, &s), 0);
    assert_score(s.temporal, 7.8, "temporal", "E:U/RL:O/RC:U"); /* 9.8*.91*.95*.92 = 7.79 */
    /* a changed scope: 3.1's modified impact uses (MISS*0.9731-0.02)^13 */
    parse_ok("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:L/A:N/CR:H/IR:H", &c);
    assert_int_equal(vg_cvss_score(&c, &s), 0);
    assert_score(s.base, 7.2, "base", "3.1 S:C");
    assert_score(s.environmental, 8.5, "environmental", "3.1 S:C CR:H/IR:H");
}

/* Rounding: 3.1's Roundup absorbs floating-point noise, 3.0's naive ceiling does not; v2 rounds
 * half up. */
static void rounding(void **state)
{
    (void)state;
    assert_score(vg_cvss_round(VG_CVSS_V31, 4.000000000000001), 4.0, "roundup31", "4.0+e");
    assert_score(vg_cvss_round(VG_CVSS_V31, 4.0), 4.0, "roundup31", "4.0");
    assert_score(vg_cvss_round(VG_CVSS_V31, 4.00001), 4.1, "roundup31", "4.00001");
    assert_score(vg_cvss_round(VG_CVSS_V31, 4.02), 4.1, "roundup31", "4.02");
    assert_score(vg_cvss_round(VG_CVSS_V31, 9.99), 10.0, "roundup31", "9.99");
    assert_score(vg_cvss_round(VG_CVSS_V31, 0), 0, "roundup31", "0");
    assert_score(vg_cvss_round(VG_CVSS_V30, 4.000000000000001), 4.1, "roundup30", "4.0+e");
    assert_score(vg_cvss_round(VG_CVSS_V30, 4.0), 4.0, "roundup30", "4.0");
    assert_score(vg_cvss_round(VG_CVSS_V2, 4.35), 4.4, "round1", "4.35");
    assert_score(vg_cvss_round(VG_CVSS_V2, 4.349), 4.3, "round1", "4.349");
    assert_score(vg_cvss_round(VG_CVSS_V2, 6.44), 6.4, "round1", "6.44");
}

static void severity_bands(void **state)
{
    (void)state;
    static const struct {
        double score;
        const char *sev;
    } cases[] = {{0.0, "NONE"},   {0.1, "LOW"},      {3.9, "LOW"},
                 {4.0, "MEDIUM"}, {6.9, "MEDIUM"},   {7.0, "HIGH"},
                 {8.9, "HIGH"},   {9.0, "CRITICAL"}, {10.0, "CRITICAL"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(vg_cvss_severity(cases[i].score), cases[i].sev);
}

/* Each metric's JSON names are the schema's: the tables against FIRST's JSON schemas. */
static void schema_names(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        int version;
    } schemas[] = {{CORPUS "/csaf2.0/referenced_schema/first/cvss-v2.0.json", VG_CVSS_V2},
                   {CORPUS "/csaf2.0/referenced_schema/first/cvss-v3.0.json", VG_CVSS_V30},
                   {CORPUS "/csaf2.0/referenced_schema/first/cvss-v3.1.json", VG_CVSS_V31}};
    for (size_t k = 0; k < 3; k++) {
        json_t *j = json_load_file(schemas[k].file, 0, NULL);
        if (!j)
            skip();
        json_t *props = json_object_get(j, "properties");
        size_t nm;
        const struct vg_cvss_metric *ms = vg_cvss_metrics(schemas[k].version, &nm);
        for (size_t i = 0; i < nm; i++) {
            json_t *p = json_object_get(props, ms[i].json);
            if (!p)
                fail_msg("%s: no property %s", schemas[k].file, ms[i].json);
            const char *ref = json_string_value(json_object_get(p, "$ref"));
            assert_non_null(ref);
            json_t *def =
                json_object_get(json_object_get(j, "definitions"), ref + strlen("#/definitions/"));
            json_t *en = json_object_get(def, "enum");
            assert_int_equal(json_array_size(en), ms[i].nvalues);
            for (size_t v = 0; v < ms[i].nvalues; v++) {
                bool found = false;
                size_t e;
                json_t *ev;
                json_array_foreach(en, e, ev) {
                    found = found || strcmp(json_string_value(ev), ms[i].values[v].json) == 0;
                }
                if (!found)
                    fail_msg("%s: %s has no %s", schemas[k].file, ms[i].json, ms[i].values[v].json);
            }
        }
        json_decref(j);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(oracle_pairs),         cmocka_unit_test(oracle_nvd),
        cmocka_unit_test(oracle_csaf_examples), cmocka_unit_test(samples_good),
        cmocka_unit_test(samples_bad),          cmocka_unit_test(format_canonical),
        cmocka_unit_test(environmental),        cmocka_unit_test(rounding),
        cmocka_unit_test(severity_bands),       cmocka_unit_test(schema_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
