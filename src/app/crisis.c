/* The crisis cell's use cases (app/crisis.h): the checks of crisis/crisis.h, the rule that a
 * closed crisis no longer changes, and one transaction per write. */
#include "app/crisis.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crisis/crisis.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/time.h"

/* Reads crisis id, which must be open: 0 with *c (may be NULL: not kept), or VG_ENOENT /
 * VG_ECONFLICT / VG_EIO with d set. */
static int open_crisis(struct vg_store *st, long long id, json_t **c, struct vg_diag *d)
{
    json_t *cur = NULL;
    int rc = vg_store_crisis_get(st, id, &cur);
    if (rc)
        return rc == VG_ENOENT ? vg_diag_set(d, rc, "id", "no crisis %lld", id)
                               : vg_diag_set(d, rc, "", "cannot read crisis %lld", id);
    if (strcmp(vg_json_str(cur, "state"), "open") != 0) {
        json_decref(cur);
        return vg_diag_set(d, VG_ECONFLICT, "state", "crisis %lld is closed", id);
    }
    if (c)
        *c = cur;
    else
        json_decref(cur);
    return 0;
}

/* Every incident of c["incidents"] exists: 0, or VG_EINVAL naming "/incidents/N". */
static int incidents_exist(struct vg_store *st, const json_t *c, struct vg_diag *d)
{
    size_t i;
    const json_t *ref;
    json_array_foreach(json_object_get(c, "incidents"), i, ref) {
        json_t *inc = NULL;
        int rc = vg_store_incident_get(st, json_string_value(ref), &inc);
        json_decref(inc);
        if (rc == VG_ENOENT) {
            vg_diag_set(d, VG_EINVAL, "", "/incidents/%zu: no incident %s", i,
                        json_string_value(ref));
            if (d)
                snprintf(d->field, sizeof d->field, "/incidents/%zu", i);
            return VG_EINVAL;
        }
        if (rc)
            return vg_diag_set(d, rc, "", "cannot read incident %s", json_string_value(ref));
    }
    return 0;
}

/* Ends a use case's transaction: commits if rc is 0, else rolls back; drops *out on failure. */
static int tx_end(struct vg_store *st, int rc, json_t **out, struct vg_diag *d)
{
    if (rc == 0)
        rc = vg_store_tx_commit(st, d);
    else
        vg_store_tx_rollback(st);
    if (rc && out) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int vg_crisis_open(struct vg_store *st, const struct vg_actor *who, const json_t *in, json_t **out,
                   struct vg_diag *d)
{
    json_t *c = NULL;
    *out = NULL;
    int rc = vg_crisis_check(in, VG_CRISIS_CREATE, &c, d);
    if (rc == 0 && (rc = vg_store_tx_begin(st, d)) == 0) {
        rc = incidents_exist(st, c, d);
        if (rc == 0)
            rc = vg_store_crisis_create(st, who, c, out, d);
        rc = tx_end(st, rc, out, d);
    }
    json_decref(c);
    return rc;
}

int vg_crisis_update(struct vg_store *st, const struct vg_actor *who, long long id,
                     const json_t *in, json_t **out, struct vg_diag *d)
{
    json_t *p = NULL;
    *out = NULL;
    int rc = vg_crisis_check(in, VG_CRISIS_PATCH, &p, d);
    if (rc == 0 && (rc = vg_store_tx_begin(st, d)) == 0) {
        rc = open_crisis(st, id, NULL, d);
        if (rc == 0)
            rc = incidents_exist(st, p, d);
        if (rc == 0)
            rc = vg_store_crisis_update(st, who, id, p, out, d);
        rc = tx_end(st, rc, out, d);
    }
    json_decref(p);
    return rc;
}

/* The shape of the writes that add one thing to an open crisis: check, then store. */
static int add_to(struct vg_store *st, const struct vg_actor *who, long long id, const json_t *in,
                  int (*check)(const json_t *, json_t **, struct vg_diag *), int which,
                  json_t **out, struct vg_diag *d)
{
    json_t *v = NULL;
    *out = NULL;
    int rc = check(in, &v, d);
    if (rc == 0 && (rc = vg_store_tx_begin(st, d)) == 0) {
        rc = open_crisis(st, id, NULL, d);
        if (rc == 0 && which == 0)
            rc = vg_store_crisis_log_add(st, who, id, vg_json_str(v, "text"), out, d);
        else if (rc == 0 && which == 1)
            rc = vg_store_crisis_member_add(st, who, id, v, out, d);
        else if (rc == 0)
            rc = vg_store_crisis_sitrep_add(st, who, id, v, out, d);
        rc = tx_end(st, rc, out, d);
    }
    json_decref(v);
    return rc;
}

int vg_crisis_log(struct vg_store *st, const struct vg_actor *who, long long id, const json_t *in,
                  json_t **out, struct vg_diag *d)
{
    return add_to(st, who, id, in, vg_crisis_log_check, 0, out, d);
}

int vg_crisis_member(struct vg_store *st, const struct vg_actor *who, long long id,
                     const json_t *in, json_t **out, struct vg_diag *d)
{
    return add_to(st, who, id, in, vg_crisis_member_check, 1, out, d);
}

int vg_crisis_sitrep(struct vg_store *st, const struct vg_actor *who, long long id,
                     const json_t *in, json_t **out, struct vg_diag *d)
{
    return add_to(st, who, id, in, vg_crisis_sitrep_check, 2, out, d);
}

int vg_crisis_rollcall(struct vg_store *st, const struct vg_actor *who, long long id, json_t **out,
                       struct vg_diag *d)
{
    json_t *c = NULL, *links = NULL;
    struct vg_crisis_token *toks = NULL;
    *out = NULL;
    int rc = vg_store_tx_begin(st, d);
    if (rc)
        return rc;
    rc = open_crisis(st, id, &c, d);
    const json_t *members = json_object_get(c, "members");
    size_t n = json_array_size(members), i;
    const json_t *m;
    if (rc == 0 && n == 0)
        rc = vg_diag_set(d, VG_ECONFLICT, "members", "crisis %lld has no member to call", id);
    if (rc == 0 && !(toks = vg_calloc(n, sizeof *toks)))
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (rc == 0) {
        links = json_array();
        json_array_foreach(members, i, m) {
            unsigned char raw[32];
            char token[VG_CRISIS_TOKEN_LEN + 1], link[VG_CRISIS_TOKEN_LEN + 8];
            randombytes_buf(raw, sizeof raw);
            sodium_bin2hex(token, sizeof token, raw, sizeof raw);
            sodium_memzero(raw, sizeof raw);
            crypto_hash_sha256(toks[i].hash, (const unsigned char *)token, VG_CRISIS_TOKEN_LEN);
            toks[i].member_id = json_integer_value(json_object_get(m, "id"));
            snprintf(link, sizeof link, "/ack/%s", token);
            sodium_memzero(token, sizeof token);
            json_array_append_new(links, json_pack("{s:I,s:s,s:s,s:s}", "member_id",
                                                   (json_int_t)toks[i].member_id, "name",
                                                   vg_json_str(m, "name"), "email",
                                                   vg_json_str(m, "email"), "link", link));
        }
        rc = vg_store_crisis_rollcall(st, who, id, toks, n, out, d);
    }
    if (rc == 0)
        json_object_set(*out, "links", links);
    rc = tx_end(st, rc, out, d);
    json_decref(links);
    json_decref(c);
    free(toks);
    return rc;
}

int vg_crisis_ack(struct vg_store *st, const char *token, json_t **out, struct vg_diag *d)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    size_t n = token ? strlen(token) : 0;
    *out = NULL;
    if (n != VG_CRISIS_TOKEN_LEN || strspn(token, "0123456789abcdef") != n)
        return vg_diag_set(d, VG_ENOENT, "token", "unknown token");
    crypto_hash_sha256(hash, (const unsigned char *)token, n);
    return vg_store_crisis_ack(st, hash, out, d);
}

