/* SQLite backend: a stepped statement's current row as a struct vg_row (row_int.h). */
#include "store/row_int.h"

#include "store/sqlite_int.h"

static bool sq_is_null(const struct vg_row *r, int c)
{
    return sqlite3_column_type((sqlite3_stmt *)r->res, c) == SQLITE_NULL;
}

static const char *sq_text(const struct vg_row *r, int c)
{
    return sq_col_text((sqlite3_stmt *)r->res, c);
}

static long long sq_num(const struct vg_row *r, int c)
{
    return sqlite3_column_int64((sqlite3_stmt *)r->res, c);
}

static bool sq_flag(const struct vg_row *r, int c)
{
    return sqlite3_column_int64((sqlite3_stmt *)r->res, c) != 0;
}

static size_t sq_len(const struct vg_row *r, int c)
{
    return (size_t)sqlite3_column_bytes((sqlite3_stmt *)r->res, c);
}

static const struct vg_row_ops sq_row_ops = {sq_is_null, sq_text, sq_num, sq_flag, sq_len};

struct vg_row vg_row_sqlite(sqlite3_stmt *q)
{
    return (struct vg_row){&sq_row_ops, q, 0};
}
