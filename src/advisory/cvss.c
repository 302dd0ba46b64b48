/* CVSS v2.0, v3.0 and v3.1 (advisory/cvss.h): the metric tables of FIRST's specifications and
 * JSON schemas, the strict vector parser and writer, and the scoring equations (CVSS v2 guide
 * section 3.2; v3.0 and v3.1 specifications section 7 and, for 3.1, Appendix A's Roundup). */
#include "advisory/cvss.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- v3.x ---- */

static const struct vg_cvss_value v3_av[] = {{"N", "NETWORK", 0.85},
                                             {"A", "ADJACENT_NETWORK", 0.62},
                                             {"L", "LOCAL", 0.55},
                                             {"P", "PHYSICAL", 0.2}};
static const struct vg_cvss_value v3_ac[] = {{"L", "LOW", 0.77}, {"H", "HIGH", 0.44}};
static const struct vg_cvss_value v3_pr[] = {{"N", "NONE", 0.85},
                                             {"L", "LOW", 0.62},
                                             {"H", "HIGH", 0.27}};
static const struct vg_cvss_value v3_ui[] = {{"N", "NONE", 0.85}, {"R", "REQUIRED", 0.62}};
static const struct vg_cvss_value v3_s[] = {{"U", "UNCHANGED", 0}, {"C", "CHANGED", 0}};
static const struct vg_cvss_value v3_cia[] = {{"H", "HIGH", 0.56},
                                              {"L", "LOW", 0.22},
                                              {"N", "NONE", 0}};
static const struct vg_cvss_value v3_e[] = {{"X", "NOT_DEFINED", 1},
                                            {"H", "HIGH", 1},
                                            {"F", "FUNCTIONAL", 0.97},
                                            {"P", "PROOF_OF_CONCEPT", 0.94},
                                            {"U", "UNPROVEN", 0.91}};
static const struct vg_cvss_value v3_rl[] = {{"X", "NOT_DEFINED", 1},
                                             {"U", "UNAVAILABLE", 1},
                                             {"W", "WORKAROUND", 0.97},
                                             {"T", "TEMPORARY_FIX", 0.96},
                                             {"O", "OFFICIAL_FIX", 0.95}};
static const struct vg_cvss_value v3_rc[] = {{"X", "NOT_DEFINED", 1},
                                             {"C", "CONFIRMED", 1},
                                             {"R", "REASONABLE", 0.96},
                                             {"U", "UNKNOWN", 0.92}};
static const struct vg_cvss_value v3_req[] = {{"X", "NOT_DEFINED", 1},
                                              {"H", "HIGH", 1.5},
                                              {"M", "MEDIUM", 1},
                                              {"L", "LOW", 0.5}};
/* The modified base metrics: "X", then the base metric's values in the same order. */
static const struct vg_cvss_value v3_mav[] = {{"X", "NOT_DEFINED", 0},
                                              {"N", "NETWORK", 0.85},
                                              {"A", "ADJACENT_NETWORK", 0.62},
                                              {"L", "LOCAL", 0.55},
                                              {"P", "PHYSICAL", 0.2}};
static const struct vg_cvss_value v3_mac[] = {{"X", "NOT_DEFINED", 0},
                                              {"L", "LOW", 0.77},
                                              {"H", "HIGH", 0.44}};
static const struct vg_cvss_value v3_mpr[] = {{"X", "NOT_DEFINED", 0},
                                              {"N", "NONE", 0.85},
                                              {"L", "LOW", 0.62},
                                              {"H", "HIGH", 0.27}};
static const struct vg_cvss_value v3_mui[] = {{"X", "NOT_DEFINED", 0},
                                              {"N", "NONE", 0.85},
                                              {"R", "REQUIRED", 0.62}};
static const struct vg_cvss_value v3_ms[] = {{"X", "NOT_DEFINED", 0},
                                             {"U", "UNCHANGED", 0},
                                             {"C", "CHANGED", 0}};
static const struct vg_cvss_value v3_mcia[] = {{"X", "NOT_DEFINED", 0},
                                               {"H", "HIGH", 0.56},
                                               {"L", "LOW", 0.22},
                                               {"N", "NONE", 0}};

enum {
    V3_AV,
    V3_AC,
    V3_PR,
    V3_UI,
    V3_S,
    V3_C,
    V3_I,
    V3_A,
    V3_E,
    V3_RL,
    V3_RC,
    V3_CR,
    V3_IR,
    V3_AR,
    V3_MAV,
    V3_MAC,
    V3_MPR,
    V3_MUI,
    V3_MS,
    V3_MC,
    V3_MI,
    V3_MA,
    V3_COUNT
};

