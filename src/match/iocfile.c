/* Indicator files: "TYPE VALUE" lines (blank lines and '#' comments ignored), or CSV whose
 * header names a "type" and a "value" column (RFC 4180 quoting, one record per line). Each
 * invalid line is reported with its number and skipped, or stops the load when strict. */
#include "match/match.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX_COLS 64

/* Splits one CSV line into at most CSV_MAX_COLS fields, unquoting into buf (len bytes at
 * least). Returns the number of fields, or -1 (bad quoting, too many fields). */
static int csv_split(struct vg_str line, char *buf, struct vg_str *fields)
{
    const char *p = line.ptr, *end = line.ptr + line.len;
    char *w = buf;
    int n = 0;
    for (;;) {
        if (n == CSV_MAX_COLS)
            return -1;
        /* Blanks before a quoted field are allowed. */
        const char *q = p;
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        if (q < end && *q == '"') {
            char *start = w;
            q++;
            for (;;) {
                if (q >= end)
                    return -1;
                if (*q == '"') {
                    if (q + 1 < end && q[1] == '"') {
                        *w++ = '"';
                        q += 2;
                        continue;
                    }
                    q++;
                    break;
                }
                *w++ = *q++;
            }
            while (q < end && (*q == ' ' || *q == '\t' || *q == '\r'))
                q++;
            if (q < end && *q != ',')
                return -1;
            fields[n++] = (struct vg_str){start, (size_t)(w - start)};
            p = q;
        } else {
            const char *f = p;
            while (p < end && *p != ',')
                p++;
            if (memchr(f, '"', (size_t)(p - f)))
                return -1;
            fields[n++] = vg_str_trim((struct vg_str){f, (size_t)(p - f)});
        }
        if (p >= end)
            return n;
        p++; /* the comma */
    }
}

static bool is_blank_or_comment(struct vg_str t)
{
    return t.len == 0 || t.ptr[0] == '#';
}

struct loader {
    bool strict;
    vg_match_ioc_line_fn fn; /* called for each line with a known type and a value */
    void *fn_ctx;
    vg_match_ioc_error_fn on_error;
    void *ctx;
    struct vg_match_ioc_counts *counts;
    struct vg_diag *d;
};

/* Reports an invalid line; returns the code to stop with (strict) or 0. */
static int invalid(struct loader *l, long lineno, struct vg_diag *ld)
{
    ld->line = lineno;
    l->counts->invalid++;
    if (l->on_error)
        l->on_error(l->ctx, ld);
    if (l->strict) {
        if (l->d)
            *l->d = *ld;
        return VG_EINVAL;
    }
    return 0;
}

static int one_line(struct loader *l, long lineno, struct vg_str type, struct vg_str value)
{
    struct vg_diag ld;
    vg_diag_clear(&ld);
    enum vg_match_type t;
    if (vg_match_type_parse(type, &t) != 0) {
        char shown[40];
        size_t n = type.len < 32 ? type.len : 32;
        for (size_t i = 0; i < n; i++)
            shown[i] = isprint((unsigned char)type.ptr[i]) ? type.ptr[i] : '?';
        shown[n] = '\0';
        vg_diag_set(&ld, VG_EINVAL, "type", "unknown indicator type '%s'", shown);
        return invalid(l, lineno, &ld);
    }
    int rc = l->fn(l->fn_ctx, lineno, t, value, &ld);
    if (rc == VG_EINVAL)
        return invalid(l, lineno, &ld);
    if (rc && l->d)
        *l->d = ld;
    return rc;
}

struct index_ctx {
    struct vg_match_index *idx;
    struct vg_match_ioc_counts *counts;
};

/* The line function of vg_match_iocs_feed: adds the indicator to the index. */
static int add_one(void *ctx, long lineno, enum vg_match_type t, struct vg_str value,
                   struct vg_diag *ld)
{
    struct index_ctx *ic = ctx;
    (void)lineno;
    int rc = vg_match_index_add(ic->idx, t, value, (struct vg_str){NULL, 0}, 0, ld);
    if (rc == 0) {
        ic->counts->added++;
        return 0;
    }
    if (rc == 1) {
        ic->counts->duplicates++;
        return 0;
    }
    if (rc == VG_ENOMEM)
        return rc;
    char msg[sizeof ld->message];
    memcpy(msg, ld->message, sizeof msg);
    vg_diag_set(ld, VG_EINVAL, "value", "invalid %s: %s", vg_match_type_name(t), msg);
    return VG_EINVAL;
}

int vg_match_iocs_load(struct vg_match_index *idx, const char *data, size_t len, bool strict,
                       vg_match_ioc_error_fn on_error, void *ctx,
                       struct vg_match_ioc_counts *counts, struct vg_diag *d)
{
    struct vg_match_ioc_state st = {0, 0, -1, -1};
    return vg_match_iocs_feed(idx, &st, data, len, strict, on_error, ctx, counts, d);
}

