/* Observables in free text (a mail, a report), including defanged forms, refanged and typed
 * by core's observable detection (core/observable.h): the one classifier and normal form. */
#ifndef VG_DEFANG_H
#define VG_DEFANG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/observable.h"
#include "util/err.h"
#include "util/str.h"

#define VG_DEFANG_MAX_ITEMS 1000 /* observables kept from one text (then truncated is set) */
#define VG_DEFANG_MAX_TOKEN 2048 /* a longer word is skipped */

/* The defanged forms undone (case-insensitive), the whole list:
 *   hxxp:// hxxps:// (also hXXp, and "[://]" after them)  -> http:// https://
 *   [.] (.) {.} [dot] (dot) {dot}                          -> .
 *   [:] [://]                                              -> :  ://
 *   [@] (@) {@} [at] (at)                                  -> @
 * A word is what lies between blanks and < > " ' `; leading ( [ { and trailing . , ; : ! ?
 * and unbalanced ) ] } are dropped; a trailing ":port" is dropped from an address or a host.
 * A bare domain (not defanged) counts when its last label is 2 to 24 letters and not a usual
 * file extension (report.pdf, setup.exe), and it is not prose with a missing blank (a
 * lower-case letter, a dot, an upper-case letter: "Mr.Smith", "end.Next"). Without a list of
 * top-level domains, "hello.world" is a domain (.world is one). */

struct vg_defang_item {
    enum vg_obs_type type;             /* core's type; vg_obs_type_name() gives its name */
    char value[VG_MAX_OBSERVABLE + 1]; /* core's normal form */
    bool defanged;                     /* the text had it in a defanged form */
};

struct vg_defang_list {
    struct vg_defang_item *items; /* in order of first appearance, no duplicates */
    size_t n;
    size_t cap;
    bool truncated; /* more than max observables: the rest were dropped */
};

/* Extracts the observables of text into list (zeroed first; vg_defang_list_cleanup it
 * whatever the result), at most max (0: VG_DEFANG_MAX_ITEMS). 0 or VG_ENOMEM. */
int vg_defang_extract(struct vg_str text, size_t max, struct vg_defang_list *list);

void vg_defang_list_cleanup(struct vg_defang_list *list);

/* Refangs one word into out (cap bytes, NUL-terminated). Returns the length, or -1 if it
 * does not fit; *changed says whether a defanged form was undone. */
long vg_defang_refang(struct vg_str word, char *out, size_t cap, bool *changed);

#endif
