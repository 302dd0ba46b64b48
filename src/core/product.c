/* The product-name key (see product.h). Names are read one character at a time, quoting
 * removed, so that a CPE value and the same name in a CVE 5 record give the same key. */
#include "core/product.h"

#include <stdbool.h>
#include <string.h>

long vg_product_name(struct vg_str name, enum vg_product_form form, char *out, size_t cap)
{
    if (cap <= VG_PRODUCT_NAME_MAX)
        return -1;
    size_t o = 0;
    bool sep = false; /* other characters seen since the last letter or digit */
    for (size_t i = 0; i < name.len; i++) {
        unsigned char c = (unsigned char)name.ptr[i];
        if (form == VG_PRODUCT_QUOTED) {
            if (c == '\\' && i + 1 < name.len)
                c = (unsigned char)name.ptr[++i];
            else if (c == '*' || c == '?')
                return -1;
        }
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
            sep = true;
            continue;
        }
        size_t need = sep && o > 0 ? 2 : 1;
        if (o + need > VG_PRODUCT_NAME_MAX)
            break;
        if (need == 2)
            out[o++] = '_';
        out[o++] = (char)c;
        sep = false;
    }
    out[o] = '\0';
    return (long)o;
}

long vg_product_key(struct vg_str vendor, struct vg_str product, enum vg_product_form form,
                    char *out, size_t cap)
{
    if (cap <= VG_PRODUCT_KEY_MAX)
        return -1;
    long nv = vg_product_name(vendor, form, out, cap);
    if (nv < 0)
        return -1;
    out[nv] = ':';
    long np = vg_product_name(product, form, out + nv + 1, cap - (size_t)nv - 1);
    return np < 0 ? -1 : nv + 1 + np;
}

/* Component i (0: part) of formatted string fs after "cpe:2.3:", quoting kept. */
static struct vg_str fs_component(const char *fs, int i)
{
    const char *p = fs;
    for (int k = 0; k < i; k++) {
        while (*p && *p != ':')
            p += p[0] == '\\' && p[1] ? 2 : 1;
        if (!*p)
            return (struct vg_str){NULL, 0};
        p++;
    }
    const char *e = p;
    while (*e && *e != ':')
        e += e[0] == '\\' && e[1] ? 2 : 1;
    return (struct vg_str){p, (size_t)(e - p)};
}

long vg_product_key_cpe23(const char *cpe, char *out, size_t cap)
{
    if (strncmp(cpe, "cpe:2.3:", 8) != 0)
        return -1;
    struct vg_str vendor = fs_component(cpe + 8, 1), product = fs_component(cpe + 8, 2);
    if (!vendor.ptr || !product.ptr || vg_str_eq(vendor, VG_STR("-")) ||
        vg_str_eq(product, VG_STR("-")))
        return -1;
    return vg_product_key(vendor, product, VG_PRODUCT_QUOTED, out, cap);
}