#define M(abbr, json, base, vals, undef)                                                           \
    {                                                                                              \
        abbr, json, base, vals, N(vals), undef                                                     \
    }
static const struct vg_cvss_metric v3_metrics[V3_COUNT] = {
    M("AV", "attackVector", true, v3_av, -1),
    M("AC", "attackComplexity", true, v3_ac, -1),
    M("PR", "privilegesRequired", true, v3_pr, -1),
    M("UI", "userInteraction", true, v3_ui, -1),
    M("S", "scope", true, v3_s, -1),
    M("C", "confidentialityImpact", true, v3_cia, -1),
    M("I", "integrityImpact", true, v3_cia, -1),
    M("A", "availabilityImpact", true, v3_cia, -1),
    M("E", "exploitCodeMaturity", false, v3_e, 0),
    M("RL", "remediationLevel", false, v3_rl, 0),
    M("RC", "reportConfidence", false, v3_rc, 0),
    M("CR", "confidentialityRequirement", false, v3_req, 0),
    M("IR", "integrityRequirement", false, v3_req, 0),
    M("AR", "availabilityRequirement", false, v3_req, 0),
    M("MAV", "modifiedAttackVector", false, v3_mav, 0),
    M("MAC", "modifiedAttackComplexity", false, v3_mac, 0),
    M("MPR", "modifiedPrivilegesRequired", false, v3_mpr, 0),
    M("MUI", "modifiedUserInteraction", false, v3_mui, 0),
    M("MS", "modifiedScope", false, v3_ms, 0),
    M("MC", "modifiedConfidentialityImpact", false, v3_mcia, 0),
    M("MI", "modifiedIntegrityImpact", false, v3_mcia, 0),
    M("MA", "modifiedAvailabilityImpact", false, v3_mcia, 0),
};

/* ---- v2 ---- */

static const struct vg_cvss_value v2_av[] = {{"L", "LOCAL", 0.395},
                                             {"A", "ADJACENT_NETWORK", 0.646},
                                             {"N", "NETWORK", 1.0}};
static const struct vg_cvss_value v2_ac[] = {{"H", "HIGH", 0.35},
                                             {"M", "MEDIUM", 0.61},
                                             {"L", "LOW", 0.71}};
static const struct vg_cvss_value v2_au[] = {{"M", "MULTIPLE", 0.45},
                                             {"S", "SINGLE", 0.56},
                                             {"N", "NONE", 0.704}};
static const struct vg_cvss_value v2_cia[] = {{"N", "NONE", 0},
                                              {"P", "PARTIAL", 0.275},
                                              {"C", "COMPLETE", 0.660}};
static const struct vg_cvss_value v2_e[] = {{"U", "UNPROVEN", 0.85},
                                            {"POC", "PROOF_OF_CONCEPT", 0.9},
                                            {"F", "FUNCTIONAL", 0.95},
                                            {"H", "HIGH", 1},
                                            {"ND", "NOT_DEFINED", 1}};
static const struct vg_cvss_value v2_rl[] = {{"OF", "OFFICIAL_FIX", 0.87},
                                             {"TF", "TEMPORARY_FIX", 0.9},
                                             {"W", "WORKAROUND", 0.95},
                                             {"U", "UNAVAILABLE", 1},
                                             {"ND", "NOT_DEFINED", 1}};
static const struct vg_cvss_value v2_rc[] = {{"UC", "UNCONFIRMED", 0.9},
                                             {"UR", "UNCORROBORATED", 0.95},
                                             {"C", "CONFIRMED", 1},
                                             {"ND", "NOT_DEFINED", 1}};
static const struct vg_cvss_value v2_cdp[] = {{"N", "NONE", 0},          {"L", "LOW", 0.1},
                                              {"LM", "LOW_MEDIUM", 0.3}, {"MH", "MEDIUM_HIGH", 0.4},
                                              {"H", "HIGH", 0.5},        {"ND", "NOT_DEFINED", 0}};
static const struct vg_cvss_value v2_td[] = {{"N", "NONE", 0},
                                             {"L", "LOW", 0.25},
                                             {"M", "MEDIUM", 0.75},
                                             {"H", "HIGH", 1},
                                             {"ND", "NOT_DEFINED", 1}};
