/* SQLite backend: indicators of compromise (idempotent import), their sightings and the
 * alerts raised from sightings, and escalation of an alert into an incident. */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escalate.h"
#include "core/incident.h"
#include "core/observable.h"
#include "store/row_int.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/time.h"

static json_t *indicator_row(sqlite3_stmt *q)
{
    struct vg_row w = vg_row_sqlite(q);
    return st_indicator(&w);
}

int sq_indicator_get(struct vg_store *st, long long id, json_t **out)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, ST_IND_SELECT "WHERE id = ?");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, id);
    int step = sqlite3_step(q), rc = step == SQLITE_DONE ? VG_ENOENT : VG_EIO;
    if (step == SQLITE_ROW) {
        *out = indicator_row(q);
        rc = *out ? 0 : VG_ENOMEM;
    }
    sq_done(s, q);
    return rc;
}

int sq_indicator_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                      json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    long long after;
    if (sq_cursor_read(page->cursor, &after, d))
        return VG_EINVAL;
    const char *type = vg_json_str(filters, "type"), *source = vg_json_str(filters, "source");
    const char *value = vg_json_str(filters, "value");
    /* a value (with its type) is one row of the (type, value) index, not a scan */
    sqlite3_stmt *q =
        value ? sq_prep(s, ST_IND_SELECT "WHERE id > ? AND type = ?2 AND value = ?5 "
                                         "AND (?3 IS NULL OR source = ?3) ORDER BY id LIMIT ?4")
              : sq_prep(s, ST_IND_SELECT "WHERE id > ? AND (?2 IS NULL OR type = ?2) "
                                         "AND (?3 IS NULL OR source = ?3) ORDER BY id LIMIT ?4");
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int64(q, 1, after);
    sq_bind_text(q, 2, type);
    sq_bind_text(q, 3, source);
    sqlite3_bind_int(q, 4, page->limit + 1);
    if (value)
        sq_bind_text(q, 5, value);
    *out = sq_page(q, page->limit, indicator_row);
    sq_done(s, q);
    return 0;
}

int sq_indicator_each(struct vg_store *st, const char *now,
                      int (*fn)(void *ctx, long long id, const char *type, const char *value),
                      void *ctx)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT id, type, value FROM indicator "
                                 "WHERE ?1 IS NULL OR expires IS NULL OR expires > ?1 ORDER BY id");
    if (!q)
        return VG_EIO;
    sq_bind_text(q, 1, now);
    int rc = 0, step = SQLITE_DONE;
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
        rc = fn(ctx, sqlite3_column_int64(q, 0), sq_col_text(q, 1), sq_col_text(q, 2));
    /* a step that failed (SQLITE_NOMEM) ends the rows too: not all of them were read */
    if (rc == 0 && step != SQLITE_DONE)
        rc = VG_EIO;
    sq_done(s, q);
    return rc;
}

/* The version is "G|E": G, the counter "indicator.gen" that every import changing indicators
 * increments in its transaction (this connection's, another's, another process's: as on
 * PostgreSQL; other writes, sightings for one, leave it alone); E, the expiries passed. The
 * next expiry is looked up (one scan) only when G changed or when it passes, so that a server
 * can ask before every request. */
int sq_indicator_version(struct vg_store *st, const char *now, char *out, size_t cap)
{
    struct sq *s = sq_of(st);
    long long g =
        sq_scalar(s,
                  "SELECT coalesce((SELECT value FROM counter WHERE name = 'indicator.gen'), 0)");
    if (g < 0)
        return VG_EIO;
    bool changed = g != s->ind_gen_seen;
    bool expired = s->ind_next_expiry[0] && now && strcmp(now, s->ind_next_expiry) >= 0;
    if (changed || expired) {
        sqlite3_stmt *q = sq_prep(s, "SELECT min(expires) FROM indicator WHERE expires > ?1");
        if (!q)
            return VG_EIO;
        sq_bind_text(q, 1, now);
        if (sqlite3_step(q) != SQLITE_ROW) {
            sq_done(s, q);
            return VG_EIO;
        }
        snprintf(s->ind_next_expiry, sizeof s->ind_next_expiry, "%s", sq_col_text(q, 0));
        sq_done(s, q);
        if (expired)
            s->ind_epoch++;
        s->ind_gen_seen = g;
    }
    snprintf(out, cap, "%lld|%llu", g, s->ind_epoch);
    return 0;
}

/* Records one sighting and counts it in its alert (one per indicator, organisation and day).
 * Returns the alert id, or a negative error. */
