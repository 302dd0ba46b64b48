/* The TAXII 2.1 server under /taxii2/ (discovery, one API root "vigie", collections, objects,
 * manifest, versions, status) and the admin routes of its collections under
 * /api/v1/taxii/collections. The use cases are app/taxii.c's; every TAXII answer has the
 * TAXII content type and its errors are TAXII error messages (the server's vg_resp_taxii). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "app/taxii.h"
#include "util/str.h"

/* ---- media types ---- */

/* The media range r (n bytes: "type/subtype;param=v;...") split: is it type (case ignored),
 * with version absent or "2.1", and q not 0? */
static bool range_is(const char *r, size_t n, const char *type, bool *any_version)
{
    struct vg_str s = vg_str_trim((struct vg_str){r, n});
    size_t tl = strcspn(s.ptr, ";");
    if (tl > s.len)
        tl = s.len;
    struct vg_str t = vg_str_trim((struct vg_str){s.ptr, tl});
    if (t.len != strlen(type) || strncasecmp(t.ptr, type, t.len) != 0)
        return false;
    bool version_ok = true;
    *any_version = true;
    const char *p = s.ptr + tl, *end = s.ptr + s.len;
    while (p < end) {
        p++; /* the ';' */
        size_t pl = strcspn(p, ";");
        if ((size_t)(end - p) < pl)
            pl = (size_t)(end - p);
        struct vg_str kv = vg_str_trim((struct vg_str){p, pl});
        if (kv.len >= 8 && strncasecmp(kv.ptr, "version=", 8) == 0) {
            *any_version = false;
            version_ok = kv.len == 11 && strncmp(kv.ptr + 8, "2.1", 3) == 0;
        } else if (kv.len >= 2 && strncasecmp(kv.ptr, "q=", 2) == 0) {
            struct vg_str qv = {kv.ptr + 2, kv.len - 2};
            bool zero = qv.len > 0;
            for (size_t i = 0; i < qv.len; i++)
                zero = zero && (qv.ptr[i] == '0' || qv.ptr[i] == '.');
            if (zero)
                return false;
        }
        p += pl;
    }
    return version_ok;
}

/* May the client take application/taxii+json;version=2.1? No Accept header: yes. */
static bool accepts_taxii(const char *accept)
{
    if (!accept)
        return true;
    for (const char *p = accept;;) {
        size_t n = strcspn(p, ",");
        bool anyv;
        if (range_is(p, n, "application/taxii+json", &anyv) || range_is(p, n, "*/*", &anyv) ||
            range_is(p, n, "application/*", &anyv))
            return true;
        if (!p[n])
            return false;
        p += n + 1;
    }
}

/* The checks every TAXII request passes first: Accept (406). False with the answer set. */
static bool taxii_request(struct vg_req *req, struct vg_resp *r)
{
    if (accepts_taxii(vg_req_header(req, "Accept")))
        return true;
    vg_resp_error(r, 406, "not_acceptable", "Accept",
                  "this server answers " VG_TAXII_MEDIA " only; the Accept header does not "
                  "take it");
    return false;
}

static void taxii_json(struct vg_resp *r, int status, json_t *body)
{
    vg_resp_json(r, status, body);
    r->content_type = VG_CONTENT_TAXII;
}

/* ---- discovery, API root, collections ---- */

void vg_api_taxii_discovery(struct vg_req *req, struct vg_resp *r)
{
    if (!taxii_request(req, r))
        return;
    taxii_json(r, 200,
               json_pack("{s:s,s:s,s:s,s:s,s:[s]}", "title", "vigie TAXII 2.1 server",
                         "description",
                         "Indicators and observations the CERT shares with its partners, each "
                         "object filtered by its TLP for the partner asking.",
                         "contact", "the CERT's duty desk", "default", VG_TAXII_API_ROOT,
                         "api_roots", VG_TAXII_API_ROOT));
}

void vg_api_taxii_root(struct vg_req *req, struct vg_resp *r)
{
    if (!taxii_request(req, r))
        return;
    size_t max = vg_server_config(req->srv)->max_body;
    taxii_json(r, 200,
               json_pack("{s:s,s:s,s:[s],s:I}", "title", "vigie", "description",
                         "The CERT's collections of STIX 2.1 objects.", "versions", VG_TAXII_MEDIA,
                         "max_content_length", (json_int_t)(max ? max : VG_MAX_BODY)));
}

