/* The fuzz input read a byte at a time, for the targets that decode structures from it
 * (fuzz_corr, fuzz_vmatch): past the end every byte reads as 0. */
#ifndef VG_FUZZ_READER_H
#define VG_FUZZ_READER_H

#include <stddef.h>
#include <stdint.h>

struct reader {
    const uint8_t *p;
    size_t n;
};

static unsigned next(struct reader *r)
{
    if (r->n == 0)
        return 0;
    r->n--;
    return *r->p++;
}

#endif
