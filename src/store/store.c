/* Backend selection, and the connection-wide calls (migrations, batches, transactions); the
 * calls of each domain are in store_<domain>.c. */
#include "store/store.h"

#include "store/pg_int.h"

#include <stdio.h>
#include <string.h>

bool vg_store_url_is_pg(const char *url)
{
    return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

void vg_store_url_shown(const char *url, char *out, size_t n)
{
    if (vg_store_url_is_pg(url))
        pg_uri_redact(url, out, n);
    else if (n)
        snprintf(out, n, "%s", url);
}

/* The domains a backend does not implement yet, comma-separated in buf ("" : none). */
static void missing_domains(const struct vg_store_ops *o, char *buf, size_t n)
{
    const struct {
        const char *name;
        const void *ops;
    } dom[] = {
        {"user", o->user},           {"org", o->org},           {"incident", o->incident},
        {"indicator", o->indicator}, {"vuln", o->vuln},         {"report", o->report},
        {"pull", o->pull},           {"partner", o->partner},   {"taxii", o->taxii},
        {"upstream", o->upstream},   {"advisory", o->advisory}, {"stats", o->stats},
        {"mail", o->mail},           {"crisis", o->crisis},     {"setting", o->setting},
        {"notify", o->notify},       {"inbound", o->inbound},   {"dump", o->dump},
    };
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof dom / sizeof dom[0]; i++)
        if (!dom[i].ops && len < n) {
            int w = snprintf(buf + len, n - len, "%s%s", len ? ", " : "", dom[i].name);
            len += w > 0 ? (size_t)w : 0;
        }
}

static struct vg_store *open_any(const char *url, const struct vg_store_config *cfg, bool partial,
                                 struct vg_diag *d)
{
    struct vg_store *st;
    if (vg_store_url_is_pg(url)) {
        char missing[256];
        missing_domains(vg_store_pg_ops(), missing, sizeof missing);
        if (missing[0] && !partial) {
            vg_diag_set(d, VG_EINVAL, "db",
                        "the PostgreSQL backend is incomplete (issue 16): not yet ported: %s; "
                        "use a SQLite file",
                        missing);
            return NULL;
        }
        st = vg_store_pg_connect(url, cfg && cfg->bulk, d);
    } else {
        st = vg_store_sqlite_open(url, cfg && cfg->bulk, d);
    }
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

struct vg_store *vg_store_open(const char *url, const struct vg_store_config *cfg,
                               struct vg_diag *d)
{
    return open_any(url, cfg, false, d);
}

struct vg_store *vg_store_open_partial(const char *url, const struct vg_store_config *cfg,
                                       struct vg_diag *d)
{
    return open_any(url, cfg, true, d);
}

void vg_store_close(struct vg_store *st)
{
    vg_store_token_prefetch_end(st);
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

bool vg_store_outage(struct vg_store *st, struct vg_diag *d)
{
    return st->ops->outage ? st->ops->outage(st, d) : false;
}