int vg_match_iocs_feed(struct vg_match_index *idx, struct vg_match_ioc_state *state,
                       const char *data, size_t len, bool strict, vg_match_ioc_error_fn on_error,
                       void *ctx, struct vg_match_ioc_counts *counts, struct vg_diag *d)
{
    struct vg_match_ioc_counts local = {0};
    if (!counts)
        counts = &local;
    struct index_ctx ic = {idx, counts};
    return vg_match_iocs_each(state, data, len, strict, add_one, &ic, on_error, ctx, counts, d);
}

int vg_match_iocs_long_line(struct vg_match_ioc_state *state, bool strict,
                            vg_match_ioc_error_fn on_error, void *ctx,
                            struct vg_match_ioc_counts *counts, struct vg_diag *d)
{
    struct vg_match_ioc_counts local = {0};
    struct loader l = {strict, NULL, NULL, on_error, ctx, counts ? counts : &local, d};
    struct vg_diag ld;
    vg_diag_clear(&ld);
    vg_diag_set(&ld, VG_ETOOBIG, "", "line longer than %d bytes", VG_MAX_LINE);
    return invalid(&l, ++state->line, &ld);
}

int vg_match_iocs_each(struct vg_match_ioc_state *state, const char *data, size_t len, bool strict,
                       vg_match_ioc_line_fn fn, void *fn_ctx, vg_match_ioc_error_fn on_error,
                       void *ctx, struct vg_match_ioc_counts *counts, struct vg_diag *d)
{
    struct vg_match_ioc_counts local = {0};
    if (!counts)
        counts = &local;
    struct loader l = {strict, fn, fn_ctx, on_error, ctx, counts, d};
    int rc = 0;
    char *buf = NULL;
    int col_type = state->col_type, col_value = state->col_value;
    struct vg_str fields[CSV_MAX_COLS];
    const char *p = data, *end = data + len;
    long lineno = state->line;
    /* A UTF-8 byte order mark, as spreadsheets write at the start of a CSV file. */
    if (lineno == 0 && len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        p += 3;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        struct vg_str line = {p, (size_t)(le - p)};
        p = nl ? nl + 1 : end;
        lineno++;
        struct vg_str t = vg_str_trim(line);
        if (is_blank_or_comment(t))
            continue;
        if (t.len > VG_MAX_LINE) {
            struct vg_diag ld;
            vg_diag_clear(&ld);
            vg_diag_set(&ld, VG_ETOOBIG, "", "line longer than %d bytes", VG_MAX_LINE);
            if ((rc = invalid(&l, lineno, &ld)) != 0)
                goto out;
            continue;
        }
        if (state->format == 0) {
            state->format = 1;
            /* A header naming "type" and "value" columns makes the file CSV. */
            if (memchr(t.ptr, ',', t.len)) {
                free(buf);
                buf = vg_malloc(t.len + 1);
                if (!buf) {
                    rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
                    goto out;
                }
                int n = csv_split(t, buf, fields);
                for (int i = 0; i < n; i++) {
                    if (vg_str_eq_nocase(vg_str_trim(fields[i]), VG_STR("type")))
                        col_type = i;
                    else if (vg_str_eq_nocase(vg_str_trim(fields[i]), VG_STR("value")))
                        col_value = i;
                }
                if (col_type >= 0 && col_value >= 0) {
                    state->format = 2;
                    state->col_type = col_type;
                    state->col_value = col_value;
                    continue;
                }
            }
        }
        if (state->format == 2) {
            char *nb = vg_realloc(buf, t.len + 1);
            if (!nb) {
                rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
                goto out;
            }
            buf = nb;
            int n = csv_split(t, buf, fields);
            if (n <= col_type || n <= col_value) {
                struct vg_diag ld;
                vg_diag_clear(&ld);
                vg_diag_set(&ld, VG_EINVAL, "", n < 0 ? "bad CSV quoting" : "missing columns");
                if ((rc = invalid(&l, lineno, &ld)) != 0)
                    goto out;
                continue;
            }
            if ((rc = one_line(&l, lineno, vg_str_trim(fields[col_type]),
                               vg_str_trim(fields[col_value]))) != 0)
                goto out;
            continue;
        }
        /* TYPE VALUE */
        size_t i = 0;
        while (i < t.len && !isspace((unsigned char)t.ptr[i]))
            i++;
        struct vg_str type = {t.ptr, i};
        struct vg_str value = vg_str_trim((struct vg_str){t.ptr + i, t.len - i});
        if (value.len == 0) {
            struct vg_diag ld;
            vg_diag_clear(&ld);
            vg_diag_set(&ld, VG_EINVAL, "", "expected 'TYPE VALUE'");
            if ((rc = invalid(&l, lineno, &ld)) != 0)
                goto out;
            continue;
        }
        if ((rc = one_line(&l, lineno, type, value)) != 0)
            goto out;
    }
out:
    state->line = lineno;
    free(buf);
    return rc;
}