static const struct vg_cvss_value v2_req[] = {{"L", "LOW", 0.5},
                                              {"M", "MEDIUM", 1},
                                              {"H", "HIGH", 1.51},
                                              {"ND", "NOT_DEFINED", 1}};

enum {
    V2_AV,
    V2_AC,
    V2_AU,
    V2_C,
    V2_I,
    V2_A,
    V2_E,
    V2_RL,
    V2_RC,
    V2_CDP,
    V2_TD,
    V2_CR,
    V2_IR,
    V2_AR,
    V2_COUNT
};

static const struct vg_cvss_metric v2_metrics[V2_COUNT] = {
    M("AV", "accessVector", true, v2_av, -1),
    M("AC", "accessComplexity", true, v2_ac, -1),
    M("Au", "authentication", true, v2_au, -1),
    M("C", "confidentialityImpact", true, v2_cia, -1),
    M("I", "integrityImpact", true, v2_cia, -1),
    M("A", "availabilityImpact", true, v2_cia, -1),
    M("E", "exploitability", false, v2_e, 4),
    M("RL", "remediationLevel", false, v2_rl, 4),
    M("RC", "reportConfidence", false, v2_rc, 3),
    M("CDP", "collateralDamagePotential", false, v2_cdp, 5),
    M("TD", "targetDistribution", false, v2_td, 4),
    M("CR", "confidentialityRequirement", false, v2_req, 3),
    M("IR", "integrityRequirement", false, v2_req, 3),
    M("AR", "availabilityRequirement", false, v2_req, 3),
};
#undef M

const struct vg_cvss_metric *vg_cvss_metrics(int version, size_t *n)
{
    switch (version) {
    case VG_CVSS_V2: *n = V2_COUNT; return v2_metrics;
    case VG_CVSS_V30:
    case VG_CVSS_V31: *n = V3_COUNT; return v3_metrics;
    default: *n = 0; return NULL;
    }
}

/* ---- parsing ---- */

#define MAX_INPUT 512 /* longer than any vector of all metrics (v3.x: ~130 bytes) */

/* Fills d with before, the part a (alen bytes, shown printable) and after. */
static int fault(struct vg_diag *d, size_t off, const char *before, const char *a, size_t alen,
                 const char *after)
{
    if (d) {
        char part[48];
        size_t n = alen < sizeof part - 1 ? alen : sizeof part - 1;
        /* the part as shown: printable ASCII only */
        for (size_t i = 0; i < n; i++)
            part[i] = (a[i] >= 0x20 && a[i] < 0x7f) ? a[i] : '?';
        part[n] = 0;
        vg_diag_set(d, VG_EINVAL, "", "%s%s%s", before, part, after);
        d->line = 0;
        d->offset = (long)off;
    }
    return VG_EINVAL;
}

int vg_cvss_parse(const char *s, size_t len, struct vg_cvss *out, struct vg_diag *d)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return fault(d, 0, "empty CVSS vector", "", 0, "");
    if (len > MAX_INPUT)
        return fault(d, MAX_INPUT, "CVSS vector too long", "", 0, "");
    size_t pos = 0;
    if (len >= 5 && memcmp(s, "CVSS:", 5) == 0) {
        if (len >= 9 && memcmp(s + 5, "3.1/", 4) == 0)
            out->version = VG_CVSS_V31;
        else if (len >= 9 && memcmp(s + 5, "3.0/", 4) == 0)
            out->version = VG_CVSS_V30;
        else
            return fault(d, 5, "unsupported CVSS version \"", s + 5, len - 5 < 3 ? len - 5 : 3,
                         "\" (3.0 and 3.1 are)");
        pos = 9;
    } else {
        out->version = VG_CVSS_V2;
    }
    size_t nm;
    const struct vg_cvss_metric *ms = vg_cvss_metrics(out->version, &nm);
    for (size_t i = 0; i < VG_CVSS_MAX_METRICS; i++)
        out->value[i] = -1;
    for (;;) {
        size_t start = pos;
        while (pos < len && s[pos] != '/')
            pos++;
        const char *part = s + start;
        size_t plen = pos - start;
        const char *colon = memchr(part, ':', plen);
        if (plen == 0)
            return fault(d, start, "empty part in the CVSS vector", "", 0, "");
        if (!colon)
            return fault(d, start, "\"", part, plen, "\" is not a metric:value pair");
        size_t klen = (size_t)(colon - part), vlen = plen - klen - 1;
        size_t m = nm;
        for (size_t i = 0; i < nm; i++)
            if (strlen(ms[i].abbr) == klen && memcmp(ms[i].abbr, part, klen) == 0)
                m = i;
        if (m == nm)
            return fault(d, start, "unknown CVSS metric \"", part, klen, "\"");
        if (out->value[m] >= 0)
            return fault(d, start, "CVSS metric ", part, klen, " given twice");
        size_t v = ms[m].nvalues;
        for (size_t i = 0; i < ms[m].nvalues; i++)
            if (strlen(ms[m].values[i].abbr) == vlen &&
                memcmp(ms[m].values[i].abbr, colon + 1, vlen) == 0)
                v = i;
        if (v == ms[m].nvalues)
            return fault(d, start, "bad value in CVSS metric \"", part, plen, "\"");
        out->value[m] = (signed char)v;
        if (pos == len)
            break;
        pos++; /* the '/' */
        if (pos == len)
            return fault(d, pos - 1, "trailing \"/\" in the CVSS vector", "", 0, "");
    }
    for (size_t i = 0; i < nm; i++)
        if (ms[i].base && out->value[i] < 0)
            return fault(d, len, "CVSS base metric ", ms[i].abbr, strlen(ms[i].abbr), " missing");
    return 0;
}

