/* The JSON API handlers under /api/v1/, one file per resource (api/<resource>.c), and the
 * route table naming them (api/routes.c). Each handler parses the request, calls one app/
 * or module function and writes the answer. */
#ifndef VG_API_H
#define VG_API_H

#include "http/router.h"

/* Every route of the server, ended by a NULL method: given to vg_server_start. */
extern const struct vg_route vg_api_routes[];
/* The routes whose requests a batch runs several at a time (http/router.h), ended by {NULL}. */
extern const struct vg_route_many vg_api_many[];

void vg_api_health(struct vg_req *req, struct vg_resp *r);
void vg_api_taxonomy(struct vg_req *req, struct vg_resp *r);
void vg_api_me(struct vg_req *req, struct vg_resp *r);
void vg_api_login(struct vg_req *req, struct vg_resp *r);
void vg_api_users_list(struct vg_req *req, struct vg_resp *r);
void vg_api_users_create(struct vg_req *req, struct vg_resp *r);
void vg_api_tokens_list(struct vg_req *req, struct vg_resp *r);
void vg_api_tokens_create(struct vg_req *req, struct vg_resp *r);
void vg_api_tokens_revoke(struct vg_req *req, struct vg_resp *r);
void vg_api_audit_list(struct vg_req *req, struct vg_resp *r);
/* The dashboard's statistics (api/stats.c, app/stats.h). */
void vg_api_stats(struct vg_req *req, struct vg_resp *r);

void vg_api_orgs_list(struct vg_req *req, struct vg_resp *r);
void vg_api_orgs_create(struct vg_req *req, struct vg_resp *r);
void vg_api_orgs_get(struct vg_req *req, struct vg_resp *r);
void vg_api_orgs_patch(struct vg_req *req, struct vg_resp *r);

void vg_api_incidents_list(struct vg_req *req, struct vg_resp *r);
void vg_api_incidents_create(struct vg_req *req, struct vg_resp *r);
/* Several POST /api/v1/incidents of one batch at once (vg_api_many). */
int vg_api_incidents_create_many(struct vg_req *const *reqs, struct vg_resp *const *rs, int n);
void vg_api_incidents_get(struct vg_req *req, struct vg_resp *r);
void vg_api_incidents_patch(struct vg_req *req, struct vg_resp *r);
void vg_api_incidents_note(struct vg_req *req, struct vg_resp *r);
void vg_api_incidents_observable(struct vg_req *req, struct vg_resp *r);
void vg_api_incidents_step(struct vg_req *req, struct vg_resp *r);
void vg_api_incidents_related(struct vg_req *req, struct vg_resp *r);

void vg_api_playbooks_list(struct vg_req *req, struct vg_resp *r);
void vg_api_playbooks_get(struct vg_req *req, struct vg_resp *r);
void vg_api_playbooks_put(struct vg_req *req, struct vg_resp *r);

void vg_api_indicators_create(struct vg_req *req, struct vg_resp *r);
void vg_api_indicators_list(struct vg_req *req, struct vg_resp *r);
void vg_api_indicators_get(struct vg_req *req, struct vg_resp *r);
void vg_api_sightings_list(struct vg_req *req, struct vg_resp *r);
void vg_api_alerts_list(struct vg_req *req, struct vg_resp *r);
void vg_api_alerts_escalate(struct vg_req *req, struct vg_resp *r);

void vg_api_events_post(struct vg_req *req, struct vg_resp *r);
void vg_api_org_findings(struct vg_req *req, struct vg_resp *r);
void vg_api_vulns_get(struct vg_req *req, struct vg_resp *r);

void vg_api_reports_create(struct vg_req *req, struct vg_resp *r);
void vg_api_reports_queue_list(struct vg_req *req, struct vg_resp *r);
void vg_api_reports_queue_accept(struct vg_req *req, struct vg_resp *r);
void vg_api_reports_queue_discard(struct vg_req *req, struct vg_resp *r);

/* Sharing (api/share.c). */
void vg_api_incidents_export(struct vg_req *req, struct vg_resp *r);
void vg_api_share_export(struct vg_req *req, struct vg_resp *r);
void vg_api_share_import(struct vg_req *req, struct vg_resp *r);
/* Advisories shared through the TLP gate (issue 13). */
void vg_api_share_advisories_list(struct vg_req *req, struct vg_resp *r);
void vg_api_share_advisory_get(struct vg_req *req, struct vg_resp *r);

/* The MISP feed of the caller (api/mispfeed.c). */
void vg_api_mispfeed_manifest(struct vg_req *req, struct vg_resp *r);
void vg_api_mispfeed_event(struct vg_req *req, struct vg_resp *r);
void vg_api_mispfeed_hashes(struct vg_req *req, struct vg_resp *r);

