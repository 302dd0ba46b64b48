/* The one door to the heap: every allocation of src/ goes through these wrappers (and
 * jansson's and SQLite's too, see mem.c and store/sqlite.c), so that a test can make the
 * nth allocation fail and check what the code does then (SQLite's malloc tests). Free with
 * free(). */
#ifndef VG_MEM_H
#define VG_MEM_H

#include <stddef.h>

/* malloc, calloc, realloc, strdup and strndup, failing (NULL, errno ENOMEM) when the test
 * hook says so. Off, the hook costs one relaxed atomic load per call. */
void *vg_malloc(size_t n);
void *vg_calloc(size_t count, size_t size);
void *vg_realloc(void *p, size_t n);
char *vg_strdup(const char *s);
char *vg_strndup(const char *s, size_t n);

/* Grows the array *p of *cap elements of elem bytes to hold at least need, doubling from
 * first (or from *cap); *p and *cap are left as they were on failure. 0, or VG_ENOMEM (also
 * when the size would overflow). */
int vg_grow(void **p, size_t *cap, size_t need, size_t elem, size_t first);

/* Allocations of the calling thread that failed so far (for real or by the hook). A builder
 * that ignores the result of each small allocation (jansson's setters) compares it before and
 * after, and reports out of memory rather than an incomplete result. */
unsigned long vg_mem_thread_failures(void);

/* Test hook. Makes the nth allocation from now fail (n >= 1: 1 is the next one) and only it;
 * n <= 0 turns failing off. Also restarts the count of allocations (vg_mem_count). The hook
 * is process-wide: allocations of every thread count. */
void vg_mem_fail_after(long n);
/* The allocations made since the last vg_mem_fail_after or vg_mem_count_start. */
long vg_mem_count(void);
/* Counts allocations from now, failing none (vg_mem_fail_after(0) stops counting). */
void vg_mem_count_start(void);
/* How many allocations the hook made fail since the last vg_mem_fail_after (0 or 1). */
long vg_mem_failed(void);
/* Between these two calls (they nest), the calling thread's allocations are neither counted
 * nor made to fail: around third-party code that does not survive a failed allocation
 * (jansson 2.14's parser asserts or frees twice when its buffers cannot grow). */
void vg_mem_spare_begin(void);
void vg_mem_spare_end(void);

#endif
