/* Sorting and binary search over arrays that may be empty.
 *
 * qsort and bsearch are declared with a non-null base even when there are no elements: an
 * empty vector (a NULL base, count 0) passed to them is undefined behaviour, which UBSan
 * reports. Every sort and search in src/ goes through these (scripts/banned.sh). */
#ifndef VG_UTIL_SORT_H
#define VG_UTIL_SORT_H

#include <stdlib.h>

/* Sorts n elements of sz bytes at base with cmp; base may be NULL when n < 2. */
static inline void vg_sort(void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, sz, cmp);
}

/* The element of base[0..n) that cmp finds equal to key, or NULL; base may be NULL when n is
 * 0. */
static inline void *vg_search(const void *key, const void *base, size_t n, size_t sz,
                              int (*cmp)(const void *, const void *))
{
    return n ? bsearch(key, base, n, sz, cmp) : NULL;
}

#endif
