/* Untrusted bytes as a message shows them: control characters, backslashes and bytes that
 * are not UTF-8 escaped, so that a name given on the command line or read from a file
 * cannot drive the terminal, and values cut at a few hundred bytes with their length. */
#ifndef VG_SHOWN_H
#define VG_SHOWN_H

#include <stddef.h>

#include "util/limits.h"
#include "util/str.h"

/* The most bytes shown of one value: a file name, a diagnostic's whole message (256). */
#define VG_SHOWN_ROOM 1024

/* Room for VG_SHOWN_ROOM bytes escaped (4 characters each at most) and the cut mark. */
struct vg_shown {
    char text[VG_SHOWN_ROOM * 4 + 32];
};

/* Writes s into out->text and returns it: \n \r \t \\ as written in C, other bytes below
 * 0x20, 0x7f, the C1 controls (U+0080 to U+009F) and bytes that are not UTF-8 as \xNN. Past
 * max bytes of s (0: VG_MAX_SHOWN, a value; at most VG_SHOWN_ROOM, a file name) the rest is
 * cut, at a character boundary, and "...(N bytes)" says how long s was. */
const char *vg_shown(struct vg_str s, size_t max, struct vg_shown *out);
/* A diagnostic's message (which may quote a value) as vg_shown shows it, cut at VG_SHOWN_ROOM
 * bytes, its backslashes left as they are (they are the message's own). */
const char *vg_shown_msg(const char *msg, struct vg_shown *out);

#endif
