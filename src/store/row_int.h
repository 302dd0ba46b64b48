/* A row of a query's result read the same way on both backends, so that the JSON of a domain's
 * row is built once, in its backend-neutral store_<domain>.c, rather than once per backend:
 * each backend makes a struct vg_row of its own result (sqlite_row.c, pg_row.c). Internal to
 * store/; the builders of each domain follow, by domain. */
#ifndef VG_STORE_ROW_INT_H
#define VG_STORE_ROW_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct vg_row;
struct vg_diag;

/* How a backend reads a column c of its row. */
struct vg_row_ops {
    bool (*is_null)(const struct vg_row *r, int c);     /* the column is NULL */
    const char *(*text)(const struct vg_row *r, int c); /* its text, "" when NULL */
    long long (*num)(const struct vg_row *r, int c);    /* its integer, 0 when NULL */
    bool (*flag)(const struct vg_row *r, int c);        /* a boolean or an integer, not 0 */
    size_t (*len)(const struct vg_row *r, int c);       /* its text's length in bytes */
};

/* A row: valid as long as the backend's result (SQLite: until the statement's next step). */
struct vg_row {
    const struct vg_row_ops *ops; /* the backend's reading */
    const void *res;              /* its result: a stepped sqlite3_stmt, a PGresult */
    int i;                        /* the row's number in res (PostgreSQL) */
};

struct sqlite3_stmt;
struct pg_result;
/* The current row of a stepped SQLite statement (sqlite_row.c). */
struct vg_row vg_row_sqlite(struct sqlite3_stmt *q);
/* Row i of a PostgreSQL result (pg_row.c). */
struct vg_row vg_row_pg(const struct pg_result *res, int i);

static inline bool vg_row_is_null(const struct vg_row *r, int c)
{
    return r->ops->is_null(r, c);
}

static inline const char *vg_row_text(const struct vg_row *r, int c)
{
    return r->ops->text(r, c);
}

static inline long long vg_row_int(const struct vg_row *r, int c)
{
    return r->ops->num(r, c);
}

static inline bool vg_row_bool(const struct vg_row *r, int c)
{
    return r->ops->flag(r, c);
}

static inline size_t vg_row_len(const struct vg_row *r, int c)
{
    return r->ops->len(r, c);
}

/* The column as a JSON string, or JSON null when NULL (store_row.c). */
json_t *vg_row_null(const struct vg_row *r, int c);
/* The column's text parsed as JSON; JSON null when NULL or unreadable (store_row.c). */
json_t *vg_row_json(const struct vg_row *r, int c);

/* ---- crisis (store_crisis.c): the columns each reads, from 0, are in its comment ---- */

/* The columns of a member (SQL), in st_crisis_member's order. */
#define ST_CRISIS_MEMBER_COLS                                                                      \
    "m.id, m.kind, m.name, m.email, m.role, m.added, m.partner_id, m.org_id, m.max_tlp, m.lang"
/* A member from ST_CRISIS_MEMBER_COLS: the link the TLP gate needs for its kind only. */
json_t *st_crisis_member(const struct vg_row *r);
/* A member from ST_CRISIS_MEMBER_COLS, then its acknowledgement's time (column 10, when not
 * NULL). */
json_t *st_crisis_pending_member(const struct vg_row *r);
/* A log entry: id, at, author, text. */
json_t *st_crisis_log(const struct vg_row *r);
/* A sitrep: number, version, title, body, tlp, author, at. */
json_t *st_crisis_sitrep(const struct vg_row *r);
/* A crisis in a list: id, title, level, state, opened, closed. */
json_t *st_crisis_brief(const struct vg_row *r);
/* A crisis without its members, log and sitreps: st_crisis_brief's columns, then incidents,
 * updated, closing, review, sitrep_every_hours, reminded. */
json_t *st_crisis_head(const struct vg_row *r);
/* A crisis due for a sitrep: id, sitrep_every_hours, base, reminded. */
json_t *st_crisis_scheduled(const struct vg_row *r);
/* The number and version of a sitrep written to crisis id: a new version of sitrep *number
 * when given (VG_ENOENT with d set when the crisis has none: vmax, its last version, is 0),
 * else version 1 of the next number after last. */