void vg_api_taxii_collections(struct vg_req *req, struct vg_resp *r)
{
    if (!taxii_request(req, r))
        return;
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *out;
    int rc = vg_taxii_collections(req->st, &req->actor, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        taxii_json(r, 200, out);
}

void vg_api_taxii_collection(struct vg_req *req, struct vg_resp *r)
{
    if (!taxii_request(req, r))
        return;
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *out;
    int rc = vg_taxii_collection(req->st, &req->actor, req->params[0], &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        taxii_json(r, 200, out);
}

/* ---- pages ---- */

/* Answers a page of collection params[0] (of object obj_id when not NULL). */
static void page(struct vg_req *req, struct vg_resp *r, enum vg_taxii_view view, const char *obj_id,
                 unsigned def_versions)
{
    if (!taxii_request(req, r))
        return;
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_taxii_filter f;
    const char *ids = obj_id ? obj_id : vg_req_arg(req, "match[id]");
    int rc =
        vg_taxii_filter_parse(&f, vg_req_arg(req, "added_after"), vg_req_arg(req, "match[type]"),
                              ids, vg_req_arg(req, "match[version]"),
                              vg_req_arg(req, "match[spec_version]"), vg_req_arg(req, "limit"),
                              vg_req_arg(req, "next"), def_versions, &d);
    if (obj_id && !rc && f.q.n_ids != 1) /* an id with a comma is no STIX id */
        rc = vg_diag_set(&d, VG_ENOENT, "id", "no such object in this collection");
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_BUF);
    struct vg_taxii_page info;
    if (!rc)
        rc = vg_taxii_page(req->st, &req->actor, req->params[0], view, &f, &b, &info, &d);
    vg_taxii_filter_cleanup(&f);
    /* one object, or its versions: none the actor may get is none at all */
    if (!rc && obj_id && info.served == 0)
        rc = vg_diag_set(&d, VG_ENOENT, "id", "no such object in this collection");
    if (rc) {
        vg_buf_cleanup(&b);
        vg_resp_diag(r, rc, &d);
        return;
    }
    if (info.served) {
        vg_resp_header(r, "X-TAXII-Date-Added-First", info.first);
        vg_resp_header(r, "X-TAXII-Date-Added-Last", info.last);
    }
    char n[24];
    snprintf(n, sizeof n, "%lld", info.withheld);
    vg_resp_header(r, "X-Vigie-Withheld", n);
    vg_resp_text(r, 200, VG_CONTENT_TAXII, &b);
}

void vg_api_taxii_objects_get(struct vg_req *req, struct vg_resp *r)
{
    page(req, r, VG_TAXII_OBJECTS, NULL, VG_TAXII_V_LAST);
}

void vg_api_taxii_manifest(struct vg_req *req, struct vg_resp *r)
{
    page(req, r, VG_TAXII_MANIFEST, NULL, VG_TAXII_V_LAST);
}

void vg_api_taxii_object_get(struct vg_req *req, struct vg_resp *r)
{
    page(req, r, VG_TAXII_OBJECTS, req->params[1], VG_TAXII_V_LAST);
}

void vg_api_taxii_versions(struct vg_req *req, struct vg_resp *r)
{
    page(req, r, VG_TAXII_VERSIONS, req->params[1], VG_TAXII_V_ALL);
}

/* ---- writes ---- */

void vg_api_taxii_objects_post(struct vg_req *req, struct vg_resp *r)
{
    if (!taxii_request(req, r))
        return;
    bool anyv;
    const char *ct = vg_req_header(req, "Content-Type");
    if (!ct || !range_is(ct, strlen(ct), "application/taxii+json", &anyv)) {
        vg_resp_error(r, 415, "unsupported_media_type", "Content-Type",
                      "the body's Content-Type must be " VG_TAXII_MEDIA);
        return;
    }
    json_t *in = vg_req_json(req, r);
    if (!in)
        return;
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *status = NULL;
    int rc = vg_taxii_post(req->st, &req->actor, req->params[0], in, &status, &d);
    json_decref(in);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        taxii_json(r, 202, status);
}

void vg_api_taxii_object_delete(struct vg_req *req, struct vg_resp *r)
{
    if (!taxii_request(req, r))
        return;
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_taxii_filter f;
    int rc = vg_taxii_filter_parse(&f, NULL, NULL, NULL, vg_req_arg(req, "match[version]"),
                                   vg_req_arg(req, "match[spec_version]"), NULL, NULL,
                                   VG_TAXII_V_ALL, &d);
    if (!rc)
        rc = vg_taxii_delete(req->st, &req->actor, req->params[0], req->params[1], &f, &d);
    vg_taxii_filter_cleanup(&f);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    taxii_json(r, 200, NULL); /* no body (so no Content-Type either) */
}

void vg_api_taxii_status(struct vg_req *req, struct vg_resp *r)
{
    if (!taxii_request(req, r))
        return;
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *out;
    int rc = vg_taxii_status(req->st, &req->actor, req->params[0], &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        taxii_json(r, 200, out);
}

/* ---- the admin side: /api/v1/taxii/collections ---- */

void vg_api_taxii_colls_list(struct vg_req *req, struct vg_resp *r)
{
    json_t *all;
    int rc = vg_store_taxii_coll_list(req->st, &all);
    if (rc) {
        vg_resp_get_failed(r, rc, NULL, "collections");
        return;
    }
    vg_resp_json(r, 200, json_pack("{s:o}", "items", all));
}

void vg_api_taxii_colls_create(struct vg_req *req, struct vg_resp *r)
{
    json_t *in = vg_req_json(req, r);
    if (!in)
        return;
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *out;
    int rc = vg_taxii_collection_create(req->st, &req->actor, in, &out, &d);
    json_decref(in);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    snprintf(r->location, sizeof r->location, "/api/v1/taxii/collections/%s",
             json_string_value(json_object_get(out, "id")));
    vg_resp_json(r, 201, out);
}

void vg_api_taxii_colls_get(struct vg_req *req, struct vg_resp *r)
{
    json_t *out;
    int rc = vg_store_taxii_coll_get(req->st, req->params[0], &out);
    if (rc)
        vg_resp_get_failed(r, rc, "id", "collection %.64s", req->params[0]);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_taxii_colls_patch(struct vg_req *req, struct vg_resp *r)
{
    json_t *in = vg_req_json(req, r);
    if (!in)
        return;
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *out;
    int rc = vg_taxii_collection_update(req->st, &req->actor, req->params[0], in, &out, &d);
    json_decref(in);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
}
