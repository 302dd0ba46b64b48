/* CPE 2.3 names (NISTIR 7695) and name matching (NISTIR 7696): a well-formed name (WFN) as
 * eleven attributes, read from a formatted string (`cpe:2.3:...`) or a 2.2 URI (`cpe:/...`),
 * written back as either, and compared attribute by attribute. */
#ifndef VG_CPE_H
#define VG_CPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/str.h"

/* The attributes of a WFN, in the order of the formatted string. */
enum vg_cpe_attr {
    VG_CPE_PART,
    VG_CPE_VENDOR,
    VG_CPE_PRODUCT,
    VG_CPE_VERSION,
    VG_CPE_UPDATE,
    VG_CPE_EDITION,
    VG_CPE_LANGUAGE,
    VG_CPE_SW_EDITION,
    VG_CPE_TARGET_SW,
    VG_CPE_TARGET_HW,
    VG_CPE_OTHER,
    VG_CPE_NATTR
};

/* What an attribute holds: the logical values ANY and NA, or a string. */
enum vg_cpe_kind { VG_CPE_ANY = 0, VG_CPE_NA = 1, VG_CPE_VALUE = 2 };

/* A WFN. Values are in WFN form: printable characters other than letters, digits and `_` are
 * quoted with `\`; an unquoted `*` or run of `?` at either end is a wildcard. They live in
 * `text` (not owned), each NUL-terminated, at off[i] with length len[i]. */
struct vg_cpe {
    const char *text;           /* the values, NUL-separated; not owned */
    uint16_t off[VG_CPE_NATTR]; /* offset of attribute i's value in text */
    uint16_t len[VG_CPE_NATTR]; /* its length in bytes */
    uint8_t kind[VG_CPE_NATTR]; /* enum vg_cpe_kind */
};

/* A WFN with room for its own text: what the parsers fill. */
struct vg_cpe_name {
    struct vg_cpe cpe;              /* cpe.text points at text below */
    char text[2 * VG_MAX_CPE + 32]; /* worst case: every character quoted */
};

/* Relation of a source to a target, per attribute or for whole names (NISTIR 7696).
 * VG_CPE_UNDEFINED: the target holds a wildcard, or (whole names) the attributes disagree. */
enum vg_cpe_rel { VG_CPE_DISJOINT, VG_CPE_SUBSET, VG_CPE_SUPERSET, VG_CPE_EQUAL, VG_CPE_UNDEFINED };

/* Parses a formatted string or, when it starts with "cpe:/", a 2.2 URI (packed edition `~`
 * included) into name. Returns 0, or VG_EINVAL with d naming the byte offset (d->offset) and
 * the attribute (d->field). Input longer than VG_MAX_CPE is refused with VG_ETOOBIG. */
int vg_cpe_parse(struct vg_str in, struct vg_cpe_name *name, struct vg_diag *d);
/* The same for one syntax only. */
int vg_cpe_parse_fs(struct vg_str in, struct vg_cpe_name *name, struct vg_diag *d);
int vg_cpe_parse_uri(struct vg_str in, struct vg_cpe_name *name, struct vg_diag *d);

/* Sets attribute a of name from a WFN-form value ("<ANY>" and "<NA>" name the logical
 * values). Checks the value as the parsers do. Returns 0 or VG_EINVAL / VG_ETOOBIG. */
int vg_cpe_set(struct vg_cpe_name *name, enum vg_cpe_attr a, struct vg_str wfn_value,
               struct vg_diag *d);
/* Resets name to all-ANY. */
void vg_cpe_clear(struct vg_cpe_name *name);

/* Attribute a's value (empty slice for ANY and NA). */
struct vg_str vg_cpe_value(const struct vg_cpe *c, enum vg_cpe_attr a);
/* "part:vendor:product" of c, lower case, quoting kept (exact names): the key under which
 * criteria and assets of one product meet in the matcher's index and the store's
 * vuln_product. Written to out (cap bytes, NUL-terminated), its length in *len; false when
 * part, vendor or product is not a plain value (ANY, NA, a wildcard) or out is too small. */
bool vg_cpe_product_key(const struct vg_cpe *c, char *out, size_t cap, size_t *len);
/* Name of attribute a as in NISTIR 7695 ("sw_edition"). */
const char *vg_cpe_attr_name(enum vg_cpe_attr a);

/* Appends the formatted-string binding (`cpe:2.3:` and 11 components) to out. */
int vg_cpe_write_fs(const struct vg_cpe *c, struct vg_buf *out);
/* Appends the 2.2 URI binding (edition packed with `~` when needed) to out. */
int vg_cpe_write_uri(const struct vg_cpe *c, struct vg_buf *out);
/* Appends {"part":...,"vendor":...} with values in WFN form and "<ANY>"/"<NA>". */
int vg_cpe_write_json(const struct vg_cpe *c, struct vg_buf *out);
/* Appends value v of a WFN with quoting removed (`8\.0` -> `8.0`), e.g. for a version. */
int vg_cpe_unquote(struct vg_str v, struct vg_buf *out);

/* NISTIR 7696 attribute comparison (case-insensitive; wildcards in the source only). */
enum vg_cpe_rel vg_cpe_compare_attr(const struct vg_cpe *src, const struct vg_cpe *tgt,
                                    enum vg_cpe_attr a);
/* Whole-name relation: DISJOINT if any attribute is; EQUAL if all are; SUBSET (SUPERSET) if
 * all are SUBSET (SUPERSET) or EQUAL; otherwise UNDEFINED. */
enum vg_cpe_rel vg_cpe_compare(const struct vg_cpe *src, const struct vg_cpe *tgt);
/* "DISJOINT", "SUBSET", "SUPERSET", "EQUAL" or "UNDEFINED". */
const char *vg_cpe_rel_name(enum vg_cpe_rel r);

/* Does WFN value v contain an unquoted `*` or `?`. */
bool vg_cpe_has_wildcard(struct vg_str v);
/* Matches WFN value pattern (wildcards allowed at its ends) against WFN value target,
 * ignoring case: true when the pattern denotes a superset of, or equals, the target. */
bool vg_cpe_glob(struct vg_str pattern, struct vg_str target);

#endif
