/* The summary of one CVE for the API, from its stored records. */
#ifndef VG_SUMMARY_H
#define VG_SUMMARY_H

#include <jansson.h>

/* stored: a CVE as a store gives it ({"cve", scores..., "records": [{"source": "nvd" |
 * "cve5", "record": the record as imported}]}). Returns a new object (caller decrefs) with
 * its fields but "records", and "sources" (the records' sources), "descriptions" ({lang,
 * value} of the first record that has any) and "references" ({url, tags} of all records,
 * each url once); NULL when out of memory. */
json_t *vg_vuln_summary(const json_t *stored);

#endif
