/* The inventory the matcher works on: assets (a product as a CPE 2.3 name with a concrete
 * version) of organisations, grouped by name so that each name is matched once. */
#ifndef VG_INVENTORY_H
#define VG_INVENTORY_H

#include <stddef.h>

#include "util/err.h"
#include "util/str.h"

/* The inventory: assets of organisations. An asset's CPE must name a part, vendor and
 * product without wildcards, and a concrete version (or "-"). Assets with the same name
 * share one "group", matched once. The matching functions refresh the inventory's lookup
 * lists when assets were added, so one inventory must not be matched from two threads at
 * once (the criteria index and the set, read-only, may be shared). */
struct vg_inventory;

struct vg_inventory *vg_inventory_new(void);
void vg_inventory_free(struct vg_inventory *inv);
/* Adds an asset of organisation org; returns its index (>= 0) or VG_EINVAL (d says why) or
 * VG_ENOMEM. Assets may be added at any time; indexes are stable. */
long vg_inventory_add(struct vg_inventory *inv, struct vg_str org, struct vg_str cpe,
                      struct vg_diag *d);
size_t vg_inventory_count(const struct vg_inventory *inv);
/* Organisation id and CPE (formatted string as given) of asset i. */
const char *vg_inventory_org(const struct vg_inventory *inv, size_t i);
const char *vg_inventory_cpe(const struct vg_inventory *inv, size_t i);

#endif