int st_crisis_sitrep_number(long long id, long long last, long long vmax, long long *number,
                            long long *version, struct vg_diag *d);
/* The answers of the writes: a log entry; a sitrep written (*detail: its audit detail); a
 * roll-call sent to n members; an acknowledgement (*detail: its audit detail). New
 * references. */
json_t *st_crisis_log_entry(long long id, const char *at, const char *author, const char *text);
json_t *st_crisis_sitrep_entry(long long number, long long version, const json_t *sr,
                               const char *author, const char *at, json_t **detail);
json_t *st_crisis_call_entry(long long rollcall, const char *sent, size_t n);
json_t *st_crisis_ack_entry(long long crisis, long long rollcall, long long member, const char *at,
                            json_t **detail);

/* ---- advisories (store_advisory.c) ---- */

/* The columns of an advisory (SQL), in st_advisory's order. */
#define ST_ADV_COLS                                                                                \
    "id, ref, kind, year, number, status, version, title, tlp, published, draft, "                 \
    "pending_description, authors, internal, created, updated, published_at, "                     \
    "last_published_at, closed_at"
/* An advisory's record from ST_ADV_COLS, without its revisions. */
json_t *st_advisory(const struct vg_row *r);
/* An advisory in a list, from ST_ADV_COLS: what a list shows, without contents. */
json_t *st_advisory_brief(const struct vg_row *r);
/* A published revision: version, date, description, publisher. */
json_t *st_advisory_revision(const struct vg_row *r);
/* The text a record's title and tlp columns follow: its draft, else its published content. */
const json_t *st_advisory_working_text(const json_t *rec);
/* q with the LIKE wildcards escaped (ESCAPE '\'), between two '%', and with lower its ASCII
 * letters lowered; NULL when out of memory. Free it. */
char *st_like_pattern(const char *q, bool lower);

/* ---- partners (store_partner.c) ---- */

struct vg_actor;
struct vg_token_meta;
/* The columns of a partner (SQL), in st_partner's order. */
#define ST_PARTNER_COLS "id, name, country, networks, contacts, max_tlp, disabled, created, updated"
/* A partner from ST_PARTNER_COLS. */
json_t *st_partner(const struct vg_row *r);
/* A partner's token as listed: id, label, created, revoked, last_used. */
json_t *st_partner_token(const struct vg_row *r);
/* A token just made (never used nor revoked). */
json_t *st_partner_token_new(long long id, const char *label, const char *created);
/* The actor and token of a partner's valid token from partner id, partner name, token id,
 * last_used. */
void st_partner_actor(const struct vg_row *r, struct vg_actor *out, struct vg_token_meta *meta);

/* ---- indicators, sightings, alerts (store_indicator.c) ---- */

struct vg_incident_new;
/* The query of indicators (SQL: a WHERE clause or nothing follows), in st_indicator's order. */
#define ST_IND_SELECT                                                                              \
    "SELECT id, type, value, tlp, source, confidence, tags, first_seen, last_seen, expires, "      \
    "created, updated FROM indicator "
/* The query of alerts (SQL: a WHERE clause follows), in st_alert's order. */
#define ST_ALERT_SELECT                                                                            \
    "SELECT a.id, a.indicator_id, i.type, i.value, i.tlp, a.org_id, o.name, a.day, "               \
    "a.first_seen, a.last_seen, a.count, a.status, n.ref FROM alert a "                            \
    "JOIN indicator i ON i.id = a.indicator_id LEFT JOIN org o ON o.id = a.org_id "                \
    "LEFT JOIN incident n ON n.id = a.incident_id "
/* An indicator from ST_IND_SELECT, or NULL when out of memory (a field left out would be
 * merged and stored as missing). */
json_t *st_indicator(const struct vg_row *r);
/* A sighting: id, indicator id, type, value, org id, org name, seen, value seen, field, source,
 * the TLP that applies. */
