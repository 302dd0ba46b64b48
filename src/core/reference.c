/* Incident references and the name of the yearly counter behind them. */
#include "core/reference.h"

#include <stdio.h>

int vg_reference_format(char *out, size_t cap, const char *prefix, int year, long long n)
{
    if (!cap)
        return -1;
    out[0] = '\0';
    if (n < 1)
        return -1;
    int len = snprintf(out, cap, "%s-%d-%06lld", prefix, year, n);
    if (len < 0 || (size_t)len >= cap) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

int vg_reference_counter(char *out, size_t cap, int year)
{
    int len = snprintf(out, cap, "incident:%d", year);
    return len < 0 || (size_t)len >= cap ? -1 : 0;
}
