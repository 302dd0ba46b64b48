/* The CISA Known Exploited Vulnerabilities catalog reader: dates added and due, ransomware
 * use, vendor and product, joined to the set by CVE. */
#include "vuln/vuln_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"
#include "vuln/feed.h"

static bool is_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    return true;
}

int vuln_read_kev(struct vg_vuln_set *s, const json_t *doc, const char *name,
                  const struct vg_feed_opts *o, struct vg_feed_stats *st, struct vg_diag *d)
{
    json_t *vulns = json_object_get(doc, "vulnerabilities");
    if (!json_is_array(vulns))
        return vg_diag_set(d, VG_EINVAL, "/vulnerabilities", "%s: not a KEV catalog", name);
    for (size_t i = 0; i < json_array_size(vulns); i++) {
        json_t *e = json_array_get(vulns, i);
        char ptr[80];
        struct vg_diag rd;
        vg_diag_clear(&rd);
        bool bad = false;
        const char *id = vuln_json_str_member(e, "cveID", &bad);
        const char *added = vuln_json_str_member(e, "dateAdded", &bad);
        const char *due = vuln_json_str_member(e, "dueDate", &bad);
        const char *ransom = vuln_json_str_member(e, "knownRansomwareCampaignUse", &bad);
        uint64_t key = id ? vg_vuln_key(vg_str_c(id)) : 0;
        const char *field = !json_is_object(e)       ? ""
                            : !key                   ? "/cveID"
                            : !is_date(added)        ? "/dateAdded"
                            : (due && !is_date(due)) ? "/dueDate"
                            : bad                    ? ""
                                                     : NULL;
        if (field) {
            snprintf(ptr, sizeof ptr, "/vulnerabilities/%zu%s", i, field);
            vg_diag_set(&rd, VG_EINVAL, ptr, "KEV entry: %s",
                        !*field           ? "not an object or a field not a string"
                        : field[1] == 'c' ? "cveID is not a CVE id"
                                          : "date is not YYYY-MM-DD");
            vuln_feed_report(o, name, &rd, st);
            continue;
        }
        struct vg_kev k;
        memset(&k, 0, sizeof k);
        vuln_copy_field(k.date_added, sizeof k.date_added, added);
        vuln_copy_field(k.due_date, sizeof k.due_date, due);
        k.ransomware = ransom && strcmp(ransom, "Known") == 0;
        vuln_copy_field(k.vendor, sizeof k.vendor,
                        json_string_value(json_object_get(e, "vendorProject")));
        vuln_copy_field(k.product, sizeof k.product,
                        json_string_value(json_object_get(e, "product")));
        int rc = vg_vuln_set_put_kev(s, key, &k);
        if (rc < 0)
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        vuln_feed_count(rc, st);
    }
    return 0;
}