static long long record_one(struct sq *s, const struct vg_sighting *sg, const char *now)
{
    const char *seen = sg->seen ? sg->seen : now;
    char day[11];
    snprintf(day, sizeof day, "%.10s", seen);
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO sighting(indicator_id, org_id, seen, value, field, "
                                 "source, created, tlp) VALUES (?,?,?,?,?,?,?,?)");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, sg->indicator);
    if (sg->org)
        sqlite3_bind_int64(q, 2, sg->org);
    sq_bind_text(q, 3, seen);
    sq_bind_text(q, 4, sg->value);
    sq_bind_text(q, 5, sg->field ? sg->field : "");
    sq_bind_text(q, 6, sg->source ? sg->source : "");
    sq_bind_text(q, 7, now);
    sq_bind_text(q, 8, sg->tlp);
    if (sq_step_done(s, q))
        return VG_EIO;
    q = sq_prep(s, "INSERT INTO alert(indicator_id, org_id, day, first_seen, last_seen, count, "
                   "created) VALUES (?1, ?2, ?3, ?4, ?4, 1, ?5) "
                   "ON CONFLICT(indicator_id, ifnull(org_id, 0), day) DO UPDATE SET "
                   "count = count + 1, first_seen = min(first_seen, excluded.first_seen), "
                   "last_seen = max(last_seen, excluded.last_seen) RETURNING id");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, sg->indicator);
    if (sg->org)
        sqlite3_bind_int64(q, 2, sg->org);
    sq_bind_text(q, 3, day);
    sq_bind_text(q, 4, seen);
    sq_bind_text(q, 5, now);
    long long alert = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : VG_EIO;
    sq_done(s, q);
    return alert;
}

int sq_sightings_record(struct vg_store *st, const struct vg_actor *who,
                        const struct vg_sighting *v, size_t n, long long *alerts, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    /* The alerts touched, as a set, for the audit record. */
    struct vg_u64map touched = {0};
    json_t *summary = NULL;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        long long a = record_one(s, &v[i], now);
        if (a < 0) {
            int fk = sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_FOREIGNKEY;
            rc = fk ? vg_diag_set(d, VG_EINVAL, "indicator",
                                  "sighting %zu: no such indicator or organisation", i)
                    : sq_db_error(s, d);
            goto out;
        }
        if (alerts)
            alerts[i] = a;
        if (vg_u64map_put(&touched, (uint64_t)a, 0) != 0) {
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            goto out;
        }
    }
    summary = json_pack("{s:I,s:I}", "sightings", (json_int_t)n, "alerts", (json_int_t)touched.n);
    if ((n && sq_audit(s, who, "sighting.record", "sightings", summary)) || sq_commit(s))
        rc = sq_db_error(s, d);
out:
    if (rc)
        sq_rollback(s);
    json_decref(summary);
    vg_u64map_cleanup(&touched);
    return rc;
}

static json_t *sighting_row(sqlite3_stmt *q)
{
    struct vg_row w = vg_row_sqlite(q);
    return st_sighting(&w);
}

int sq_sighting_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                     json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    long long before;
    if (sq_cursor_read(page->cursor, &before, d))
        return VG_EINVAL;
    json_t *org = json_object_get(filters, "org"), *ind = json_object_get(filters, "indicator");
#define SIGHTING_COLS                                                                              \
    "SELECT s.id, s.indicator_id, i.type, i.value, s.org_id, o.name, s.seen, s.value, "            \
    "s.field, s.source, coalesce(s.tlp, i.tlp) FROM sighting s "                                   \
    "JOIN indicator i ON i.id = s.indicator_id "                                                   \
    "LEFT JOIN org o ON o.id = s.org_id WHERE (?1 = 0 OR s.id < ?1) "                              \
    "AND (?2 IS NULL OR s.org_id = ?2) AND (?4 IS NULL OR s.seen >= ?4) "
    /* an indicator's sightings through the sighting_indicator index: written as "?3 IS NULL
     * OR", the condition scanned every sighting, for each indicator of an incident's export */
    sqlite3_stmt *q =
        ind ? sq_prep(s, SIGHTING_COLS "AND s.indicator_id = ?3 ORDER BY s.id DESC LIMIT ?5")
            : sq_prep(s, SIGHTING_COLS "ORDER BY s.id DESC LIMIT ?5");
