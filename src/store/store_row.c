/* The reading of a row that does not depend on the backend (row_int.h). */
#include "store/row_int.h"

#include <string.h>

#include "util/json.h"

json_t *vg_row_null(const struct vg_row *r, int c)
{
    return vg_row_is_null(r, c) ? json_null() : json_string(vg_row_text(r, c));
}

json_t *vg_row_json(const struct vg_row *r, int c)
{
    if (vg_row_is_null(r, c))
        return json_null();
    const char *t = vg_row_text(r, c);
    json_t *v = vg_json_loadb(t, strlen(t), JSON_DECODE_ANY, NULL);
    return v ? v : json_null();
}
