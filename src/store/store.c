/* Backend selection and the dispatch of vg_store_* calls to the backend's operations. */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/attrib.h"

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

#define FWD(name, params, args)                                                               \
    int vg_store_##name params                                                                \
    {                                                                                         \
        return st->ops->name args;                                                            \
    }

FWD(user_ensure, (struct vg_store * st, const char *name, const char *role, long long *id,
                  struct vg_diag *d), (st, name, role, id, d))
FWD(user_set_password, (struct vg_store * st, const char *name, const char *hash,
                        struct vg_diag *d), (st, name, hash, d))
FWD(user_get, (struct vg_store * st, const char *name, json_t **out), (st, name, out))
FWD(user_list, (struct vg_store * st, json_t **out), (st, out))
FWD(token_add, (struct vg_store * st, long long user_id, const unsigned char hash[32],
                const char *label, long long *id, struct vg_diag *d),
    (st, user_id, hash, label, id, d))
FWD(token_lookup, (struct vg_store * st, const unsigned char hash[32], struct vg_actor *out),
    (st, hash, out))
FWD(token_list, (struct vg_store * st, long long user_id, json_t **out), (st, user_id, out))
FWD(token_revoke, (struct vg_store * st, long long id, long long user_id, struct vg_diag *d),
    (st, id, user_id, d))
FWD(org_create, (struct vg_store * st, const struct vg_actor *who, const json_t *org,
                 json_t **out, struct vg_diag *d), (st, who, org, out, d))
FWD(org_get, (struct vg_store * st, long long id, json_t **out), (st, id, out))
FWD(org_list, (struct vg_store * st, const struct vg_page *page, json_t **out,
               struct vg_diag *d), (st, page, out, d))
FWD(org_update, (struct vg_store * st, const struct vg_actor *who, long long id,
                 const json_t *patch, json_t **out, struct vg_diag *d),
    (st, who, id, patch, out, d))
FWD(org_find_by_domain, (struct vg_store * st, const char *domain, json_t **out),
    (st, domain, out))
FWD(incident_create, (struct vg_store * st, const struct vg_actor *who, const json_t *inc,
                      json_t **out, struct vg_diag *d), (st, who, inc, out, d))
FWD(incident_get, (struct vg_store * st, const char *ref, json_t **out), (st, ref, out))
FWD(incident_list, (struct vg_store * st, const json_t *filters, const struct vg_page *page,
                    json_t **out, struct vg_diag *d), (st, filters, page, out, d))
FWD(incident_update, (struct vg_store * st, const struct vg_actor *who, const char *ref,
                      const json_t *patch, json_t **out, struct vg_diag *d),
    (st, who, ref, patch, out, d))
FWD(incident_note, (struct vg_store * st, const struct vg_actor *who, const char *ref,
                    const char *text, json_t **out, struct vg_diag *d),
    (st, who, ref, text, out, d))
FWD(incident_observable_add, (struct vg_store * st, const struct vg_actor *who,
                              const char *ref, const json_t *obs, json_t **out,
                              struct vg_diag *d), (st, who, ref, obs, out, d))
FWD(incident_step_set, (struct vg_store * st, const struct vg_actor *who, const char *ref,
                        const char *step_id, bool done, json_t **out, struct vg_diag *d),
    (st, who, ref, step_id, done, out, d))
FWD(incident_related,
    (struct vg_store * st, const char *ref, int limit, struct vg_related_list *out),
    (st, ref, limit, out))
FWD(playbook_list, (struct vg_store * st, json_t **out), (st, out))
FWD(playbook_get, (struct vg_store * st, const char *cls, json_t **out), (st, cls, out))
FWD(playbook_put, (struct vg_store * st, const struct vg_actor *who, const char *cls,
                   const json_t *steps, json_t **out, struct vg_diag *d),
    (st, who, cls, steps, out, d))
FWD(indicator_import, (struct vg_store * st, const struct vg_actor *who, const json_t *inds,
                       json_t **out, struct vg_diag *d), (st, who, inds, out, d))
FWD(indicator_get, (struct vg_store * st, long long id, json_t **out), (st, id, out))
FWD(indicator_list, (struct vg_store * st, const json_t *filters, const struct vg_page *page,
                     json_t **out, struct vg_diag *d), (st, filters, page, out, d))
FWD(indicator_each, (struct vg_store * st, const char *now,
                     int (*fn)(void *ctx, long long id, const char *type, const char *value),
                     void *ctx), (st, now, fn, ctx))
FWD(indicator_version, (struct vg_store * st, const char *now, char *out, size_t cap),
    (st, now, out, cap))
FWD(sightings_record, (struct vg_store * st, const struct vg_actor *who,
                       const json_t *sightings, json_t **out, struct vg_diag *d),
    (st, who, sightings, out, d))
