/* Indicator files into the store. Each line becomes the indicator object a client would POST,
 * checked by the same rule, and chunks of them go to the store's idempotent import. */
#include "app/indicators.h"

#include <stdlib.h>
#include <string.h>

#include "core/record.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/mem.h"

/* One import under way. */
struct vg_indicators_import {
    struct vg_store *st;
    const struct vg_actor *who;
    const struct vg_indicators_options *o;
    const char *file;                   /* the default source */
    json_t *chunk;                      /* checked indicators not stored yet */
    struct vg_indicators_counts counts; /* the store's answers added up, lines rejected */
    struct vg_match_ioc_state state;    /* where the reading of the file stands */
    struct vg_match_ioc_counts lines;   /* its invalid lines */
    vg_match_ioc_error_fn on_error;     /* may be NULL */
    void *ctx;                          /* for on_error */
};

/* The indicator object of one line, as a client would POST it; NULL when out of memory (a
 * value that is not UTF-8 leaves "value" out). */
static json_t *indicator_of(const struct vg_indicators_options *o, const char *file,
                            enum vg_match_type t, struct vg_str value)
{
    unsigned long before = vg_mem_thread_failures();
    json_t *in = json_object();
    if (!in)
        return NULL;
    json_object_set_new(in, "type", json_string(vg_match_type_name(t)));
    json_object_set_new(in, "value", json_stringn(value.ptr, value.len));
    if (o->tlp)
        json_object_set_new(in, "tlp", json_string(o->tlp));
    json_object_set_new(in, "source", json_string(o->source ? o->source : file));
    if (o->confidence >= 0)
        json_object_set_new(in, "confidence", json_integer(o->confidence));
    /* a setter whose allocation failed left a field out: not an invalid line (it was
     * counted rejected, the import answering 0 with an indicator missing) */
    if (vg_mem_thread_failures() != before) {
        json_decref(in);
        return NULL;
    }
    return in;
}

/* Stores the chunk in one transaction and adds up the counts. */
static int store_chunk(struct vg_indicators_import *im, struct vg_diag *d)
{
    if (!json_array_size(im->chunk))
        return 0;
    json_t *out = NULL;
    int rc = vg_store_indicator_import(im->st, im->who, im->chunk, &out, d);
    if (!rc) {
        im->counts.added += json_integer_value(json_object_get(out, "added"));
        im->counts.updated += json_integer_value(json_object_get(out, "updated"));
        im->counts.unchanged += json_integer_value(json_object_get(out, "unchanged"));
    }
    json_decref(out);
    json_array_clear(im->chunk);
    return rc;
}

static int add_line(void *ctx, long line, enum vg_match_type t, struct vg_str value,
                    struct vg_diag *d)
{
    struct vg_indicators_import *im = ctx;
    (void)line;
    json_t *in = indicator_of(im->o, im->file, t, value), *ind = NULL;
    if (!in)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (!json_string_value(json_object_get(in, "value"))) {
        json_decref(in);
        return vg_diag_set(d, VG_EINVAL, "value", "value is not UTF-8");
    }
    struct vg_diag cd;
    vg_diag_clear(&cd);
    int rc = vg_indicator_check(in, VG_CHECK_PATCH, &ind, &cd);
    json_decref(in);
    if (rc == VG_ENOMEM)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (rc)
        return vg_diag_set(d, VG_EINVAL, cd.field, "invalid %s: %s", vg_match_type_name(t),
                           cd.message);
    if (json_array_append_new(im->chunk, ind) != 0)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (json_array_size(im->chunk) >= VG_IMPORT_CHUNK)
        return store_chunk(im, d);
    return 0;
}

int vg_indicators_options_check(const struct vg_indicators_options *o, struct vg_diag *d)
{
    json_t *probe = indicator_of(o, "x", VG_MATCH_DOMAIN, VG_STR("example.org")), *ok = NULL;
    if (!probe)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int rc = vg_indicator_check(probe, VG_CHECK_PATCH, &ok, d);
    json_decref(probe);
    json_decref(ok);
    return rc;
}

struct vg_indicators_import *vg_indicators_import_new(struct vg_store *st,
                                                      const struct vg_actor *who,
                                                      const struct vg_indicators_options *o,
                                                      const char *file,
                                                      vg_match_ioc_error_fn on_error, void *ctx)
{
    struct vg_indicators_import *im = vg_calloc(1, sizeof *im);
    if (!im)
        return NULL;
    *im = (struct vg_indicators_import){
        st, who, o, file, json_array(), {0, 0, 0, 0}, {0, 0, -1, -1}, {0, 0, 0}, on_error, ctx};
    if (!im->chunk) {
        free(im);
        return NULL;
    }
    return im;
}

int vg_indicators_import_feed(struct vg_indicators_import *im, const char *data, size_t len,
                              struct vg_diag *d)
{
    int rc = vg_match_iocs_each(&im->state, data, len, im->o->strict, add_line, im, im->on_error,
                                im->ctx, &im->lines, d);
    im->counts.rejected = (long long)im->lines.invalid;
    return rc;
}

int vg_indicators_import_long_line(struct vg_indicators_import *im, struct vg_diag *d)
{
    int rc =
        vg_match_iocs_long_line(&im->state, im->o->strict, im->on_error, im->ctx, &im->lines, d);
    im->counts.rejected = (long long)im->lines.invalid;
    return rc;
}

int vg_indicators_import_end(struct vg_indicators_import *im, struct vg_diag *d)
{
    return store_chunk(im, d);
}

struct vg_indicators_counts vg_indicators_import_counts(const struct vg_indicators_import *im)
{
    return im->counts;
}

void vg_indicators_import_free(struct vg_indicators_import *im)
{
    if (!im)
        return;
    json_decref(im->chunk);
    free(im);
}

int vg_indicators_import_text(struct vg_store *st, const struct vg_actor *who,
                              const struct vg_indicators_options *o, const char *file,
                              const char *data, size_t len, vg_match_ioc_error_fn on_error,
                              void *ctx, struct vg_indicators_counts *counts, struct vg_diag *d)
{
    memset(counts, 0, sizeof *counts);
    struct vg_indicators_import *im = vg_indicators_import_new(st, who, o, file, on_error, ctx);
    if (!im)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int rc = vg_indicators_import_feed(im, data, len, d);
    if (!rc)
        rc = vg_indicators_import_end(im, d);
    *counts = im->counts;
    vg_indicators_import_free(im);
    return rc;
}
