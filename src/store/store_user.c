/* The vg_store_* functions of store/user.h: each calls the backend's operation. Above the
 * backends, the answers of a batch's tokens looked up at once (vg_store_token_prefetch), kept
 * until the batch ends or a write of users or tokens drops them. */
#include "store/user.h"

#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/mem.h"

/* The prefetched answers: n hashes (in the order given, duplicates kept) and their answers. */
struct vg_token_prefetch {
    size_t n;
    unsigned char (*hashes)[32];
    struct vg_token_found *found;
};

static void prefetch_free(struct vg_token_prefetch *pf)
{
    if (!pf)
        return;
    free(pf->hashes);
    free(pf->found);
    free(pf);
}

void vg_store_token_prefetch_end(struct vg_store *st)
{
    if (!st)
        return;
    prefetch_free(st->prefetch);
    st->prefetch = NULL;
}

int vg_store_token_prefetch(struct vg_store *st, const unsigned char (*hashes)[32], size_t n)
{
    vg_store_token_prefetch_end(st);
    if (n == 0)
        return 0;
    struct vg_token_prefetch *pf = vg_calloc(1, sizeof *pf);
    if (pf) {
        pf->hashes = vg_calloc(n, sizeof *pf->hashes);
        pf->found = vg_calloc(n, sizeof *pf->found);
    }
    if (!pf || !pf->hashes || !pf->found) {
        prefetch_free(pf);
        return VG_ENOMEM;
    }
    memcpy(pf->hashes, hashes, n * sizeof *hashes);
    pf->n = n;
    int rc = st->ops->user->token_lookup_many(st, hashes, n, pf->found);
    if (rc) {
        prefetch_free(pf);
        return rc;
    }
    st->prefetch = pf;
    return 0;
}

int vg_store_user_ensure(struct vg_store *st, const char *name, const char *role, long long *id,
                         struct vg_diag *d)
{
    vg_store_token_prefetch_end(st); /* a write of users: the answers may be stale */
    return st->ops->user->user_ensure(st, name, role, id, d);
}

int vg_store_user_set_password(struct vg_store *st, const char *name, const char *hash,
                               struct vg_diag *d)
{
    vg_store_token_prefetch_end(st);
    return st->ops->user->user_set_password(st, name, hash, d);
}

int vg_store_user_get(struct vg_store *st, const char *name, json_t **out)
{
    return st->ops->user->user_get(st, name, out);
}

int vg_store_user_list(struct vg_store *st, json_t **out)
{
    return st->ops->user->user_list(st, out);
}

int vg_store_token_add(struct vg_store *st, long long user_id, const unsigned char hash[32],
                       const char *label, const char *kind, const char *expires, long long *id,
                       struct vg_diag *d)
{
    vg_store_token_prefetch_end(st);
    return st->ops->user->token_add(st, user_id, hash, label, kind, expires, id, d);
}

int vg_store_token_lookup(struct vg_store *st, const unsigned char hash[32], struct vg_actor *out,
                          struct vg_token_meta *meta)
{
    const struct vg_token_prefetch *pf = st->prefetch;
    for (size_t i = 0; pf && i < pf->n; i++) {
        if (memcmp(pf->hashes[i], hash, 32) != 0)
            continue;
        if (pf->found[i].rc == 0) {
            *out = pf->found[i].who;
            *meta = pf->found[i].meta;
        }
        return pf->found[i].rc;
    }
    return st->ops->user->token_lookup(st, hash, out, meta);
}

int vg_store_token_prune(struct vg_store *st, long long user_id, const char *kind, int keep,
                         struct vg_diag *d)
{
    vg_store_token_prefetch_end(st);
    return st->ops->user->token_prune(st, user_id, kind, keep, d);
}

int vg_store_token_touch(struct vg_store *st, long long id, const char *when, struct vg_diag *d)
{
    vg_store_token_prefetch_end(st);
    return st->ops->user->token_touch(st, id, when, d);
}

int vg_store_token_list(struct vg_store *st, long long user_id, json_t **out)
{
    return st->ops->user->token_list(st, user_id, out);
}

int vg_store_token_revoke(struct vg_store *st, long long id, long long user_id, struct vg_diag *d)
{
    vg_store_token_prefetch_end(st);
    return st->ops->user->token_revoke(st, id, user_id, d);
}

int vg_store_intake_log(struct vg_store *st, const json_t *entry, struct vg_diag *d)
{
    return st->ops->user->intake_log(st, entry, d);
}

int vg_store_audit_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                        struct vg_diag *d)
{
    return st->ops->user->audit_list(st, page, out, d);
}
