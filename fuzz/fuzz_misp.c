/* libFuzzer target of MISP's JSON (src/share/misp.c, src/share/jscan.c). Every input is read;
 * a failure must be VG_EINVAL with a JSON pointer and a byte offset inside the input. What was
 * read is written back as one event through the writer (items without a usable uuid get one)
 * and read again: the writer must accept it, and the number of items must not change. The
 * scanner must accept whatever jansson accepts within the nesting limit. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/jscan.h"
#include "share/misp.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/uuid.h"

struct acc {
    json_t *items;
    size_t n;
};

/* The reader builds items with jansson's unchecked constructors: each must still dump (jansson
 * refuses a string that is not UTF-8). */
static void dumps_or_abort(const json_t *j)
{
    char *s = json_dumps(j, 0);
    if (!s)
        abort();
    free(s);
}

static int on_container(void *ctx, const json_t *c)
{
    (void)ctx;
    if (!json_is_object(c) || !json_is_string(json_object_get(c, "pointer")))
        abort();
    dumps_or_abort(c);
    return 0;
}

static int on_item_json(void *ctx, const json_t *it)
{
    struct acc *a = ctx;
    const char *type = json_string_value(json_object_get(it, "type"));
    const char *value = json_string_value(json_object_get(it, "value"));
    if (!type || !value || !*value || !json_is_string(json_object_get(it, "pointer")))
        abort();
    a->n++;
    dumps_or_abort(it);
    if (a->items) {
        json_t *c = json_deep_copy(it);
        json_object_del(c, "pointer");
        json_object_del(c, "container");
        const char *u = json_string_value(json_object_get(c, "uuid"));
        if (!u || !vg_uuid_valid(u, strlen(u))) {
            char name[32], id[VG_UUID_LEN + 1];
            int n = snprintf(name, sizeof name, "fuzz-%zu", a->n);
            vg_uuid5(vg_uuid_ns_vigie, name, (size_t)n, id);
            json_object_set_new(c, "uuid", json_string(id));
        }
        json_array_append_new(a->items, c);
    }
    return 0;
}

/* The sink gets C items (share/share.h): checked in their item form. A string that is not
 * UTF-8 makes vg_share_item_json fail. */
static int on_item(void *ctx, const struct vg_share_item *item)
{
    json_t *j = vg_share_item_json(item);
    if (!j)
        abort();
    int rc = on_item_json(ctx, j);
    json_decref(j);
    return rc;
}

static int on_skip(void *ctx, const char *ptr, const char *what, const char *why)
{
    (void)ctx;
    if (!ptr || !what || !why)
        abort();
    json_t *j = json_pack("[s,s,s]", ptr, what, why); /* NULL if one is not UTF-8 */
    if (!j)
        abort();
    json_decref(j);
    return 0;
}

static void scanner_vs_jansson(const char *data, size_t size)
{
    json_t *j = json_loadb(data, size, JSON_DECODE_ANY, NULL);
    if (!j)
        return;
    json_decref(j);
    int depth = vg_json_depth(data, size);
    if (depth < 0 || depth > VG_MAX_JSON_DEPTH)
        return;
    struct vg_jscan s;
    vg_jscan_init(&s, data, size);
    if (vg_jscan_value(&s, NULL) != 0 || vg_jscan_peek(&s) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    scanner_vs_jansson((const char *)data, size);
    struct acc a = {json_array(), 0};
    struct vg_share_sink sink = {&a, on_container, on_item, on_skip};
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc = vg_misp_read((const char *)data, size, &sink, &d);
    if (rc != 0 && (rc != VG_EINVAL || d.offset < 0 || (size_t)d.offset > size))
        abort();
    json_t *doc = json_pack("{s:s, s:s, s:s, s:O}", "kind", "indicators", "uuid",
                            "4f3c2d1e-0000-5000-8000-000000000001", "created",
                            "2026-12-01T00:00:00Z", "items", a.items);
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_BUF);
    if (!doc || vg_misp_write(doc, &b, &d) != 0)
        abort();
    struct acc again = {NULL, 0};
    sink.ctx = &again;
    if (vg_misp_read(b.data, b.len, &sink, &d) != 0 || again.n != json_array_size(a.items))
        abort();
    vg_buf_cleanup(&b);
    json_decref(doc);
    json_decref(a.items);
    return 0;
}