json_t *st_sighting(const struct vg_row *r);
/* An alert from ST_ALERT_SELECT. */
json_t *st_alert(const struct vg_row *r);
/* The incident alert id (st_alert's JSON) escalates to, with the values seen that day (an
 * array of strings, the first 100 used) and the fields given: VG_ECONFLICT when the alert is
 * not open any more; else core's escalation (escalate.h) into *inc (new reference) and *rec
 * (from_alert set; cleaned by the caller). 0 or the error with d set. */
int st_alert_incident(const json_t *alert, long long id, const json_t *seen, const json_t *fields,
                      json_t **inc, struct vg_incident_new *rec, struct vg_diag *d);

/* ---- inbound mail (store_inbound.c) ---- */

/* The columns of an inbound message (SQL, of table inbound), in st_inbound's order. */
#define ST_INBOUND_COLS                                                                            \
    "id, message_id, sha256, size, sender, subject, received, outcome, reason, ref, queue_id, "    \
    "(SELECT count(*) FROM inbound_attachment a WHERE a.inbound_id = inbound.id)"
/* An inbound message from ST_INBOUND_COLS. */
json_t *st_inbound(const struct vg_row *r);
/* An attachment: id, name, media_type, size, sha256, is_archive, kept. */
json_t *st_inbound_attachment(const struct vg_row *r);

/* ---- TAXII (store_taxii.c) ---- */

struct vg_taxii_row;
/* The columns of a collection (SQL), in st_taxii_coll's order. */
#define ST_TAXII_COLL_COLS "id, title, description, readers, writers, created, updated"
/* A collection from ST_TAXII_COLL_COLS. */
json_t *st_taxii_coll(const struct vg_row *r);
/* An object version's row from added, id, type, spec_version, version, tlp, object (pointing
 * into r: valid as long as r). */
void st_taxii_object(const struct vg_row *r, struct vg_taxii_row *row);

/* ---- moving data (store_dump.c) ---- */

/* A name from the catalog that may be quoted into SQL: 1..VG_DUMP_NAME_MAX of [a-z0-9_]. */
bool st_dump_plain_name(const char *n);
/* The order in which count tables are copied, parents first: refs[i * stride + j] says that
 * table i refers to table j; each round takes the first table (by index) whose parents are
 * all taken, a table referring to itself aside. order[0..count) gets their indexes. 0, or
 * VG_EINVAL with d set when the references make a cycle or count exceeds
 * VG_DUMP_TABLES_MAX. */
int st_dump_order(size_t count, const bool *refs, size_t stride, size_t *order, struct vg_diag *d);

/* ---- upstream advisories (store_upstream.c) ---- */

/* An upstream advisory as a list gives it, from id, ref, source, title, kind, first_date,
 * last_date, revisions, closed_at, imported, updated, its CVEs (a JSON array). */
json_t *st_upstream(const struct vg_row *r);
/* Whether rec is newer than the revision held (last date, then number of revisions): -1, 0
 * or 1. */
int st_upstream_compare_held(const json_t *rec, const char *held_last, long long held_revs);
/* Adds row r (org id, org name, value; rows ordered by org) to list, one entry per
 * organisation {"org","name","why": why, key: [values]}; *cur is the entry of the row before
 * (NULL at first). 0 or VG_ENOMEM. */
int st_upstream_group_row(json_t *list, json_t **cur, const struct vg_row *r, const char *why,
                          const char *key);
/* The entries of byfinding and byproduct (each ordered by org) merged by organisation id, its
 * finding entry first: a new array, NULL when out of memory. */
json_t *st_upstream_merge(const json_t *byfinding, const json_t *byproduct);

/* ---- the outbox (store_mail.c) ---- */

/* The columns of an outbox message (SQL), in st_mail's order. */
#define ST_MAIL_COLS                                                                               \
    "id, message_id, kind, object, recipients, subject, body_text, body_html, state, attempts, "   \
    "next_attempt, last_answer, created, updated"
/* An outbox message from ST_MAIL_COLS. */
json_t *st_mail(const struct vg_row *r);

#endif
