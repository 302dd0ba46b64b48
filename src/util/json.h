/* JSON helpers over jansson: bounded parsing with a depth limit and a located error, field
 * checks that name the offending field, and small accessors. */
#ifndef VG_JSON_H
#define VG_JSON_H

#include <jansson.h>

#include "util/buf.h"
#include <stdbool.h>

#include "util/err.h"

/* Parses len bytes as one JSON value. Rejects nesting deeper than VG_MAX_JSON_DEPTH,
 * duplicate keys and NUL bytes. On error returns NULL and fills d (line, offset, message);
 * errno is then ENOMEM when memory ran out (message "out of memory"), EINVAL otherwise. */
json_t *vg_json_parse(const char *data, size_t len, struct vg_diag *d);
/* json_loadb with the allocation failure hook held off (util/mem.h): jansson's reader does
 * not survive a failed allocation (an assertion, a double free), so a test that fails the nth
 * allocation must not reach inside it. Every parse of src/ goes through here or above. */
json_t *vg_json_loadb(const char *data, size_t len, size_t flags, json_error_t *err);
/* Depth of the deepest array/object nesting in data (strings skipped); -1 if unbalanced. */
int vg_json_depth(const char *data, size_t len);
/* Fails with VG_EINVAL naming the first key of obj that is not in allowed (NULL-terminated). */
int vg_json_check_fields(const json_t *obj, const char *const *allowed, const char *prefix,
                         struct vg_diag *d);
/* The string at key, or NULL if absent or not a string. */
const char *vg_json_str(const json_t *obj, const char *key);
/* Serialises compactly; caller frees. */
char *vg_json_dump(const json_t *v);
/* Writes v into b as compact JSON: members in their order, strings escaped by
 * vg_buf_put_json, reals with 15 significant digits (9.8, not 9.8000000000000007; a real
 * that looks whole gets ".0"), at most VG_MAX_JSON_DEPTH deep. What json_dumps(JSON_COMPACT |
 * JSON_REAL_PRECISION(15)) writes, about 4 times faster (bench/advisory: a CSAF document of
 * 15 KB in about 20 us against 90 us): the published site writes thousands of documents.
 * 0; VG_ENOMEM or VG_ETOOBIG when b fails; VG_EINVAL when v is nested too deep. */
int vg_json_write(struct vg_buf *b, const json_t *v);

#endif
