/* The vg_store_* functions of store/incident.h: each calls the backend's operation. */
#include "store/incident.h"

#include <stdlib.h>
#include <string.h>

#include "store/store.h"

int vg_store_incident_create(struct vg_store *st, const struct vg_actor *who,
                             const struct vg_incident_new *inc, json_t **out, struct vg_diag *d)
{
    return st->ops->incident->incident_create(st, who, inc, out, d);
}

int vg_store_incident_create_many(struct vg_store *st, const struct vg_actor *const *whos,
                                  const struct vg_incident_new *incs, size_t n, json_t **outs,
                                  struct vg_diag *d)
{
    if (n == 0)
        return 0;
    for (size_t k = 0; k < n; k++)
        outs[k] = NULL;
    int rc = st->ops->incident->incident_create_many(st, whos, incs, n, outs, d);
    if (rc)
        for (size_t k = 0; k < n; k++) {
            json_decref(outs[k]);
            outs[k] = NULL;
        }
    return rc;
}

int vg_store_incident_get(struct vg_store *st, const char *ref, json_t **out)
{
    return st->ops->incident->incident_get(st, ref, out);
}

int vg_store_incident_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                           json_t **out, struct vg_diag *d)
{
    return st->ops->incident->incident_list(st, filters, page, out, d);
}

int vg_store_incident_each(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                           vg_incident_brief_fn fn, void *ctx, char next[80], struct vg_diag *d)
{
    return st->ops->incident->incident_each(st, filters, page, fn, ctx, next, d);
}

int vg_store_incident_update(struct vg_store *st, const struct vg_actor *who, const char *ref,
                             const json_t *patch, json_t **out, struct vg_diag *d)
{
    return st->ops->incident->incident_update(st, who, ref, patch, out, d);
}

int vg_store_incident_note(struct vg_store *st, const struct vg_actor *who, const char *ref,
                           const char *text, json_t **out, struct vg_diag *d)
{
    return st->ops->incident->incident_note(st, who, ref, text, false, out, d);
}

int vg_store_incident_note_vis(struct vg_store *st, const struct vg_actor *who, const char *ref,
                               const char *text, bool public, json_t **out, struct vg_diag *d)
{
    return st->ops->incident->incident_note(st, who, ref, text, public, out, d);
}

int vg_store_incident_observable_add(struct vg_store *st, const struct vg_actor *who,
                                     const char *ref, const json_t *obs, json_t **out,
                                     struct vg_diag *d)
{
    return st->ops->incident->incident_observable_add(st, who, ref, obs, out, d);
}

int vg_store_incident_step_set(struct vg_store *st, const struct vg_actor *who, const char *ref,
                               const char *step_id, bool done, json_t **out, struct vg_diag *d)
{
    return st->ops->incident->incident_step_set(st, who, ref, step_id, done, out, d);
}

int vg_store_incident_related(struct vg_store *st, const char *ref, int limit,
                              struct vg_related_list *out)
{
    return st->ops->incident->incident_related(st, ref, limit, out);
}

int vg_store_playbook_list(struct vg_store *st, json_t **out)
{
    return st->ops->incident->playbook_list(st, out);
}

int vg_store_playbook_get(struct vg_store *st, const char *cls, json_t **out)
{
    return st->ops->incident->playbook_get(st, cls, out);
}

int vg_store_playbook_put(struct vg_store *st, const struct vg_actor *who, const char *cls,
                          const json_t *steps, json_t **out, struct vg_diag *d)
{
    return st->ops->incident->playbook_put(st, who, cls, steps, out, d);
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
