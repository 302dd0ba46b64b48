/* Incident references: PREFIX-YEAR-NNNNNN ("VIG-2026-000042"), numbered from 1 each year. The
 * backend keeps the counter; the format is decided here, once for every backend. */
#ifndef VG_REFERENCE_H
#define VG_REFERENCE_H

#include <stddef.h>

#define VG_REFERENCE_LEN 64 /* bytes a reference needs, NUL included */

/* Writes the reference of the n-th incident of year under prefix into out (cap bytes, at
 * least VG_REFERENCE_LEN): the number is zero-padded to six digits and grows beyond them.
 * Returns 0, or -1 if n < 1 or it does not fit (out is then ""). */
int vg_reference_format(char *out, size_t cap, const char *prefix, int year, long long n);

/* The name of the counter that numbers the incidents of year ("incident:2026") into out (cap
 * bytes); -1 if it does not fit. */
int vg_reference_counter(char *out, size_t cap, int year);

#endif
