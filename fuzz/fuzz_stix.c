/* libFuzzer target: the STIX 2.1 reader (share/stix.c). Every item the sink gets is checked
 * (a supported type, a value, a pointer); the items read are then written as a bundle by
 * vg_stix_write, and what vigie writes, vigie must read again without error. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "share/stix.h"
#include "util/buf.h"
#include "util/json.h"

static const char *const types[] = {"ipv4-addr",  "ipv6-addr", "domain-name", "url",
                                    "email-addr", "md5",       "sha1",        "sha256"};

static int on_item_json(void *ctx, const json_t *item)
{
    const char *type = vg_json_str(item, "type");
    bool known = false;
    for (size_t i = 0; type && i < sizeof types / sizeof types[0]; i++)
        known = known || strcmp(type, types[i]) == 0;
    if (!known || !vg_json_str(item, "value") || !vg_json_str(item, "pointer") ||
        !vg_json_str(item, "uuid"))
        abort();
    json_t *copy = json_deep_copy(item);
    json_object_del(copy, "pointer");
    json_object_del(copy, "container");
    json_object_del(copy, "valid_until");
    json_array_append_new((json_t *)ctx, copy);
    return 0;
}

static int on_container(void *ctx, const json_t *c)
{
    (void)ctx;
    if (!vg_json_str(c, "kind") || !vg_json_str(c, "pointer"))
        abort();
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

static int on_skip(void *ctx, const char *pointer, const char *what, const char *why)
{
    (void)ctx;
    if (!pointer || !what || !why)
        abort();
    return 0;
}

static int count(void *ctx, const struct vg_share_item *item)
{
    (void)item;
    ++*(long *)ctx;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *items = json_array();
    struct vg_share_sink sink = {items, on_container, on_item, on_skip};
    struct vg_diag d;
    int rc = vg_stix_read((const char *)data, size, &sink, &d);
    if (rc != 0 && rc != VG_EINVAL && rc != VG_ENOMEM && rc != VG_ETOOBIG)
        abort();
    if (json_array_size(items)) {
        json_t *doc = json_pack("{s:s,s:s,s:{s:s,s:s},s:s,s:O}", "kind", "indicators", "uuid",
                                "7d0e3c1a-2b4f-4a6e-8c9d-0e1f2a3b4c5d", "producer", "name", "f",
                                "uuid", "0f5c2a34-8b1e-4d2a-9e3f-1a2b3c4d5e6f", "created",
                                "2026-01-01T00:00:00Z", "items", items);
        struct vg_buf out;
        vg_buf_init(&out, 1 << 24);
        if (vg_stix_write(doc, &out, &d) == 0) {
            long n = 0;
            struct vg_share_sink again = {&n, NULL, count, NULL};
            if (vg_stix_read(out.data, out.len, &again, &d) != 0)
                abort(); /* our own bundle must read */
        }
        vg_buf_cleanup(&out);
        json_decref(doc);
    }
    json_decref(items);
    return 0;
}