void vg_api_partners_list(struct vg_req *req, struct vg_resp *r);
void vg_api_partners_create(struct vg_req *req, struct vg_resp *r);
void vg_api_partners_get(struct vg_req *req, struct vg_resp *r);
void vg_api_partners_patch(struct vg_req *req, struct vg_resp *r);
void vg_api_partner_tokens_list(struct vg_req *req, struct vg_resp *r);
void vg_api_partner_tokens_create(struct vg_req *req, struct vg_resp *r);
void vg_api_partner_tokens_revoke(struct vg_req *req, struct vg_resp *r);
void vg_api_share_whoami(struct vg_req *req, struct vg_resp *r);
/* The TAXII 2.1 server (api/taxii.c). */
void vg_api_taxii_discovery(struct vg_req *req, struct vg_resp *r);
void vg_api_taxii_root(struct vg_req *req, struct vg_resp *r);
void vg_api_taxii_collections(struct vg_req *req, struct vg_resp *r);
void vg_api_taxii_collection(struct vg_req *req, struct vg_resp *r);
void vg_api_taxii_objects_get(struct vg_req *req, struct vg_resp *r);
void vg_api_taxii_objects_post(struct vg_req *req, struct vg_resp *r);
void vg_api_taxii_manifest(struct vg_req *req, struct vg_resp *r);
void vg_api_taxii_object_get(struct vg_req *req, struct vg_resp *r);
void vg_api_taxii_object_delete(struct vg_req *req, struct vg_resp *r);
void vg_api_taxii_versions(struct vg_req *req, struct vg_resp *r);
void vg_api_taxii_status(struct vg_req *req, struct vg_resp *r);
void vg_api_taxii_colls_list(struct vg_req *req, struct vg_resp *r);
void vg_api_taxii_colls_create(struct vg_req *req, struct vg_resp *r);
void vg_api_taxii_colls_get(struct vg_req *req, struct vg_resp *r);
void vg_api_taxii_colls_patch(struct vg_req *req, struct vg_resp *r);
/* Upstream advisories: other CERTs' publications (api/upstream.c, issue 13). */
void vg_api_upstream_list(struct vg_req *req, struct vg_resp *r);
void vg_api_upstream_get(struct vg_req *req, struct vg_resp *r);
void vg_api_upstream_draft(struct vg_req *req, struct vg_resp *r);

/* Advisories (api/advisories.c, issue 13). */
void vg_api_advisories_list(struct vg_req *req, struct vg_resp *r);
void vg_api_advisories_create(struct vg_req *req, struct vg_resp *r);
void vg_api_advisories_draft_from_cves(struct vg_req *req, struct vg_resp *r);
void vg_api_advisories_get(struct vg_req *req, struct vg_resp *r);
void vg_api_advisories_patch(struct vg_req *req, struct vg_resp *r);
void vg_api_advisories_submit(struct vg_req *req, struct vg_resp *r);
void vg_api_advisories_publish(struct vg_req *req, struct vg_resp *r);
void vg_api_advisories_revise(struct vg_req *req, struct vg_resp *r);
void vg_api_advisories_close(struct vg_req *req, struct vg_resp *r);

/* The outbox of outbound mail (api/outbox.c, issue 15). */
void vg_api_outbox_list(struct vg_req *req, struct vg_resp *r);
/* Inbound mail (api/inbound.c, issue 15). */
void vg_api_inbound_list(struct vg_req *req, struct vg_resp *r);
void vg_api_inbound_get(struct vg_req *req, struct vg_resp *r);
void vg_api_inbound_raw(struct vg_req *req, struct vg_resp *r);
/* The crisis cell (api/crises.c, issue 15). */
void vg_api_crises_list(struct vg_req *req, struct vg_resp *r);
void vg_api_crises_create(struct vg_req *req, struct vg_resp *r);
void vg_api_crises_get(struct vg_req *req, struct vg_resp *r);
void vg_api_crises_patch(struct vg_req *req, struct vg_resp *r);
void vg_api_crises_log(struct vg_req *req, struct vg_resp *r);
void vg_api_crises_member(struct vg_req *req, struct vg_resp *r);
void vg_api_crises_rollcall(struct vg_req *req, struct vg_resp *r);
void vg_api_crises_pending(struct vg_req *req, struct vg_resp *r);
void vg_api_crises_sitrep(struct vg_req *req, struct vg_resp *r);
void vg_api_crises_close(struct vg_req *req, struct vg_resp *r);
void vg_api_crises_review(struct vg_req *req, struct vg_resp *r);
void vg_api_crises_sitrep_send(struct vg_req *req, struct vg_resp *r);
void vg_api_ack(struct vg_req *req, struct vg_resp *r);

#endif