FWD(sighting_list, (struct vg_store * st, const json_t *filters, const struct vg_page *page,
                    json_t **out, struct vg_diag *d), (st, filters, page, out, d))
FWD(alert_list, (struct vg_store * st, const json_t *filters, const struct vg_page *page,
                 json_t **out, struct vg_diag *d), (st, filters, page, out, d))
FWD(alert_escalate, (struct vg_store * st, const struct vg_actor *who, long long id,
                     const json_t *fields, json_t **out, struct vg_diag *d),
    (st, who, id, fields, out, d))
FWD(intake_log, (struct vg_store * st, const json_t *entry, struct vg_diag *d), (st, entry, d))
FWD(audit_list, (struct vg_store * st, const struct vg_page *page, json_t **out,
                 struct vg_diag *d), (st, page, out, d))

FWD(vuln_put, (struct vg_store * st, const struct vg_store_vrec *v, size_t n, int *result,
               struct vg_diag *d), (st, v, n, result, d))
FWD(kev_put, (struct vg_store * st, const struct vg_store_kev *k, size_t n, struct vg_diag *d),
    (st, k, n, d))
FWD(epss_put, (struct vg_store * st, const struct vg_store_epss *e, size_t n, const char *model,
               const char *date, struct vg_diag *d), (st, e, n, model, date, d))
FWD(vuln_each, (struct vg_store * st, const long long *keys, size_t nkeys, vg_store_vrec_fn fn,
                vg_store_kev_fn kfn, vg_store_epss_fn efn, void *ctx),
    (st, keys, nkeys, fn, kfn, efn, ctx))
FWD(asset_ids_each, (struct vg_store * st, vg_store_asset_id_fn fn, void *ctx), (st, fn, ctx))
FWD(finding_sums_each, (struct vg_store * st, long long org, vg_store_fsum_fn fn, void *ctx),
    (st, org, fn, ctx))

uint64_t vg_store_finding_hash(long long asset, long long key)
{
    /* splitmix64's finaliser over both numbers: distinct findings give unrelated hashes */
    uint64_t x = (uint64_t)asset * 0x9e3779b97f4a7c15ULL ^ (uint64_t)key;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

FWD(vuln_keys_for_products, (struct vg_store * st, const char *const *products, size_t n,
                             vg_store_key_fn fn, void *ctx), (st, products, n, fn, ctx))
FWD(vuln_assets_each, (struct vg_store * st, long long org, vg_store_asset_fn fn, void *ctx),
    (st, org, fn, ctx))
FWD(vuln_products_for_names, (struct vg_store * st, const char *const *names, size_t n,
                              bool whole_orgs, vg_store_asset_fn fn, void *ctx),
    (st, names, n, whole_orgs, fn, ctx))
FWD(finding_replace, (struct vg_store * st, const struct vg_store_fscope *scope,
                      const char *const *assets, size_t nassets,
                      const struct vg_store_finding *f, size_t n, json_t **out,
                      struct vg_diag *d), (st, scope, assets, nassets, f, n, out, d))
FWD(finding_prune, (struct vg_store * st, long long org, struct vg_diag *d), (st, org, d))
FWD(finding_list, (struct vg_store * st, long long org, const char *since,
                   const struct vg_page *page, json_t **out, struct vg_diag *d),
    (st, org, since, page, out, d))
FWD(digest_take, (struct vg_store * st, long long org, json_t **out, struct vg_diag *d),
    (st, org, out, d))
FWD(vuln_get, (struct vg_store * st, const char *cve, json_t **out), (st, cve, out))

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

struct vg_attrib *vg_store_attrib_new(struct vg_store *st, struct vg_diag *d)
{
    json_t *all = json_array();
    char cursor[128] = "";
    struct vg_attrib *a = NULL;
    for (;;) {
        struct vg_page page = {VG_MAX_PAGE, cursor[0] ? cursor : NULL};
        json_t *out = NULL;
        if (vg_store_org_list(st, &page, &out, d) != 0)
            goto out;
        json_array_extend(all, json_object_get(out, "items"));
        const char *next = json_string_value(json_object_get(out, "next_cursor"));
        bool more = next && *next && strlen(next) < sizeof cursor;
        if (more)
            memcpy(cursor, next, strlen(next) + 1);
        json_decref(out);
        if (!more)
            break;
    }
    a = vg_attrib_new(all);
    if (!a)
        vg_diag_set(d, VG_ENOMEM, "", "out of memory");
out:
    json_decref(all);
    return a;
}

void vg_related_list_free(struct vg_related_list *l)
{
    if (!l)
        return;
    free(l->v);
    free(l->pairs);
    free(l->hits_text);
    free(l->rows_text);
    memset(l, 0, sizeof *l);
}
