/* The Reference Security Incident Taxonomy (RSIT, TF-CSIRT / ENISA): incident classes and
 * their types, with RSIT's own machine names. */
#ifndef VG_RSIT_H
#define VG_RSIT_H

#include <stdbool.h>
#include <stddef.h>

struct vg_rsit_class {
    const char *name;         /* e.g. "malicious-code" */
    const char *label;        /* e.g. "Malicious Code" */
    const char *const *types; /* NULL-terminated, e.g. "infected-system" */
};

extern const struct vg_rsit_class vg_rsit_classes[];
extern const size_t vg_rsit_nclasses;

/* The class entry of that name, or NULL. */
const struct vg_rsit_class *vg_rsit_class_find(const char *name);
/* True if type is one of class's types. */
bool vg_rsit_valid(const char *class_name, const char *type);

#endif
