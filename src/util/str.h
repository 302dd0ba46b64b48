/* String slices: untrusted bytes travel as (ptr, len), never assumed NUL-terminated. */
#ifndef VG_STR_H
#define VG_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct vg_str {
    const char *ptr; /* first byte; may be NULL when len == 0 */
    size_t len;      /* number of bytes */
};

#define VG_STR(lit) ((struct vg_str){(lit), sizeof(lit) - 1})

static inline struct vg_str vg_str_c(const char *s)
{
    return (struct vg_str){s, s ? strlen(s) : 0};
}

bool vg_str_eq(struct vg_str a, struct vg_str b);
bool vg_str_eq_nocase(struct vg_str a, struct vg_str b);
bool vg_str_has_prefix(struct vg_str s, struct vg_str prefix);
struct vg_str vg_str_trim(struct vg_str s);
/* The value of a hexadecimal digit (either case), or -1. */
int vg_hex_digit(char c);
/* Parses a decimal unsigned integer in [min, max]; the whole slice must be digits. */
int vg_str_to_u64(struct vg_str s, unsigned long long min, unsigned long long max,
                  unsigned long long *out);
/* Length (1 to 4) of the valid UTF-8 sequence that starts at p, with avail >= 1 bytes
 * readable; 0 if it is invalid (overlong, surrogate, above U+10FFFF) or truncated. */
size_t vg_utf8_len(const unsigned char *p, size_t avail);
/* Copies into a NUL-terminated buffer of size cap; returns -1 if it does not fit. */
int vg_str_copy(struct vg_str s, char *dst, size_t cap);

#endif