int vg_crisis_pending(struct vg_store *st, long long id, long long after_minutes, json_t **out,
                      struct vg_diag *d)
{
    char before[VG_TIME_LEN];
    *out = NULL;
    if (after_minutes < 0 || after_minutes > 10080)
        return vg_diag_set(d, VG_EINVAL, "after_minutes",
                           "after_minutes must be an integer from 0 to 10080");
    vg_time_fmt(time(NULL) - (time_t)after_minutes * 60, before);
    int rc = vg_store_crisis_pending(st, id, before, out, d);
    if (rc == 0)
        json_object_set_new(*out, "after_minutes", json_integer(after_minutes));
    return rc;
}

/* The timelines of c's incidents: {"VIG-...": [entries]}; NULL on a store failure. */
static json_t *incident_timelines(struct vg_store *st, const json_t *c, struct vg_diag *d)
{
    json_t *all = json_object();
    size_t i;
    const json_t *ref;
    json_array_foreach(json_object_get(c, "incidents"), i, ref) {
        json_t *inc = NULL;
        int rc = vg_store_incident_get(st, json_string_value(ref), &inc);
        if (rc == VG_ENOENT)
            continue; /* grouped, then gone: the review says nothing of it */
        if (rc) {
            json_decref(all);
            vg_diag_set(d, rc, "", "cannot read incident %s", json_string_value(ref));
            return NULL;
        }
        json_object_set(all, json_string_value(ref), json_object_get(inc, "timeline"));
        json_decref(inc);
    }
    return all;
}

int vg_crisis_close(struct vg_store *st, const struct vg_actor *who, long long id, const json_t *in,
                    json_t **out, struct vg_diag *d)
{
    json_t *closing = NULL, *c = NULL, *tl = NULL;
    char now[VG_TIME_LEN];
    struct vg_buf md;
    vg_buf_init(&md, 4 * 1024 * 1024);
    *out = NULL;
    int rc = vg_crisis_close_check(in, &closing, d);
    if (rc == 0 && (rc = vg_store_tx_begin(st, d)) == 0) {
        rc = open_crisis(st, id, &c, d);
        if (rc == 0 && !(tl = incident_timelines(st, c, d)))
            rc = VG_EIO;
        if (rc == 0) {
            vg_time_now(now);
            json_object_set_new(c, "closed", json_string(now));
            if (vg_crisis_review(c, closing, tl, &md) != 0)
                rc = vg_diag_set(d, VG_ETOOBIG, "", "the review is too large");
        }
        if (rc == 0)
            rc = vg_store_crisis_close(st, who, id, now, closing, md.data, out, d);
        rc = tx_end(st, rc, out, d);
    }
    vg_buf_cleanup(&md);
    json_decref(tl);
    json_decref(c);
    json_decref(closing);
    return rc;
}
