/* UUIDs: name-based version 5 (RFC 9562: SHA-1 of a namespace and a name), the form STIX 2.1
 * requires for the ids of cyber-observable objects and that vigie uses for every exported
 * object, so that the same object exports with the same id every time; and random version 4. */
#ifndef VG_UUID_H
#define VG_UUID_H

#include <stdbool.h>
#include <stddef.h>

#define VG_UUID_LEN 36 /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */

/* The namespace of STIX 2.1 cyber-observable ids (STIX 2.1 section 2.9). */
extern const unsigned char vg_uuid_ns_stix[16];
/* vigie's own namespace, for the ids of what it exports (incidents, indicators, sightings). */
extern const unsigned char vg_uuid_ns_vigie[16];

/* The version 5 UUID of name (len bytes) in namespace ns, lower-case, NUL-terminated. */
void vg_uuid5(const unsigned char ns[16], const char *name, size_t len, char out[VG_UUID_LEN + 1]);
/* A random version 4 UUID. */
void vg_uuid4(char out[VG_UUID_LEN + 1]);
/* Reads a UUID in the 8-4-4-4-12 form (either case): 0 and out, or -1. */
int vg_uuid_parse(const char *s, size_t len, unsigned char out[16]);
/* True if s (len bytes) is a UUID in the 8-4-4-4-12 form. */
bool vg_uuid_valid(const char *s, size_t len);

#endif