#undef SIGHTING_COLS
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int64(q, 1, before);
    if (org)
        sqlite3_bind_int64(q, 2, json_integer_value(org));
    if (ind)
        sqlite3_bind_int64(q, 3, json_integer_value(ind));
    sq_bind_text(q, 4, vg_json_str(filters, "since"));
    sqlite3_bind_int(q, 5, page->limit + 1);
    *out = sq_page(q, page->limit, sighting_row);
    sq_done(s, q);
    return 0;
}

static json_t *alert_row(sqlite3_stmt *q)
{
    struct vg_row w = vg_row_sqlite(q);
    return st_alert(&w);
}

int sq_alert_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                  json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    long long before;
    if (sq_cursor_read(page->cursor, &before, d))
        return VG_EINVAL;
    json_t *org = json_object_get(filters, "org");
    sqlite3_stmt *q = sq_prep(s, ST_ALERT_SELECT "WHERE (?1 = 0 OR a.id < ?1) "
                                                 "AND (?2 IS NULL OR a.status = ?2) "
                                                 "AND (?3 IS NULL OR a.org_id = ?3) "
                                                 "ORDER BY a.id DESC LIMIT ?4");
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int64(q, 1, before);
    sq_bind_text(q, 2, vg_json_str(filters, "status"));
    if (org)
        sqlite3_bind_int64(q, 3, json_integer_value(org));
    sqlite3_bind_int(q, 4, page->limit + 1);
    *out = sq_page(q, page->limit, alert_row);
    sq_done(s, q);
    return 0;
}

int sq_alert_escalate(struct vg_store *st, const struct vg_actor *who, long long id,
                      const json_t *fields, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    if (sq_begin(s))
        return sq_db_error(s, d);
    json_t *alert = NULL, *inc = NULL, *seen = NULL;
    struct vg_incident_new rec = {0};
    int rc = 0;
    sqlite3_stmt *q = sq_prep(s, ST_ALERT_SELECT "WHERE a.id = ?");
    if (!q) {
        rc = sq_db_error(s, d);
        goto out;
    }
    sqlite3_bind_int64(q, 1, id);
    if (sqlite3_step(q) == SQLITE_ROW)
        alert = alert_row(q);
    sq_done(s, q);
    if (!alert) {
        rc = vg_diag_set(d, VG_ENOENT, "id", "no alert %lld", id);
        goto out;
    }
    /* the values seen in the logs that day, for the incident's observables */
    json_t *ind = json_object_get(alert, "indicator"), *org = json_object_get(alert, "org");
    seen = json_array();
    q = sq_prep(s, "SELECT DISTINCT value FROM sighting WHERE indicator_id = ? "
                   "AND ifnull(org_id, 0) = ? AND substr(seen, 1, 10) = ? LIMIT 100");
    if (q) {
        sqlite3_bind_int64(q, 1, json_integer_value(json_object_get(ind, "id")));
        sqlite3_bind_int64(q, 2, json_is_integer(org) ? json_integer_value(org) : 0);
        sq_bind_text(q, 3, vg_json_str(alert, "day"));
        while (sqlite3_step(q) == SQLITE_ROW && json_array_size(seen) < 100)
            json_array_append_new(seen, json_string(sq_col_text(q, 0)));
        sq_done(s, q);
    }
    /* an alert escalated already: VG_ECONFLICT */
    if ((rc = st_alert_incident(alert, id, seen, fields, &inc, &rec, d)))
        goto out;
    char ref[VG_REFERENCE_LEN];
    long long inc_id;
    if ((rc = sq_incident_insert(s, who, &rec, ref, &inc_id, NULL, d)))
        goto out;
    q = sq_prep(s, "UPDATE alert SET status = 'escalated', incident_id = ? WHERE id = ?");
    if (!q ||
        (sqlite3_bind_int64(q, 1, inc_id), sqlite3_bind_int64(q, 2, id), sq_step_done(s, q))) {
        rc = sq_db_error(s, d);
        goto out;
    }
    char obj[48];
    snprintf(obj, sizeof obj, "alert:%lld", id);
    json_t *detail = json_pack("{s:s}", "incident", ref);
    rc = sq_audit(s, who, "alert.escalate", obj, detail);
    json_decref(detail);
    if (rc || sq_commit(s)) {
        rc = sq_db_error(s, d);
        goto out;
    }
    json_decref(alert);
    json_decref(inc);
    json_decref(seen);
    vg_incident_new_cleanup(&rec);
    return vg_store_incident_get(st, ref, out);
out:
    sq_rollback(s);
    json_decref(alert);
    json_decref(inc);
    json_decref(seen);
    vg_incident_new_cleanup(&rec);
    return rc;
}