int vg_cvss_format(const struct vg_cvss *c, char *out, size_t cap)
{
    size_t nm;
    const struct vg_cvss_metric *ms = vg_cvss_metrics(c->version, &nm);
    if (!ms)
        return VG_EINVAL;
    size_t n = 0;
    int w = snprintf(out, cap, "%s",
                     c->version == VG_CVSS_V31   ? "CVSS:3.1"
                     : c->version == VG_CVSS_V30 ? "CVSS:3.0"
                                                 : "");
    if (w < 0 || (size_t)w >= cap)
        return VG_ETOOBIG;
    n = (size_t)w;
    for (size_t i = 0; i < nm; i++) {
        int v = c->value[i];
        if (v < 0 && !ms[i].base)
            continue;
        if (v < 0 || (size_t)v >= ms[i].nvalues)
            return VG_EINVAL;
        w = snprintf(out + n, cap - n, "%s%s:%s", n ? "/" : "", ms[i].abbr, ms[i].values[v].abbr);
        if (w < 0 || (size_t)w >= cap - n)
            return VG_ETOOBIG;
        n += (size_t)w;
    }
    return 0;
}

/* ---- scoring ---- */

/* CVSS 3.1 Appendix A: the smallest number with one decimal not below x, computed on integers
 * so that 4.000000000001 from floating point stays 4.0. */
static double roundup31(double x)
{
    long long i = llround(x * 100000.0);
    if (i % 10000 == 0)
        return (double)i / 100000.0;
    return (double)(i / 10000 + 1) / 10.0;
}

/* CVSS 3.0 section 7.4: "round up", as its calculator does it (ceil of ten times x). */
static double roundup30(double x)
{
    return ceil(x * 10.0) / 10.0;
}

/* CVSS v2: round to one decimal. */
static double round1(double x)
{
    return floor(x * 10.0 + 0.5 + 1e-9) / 10.0;
}

static double weight(const struct vg_cvss *c, const struct vg_cvss_metric *ms, int m)
{
    int v = c->value[m] >= 0 ? c->value[m] : ms[m].undefined;
    return ms[m].values[v].weight;
}

/* The value index of modified metric mm in the base metric bm's numbering (the modified
 * lists are "X" then the base list). */
static int modified(const struct vg_cvss *c, int mm, int bm)
{
    return c->value[mm] > 0 ? c->value[mm] - 1 : c->value[bm];
}

static double v3_pr_weight(int pr, bool changed)
{
    if (changed && pr == 1)
        return 0.68;
    if (changed && pr == 2)
        return 0.5;
    return v3_pr[pr].weight;
}

