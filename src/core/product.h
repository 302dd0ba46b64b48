/* The product-name key: which products a CVE may concern, by their vendor and product names
 * normalised ("Microsoft" / ".NET" -> "microsoft:net"). One rule for every path that compares
 * names: the CVE 5 reader, the matcher's inventory, the store's org_product rows and the
 * selection of what to re-match after an import or an organisation's change. Pure. */
#ifndef VG_PRODUCT_H
#define VG_PRODUCT_H

#include <stddef.h>

#include "util/limits.h"
#include "util/str.h"

/* Longest normalised name, and longest key ("vendor:product"), without the NUL. */
#define VG_PRODUCT_NAME_MAX (VG_MAX_NAME - 1)
#define VG_PRODUCT_KEY_MAX  (2 * VG_PRODUCT_NAME_MAX + 1)

/* How a name is written. */
enum vg_product_form {
    VG_PRODUCT_PLAIN,  /* as a CVE 5 record gives it: every character stands for itself */
    VG_PRODUCT_QUOTED, /* a CPE 2.3 value (WFN or formatted string): "\x" is the character x,
                          an unquoted '*' or '?' a wildcard */
};

/* Normalises one name into out (cap > VG_PRODUCT_NAME_MAX bytes, NUL-terminated): letters
 * and digits kept, lower case; each run of other characters between two of them written as
 * one '_'; runs at the start or the end dropped (".NET" -> "net", "widget_pro\+" ->
 * "widget_pro", "Big  Suite" -> "big_suite"). At most VG_PRODUCT_NAME_MAX bytes: the rest
 * of a longer name is dropped. Returns the length, or -1 when a quoted name holds a
 * wildcard (it names no one product) or cap is too small. */
long vg_product_name(struct vg_str name, enum vg_product_form form, char *out, size_t cap);

/* The key of a (vendor, product) pair: both names normalised, joined by ':'. out holds
 * cap > VG_PRODUCT_KEY_MAX bytes. Returns the length, or -1 (a wildcard, cap too small). */
long vg_product_key(struct vg_str vendor, struct vg_str product, enum vg_product_form form,
                    char *out, size_t cap);

/* The key of the vendor and product of CPE 2.3 formatted string cpe ("cpe:2.3:a:v:p:..."),
 * as vg_product_key of its quoted values. -1 when cpe is not a formatted string, or when
 * its vendor or product is ANY, NA or holds a wildcard. */
long vg_product_key_cpe23(const char *cpe, char *out, size_t cap);

#endif
