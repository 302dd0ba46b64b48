/* The route table of the server: the JSON API under /api/v1/, each route with the least role
 * allowed and its handler. The router (http/router.c) matches requests against it. */
#include "api/api.h"

const struct vg_route vg_api_routes[] = {
    {"GET", "/api/v1/health", VG_PUBLIC, vg_api_health, 0},
    {"GET", "/api/v1/taxonomy", VG_PUBLIC, vg_api_taxonomy, 0},
    {"POST", "/api/v1/login", VG_PUBLIC, vg_api_login, VG_ROUTE_LOGIN},
    {"POST", "/api/v1/reports", VG_PUBLIC, vg_api_reports_create, 0},
    {"GET", "/api/v1/me", VG_READER, vg_api_me, 0},
    {"GET", "/api/v1/users", VG_ADMIN, vg_api_users_list, 0},
    {"POST", "/api/v1/users", VG_ADMIN, vg_api_users_create, 0},
    {"GET", "/api/v1/tokens", VG_READER, vg_api_tokens_list, 0},
    {"POST", "/api/v1/tokens", VG_READER, vg_api_tokens_create, 0},
    {"DELETE", "/api/v1/tokens/{}", VG_READER, vg_api_tokens_revoke, 0},
    {"GET", "/api/v1/audit", VG_ADMIN, vg_api_audit_list, 0},
    {"GET", "/api/v1/stats", VG_READER, vg_api_stats, 0},
    {"GET", "/api/v1/orgs", VG_READER, vg_api_orgs_list, 0},
    {"POST", "/api/v1/orgs", VG_ADMIN, vg_api_orgs_create, 0},
    {"GET", "/api/v1/orgs/{}", VG_READER, vg_api_orgs_get, 0},
    {"PATCH", "/api/v1/orgs/{}", VG_ADMIN, vg_api_orgs_patch, 0},
    {"GET", "/api/v1/orgs/{}/findings", VG_READER, vg_api_org_findings, 0},
    {"GET", "/api/v1/vulns/{}", VG_READER, vg_api_vulns_get, 0},
    {"GET", "/api/v1/incidents", VG_READER, vg_api_incidents_list, 0},
    {"POST", "/api/v1/incidents", VG_ANALYST, vg_api_incidents_create, 0},
    {"GET", "/api/v1/incidents/{}", VG_READER, vg_api_incidents_get, 0},
    {"PATCH", "/api/v1/incidents/{}", VG_ANALYST, vg_api_incidents_patch, 0},
    {"POST", "/api/v1/incidents/{}/notes", VG_ANALYST, vg_api_incidents_note, 0},
    {"POST", "/api/v1/incidents/{}/observables", VG_ANALYST, vg_api_incidents_observable, 0},
    {"PATCH", "/api/v1/incidents/{}/steps/{}", VG_ANALYST, vg_api_incidents_step, 0},
    {"GET", "/api/v1/incidents/{}/related", VG_READER, vg_api_incidents_related, 0},
    {"GET", "/api/v1/playbooks", VG_READER, vg_api_playbooks_list, 0},
    {"GET", "/api/v1/playbooks/{}", VG_READER, vg_api_playbooks_get, 0},
    {"PUT", "/api/v1/playbooks/{}", VG_ANALYST, vg_api_playbooks_put, 0},
    {"GET", "/api/v1/indicators", VG_READER, vg_api_indicators_list, 0},
    {"POST", "/api/v1/indicators", VG_ANALYST, vg_api_indicators_create, 0},
    {"GET", "/api/v1/indicators/{}", VG_READER, vg_api_indicators_get, 0},
    {"GET", "/api/v1/sightings", VG_READER, vg_api_sightings_list, 0},
    {"GET", "/api/v1/alerts", VG_READER, vg_api_alerts_list, 0},
    {"POST", "/api/v1/alerts/{}/escalate", VG_ANALYST, vg_api_alerts_escalate, 0},
    {"POST", "/api/v1/events", VG_ANALYST, vg_api_events_post, VG_ROUTE_RAW_BODY},
    {"GET", "/api/v1/reports/queue", VG_READER, vg_api_reports_queue_list, 0},
    {"POST", "/api/v1/reports/queue/{}/accept", VG_ANALYST, vg_api_reports_queue_accept, 0},
    {"DELETE", "/api/v1/reports/queue/{}", VG_ANALYST, vg_api_reports_queue_discard, 0},
    {"GET", "/misp-feed/manifest.json", VG_READER, vg_api_mispfeed_manifest, VG_ROUTE_SHARE},
    {"GET", "/misp-feed/hashes.csv", VG_READER, vg_api_mispfeed_hashes, VG_ROUTE_SHARE},
    {"GET", "/misp-feed/{}", VG_READER, vg_api_mispfeed_event, VG_ROUTE_SHARE},
    {"GET", "/api/v1/partners", VG_READER, vg_api_partners_list, 0},
    {"POST", "/api/v1/partners", VG_ADMIN, vg_api_partners_create, 0},
    {"GET", "/api/v1/partners/{}", VG_READER, vg_api_partners_get, 0},
    {"PATCH", "/api/v1/partners/{}", VG_ADMIN, vg_api_partners_patch, 0},
    {"GET", "/api/v1/partners/{}/tokens", VG_ADMIN, vg_api_partner_tokens_list, 0},
    {"POST", "/api/v1/partners/{}/tokens", VG_ADMIN, vg_api_partner_tokens_create, 0},
    {"DELETE", "/api/v1/partners/{}/tokens/{}", VG_ADMIN, vg_api_partner_tokens_revoke, 0},
    {"GET", "/api/v1/share/whoami", VG_READER, vg_api_share_whoami, VG_ROUTE_SHARE},
    /* the TAXII 2.1 server (api/taxii.c); one trailing slash is tolerated, as TAXII writes them.
     * One route a line, its flags included, as the tests read the table (test_partners). */
    /* clang-format off */
    {"GET", "/api/v1/taxii/collections", VG_READER, vg_api_taxii_colls_list, 0},
    {"POST", "/api/v1/taxii/collections", VG_ADMIN, vg_api_taxii_colls_create, 0},
    {"GET", "/api/v1/taxii/collections/{}", VG_READER, vg_api_taxii_colls_get, 0},
    {"PATCH", "/api/v1/taxii/collections/{}", VG_ADMIN, vg_api_taxii_colls_patch, 0},
    {"GET", "/taxii2", VG_READER, vg_api_taxii_discovery, VG_ROUTE_SHARE | VG_ROUTE_TAXII},
    {"GET", "/taxii2/vigie", VG_READER, vg_api_taxii_root, VG_ROUTE_SHARE | VG_ROUTE_TAXII},
    {"GET", "/taxii2/vigie/collections", VG_READER, vg_api_taxii_collections, VG_ROUTE_SHARE | VG_ROUTE_TAXII},
    {"GET", "/taxii2/vigie/collections/{}", VG_READER, vg_api_taxii_collection, VG_ROUTE_SHARE | VG_ROUTE_TAXII},
    {"GET", "/taxii2/vigie/collections/{}/objects", VG_READER, vg_api_taxii_objects_get, VG_ROUTE_SHARE | VG_ROUTE_TAXII},
    {"POST", "/taxii2/vigie/collections/{}/objects", VG_ANALYST, vg_api_taxii_objects_post, VG_ROUTE_SHARE | VG_ROUTE_TAXII},
    {"GET", "/taxii2/vigie/collections/{}/manifest", VG_READER, vg_api_taxii_manifest, VG_ROUTE_SHARE | VG_ROUTE_TAXII},
    {"GET", "/taxii2/vigie/collections/{}/objects/{}", VG_READER, vg_api_taxii_object_get, VG_ROUTE_SHARE | VG_ROUTE_TAXII},
    {"DELETE", "/taxii2/vigie/collections/{}/objects/{}", VG_ANALYST, vg_api_taxii_object_delete, VG_ROUTE_SHARE | VG_ROUTE_TAXII},
    {"GET", "/taxii2/vigie/collections/{}/objects/{}/versions", VG_READER, vg_api_taxii_versions, VG_ROUTE_SHARE | VG_ROUTE_TAXII},
    {"GET", "/taxii2/vigie/status/{}", VG_READER, vg_api_taxii_status, VG_ROUTE_SHARE | VG_ROUTE_TAXII},
    /* sharing (issue 12): exports through the TLP gate, imports of MISP and STIX */
    {"GET", "/api/v1/incidents/{}/export", VG_ANALYST, vg_api_incidents_export, VG_ROUTE_SHARE},
    {"GET", "/api/v1/share/export", VG_ANALYST, vg_api_share_export, VG_ROUTE_SHARE},
    /* one route a line, as the route tests read the table */
    /* clang-format off */
    {"POST", "/api/v1/share/import", VG_ANALYST, vg_api_share_import, VG_ROUTE_SHARE | VG_ROUTE_RAW_BODY},
    /* clang-format on */
    /* upstream advisories: other CERTs' publications (issue 13) */
    {"GET", "/api/v1/upstream-advisories", VG_READER, vg_api_upstream_list, 0},
    {"GET", "/api/v1/upstream-advisories/{}", VG_READER, vg_api_upstream_get, 0},
    {"GET", "/api/v1/upstream-advisories/{}/draft", VG_READER, vg_api_upstream_draft, 0},
    /* advisories (issue 13): analysts write, readers read */
    /* clang-format off */
    {"GET", "/api/v1/advisories", VG_READER, vg_api_advisories_list, 0},
    {"POST", "/api/v1/advisories", VG_ANALYST, vg_api_advisories_create, 0},
    {"POST", "/api/v1/advisories/draft-from-cves", VG_ANALYST, vg_api_advisories_draft_from_cves, 0},
    {"GET", "/api/v1/advisories/{}", VG_READER, vg_api_advisories_get, 0},
    {"PATCH", "/api/v1/advisories/{}", VG_ANALYST, vg_api_advisories_patch, 0},
    {"POST", "/api/v1/advisories/{}/submit", VG_ANALYST, vg_api_advisories_submit, 0},
    {"POST", "/api/v1/advisories/{}/publish", VG_ANALYST, vg_api_advisories_publish, 0},
    {"POST", "/api/v1/advisories/{}/revisions", VG_ANALYST, vg_api_advisories_revise, 0},
    {"POST", "/api/v1/advisories/{}/close", VG_ANALYST, vg_api_advisories_close, 0},
    /* clang-format on */
    /* advisories shared with partners and constituents through the TLP gate (issue 13) */
    /* clang-format off */
    {"GET", "/api/v1/share/advisories", VG_READER, vg_api_share_advisories_list, VG_ROUTE_SHARE},
    {"GET", "/api/v1/share/advisories/{}", VG_READER, vg_api_share_advisory_get, VG_ROUTE_SHARE},
    /* the outbox of outbound mail (issue 15): analysts see what left and what waits */
    {"GET", "/api/v1/outbox", VG_ANALYST, vg_api_outbox_list, 0},
    /* clang-format on */
    /* the crisis cell (issue 15): analysts write, readers read; GET /ack/{token} is the
     * public acknowledgement link of a roll-call, a GET that writes */
    /* clang-format off */
    {"GET", "/api/v1/crises", VG_READER, vg_api_crises_list, 0},
    {"POST", "/api/v1/crises", VG_ANALYST, vg_api_crises_create, 0},
    {"GET", "/api/v1/crises/{}", VG_READER, vg_api_crises_get, 0},
    {"PATCH", "/api/v1/crises/{}", VG_ANALYST, vg_api_crises_patch, 0},
    {"POST", "/api/v1/crises/{}/log", VG_ANALYST, vg_api_crises_log, 0},
    {"POST", "/api/v1/crises/{}/members", VG_ANALYST, vg_api_crises_member, 0},
    {"POST", "/api/v1/crises/{}/rollcall", VG_ANALYST, vg_api_crises_rollcall, 0},
    {"GET", "/api/v1/crises/{}/rollcall", VG_READER, vg_api_crises_pending, 0},
    {"POST", "/api/v1/crises/{}/sitreps", VG_ANALYST, vg_api_crises_sitrep, 0},
    {"POST", "/api/v1/crises/{}/close", VG_ANALYST, vg_api_crises_close, 0},
    {"GET", "/api/v1/crises/{}/review.md", VG_READER, vg_api_crises_review, 0},
    {"GET", "/ack/{}", VG_PUBLIC, vg_api_ack, VG_ROUTE_WRITE},
    {"POST", "/api/v1/crises/{}/sitreps/{}/send", VG_ANALYST, vg_api_crises_sitrep_send, 0},
    /* clang-format on */
    /* inbound mail (issue 15): what `vigie mail ingest` read, the message as received */
    {"GET", "/api/v1/inbound", VG_ANALYST, vg_api_inbound_list, 0},
    {"GET", "/api/v1/inbound/{}", VG_ANALYST, vg_api_inbound_get, 0},
    {"GET", "/api/v1/inbound/{}/raw", VG_ANALYST, vg_api_inbound_raw, 0},
    {NULL, NULL, VG_PUBLIC, NULL, 0},
};

const struct vg_route_many vg_api_many[] = {
    {vg_api_incidents_create, vg_api_incidents_create_many},
    {NULL, NULL},
};
