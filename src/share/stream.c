/* The items of a jansson document as C records (share/stream.h): what lets vg_misp_write and
 * vg_stix_write be thin adapters over the streaming writers, each item checked for its JSON
 * types as its writer always checked it. */
#include "share/stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/mem.h"

static int item_fail(size_t i, const char *field, const char *msg, struct vg_diag *d)
{
    char ptr[96];
    snprintf(ptr, sizeof ptr, "/items/%zu%s", i, field);
    return vg_diag_set(d, VG_EINVAL, ptr, "%s", msg);
}

/* A member of o that is not null, or NULL. */
static const json_t *member(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return v && !json_is_null(v) ? v : NULL;
}

/* A string member: its value, NULL when absent; *bad when it is there but not a string. */
static const char *str_member(const json_t *o, const char *key, bool *bad)
{
    const json_t *v = member(o, key);
    if (v && !json_is_string(v))
        *bad = true;
    return json_string_value(v);
}

static int convert_sightings(struct vg_share_doc_items *it, size_t i, const json_t *ss,
                             struct vg_diag *d)
{
    size_t n = json_array_size(ss);
    if (vg_grow((void **)&it->sightings, &it->sightings_cap, n, sizeof *it->sightings, 4) < 0)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    for (size_t k = 0; k < n; k++) {
        const json_t *s = json_array_get(ss, k);
        struct vg_share_sighting *o = &it->sightings[k];
        bool bad = false;
        char f[48];
        snprintf(f, sizeof f, "/sightings/%zu", k);
        o->uuid = str_member(s, "uuid", &bad);
        o->source = str_member(s, "source", &bad);
        bad = false;
        o->seen = str_member(s, "seen", &bad);
        if (bad && it->strict)
            return item_fail(i, f, "seen must be an RFC 3339 date-time", d);
        bad = false;
        o->tlp = str_member(s, "tlp", &bad);
        if (bad && it->strict)
            return item_fail(i, f, "tlp must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED", d);
        const json_t *cnt = member(s, "count");
        o->count = -1;
        if (cnt && json_is_integer(cnt) && json_integer_value(cnt) >= 0)
            o->count = (long long)json_integer_value(cnt);
        else if (cnt && it->strict)
            return item_fail(i, f, "count must be an integer from 0 to 999999999", d);
    }
    it->item.sightings = n ? it->sightings : NULL;
    it->item.nsightings = n;
    return 0;
}

static int convert(struct vg_share_doc_items *it, size_t i, const json_t *o, struct vg_diag *d)
{
    bool strict = it->strict, bad = false;
    struct vg_share_item *x = &it->item;
    memset(x, 0, sizeof *x);
    if (!json_is_object(o))
        return item_fail(i, "", strict ? "an item must be an object" : "the item is not an object",
                         d);
    x->uuid = json_string_value(member(o, "uuid"));
    x->type = json_string_value(member(o, "type"));
    const json_t *v = member(o, "value");
    x->value = json_string_value(v);
    x->value_len = x->value ? json_string_length(v) : 0;
    x->tlp = str_member(o, "tlp", &bad);
    if (bad && strict)
        return item_fail(i, "/tlp", "tlp must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED", d);
    x->source = json_string_value(member(o, "source"));
    x->comment = json_string_value(member(o, "comment"));
    x->misp_type = json_string_value(member(o, "misp_type"));
    static const struct {
        const char *key;
        size_t off;
    } times[] = {
        {"created", offsetof(struct vg_share_item, created)},
        {"updated", offsetof(struct vg_share_item, updated)},
        {"first_seen", offsetof(struct vg_share_item, first_seen)},
        {"last_seen", offsetof(struct vg_share_item, last_seen)},
    };
    for (size_t k = 0; k < sizeof times / sizeof times[0]; k++) {
        bad = false;
        const char *t = str_member(o, times[k].key, &bad);
        /* MISP's writer always refused a created or updated that is not a string */
        if (bad && (strict || k < 2)) {
            char f[32], msg[64];
            snprintf(f, sizeof f, "/%s", times[k].key);
            snprintf(msg, sizeof msg,
                     strict ? "%s must be an RFC 3339 date-time"
                            : "%s is not an RFC 3339 date-time",
                     times[k].key);
            return item_fail(i, f, msg, d);
        }
        memcpy((char *)x + times[k].off, &t, sizeof t);
    }
    const json_t *conf = member(o, "confidence");
    x->confidence = -1;
    if (conf && json_is_integer(conf) && json_integer_value(conf) >= 0 &&
        json_integer_value(conf) <= 100)
        x->confidence = (int)json_integer_value(conf);
    else if (conf && strict)
        return item_fail(i, "/confidence", "confidence must be an integer from 0 to 100", d);
    const json_t *tags = member(o, "tags");
    if (tags && !json_is_array(tags) && strict)
        return item_fail(i, "/tags", "tags must be an array of strings", d);
    size_t nt = json_array_size(tags), n = 0;
    if (vg_grow((void **)&it->tags, &it->tags_cap, nt, sizeof *it->tags, 4) < 0)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    for (size_t k = 0; k < nt; k++) {
        const json_t *t = json_array_get(tags, k);
        if (json_is_string(t) && (!strict || json_string_length(t)))
            it->tags[n++] = json_string_value(t);
        else if (strict)
            return item_fail(i, "/tags", "tags must be an array of non-empty strings", d);
    }
    x->tags = n ? it->tags : NULL;
    x->ntags = n;
    const json_t *ids = member(o, "to_ids");
    if (ids && !json_is_boolean(ids) && strict)
        return item_fail(i, "/to_ids", "to_ids must be a boolean", d);
    x->to_ids = !json_is_false(ids);
    const json_t *ss = member(o, "sightings");
    if (ss && !json_is_array(ss))
        return item_fail(i, "/sightings",
                         strict ? "sightings must be an array" : "sightings is not an array", d);
    return convert_sightings(it, i, ss, d);
}

static int doc_next(void *ctx, const struct vg_share_item **item, struct vg_diag *d)
{
    struct vg_share_doc_items *it = ctx;
    if (it->i >= json_array_size(it->items))
        return 0;
    size_t i = it->i++;
    int rc = convert(it, i, json_array_get(it->items, i), d);
    if (rc)
        return rc;
    *item = &it->item;
    return 1;
}

void vg_share_doc_items_init(struct vg_share_doc_items *it, const json_t *items, bool strict,
                             struct vg_share_items *out)
{
    memset(it, 0, sizeof *it);
    it->items = json_is_array(items) ? items : NULL;
    it->strict = strict;
    *out = (struct vg_share_items){it, doc_next, json_array_size(it->items)};
}

void vg_share_doc_items_cleanup(struct vg_share_doc_items *it)
{
    free(it->tags);
    free(it->sightings);
    it->tags = NULL;
    it->sightings = NULL;
}
