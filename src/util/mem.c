/* The allocator wrappers and their failure hook. The hook is off in every real run: then an
 * allocation pays one relaxed atomic load (`hooked`) before the system allocator. On, each
 * allocation takes a number from an atomic counter and the chosen one returns NULL. jansson
 * allocates through vg_malloc from the start of the process (the constructor below); SQLite
 * is set up to by store/sqlite.c, which owns its configuration. */
#include "util/mem.h"

#include <errno.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

static atomic_bool hooked;       /* counting (and maybe failing) */
static atomic_long allocs;       /* allocations since the hook was set */
static atomic_long fail_at;      /* the allocation to fail (count value), 0: none */
static atomic_long fail_hits;    /* allocations made to fail */
static _Thread_local int spared; /* vg_mem_spare_begin depth of this thread */
static _Thread_local unsigned long thread_failures; /* allocations of this thread that failed */

/* The hook's slow path: true when this allocation is the one to fail. */
static bool hook_fails(void)
{
    if (spared)
        return false;
    long k = atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed) + 1;
    if (k != atomic_load_explicit(&fail_at, memory_order_relaxed))
        return false;
    atomic_fetch_add_explicit(&fail_hits, 1, memory_order_relaxed);
    thread_failures++;
    errno = ENOMEM;
    return true;
}

static inline bool should_fail(void)
{
    return __builtin_expect(atomic_load_explicit(&hooked, memory_order_relaxed), 0) && hook_fails();
}

/* jansson's objects, strings and dumps come from vg_malloc (and go back with free), set
 * before main so that no document is ever made by another allocator. */
__attribute__((constructor)) static void route_jansson(void)
{
    json_set_alloc_funcs(vg_malloc, free);
}

/* p, counting a failure of the system allocator. */
static inline void *counted(void *p)
{
    if (__builtin_expect(!p, 0))
        thread_failures++;
    return p;
}

void *vg_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return counted(malloc(n));
}

void *vg_calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    return counted(calloc(count, size));
}

void *vg_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return counted(realloc(p, n));
}

char *vg_strdup(const char *s)
{
    if (should_fail())
        return NULL;
    return counted(strdup(s));
}

char *vg_strndup(const char *s, size_t n)
{
    if (should_fail())
        return NULL;
    return counted(strndup(s, n));
}

void vg_mem_fail_after(long n)
{
    atomic_store(&hooked, false);
    atomic_store(&fail_at, n > 0 ? n : 0);
    atomic_store(&fail_hits, 0);
    atomic_store(&allocs, 0);
    atomic_store(&hooked, n > 0);
}

void vg_mem_count_start(void)
{
    vg_mem_fail_after(0);
    atomic_store(&hooked, true);
}

long vg_mem_count(void)
{
    return atomic_load(&allocs);
}

long vg_mem_failed(void)
{
    return atomic_load(&fail_hits);
}

unsigned long vg_mem_thread_failures(void)
{
    return thread_failures;
}

void vg_mem_spare_begin(void)
{
    spared++;
}

void vg_mem_spare_end(void)
{
    spared--;
}

int vg_grow(void **p, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : first ? first : 1;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return VG_ENOMEM;
        c *= 2;
    }
    if (elem && c > SIZE_MAX / elem)
        return VG_ENOMEM;
    void *q = vg_realloc(*p, c * elem);
    if (!q)
        return VG_ENOMEM;
    *p = q;
    *cap = c;
    return 0;
}