static void score_v3(const struct vg_cvss *c, struct vg_cvss_scores *o)
{
    double (*ru)(double) = c->version == VG_CVSS_V31 ? roundup31 : roundup30;
    const struct vg_cvss_metric *ms = v3_metrics;
    bool changed = c->value[V3_S] == 1;
    double iss =
        1 - (1 - weight(c, ms, V3_C)) * (1 - weight(c, ms, V3_I)) * (1 - weight(c, ms, V3_A));
    double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
    double expl = 8.22 * weight(c, ms, V3_AV) * weight(c, ms, V3_AC) *
                  v3_pr_weight(c->value[V3_PR], changed) * weight(c, ms, V3_UI);
    if (impact <= 0)
        o->base = 0;
    else if (changed)
        o->base = ru(fmin(1.08 * (impact + expl), 10));
    else
        o->base = ru(fmin(impact + expl, 10));
    double t = weight(c, ms, V3_E) * weight(c, ms, V3_RL) * weight(c, ms, V3_RC);
    o->temporal = ru(o->base * t);

    int mav = modified(c, V3_MAV, V3_AV), mac = modified(c, V3_MAC, V3_AC);
    int mpr = modified(c, V3_MPR, V3_PR), mui = modified(c, V3_MUI, V3_UI);
    int mc = modified(c, V3_MC, V3_C), mi = modified(c, V3_MI, V3_I);
    int ma = modified(c, V3_MA, V3_A);
    bool mchanged = modified(c, V3_MS, V3_S) == 1;
    double miss = fmin(1 - (1 - weight(c, ms, V3_CR) * v3_cia[mc].weight) *
                               (1 - weight(c, ms, V3_IR) * v3_cia[mi].weight) *
                               (1 - weight(c, ms, V3_AR) * v3_cia[ma].weight),
                       0.915);
    double mimpact;
    if (!mchanged)
        mimpact = 6.42 * miss;
    else if (c->version == VG_CVSS_V31)
        mimpact = 7.52 * (miss - 0.029) - 3.25 * pow(miss * 0.9731 - 0.02, 13);
    else
        mimpact = 7.52 * (miss - 0.029) - 3.25 * pow(miss - 0.02, 15);
    double mexpl = 8.22 * v3_av[mav].weight * v3_ac[mac].weight * v3_pr_weight(mpr, mchanged) *
                   v3_ui[mui].weight;
    if (mimpact <= 0)
        o->environmental = 0;
    else if (mchanged)
        o->environmental = ru(ru(fmin(1.08 * (mimpact + mexpl), 10)) * t);
    else
        o->environmental = ru(ru(fmin(mimpact + mexpl, 10)) * t);
}

static double v2_base(double impact, double expl)
{
    double f = impact == 0 ? 0 : 1.176;
    return round1(((0.6 * impact) + (0.4 * expl) - 1.5) * f);
}

static void score_v2(const struct vg_cvss *c, struct vg_cvss_scores *o)
{
    const struct vg_cvss_metric *ms = v2_metrics;
    double ci = weight(c, ms, V2_C), ii = weight(c, ms, V2_I), ai = weight(c, ms, V2_A);
    double impact = 10.41 * (1 - (1 - ci) * (1 - ii) * (1 - ai));
    double expl = 20 * weight(c, ms, V2_AV) * weight(c, ms, V2_AC) * weight(c, ms, V2_AU);
    double t = weight(c, ms, V2_E) * weight(c, ms, V2_RL) * weight(c, ms, V2_RC);
    o->base = v2_base(impact, expl);
    o->temporal = round1(o->base * t);
    double adj =
        fmin(10, 10.41 * (1 - (1 - ci * weight(c, ms, V2_CR)) * (1 - ii * weight(c, ms, V2_IR)) *
                                  (1 - ai * weight(c, ms, V2_AR))));
    double adj_temporal = round1(v2_base(adj, expl) * t);
    double cdp = weight(c, ms, V2_CDP), td = weight(c, ms, V2_TD);
    o->environmental = round1((adj_temporal + (10 - adj_temporal) * cdp) * td);
}

int vg_cvss_score(const struct vg_cvss *c, struct vg_cvss_scores *out)
{
    size_t nm;
    const struct vg_cvss_metric *ms = vg_cvss_metrics(c->version, &nm);
    if (!ms)
        return VG_EINVAL;
    for (size_t i = 0; i < nm; i++)
        if ((ms[i].base && c->value[i] < 0) || c->value[i] >= (int)ms[i].nvalues)
            return VG_EINVAL;
    if (c->version == VG_CVSS_V2)
        score_v2(c, out);
    else
        score_v3(c, out);
    return 0;
}

double vg_cvss_round(int version, double x)
{
    return version == VG_CVSS_V31   ? roundup31(x)
           : version == VG_CVSS_V30 ? roundup30(x)
                                    : round1(x);
}

const char *vg_cvss_severity(double score)
{
    if (score < 0.05)
        return "NONE";
    if (score < 3.95)
        return "LOW";
    if (score < 6.95)
        return "MEDIUM";
    if (score < 8.95)
        return "HIGH";
    return "CRITICAL";
}
