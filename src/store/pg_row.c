/* PostgreSQL backend: a row of a result as a struct vg_row (row_int.h). */
#include "store/row_int.h"

#include "store/pg_int.h"

static bool pgr_is_null(const struct vg_row *r, int c)
{
    return PQgetisnull(r->res, r->i, c);
}

static const char *pgr_text(const struct vg_row *r, int c)
{
    return pg_get_text(r->res, r->i, c);
}

static long long pgr_num(const struct vg_row *r, int c)
{
    return pg_get_int(r->res, r->i, c);
}

/* t, true or 1 (a boolean, or an integer 1) */
static bool pgr_flag(const struct vg_row *r, int c)
{
    return pg_get_bool(r->res, r->i, c);
}

static size_t pgr_len(const struct vg_row *r, int c)
{
    return (size_t)PQgetlength(r->res, r->i, c);
}

static const struct vg_row_ops pg_row_ops = {pgr_is_null, pgr_text, pgr_num, pgr_flag, pgr_len};

struct vg_row vg_row_pg(const PGresult *res, int i)
{
    return (struct vg_row){&pg_row_ops, res, i};
}
