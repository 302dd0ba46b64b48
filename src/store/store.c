/* Backend selection, and the connection-wide calls (migrations, batches, transactions); the
 * calls of each domain are in store_<domain>.c. */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

struct vg_store *vg_store_open(const char *url, const struct vg_store_config *cfg,
                               struct vg_diag *d)
{
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
        vg_diag_set(d, VG_EINVAL, "db", "the PostgreSQL backend is not built yet: use a file");
        return NULL;
    }
    struct vg_store *st = vg_store_sqlite_open(url, cfg && cfg->bulk, d);
    if (!st)
        return NULL;
    if (cfg)
        st->config = *cfg;
    if (!st->config.ref_prefix[0])
        snprintf(st->config.ref_prefix, sizeof st->config.ref_prefix, "VIG");
    if (!st->config.adv_prefix[0])
        snprintf(st->config.adv_prefix, sizeof st->config.adv_prefix, "VIGIE");
    int version;
    if (st->ops->migrate(st, &version, d) != 0) {
        st->ops->close(st);
        return NULL;
    }
    return st;
}

void vg_store_close(struct vg_store *st)
{
    if (st)
        st->ops->close(st);
}

int vg_store_migrate(struct vg_store *st, int *version, struct vg_diag *d)
{
    return st->ops->migrate(st, version, d);
}

void vg_store_batch_begin(struct vg_store *st)
{
    st->ops->batch_begin(st);
}

bool vg_store_batch_pending(struct vg_store *st)
{
    return st->ops->batch_pending(st);
}

int vg_store_batch_commit(struct vg_store *st, struct vg_diag *d)
{
    return st->ops->batch_commit(st, d);
}

void vg_store_read_begin(struct vg_store *st)
{
    st->ops->read_begin(st);
}

void vg_store_read_end(struct vg_store *st)
{
    st->ops->read_end(st);
}

int vg_store_tx_begin(struct vg_store *st, struct vg_diag *d)
{
    return st->ops->tx_begin(st, d);
}

int vg_store_tx_commit(struct vg_store *st, struct vg_diag *d)
{
    return st->ops->tx_commit(st, d);
}

void vg_store_tx_rollback(struct vg_store *st)
{
    st->ops->tx_rollback(st);
}

int vg_store_read_only(struct vg_store *st, struct vg_diag *d)
{
    return st->ops->read_only(st, d);
}

void vg_store_busy_timeout(struct vg_store *st, unsigned ms)
{
    st->ops->busy_timeout(st, ms);
}
