/* Items in C form (share/share.h) to and from the item form in jansson: for the tests, the
 * fuzz targets and the readers that parse into jansson anyway (STIX). */
#include "share/share.h"

#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/mem.h"

static void put(json_t *o, const char *key, const char *v)
{
    if (v)
        json_object_set_new(o, key, json_string(v));
}

json_t *vg_share_item_json(const struct vg_share_item *it)
{
    unsigned long before = vg_mem_thread_failures();
    json_t *o = json_object();
    put(o, "pointer", it->pointer);
    put(o, "container", it->container);
    put(o, "uuid", it->uuid);
    put(o, "type", it->type);
    if (it->value)
        json_object_set_new(o, "value", json_stringn(it->value, it->value_len));
    put(o, "tlp", it->tlp);
    put(o, "source", it->source);
    put(o, "comment", it->comment);
    if (it->confidence >= 0)
        json_object_set_new(o, "confidence", json_integer(it->confidence));
    if (it->ntags) {
        json_t *t = json_array();
        for (size_t i = 0; i < it->ntags; i++)
            json_array_append_new(t, json_string(it->tags[i]));
        json_object_set_new(o, "tags", t);
    }
    put(o, "first_seen", it->first_seen);
    put(o, "last_seen", it->last_seen);
    put(o, "created", it->created);
    put(o, "updated", it->updated);
    json_object_set_new(o, "to_ids", json_boolean(it->to_ids));
    put(o, "misp_type", it->misp_type);
    if (it->nsightings) {
        json_t *a = json_array();
        for (size_t i = 0; i < it->nsightings; i++) {
            const struct vg_share_sighting *s = &it->sightings[i];
            json_t *x = json_object();
            put(x, "uuid", s->uuid);
            put(x, "seen", s->seen);
            json_object_set_new(x, "count", json_integer(s->count));
            put(x, "source", s->source);
            put(x, "tlp", s->tlp);
            json_array_append_new(a, x);
        }
        json_object_set_new(o, "sightings", a);
    }
    if (!o || vg_mem_thread_failures() != before) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int vg_share_item_from_json(const json_t *j, struct vg_share_item *it,
                            struct vg_share_item_room *room)
{
    const json_t *tags = json_object_get(j, "tags"), *sl = json_object_get(j, "sightings");
    const json_t *conf = json_object_get(j, "confidence"), *v = json_object_get(j, "value");
    size_t nt = json_array_size(tags), ns = json_array_size(sl);
    if (nt > room->tags_cap) {
        const char **t = vg_realloc(room->tags, nt * sizeof *t);
        if (!t)
            return VG_ENOMEM;
        room->tags = t;
        room->tags_cap = nt;
    }
    if (ns > room->sightings_cap) {
        struct vg_share_sighting *s = vg_realloc(room->sightings, ns * sizeof *s);
        if (!s)
            return VG_ENOMEM;
        room->sightings = s;
        room->sightings_cap = ns;
    }
    *it = (struct vg_share_item){
        .pointer = vg_json_str(j, "pointer"),
        .container = vg_json_str(j, "container"),
        .uuid = vg_json_str(j, "uuid"),
        .type = vg_json_str(j, "type"),
        .value = json_string_value(v),
        .value_len = json_is_string(v) ? json_string_length(v) : 0,
        .tlp = vg_json_str(j, "tlp"),
        .source = vg_json_str(j, "source"),
        .comment = vg_json_str(j, "comment"),
        .confidence = json_is_integer(conf) && json_integer_value(conf) >= 0 &&
                              json_integer_value(conf) <= 100
                          ? (int)json_integer_value(conf)
                          : -1,
        .tags = room->tags,
        .first_seen = vg_json_str(j, "first_seen"),
        .last_seen = vg_json_str(j, "last_seen"),
        .created = vg_json_str(j, "created"),
        .updated = vg_json_str(j, "updated"),
        .to_ids = !json_is_false(json_object_get(j, "to_ids")),
        .misp_type = vg_json_str(j, "misp_type"),
        .sightings = room->sightings,
    };
    for (size_t i = 0; i < nt; i++) {
        const char *t = json_string_value(json_array_get(tags, i));
        if (t)
            room->tags[it->ntags++] = t;
    }
    for (size_t i = 0; i < ns; i++) {
        const json_t *s = json_array_get(sl, i), *cnt = json_object_get(s, "count");
        room->sightings[it->nsightings++] =
            (struct vg_share_sighting){vg_json_str(s, "uuid"), vg_json_str(s, "seen"),
                                       json_is_integer(cnt) ? (long long)json_integer_value(cnt)
                                                            : 1,
                                       vg_json_str(s, "source"), vg_json_str(s, "tlp")};
    }
    return 0;
}

void vg_share_item_room_cleanup(struct vg_share_item_room *room)
{
    free(room->tags);
    free(room->sightings);
    *room = (struct vg_share_item_room){NULL, 0, NULL, 0};
}
