/* The summary of one CVE as the API shows it, drawn from its records as stored (NVD `cve`
 * objects and CVE 5 records: this file knows where each keeps its descriptions and
 * references). Pure: the caller fetches the records. */
#include "vuln/summary.h"

#include <stdbool.h>
#include <string.h>

/* Appends to refs the references of list not already there (by url). */
static void add_refs(json_t *refs, const json_t *list)
{
    size_t i, j;
    json_t *r, *have;
    json_array_foreach(list, i, r) {
        const char *url = json_string_value(json_object_get(r, "url"));
        if (!url)
            continue;
        bool dup = false;
        json_array_foreach(refs, j, have) {
            if (strcmp(json_string_value(json_object_get(have, "url")), url) == 0)
                dup = true;
        }
        if (dup)
            continue;
        json_t *tags = json_object_get(r, "tags");
        json_t *t = json_is_array(tags) ? json_incref(tags) : json_array();
        json_array_append_new(refs, json_pack("{s:s,s:o}", "url", url, "tags", t));
    }
}

json_t *vg_vuln_summary(const json_t *stored)
{
    json_t *v = json_copy((json_t *)stored);
    if (!v)
        return NULL;
    json_t *descs = json_array(), *refs = json_array(), *sources = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(v, "records"), i, r) {
        const char *src = json_string_value(json_object_get(r, "source"));
        json_t *rec = json_object_get(r, "record");
        json_array_append_new(sources, json_string(src ? src : ""));
        json_t *dl, *rl;
        if (src && strcmp(src, "nvd") == 0) {
            dl = json_object_get(rec, "descriptions");
            rl = json_object_get(rec, "references");
        } else {
            json_t *cna = json_object_get(json_object_get(rec, "containers"), "cna");
            dl = json_object_get(cna, "descriptions");
            rl = json_object_get(cna, "references");
        }
        size_t j;
        json_t *x;
        if (json_array_size(descs) == 0)
            json_array_foreach(dl, j, x) {
                const char *lang = json_string_value(json_object_get(x, "lang"));
                const char *val = json_string_value(json_object_get(x, "value"));
                if (lang && val)
                    json_array_append_new(descs,
                                          json_pack("{s:s,s:s}", "lang", lang, "value", val));
            }
        add_refs(refs, rl);
    }
    json_object_del(v, "records");
    json_object_set_new(v, "sources", sources);
    json_object_set_new(v, "descriptions", descs);
    json_object_set_new(v, "references", refs);
    return v;
}
