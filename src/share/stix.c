/* STIX 2.1 bundles (share/stix.h): the writer streams a document into a buffer, object by
 * object, with deterministic ids; the reader walks a parsed bundle twice, first to learn what
 * refers to what (markings, sightings, containers, the observables of indicators), then in
 * the order of the input to feed the sink. The mapping both ways is in docs/STIX.md. */
#include "share/stix.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/tlp.h"
#include "share/pattern.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/str.h"
#include "util/time.h"
#include "util/uuid.h"

/* The identity of the producer is written with this fixed date, so that its id (the
 * producer's uuid) always comes with the same version. */
#define IDENTITY_DATE  "2020-01-01T00:00:00.000Z"
/* The date of the TLP 2.0 marking definitions, as published with the extension. */
#define TLP2_DATE      "2022-10-01T00:00:00.000Z"
#define TLP2_EXTENSION "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#define NTLP           5

/* Appends a string literal (its length known at compile time). */
#define PUTS(b, lit)   vg_buf_append((b), (lit), sizeof(lit) - 1)

/* vigie's observable types, their STIX pattern path and SCO. */
struct obs_type {
    const char *type; /* vigie type */
    const char *path; /* pattern object path */
    const char *sco;  /* SCO type */
    const char *hash; /* file: the hash name in hashes, else NULL */
};

static const struct obs_type obs_types[] = {
    {"ipv4-addr", "ipv4-addr:value", "ipv4-addr", NULL},
    {"ipv6-addr", "ipv6-addr:value", "ipv6-addr", NULL},
    {"domain-name", "domain-name:value", "domain-name", NULL},
    {"url", "url:value", "url", NULL},
    {"email-addr", "email-addr:value", "email-addr", NULL},
    {"md5", "file:hashes.MD5", "file", "MD5"},
    {"sha1", "file:hashes.'SHA-1'", "file", "SHA-1"},
    {"sha256", "file:hashes.'SHA-256'", "file", "SHA-256"},
};

static const struct obs_type *obs_type(const char *type)
{
    for (size_t i = 0; type && i < sizeof obs_types / sizeof obs_types[0]; i++)
        if (strcmp(type, obs_types[i].type) == 0)
            return &obs_types[i];
    return NULL;
}

/* ---- writer ---- */

struct writer {
    struct vg_buf *out;
    struct vg_buf refs; /* the report's object_refs, as written */
    struct vg_buf scratch;
    struct vg_strmap scos; /* the SCO ids written: each once, however many items share it */
    char producer[VG_UUID_LEN + 16]; /* "identity--..." */
    char created[32];                /* the document's created, with milliseconds */
    char modified[32];
    enum vg_tlp doc_tlp;
    bool used[NTLP]; /* the TLP levels of what was written, for their marking definitions */
    bool incident;
    struct vg_diag *d;
};

/* An RFC 3339 UTC timestamp as STIX writes it, with milliseconds: 0, or -1 if s is not one. */
static int stix_time(const char *s, char out[32])
{
    size_t n = s ? strlen(s) : 0;
    /* The usual form, "YYYY-MM-DDTHH:MM:SS[.frac]Z", is copied; anything else is parsed. */
    if (n >= 20 && n < 40 && s[4] == '-' && s[10] == 'T' && s[19] != '+' && s[n - 1] == 'Z' &&
        (s[19] == 'Z' || s[19] == '.')) {
        bool ok = true;
        for (size_t i = 0; i < n - 1 && ok; i++) {
            char c = s[i];
            if (i == 4 || i == 7)
                ok = c == '-';
            else if (i == 10)
                ok = c == 'T';
            else if (i == 13 || i == 16)
                ok = c == ':';
            else if (i == 19)
                ok = c == '.';
            else
                ok = c >= '0' && c <= '9';
        }
        time_t t;
        if (ok && vg_time_parse(s, &t) == 0) {
            memcpy(out, s, 19);
            out[19] = '.';
            for (size_t i = 0; i < 3; i++)
                out[20 + i] = 20 + i < n - 1 ? s[20 + i] : '0';
            out[23] = 'Z';
            out[24] = '\0';
            return 0;
        }
    }
    time_t t;
    if (!s || vg_time_parse(s, &t) != 0)
        return -1;
    char buf[VG_TIME_LEN];
    vg_time_fmt(t, buf); /* "YYYY-MM-DDTHH:MM:SSZ" */
    if (strlen(buf) != 20)
        return -1;
    memcpy(out, buf, 19);
    memcpy(out + 19, ".000Z", 6);
    return 0;
}

static void put_str(struct vg_buf *b, const char *s)
{
    vg_buf_put_json(b, vg_str_c(s));
}

/* ,"key":n */
static void put_int(struct vg_buf *b, const char *key, long long n)
{
    char t[48];
    size_t k = sizeof t;
    unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
    do {
        t[--k] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (n < 0)
        t[--k] = '-';
    vg_buf_putc(b, ',');
    put_str(b, key);
    vg_buf_putc(b, ':');
    vg_buf_append(b, t + k, sizeof t - k);
}

/* ,"key":"value" */
static void put_field(struct vg_buf *b, const char *key, const char *s)
{
    vg_buf_putc(b, ',');
    put_str(b, key);
    vg_buf_putc(b, ':');
    put_str(b, s);
}

static void put_marking(struct vg_buf *b, enum vg_tlp t)
{
    PUTS(b, ",\"object_marking_refs\":[\"");
    vg_buf_puts(b, vg_tlp_stix_marking(t));
    PUTS(b, "\"]");
}

/* The common start of an SDO or SRO: {"type":...,"spec_version":"2.1","id":"type--uuid",
 * "created_by_ref":...,"created":...,"modified":... */
static void put_head(struct writer *w, const char *type, const char *id, const char *created,
                     const char *modified)
{
    struct vg_buf *b = w->out;
    PUTS(b, "{\"type\":\"");
    vg_buf_puts(b, type);
    PUTS(b, "\",\"spec_version\":\"2.1\",\"id\":\"");
    vg_buf_puts(b, id);
    PUTS(b, "\",\"created_by_ref\":\"");
    vg_buf_puts(b, w->producer);
    PUTS(b, "\",\"created\":\"");
    vg_buf_puts(b, created);
    PUTS(b, "\",\"modified\":\"");
    vg_buf_puts(b, modified);
    vg_buf_putc(b, '"');
}

static void add_ref(struct writer *w, const char *id)
{
    if (w->refs.len)
        vg_buf_putc(&w->refs, ',');
    vg_buf_putc(&w->refs, '"');
    vg_buf_puts(&w->refs, id);
    vg_buf_putc(&w->refs, '"');
}

/* s as a JSON string in the canonical form of RFC 8785 (JCS), which STIX 2.1 section 2.9
 * hashes for the ids of observables: only '"', '\\' and control characters escaped. */
static void put_jcs(struct vg_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    vg_buf_putc(b, '"');
    size_t run = 0, i = 0;
    for (; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            run++;
            continue;
        }
        vg_buf_append(b, s + i - run, run);
        run = 0;
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
        }
        vg_buf_puts(b, esc);
    }
    vg_buf_append(b, s + i - run, run);
    vg_buf_putc(b, '"');
}

/* The id of the SCO of a value: "type--" and the UUIDv5 of its id-contributing properties. */
static void sco_id(struct writer *w, const struct obs_type *ot, const char *value,
                   char out[VG_UUID_LEN + 32])
{
    struct vg_buf *s = &w->scratch;
    vg_buf_reset(s);
    if (ot->hash) {
        PUTS(s, "{\"hashes\":{\"");
        vg_buf_puts(s, ot->hash);
        PUTS(s, "\":");
        put_jcs(s, value);
        PUTS(s, "}}");
    } else {
        PUTS(s, "{\"value\":");
        put_jcs(s, value);
        vg_buf_putc(s, '}');
    }
    size_t n = strlen(ot->sco);
    memcpy(out, ot->sco, n);
    memcpy(out + n, "--", 2);
    vg_uuid5(vg_uuid_ns_stix, s->data ? s->data : "", s->len, out + n + 2);
}

static void rel_id(struct writer *w, const char *src, const char *dst, char out[VG_UUID_LEN + 16])
{
    struct vg_buf *s = &w->scratch;
    vg_buf_reset(s);
    PUTS(s, "rel:");
    vg_buf_puts(s, src);
    vg_buf_puts(s, dst);
    memcpy(out, "relationship--", 14);
    vg_uuid5(vg_uuid_ns_vigie, s->data ? s->data : "", s->len, out + 14);
}

static void put_relationship(struct writer *w, const char *type, const char *src, const char *dst,
                             const char *created, const char *modified, enum vg_tlp tlp)
{
    char id[VG_UUID_LEN + 16];
    rel_id(w, src, dst, id);
    struct vg_buf *b = w->out;
    PUTS(b, ",\n");
    put_head(w, "relationship", id, created, modified);
    PUTS(b, ",\"relationship_type\":\"");
    vg_buf_puts(b, type);
    PUTS(b, "\",\"source_ref\":\"");
    vg_buf_puts(b, src);
    PUTS(b, "\",\"target_ref\":\"");
    vg_buf_puts(b, dst);
    vg_buf_putc(b, '"');
    put_marking(b, tlp);
    vg_buf_putc(b, '}');
    add_ref(w, id);
}

static int item_fail(struct writer *w, size_t i, const char *field, const char *msg)
{
    char ptr[96];
    snprintf(ptr, sizeof ptr, "/items/%zu%s%s", i, field[0] ? "/" : "", field);
    return vg_diag_set(w->d, VG_EINVAL, ptr, "%s", msg);
}

/* A TLP name of the document (absent: dflt); -1 when it is not a TLP 2.0 name. */
static int tlp_of(const json_t *o, enum vg_tlp dflt, enum vg_tlp *out)
{
    const json_t *v = json_object_get(o, "tlp");
    if (!v || json_is_null(v)) {
        *out = dflt;
        return 0;
    }
    return json_is_string(v) ? vg_tlp_parse(json_string_value(v), out) : -1;
}

/* An optional timestamp field of o with milliseconds into out (dflt when absent). */
static int time_of(const json_t *o, const char *key, const char *dflt, char out[32])
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (!dflt)
            return 1;
        memcpy(out, dflt, strlen(dflt) + 1);
        return 0;
    }
    return json_is_string(v) ? stix_time(json_string_value(v), out) : -1;
}

/* A timestamp (NULL: absent, then dflt) with milliseconds into out: 0, 1 when absent without
 * default, -1 when it is not an RFC 3339 date-time. */
static int time_val(const char *v, const char *dflt, char out[32])
{
    if (!v) {
        if (!dflt)
            return 1;
        memcpy(out, dflt, strlen(dflt) + 1);
        return 0;
    }
    return stix_time(v, out);
}

static int tlp_val(const char *v, enum vg_tlp dflt, enum vg_tlp *out)
{
    if (!v) {
        *out = dflt;
        return 0;
    }
    return vg_tlp_parse(v, out);
}

static int write_sightings(struct writer *w, size_t i, const struct vg_share_item *it,
                           const char *ind_id, enum vg_tlp item_tlp, const char *created)
{
    for (size_t k = 0; k < it->nsightings; k++) {
        const struct vg_share_sighting *s = &it->sightings[k];
        char f[48];
        snprintf(f, sizeof f, "sightings/%zu", k);
        const char *u = s->uuid;
        if (!u || !vg_uuid_valid(u, strlen(u)))
            return item_fail(w, i, f, "a sighting needs a uuid");
        char seen[32];
        if (time_val(s->seen, created, seen) < 0)
            return item_fail(w, i, f, "seen must be an RFC 3339 date-time");
        enum vg_tlp t;
        if (tlp_val(s->tlp, item_tlp, &t) < 0)
            return item_fail(w, i, f, "tlp must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
        w->used[t] = true;
        if (s->count > 999999999)
            return item_fail(w, i, f, "count must be an integer from 0 to 999999999");
        char id[VG_UUID_LEN + 16];
        memcpy(id, "sighting--", 10);
        memcpy(id + 10, u, VG_UUID_LEN + 1);
        for (char *c = id + 10; *c; c++)
            if (*c >= 'A' && *c <= 'F')
                *c = (char)(*c - 'A' + 'a');
        struct vg_buf *b = w->out;
        PUTS(b, ",\n");
        put_head(w, "sighting", id, seen, seen);
        PUTS(b, ",\"first_seen\":\"");
        vg_buf_puts(b, seen);
        PUTS(b, "\",\"last_seen\":\"");
        vg_buf_puts(b, seen);
        PUTS(b, "\",\"sighting_of_ref\":\"");
        vg_buf_puts(b, ind_id);
        vg_buf_putc(b, '"');
        if (s->count >= 0)
            put_int(b, "count", s->count);
        if (s->source && *s->source)
            put_field(b, "x_vigie_source", s->source);
        put_marking(b, t);
        vg_buf_putc(b, '}');
        add_ref(w, id);
    }
    return 0;
}

/* The SCO of a value; own: the item's uuid when it has no indicator. */
static void write_sco(struct writer *w, const struct obs_type *ot, const char *sco,
                      const char *value, enum vg_tlp tlp, const char *own)
{
    struct vg_buf *b = w->out;
    PUTS(b, ",\n{\"type\":\"");
    vg_buf_puts(b, ot->sco);
    PUTS(b, "\",\"spec_version\":\"2.1\",\"id\":\"");
    vg_buf_puts(b, sco);
    vg_buf_putc(b, '"');
    if (ot->hash) {
        PUTS(b, ",\"hashes\":{\"");
        vg_buf_puts(b, ot->hash);
        PUTS(b, "\":");
        put_str(b, value);
        vg_buf_putc(b, '}');
    } else {
        PUTS(b, ",\"value\":");
        put_str(b, value);
    }
    put_marking(b, tlp);
    if (own) { /* its own id, for the reader (an indicator's SCO has the indicator's) */
        PUTS(b, ",\"x_vigie_uuid\":\"");
        vg_buf_puts(b, own);
        vg_buf_putc(b, '"');
    }
    vg_buf_putc(b, '}');
    add_ref(w, sco);
}

static int write_item(struct writer *w, size_t i, const struct vg_share_item *it)
{
    const char *uuid = it->uuid;
    if (!uuid || !vg_uuid_valid(uuid, strlen(uuid)))
        return item_fail(w, i, "uuid", "uuid must be a UUID");
    const struct obs_type *ot = obs_type(it->type);
    if (!ot)
        return item_fail(w, i, "type",
                         "type must be ipv4-addr, ipv6-addr, domain-name, url, "
                         "email-addr, md5, sha1 or sha256");
    const char *value = it->value;
    if (!value || !*value || it->value_len > VG_MAX_OBSERVABLE || strlen(value) != it->value_len)
        return item_fail(w, i, "value", "value must be a non-empty string");
    enum vg_tlp tlp;
    if (tlp_val(it->tlp, w->doc_tlp, &tlp) < 0)
        return item_fail(w, i, "tlp", "tlp must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
    char created[32], modified[32], first[32], last[32];
    int rc;
    if (time_val(it->created, w->created, created) < 0)
        return item_fail(w, i, "created", "created must be an RFC 3339 date-time");
    if (time_val(it->updated, created, modified) < 0)
        return item_fail(w, i, "updated", "updated must be an RFC 3339 date-time");
    if ((rc = time_val(it->first_seen, NULL, first)) < 0)
        return item_fail(w, i, "first_seen", "first_seen must be an RFC 3339 date-time");
    bool has_first = rc == 0;
    if ((rc = time_val(it->last_seen, NULL, last)) < 0)
        return item_fail(w, i, "last_seen", "last_seen must be an RFC 3339 date-time");
    bool has_last = rc == 0;
    if (it->confidence > 100)
        return item_fail(w, i, "confidence", "confidence must be an integer from 0 to 100");
    for (size_t k = 0; k < it->ntags; k++)
        if (!it->tags[k] || !*it->tags[k])
            return item_fail(w, i, "tags", "tags must be an array of non-empty strings");
    bool to_ids = it->to_ids;
    w->used[tlp] = true;

    struct vg_buf *b = w->out;
    char sco[VG_UUID_LEN + 32];
    sco_id(w, ot, value, sco);
    char ind[VG_UUID_LEN + 16];
    memcpy(ind, "indicator--", 11);
    memcpy(ind + 11, uuid, VG_UUID_LEN + 1);
    for (char *c = ind + 11; *c; c++)
        if (*c >= 'A' && *c <= 'F')
            *c = (char)(*c - 'A' + 'a');

    if (to_ids) {
        PUTS(b, ",\n");
        put_head(w, "indicator", ind, created, modified);
        const char *comment = it->comment;
        if (comment && *comment)
            put_field(b, "description", comment);
        /* the pattern: the value quoted, its quotes and backslashes escaped */
        struct vg_buf *s = &w->scratch;
        vg_buf_reset(s);
        vg_buf_putc(s, '[');
        vg_buf_puts(s, ot->path);
        PUTS(s, " = '");
        size_t run = 0, j = 0;
        for (; value[j]; j++) {
            if (value[j] != '\'' && value[j] != '\\') {
                run++;
                continue;
            }
            vg_buf_append(s, value + j - run, run);
            run = 0;
            vg_buf_putc(s, '\\');
            vg_buf_putc(s, value[j]);
        }
        vg_buf_append(s, value + j - run, run);
        PUTS(s, "']");
        PUTS(b, ",\"pattern\":");
        vg_buf_put_json(b, (struct vg_str){s->data, s->len});
        PUTS(b, ",\"pattern_type\":\"stix\",\"pattern_version\":\"2.1\",\"valid_from\":\"");
        vg_buf_puts(b, has_first ? first : created);
        vg_buf_putc(b, '"');
        if (it->confidence >= 0)
            put_int(b, "confidence", it->confidence);
        if (it->ntags) {
            PUTS(b, ",\"labels\":[");
            for (size_t k = 0; k < it->ntags; k++) {
                if (k)
                    vg_buf_putc(b, ',');
                put_str(b, it->tags[k]);
            }
            vg_buf_putc(b, ']');
        }
        put_marking(b, tlp);
        put_field(b, "x_vigie_type", ot->type);
        const char *src = it->source;
        if (src && *src)
            put_field(b, "x_vigie_source", src);
        if (has_first)
            put_field(b, "x_vigie_first_seen", first);
        if (has_last)
            put_field(b, "x_vigie_last_seen", last);
        vg_buf_putc(b, '}');
        add_ref(w, ind);
    }

    bool added = false;
    if (vg_strmap_put(&w->scos, sco, strlen(sco), 0, &added) < 0)
        return vg_diag_set(w->d, VG_ENOMEM, "", "out of memory");
    if (added)
        write_sco(w, ot, sco, value, tlp, to_ids ? NULL : ind + 11);

    if (to_ids) {
        put_relationship(w, "based-on", ind, sco, created, modified, tlp);
        if ((rc = write_sightings(w, i, it, ind, tlp, created)) != 0)
            return rc;
    }
    return 0;
}

static void put_tlp_definition(struct vg_buf *b, enum vg_tlp t)
{
    static const char *const lower[NTLP] = {"clear", "green", "amber", "amber+strict", "red"};
    PUTS(b, ",\n{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"");
    vg_buf_puts(b, vg_tlp_stix_marking(t));
    vg_buf_puts(b, "\",\"created\":\"" TLP2_DATE "\",\"name\":\"TLP:");
    vg_buf_puts(b, vg_tlp_name(t));
    vg_buf_puts(b, "\",\"extensions\":{\"" TLP2_EXTENSION
                   "\":{\"extension_type\":\"property-extension\",\"tlp_2_0\":\"");
    vg_buf_puts(b, lower[t]);
    PUTS(b, "\"}}}");
}

static int doc_fail(struct writer *w, const char *field, const char *msg)
{
    return vg_diag_set(w->d, VG_EINVAL, field, "%s", msg);
}

static void put_opt(struct vg_buf *b, const json_t *doc, const char *key, const char *name)
{
    const char *v = vg_json_str(doc, key);
    if (v && *v)
        put_field(b, name, v);
}

/* No items (the head's checks alone). */
static int no_items(void *ctx, const struct vg_share_item **item, struct vg_diag *d)
{
    (void)ctx, (void)item, (void)d;
    return 0;
}

static int write_bundle(struct writer *w, const json_t *doc, const struct vg_share_items *items)
{
    if (!json_is_object(doc))
        return doc_fail(w, "", "the document must be an object");
    const char *kind = vg_json_str(doc, "kind");
    if (!kind || (strcmp(kind, "incident") != 0 && strcmp(kind, "indicators") != 0))
        return doc_fail(w, "/kind", "kind must be incident or indicators");
    w->incident = strcmp(kind, "incident") == 0;
    const char *uuid = vg_json_str(doc, "uuid");
    if (!uuid || !vg_uuid_valid(uuid, strlen(uuid)))
        return doc_fail(w, "/uuid", "uuid must be a UUID");
    const json_t *prod = json_object_get(doc, "producer");
    const char *pname = vg_json_str(prod, "name");
    const char *puuid = vg_json_str(prod, "uuid");
    if (!pname || !*pname)
        return doc_fail(w, "/producer/name", "the producer needs a name");
    if (!puuid || !vg_uuid_valid(puuid, strlen(puuid)))
        return doc_fail(w, "/producer/uuid", "the producer's uuid must be a UUID");
    snprintf(w->producer, sizeof w->producer, "identity--%s", puuid);
    for (char *c = w->producer; *c; c++)
        if (*c >= 'A' && *c <= 'F')
            *c = (char)(*c - 'A' + 'a');
    if (time_of(doc, "created", NULL, w->created) != 0)
        return doc_fail(w, "/created", "created must be an RFC 3339 date-time");
    if (time_of(doc, "updated", w->created, w->modified) < 0)
        return doc_fail(w, "/updated", "updated must be an RFC 3339 date-time");
    if (tlp_of(doc, VG_TLP_AMBER, &w->doc_tlp) < 0)
        return doc_fail(w, "/tlp", "tlp must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
    const json_t *wh = json_object_get(doc, "withheld");
    if (wh && !json_is_null(wh) && (!json_is_integer(wh) || json_integer_value(wh) < 0))
        return doc_fail(w, "/withheld", "withheld must be a count");

    w->used[VG_TLP_CLEAR] = true; /* the identity's */
    struct vg_buf *b = w->out;
    /* about 1,600 bytes an indicator (its SCO, relationship and report references included):
     * room for them at once rather than doubling the buffer a dozen times */
    size_t nitems = items->hint;
    vg_buf_reserve(b, nitems * 1600 + 4096);
    vg_buf_reserve(&w->refs, nitems * 160 + 256);
    char bid[VG_UUID_LEN + 1];
    vg_uuid4(bid);
    PUTS(b, "{\"type\":\"bundle\",\"id\":\"bundle--");
    vg_buf_puts(b, bid);
    PUTS(b, "\",\"objects\":[\n{\"type\":\"identity\",\"spec_version\":\"2.1\",\"id\":\"");
    vg_buf_puts(b, w->producer);
    vg_buf_puts(b, "\",\"created\":\"" IDENTITY_DATE "\",\"modified\":\"" IDENTITY_DATE
                   "\",\"name\":");
    put_str(b, pname);
    PUTS(b, ",\"identity_class\":\"organization\"");
    put_marking(b, VG_TLP_CLEAR);
    vg_buf_putc(b, '}');

    /* An incident is written as a report (report_types "incident"), not as an incident SDO:
     * the official schemas reject an incident in a bundle (bundle.json's custom branch wants
     * an object that is either core or cyber-observable-core, and any SDO is both). */
    char cid[VG_UUID_LEN + 16];
    snprintf(cid, sizeof cid, "report--%s", uuid);
    for (char *c = cid; *c; c++)
        if (*c >= 'A' && *c <= 'F')
            *c = (char)(*c - 'A' + 'a');
    const struct vg_share_item *item = NULL;
    int rc;
    for (size_t i = 0; (rc = items->next(items->ctx, &item, w->d)) > 0; i++) {
        if ((rc = write_item(w, i, item)) != 0)
            return rc;
        if (b->failed)
            break;
    }
    if (rc < 0)
        return rc;

    /* The members the use case learns while the gate runs over the items: the container's
     * TLP and the count withheld, read again now. */
    if (tlp_of(doc, VG_TLP_AMBER, &w->doc_tlp) < 0)
        return doc_fail(w, "/tlp", "tlp must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
    wh = json_object_get(doc, "withheld");
    if (wh && !json_is_null(wh) && (!json_is_integer(wh) || json_integer_value(wh) < 0))
        return doc_fail(w, "/withheld", "withheld must be a count");
    long long withheld = json_is_integer(wh) ? (long long)json_integer_value(wh) : 0;
    w->used[w->doc_tlp] = true; /* the report's */

    /* The marking definitions of the levels used, then the container: it refers to what came
     * before. */
    for (int t = 0; t < NTLP; t++)
        if (w->used[t])
            put_tlp_definition(b, (enum vg_tlp)t);
    const char *title = vg_json_str(doc, "title");
    const char *ref = vg_json_str(doc, "ref");
    const char *name = title && *title ? title : ref && *ref ? ref : "vigie indicators";
    PUTS(b, ",\n");
    put_head(w, "report", cid, w->created, w->modified);
    put_field(b, "name", name);
    put_opt(b, doc, "description", "description");
    vg_buf_puts(b, w->incident ? ",\"report_types\":[\"incident\"]"
                               : ",\"report_types\":[\"indicator\"]");
    PUTS(b, ",\"published\":\"");
    vg_buf_puts(b, w->modified);
    PUTS(b, "\",\"object_refs\":[");
    if (!w->refs.len)
        add_ref(w, w->producer); /* object_refs has at least one member */
    vg_buf_append(b, w->refs.data, w->refs.len);
    vg_buf_putc(b, ']');
    if (w->refs.failed)
        b->failed = true;
    put_marking(b, w->doc_tlp);
    put_opt(b, doc, "ref", "x_vigie_ref");
    put_opt(b, doc, "class", "x_vigie_class");
    put_opt(b, doc, "type", "x_vigie_type");
    put_opt(b, doc, "severity", "x_vigie_severity");
    put_opt(b, doc, "status", "x_vigie_status");
    put_opt(b, doc, "pap", "x_vigie_pap");
    put_int(b, "x_vigie_withheld", withheld);
    PUTS(b, "}\n]}\n");
    return 0;
}

int vg_stix_write_stream(const json_t *head, const struct vg_share_items *items, struct vg_buf *out,
                         struct vg_diag *d)
{
    struct writer w = {.out = out, .d = d};
    vg_strmap_init(&w.scos);
    vg_buf_init(&w.refs, out->max);
    vg_buf_init(&w.scratch, VG_MAX_OBSERVABLE * 8 + 256);
    vg_diag_clear(d);
    size_t start = out->len;
    unsigned long before = vg_mem_thread_failures();
    int rc = write_bundle(&w, head, items);
    if (rc == 0 && vg_mem_thread_failures() != before &&
        (out->failed || w.refs.failed || w.scratch.failed))
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    else if (rc == 0 && (out->failed || w.refs.failed || w.scratch.failed))
        rc = vg_diag_set(d, VG_ETOOBIG, "", "the bundle does not fit in %zu bytes", out->max);
    if (rc && !out->failed && out->len >= start) {
        out->len = start; /* nothing half-written is left */
        if (out->data)
            out->data[start] = '\0';
    }
    vg_buf_cleanup(&w.refs);
    vg_buf_cleanup(&w.scratch);
    vg_strmap_cleanup(&w.scos);
    return rc;
}

int vg_stix_write(const json_t *doc, struct vg_buf *out, struct vg_diag *d)
{
    const json_t *items = json_object_get(doc, "items");
    if (json_is_object(doc) && items && !json_is_null(items) && !json_is_array(items)) {
        /* the head's own errors first, as a whole document was always checked */
        struct vg_share_items none = {NULL, no_items, 0};
        struct vg_buf probe;
        vg_buf_init(&probe, 1);
        int rc = vg_stix_write_stream(doc, &none, &probe, d);
        vg_buf_cleanup(&probe);
        if (rc == VG_EINVAL)
            return rc;
        return vg_diag_set(d, VG_EINVAL, "/items", "items must be an array");
    }
    struct vg_share_doc_items di;
    struct vg_share_items src;
    vg_share_doc_items_init(&di, items, true, &src);
    int rc = vg_stix_write_stream(doc, &src, out, d);
    vg_share_doc_items_cleanup(&di);
    return rc;
}

/* ---- reader ---- */

struct reader {
    const json_t *objs;
    const char *base;
    bool single; /* one object: its pointer is base itself */
    const struct vg_share_sink *sink;
    struct vg_diag *d;
    struct vg_strmap ids;              /* object id -> index (the first with that id) */
    struct vg_strmap markings;         /* marking-definition id in the input -> TLP level */
    struct vg_strmap covered;          /* SCO ids an indicator of the input is based on */
    struct vg_strmap producers;        /* ids the objects of the input name as created_by_ref */
    long *first_sighting;              /* per object: the first sighting of it, -1 */
    long *next_sighting;               /* per sighting: the next sighting of the same object, -1 */
    long *container;                   /* per object: the index of its report or incident, -1 */
    char bundle_uuid[VG_UUID_LEN + 1]; /* "" when the input is not a bundle */
    struct vg_pattern pat;
    struct vg_pattern_reduced red;
    struct vg_share_item_room room; /* the tags and sightings of the item handed to the sink */
};

static void pointer(const struct reader *r, size_t i, const char *field, char *out, size_t cap)
{
    if (r->single)
        snprintf(out, cap, "%s%s%s", r->base, field ? "/" : "", field ? field : "");
    else
        snprintf(out, cap, "%s/%zu%s%s", r->base, i, field ? "/" : "", field ? field : "");
}

static int malformed(struct reader *r, size_t i, const char *field, const char *msg)
{
    char ptr[160];
    pointer(r, i, field, ptr, sizeof ptr);
    return vg_diag_set(r->d, VG_EINVAL, ptr, "%s", msg);
}

static int skip(struct reader *r, size_t i, const char *what, const char *why)
{
    if (!r->sink->skip)
        return 0;
    char ptr[160];
    pointer(r, i, NULL, ptr, sizeof ptr);
    return r->sink->skip(r->sink->ctx, ptr, what, why);
}

/* The uuid of an id "type--uuid" (NULL if it has not that form). */
static const char *id_uuid(const char *id)
{
    const char *s = id ? strstr(id, "--") : NULL;
    if (!s || s == id || !vg_uuid_valid(s + 2, strlen(s + 2)))
        return NULL;
    return s + 2;
}

static bool id_of_type(const char *id, const char *type)
{
    size_t n = strlen(type);
    return id && strncmp(id, type, n) == 0 && id[n] == '-' && id[n + 1] == '-';
}

static bool is_sco_type(const char *t)
{
    static const char *const scos[] = {"ipv4-addr", "ipv6-addr",  "domain-name",
                                       "url",       "email-addr", "file"};
    for (size_t i = 0; i < sizeof scos / sizeof scos[0]; i++)
        if (strcmp(t, scos[i]) == 0)
            return true;
    return false;
}

/* The TLP level a marking-definition object defines, or -1. */
static int marking_level(const json_t *o, enum vg_tlp *out)
{
    const char *id = vg_json_str(o, "id");
    if (id && vg_tlp_from_stix_marking(id, out) == 0)
        return 0;
    const char *dt = vg_json_str(o, "definition_type");
    const char *name = NULL;
    if (dt && strcmp(dt, "tlp") == 0)
        name = vg_json_str(json_object_get(o, "definition"), "tlp");
    const json_t *ext = json_object_get(json_object_get(o, "extensions"), TLP2_EXTENSION);
    if (!name && ext)
        name = vg_json_str(ext, "tlp_2_0");
    return name && vg_tlp_parse(name, out) == 0 ? 0 : -1;
}

/* The TLP of an object from its object_marking_refs (the most restricted when several), or -1
 * when none is a TLP marking. */
static int object_tlp(const struct reader *r, const json_t *o)
{
    const json_t *refs = json_object_get(o, "object_marking_refs");
    int best = -1;
    size_t i;
    const json_t *v;
    json_array_foreach(refs, i, v) {
        const char *id = json_string_value(v);
        if (!id)
            continue;
        enum vg_tlp t;
        long e;
        if (vg_tlp_from_stix_marking(id, &t) == 0) {
            if ((int)t > best)
                best = (int)t;
        } else if ((e = vg_strmap_find(&r->markings, id, strlen(id))) >= 0) {
            int lv = (int)vg_strmap_val(&r->markings, (size_t)e);
            if (lv > best)
                best = lv;
        }
    }
    return best;
}

static long find_id(const struct reader *r, const char *id)
{
    long e = id ? vg_strmap_find(&r->ids, id, strlen(id)) : -1;
    return e < 0 ? -1 : (long)vg_strmap_val(&r->ids, (size_t)e);
}

/* Pass 1: what refers to what. Lenient: what is malformed is reported by pass 2. */
static int learn(struct reader *r)
{
    size_t n = json_array_size(r->objs);
    r->first_sighting = vg_malloc((n ? n : 1) * sizeof(long));
    r->next_sighting = vg_malloc((n ? n : 1) * sizeof(long));
    r->container = vg_malloc((n ? n : 1) * sizeof(long));
    if (!r->first_sighting || !r->next_sighting || !r->container)
        return vg_diag_set(r->d, VG_ENOMEM, "", "out of memory");
    for (size_t i = 0; i < n; i++)
        r->first_sighting[i] = r->next_sighting[i] = r->container[i] = -1;
    size_t i;
    const json_t *o;
    json_array_foreach(r->objs, i, o) {
        const char *id = vg_json_str(o, "id");
        const char *type = vg_json_str(o, "type");
        bool added;
        if (id && vg_strmap_put(&r->ids, id, strlen(id), (uint32_t)i, &added) < 0)
            return vg_diag_set(r->d, VG_ENOMEM, "", "out of memory");
        enum vg_tlp t;
        if (type && id && strcmp(type, "marking-definition") == 0 && marking_level(o, &t) == 0 &&
            vg_strmap_put(&r->markings, id, strlen(id), (uint32_t)t, &added) < 0)
            return vg_diag_set(r->d, VG_ENOMEM, "", "out of memory");
    }
    json_array_foreach(r->objs, i, o) {
        const char *type = vg_json_str(o, "type");
        const char *by = vg_json_str(o, "created_by_ref");
        bool put;
        if (by && vg_strmap_put(&r->producers, by, strlen(by), 0, &put) < 0)
            return vg_diag_set(r->d, VG_ENOMEM, "", "out of memory");
        if (!type)
            continue;
        if (strcmp(type, "sighting") == 0) {
            long t = find_id(r, vg_json_str(o, "sighting_of_ref"));
            if (t >= 0 && id_of_type(vg_json_str(o, "sighting_of_ref"), "indicator")) {
                /* appended at the end of t's list, to keep the order of the input */
                long *p = &r->first_sighting[t];
                while (*p >= 0)
                    p = &r->next_sighting[*p];
                *p = (long)i;
            }
        } else if (strcmp(type, "report") == 0) {
            size_t k;
            const json_t *ref;
            json_array_foreach(json_object_get(o, "object_refs"), k, ref) {
                long t = find_id(r, json_string_value(ref));
                if (t >= 0 && r->container[t] < 0)
                    r->container[t] = (long)i;
            }
        } else if (strcmp(type, "relationship") == 0) {
            const char *src = vg_json_str(o, "source_ref");
            const char *dst = vg_json_str(o, "target_ref");
            long s = find_id(r, src), t = find_id(r, dst);
            if (s < 0 || t < 0)
                continue;
            const char *ttype = vg_json_str(json_array_get(r->objs, (size_t)t), "type");
            if (ttype && strcmp(ttype, "incident") == 0 && r->container[s] < 0)
                r->container[s] = t;
            bool added;
            if (id_of_type(src, "indicator") && ttype && is_sco_type(ttype) &&
                vg_strmap_put(&r->covered, dst, strlen(dst), 0, &added) < 0)
                return vg_diag_set(r->d, VG_ENOMEM, "", "out of memory");
        }
    }
    return 0;
}

static int set_str(json_t *o, const char *key, const char *v)
{
    return v ? json_object_set_new(o, key, json_string(v)) : 0;
}

/* Copies the string field from of src into dst as to, when it is a string. */
static void copy_str(json_t *dst, const char *to, const json_t *src, const char *from)
{
    const char *v = vg_json_str(src, from);
    if (v)
        json_object_set_new(dst, to, json_string(v));
}

/* The sink never gets an item or container that an allocation left incomplete: jansson's
 * setters do not say when they fail, the thread's count of failed allocations does. */
static int incomplete(struct reader *r, const json_t *o, unsigned long before)
{
    if (o && vg_mem_thread_failures() == before)
        return 0;
    return vg_diag_set(r->d, VG_ENOMEM, "", "out of memory");
}

/* The container fields of a bundle, report or incident. */
static int emit_container(struct reader *r, size_t i, const json_t *o, const char *uuid,
                          bool incident)
{
    if (!r->sink->container)
        return 0;
    unsigned long before = vg_mem_thread_failures();
    json_t *c = json_object();
    char ptr[160];
    if (i == (size_t)-1)
        snprintf(ptr, sizeof ptr, "%s", "");
    else
        pointer(r, i, NULL, ptr, sizeof ptr);
    set_str(c, "kind", incident ? "incident" : "indicators");
    set_str(c, "uuid", uuid);
    set_str(c, "pointer", ptr);
    if (o) {
        copy_str(c, "title", o, "name");
        copy_str(c, "description", o, "description");
        copy_str(c, "created", o, "created");
        copy_str(c, "updated", o, "modified");
        int t = object_tlp(r, o);
        if (t >= 0)
            set_str(c, "tlp", vg_tlp_name((enum vg_tlp)t));
        copy_str(c, "pap", o, "x_vigie_pap");
        copy_str(c, "ref", o, "x_vigie_ref");
        copy_str(c, "class", o, "x_vigie_class");
        copy_str(c, "type", o, "x_vigie_type");
        copy_str(c, "severity", o, "x_vigie_severity");
        copy_str(c, "status", o, "x_vigie_status");
        const json_t *wh = json_object_get(o, "x_vigie_withheld");
        if (json_is_integer(wh))
            json_object_set_new(c, "withheld", json_integer(json_integer_value(wh)));
        long p = find_id(r, vg_json_str(o, "created_by_ref"));
        const json_t *ident = p >= 0 ? json_array_get(r->objs, (size_t)p) : NULL;
        const char *pname = vg_json_str(ident, "name");
        const char *puuid = id_uuid(vg_json_str(ident, "id"));
        if (pname && puuid && id_of_type(vg_json_str(ident, "id"), "identity"))
            json_object_set_new(c, "producer",
                                json_pack("{s:s,s:s}", "name", pname, "uuid", puuid));
    }
    int rc = incomplete(r, c, before);
    if (rc == 0)
        rc = r->sink->container(r->sink->ctx, c);
    json_decref(c);
    return rc;
}

/* The uuid of the container of object i, or NULL. */
static const char *container_of(const struct reader *r, size_t i)
{
    long c = r->container[i];
    if (c >= 0)
        return id_uuid(vg_json_str(json_array_get(r->objs, (size_t)c), "id"));
    return r->bundle_uuid[0] ? r->bundle_uuid : NULL;
}

static int item_tlp(const struct reader *r, size_t i, const json_t *o)
{
    int t = object_tlp(r, o);
    if (t < 0 && r->container[i] >= 0)
        t = object_tlp(r, json_array_get(r->objs, (size_t)r->container[i]));
    return t;
}

/* The sightings of indicator i, in the item form. */
static json_t *sightings(struct reader *r, size_t i)
{
    if (r->first_sighting[i] < 0)
        return NULL;
    json_t *a = json_array();
    for (long s = r->first_sighting[i]; s >= 0; s = r->next_sighting[s]) {
        const json_t *o = json_array_get(r->objs, (size_t)s);
        const char *u = id_uuid(vg_json_str(o, "id"));
        if (!u)
            continue;
        json_t *x = json_object();
        set_str(x, "uuid", u);
        const char *seen = vg_json_str(o, "last_seen");
        if (!seen)
            seen = vg_json_str(o, "first_seen");
        if (!seen)
            seen = vg_json_str(o, "created");
        set_str(x, "seen", seen);
        const json_t *cnt = json_object_get(o, "count");
        json_object_set_new(x, "count",
                            json_integer(json_is_integer(cnt) ? json_integer_value(cnt) : 1));
        copy_str(x, "source", o, "x_vigie_source");
        int t = object_tlp(r, o);
        if (t >= 0)
            set_str(x, "tlp", vg_tlp_name((enum vg_tlp)t));
        json_array_append_new(a, x);
    }
    return a;
}

static int emit_item(struct reader *r, size_t i, json_t *item, unsigned long before)
{
    char ptr[160];
    pointer(r, i, NULL, ptr, sizeof ptr);
    set_str(item, "pointer", ptr);
    const char *c = container_of(r, i);
    if (c)
        set_str(item, "container", c);
    int rc = incomplete(r, item, before);
    if (rc == 0 && r->sink->item) {
        /* the C item borrows from the object just built */
        struct vg_share_item it;
        rc = vg_share_item_from_json(item, &it, &r->room);
        rc = rc ? vg_diag_set(r->d, VG_ENOMEM, "", "out of memory")
                : r->sink->item(r->sink->ctx, &it);
    }
    json_decref(item);
    return rc;
}

/* Checks the common properties of indicator i and fills what its items share. */
static int indicator_base(struct reader *r, size_t i, const json_t *o, json_t *base)
{
    const json_t *conf = json_object_get(o, "confidence");
    if (conf &&
        (!json_is_integer(conf) || json_integer_value(conf) < 0 || json_integer_value(conf) > 100))
        return malformed(r, i, "confidence", "confidence must be an integer from 0 to 100");
    const json_t *labels = json_object_get(o, "labels");
    if (labels && !json_is_array(labels))
        return malformed(r, i, "labels", "labels must be an array of strings");
    size_t k;
    const json_t *l;
    json_t *tags = json_array();
    json_array_foreach(labels, k, l) {
        if (!json_is_string(l)) {
            json_decref(tags);
            char f[48];
            snprintf(f, sizeof f, "labels/%zu", k);
            return malformed(r, i, f, "a label must be a string");
        }
        json_array_append(tags, (json_t *)l);
    }
    static const char *const times[][2] = {
        {"created", "created"},
        {"modified", "updated"},
        {"valid_from", "first_seen"},
        {"valid_until", "valid_until"},
        {"x_vigie_first_seen", "first_seen"},
        {"x_vigie_last_seen", "last_seen"},
    };
    for (size_t t = 0; t < sizeof times / sizeof times[0]; t++) {
        const json_t *v = json_object_get(o, times[t][0]);
        time_t ts;
        if (v && (!json_is_string(v) || vg_time_parse(json_string_value(v), &ts) != 0)) {
            json_decref(tags);
            return malformed(r, i, times[t][0], "must be an RFC 3339 date-time");
        }
        if (v)
            json_object_set(base, times[t][1], (json_t *)v);
    }
    json_object_set_new(base, "tags", tags);
    if (json_is_integer(conf))
        json_object_set(base, "confidence", (json_t *)conf);
    copy_str(base, "source", o, "x_vigie_source");
    copy_str(base, "comment", o, "description");
    int t = item_tlp(r, i, o);
    if (t >= 0)
        set_str(base, "tlp", vg_tlp_name((enum vg_tlp)t));
    json_object_set_new(base, "to_ids", json_true());
    json_t *s = sightings(r, i);
    if (s)
        json_object_set_new(base, "sightings", s);
    return 0;
}

static int read_indicator(struct reader *r, size_t i, const json_t *o, const char *id)
{
    const json_t *pat = json_object_get(o, "pattern");
    if (!json_is_string(pat))
        return malformed(r, i, "pattern", "an indicator needs its pattern (a string)");
    const char *ptype = vg_json_str(o, "pattern_type");
    if (!ptype)
        return malformed(r, i, "pattern_type", "an indicator needs its pattern_type");
    char what[160];
    snprintf(what, sizeof what, "indicator '%s'", id);
    if (strcmp(ptype, "stix") != 0) {
        char why[128];
        snprintf(why, sizeof why, "pattern_type '%.60s' is not read (only stix)", ptype);
        return skip(r, i, what, why);
    }
    struct vg_diag pd;
    vg_diag_clear(&pd);
    int rc = vg_pattern_parse(&r->pat, json_string_value(pat), json_string_length(pat), &pd);
    if (rc) {
        char ptr[160];
        pointer(r, i, "pattern", ptr, sizeof ptr);
        vg_diag_set(r->d, rc == VG_ENOMEM ? VG_ENOMEM : VG_EINVAL, ptr, "%s: pattern %s", id,
                    pd.message);
        if (r->d)
            r->d->offset = pd.offset;
        return rc == VG_ENOMEM ? VG_ENOMEM : VG_EINVAL;
    }
    rc = vg_pattern_reduce(&r->pat, &r->red, &pd);
    if (rc == VG_ENOMEM)
        return vg_diag_set(r->d, VG_ENOMEM, "", "out of memory");
    if (rc) {
        char why[300];
        snprintf(why, sizeof why, "pattern %s", pd.message);
        return skip(r, i, what, why);
    }
    unsigned long before = vg_mem_thread_failures();
    json_t *base = json_object();
    if (!base)
        return vg_diag_set(r->d, VG_ENOMEM, "", "out of memory");
    rc = indicator_base(r, i, o, base);
    if (rc) {
        json_decref(base);
        return rc;
    }
    const char *uuid = id_uuid(id);
    if (r->red.conjunction) {
        const char *c = vg_json_str(base, "comment");
        char note[] = "STIX pattern with AND: each value imported alone (broader than the "
                      "pattern)";
        if (c && *c) {
            size_t n = strlen(c);
            char *m = vg_malloc(n + sizeof note + 3);
            if (m) {
                memcpy(m, c, n);
                memcpy(m + n, " (", 2);
                memcpy(m + n + 2, note, sizeof note - 1);
                memcpy(m + n + 2 + sizeof note - 1, ")", 2);
                set_str(base, "comment", m);
                free(m);
            }
        } else {
            set_str(base, "comment", note);
        }
    }
    for (size_t k = 0; k < r->red.n && rc == 0; k++) {
        const struct vg_pattern_pair *pp = &r->red.pairs[k];
        const char *value = vg_pattern_str(&r->pat, pp->off);
        json_t *item = json_copy(base);
        if (!item) {
            rc = vg_diag_set(r->d, VG_ENOMEM, "", "out of memory");
            break;
        }
        if (r->red.n == 1) {
            set_str(item, "uuid", uuid);
        } else {
            /* one item per value: each its own stable id */
            char u[VG_UUID_LEN + 1];
            size_t n = strlen(id) + strlen(pp->type) + pp->len + 3;
            char *name = vg_malloc(n);
            if (!name) {
                json_decref(item);
                rc = vg_diag_set(r->d, VG_ENOMEM, "", "out of memory");
                break;
            }
            snprintf(name, n, "%s/%s/%s", id, pp->type, value);
            vg_uuid5(vg_uuid_ns_vigie, name, n - 1, u);
            free(name);
            set_str(item, "uuid", u);
        }
        set_str(item, "type", pp->type);
        json_object_set_new(item, "value", json_stringn(value, pp->len));
        rc = emit_item(r, i, item, before);
    }
    json_decref(base);
    return rc;
}

static int read_sco(struct reader *r, size_t i, const json_t *o, const char *id, const char *type)
{
    if (vg_strmap_find(&r->covered, id, strlen(id)) >= 0)
        return 0; /* the observable of an indicator of this input: read with it */
    unsigned long before = vg_mem_thread_failures();
    const char *u = id_uuid(id);
    const char *own = vg_json_str(o, "x_vigie_uuid");
    if (own && vg_uuid_valid(own, strlen(own)))
        u = own;
    json_t *items[3] = {NULL, NULL, NULL};
    size_t n = 0;
    if (strcmp(type, "file") == 0) {
        const json_t *h = json_object_get(o, "hashes");
        if (h && !json_is_object(h))
            return malformed(r, i, "hashes", "hashes must be an object");
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *)h, key, v) {
            const char *vt = NULL;
            if (strcasecmp(key, "MD5") == 0)
                vt = "md5";
            else if (strcasecmp(key, "SHA-1") == 0 || strcasecmp(key, "SHA1") == 0)
                vt = "sha1";
            else if (strcasecmp(key, "SHA-256") == 0 || strcasecmp(key, "SHA256") == 0)
                vt = "sha256";
            if (!vt || n == 3)
                continue;
            if (!json_is_string(v)) {
                for (size_t k = 0; k < n; k++)
                    json_decref(items[k]);
                char f[80];
                snprintf(f, sizeof f, "hashes/%.60s", key);
                return malformed(r, i, f, "a hash must be a string");
            }
            items[n] = json_pack("{s:s,s:O}", "type", vt, "value", v);
            n++;
        }
        if (!n)
            return skip(r, i, "object 'file'", "no MD5, SHA-1 or SHA-256 hash");
    } else {
        const json_t *v = json_object_get(o, "value");
        if (!json_is_string(v))
            return malformed(r, i, "value", "an observable needs its value (a string)");
        items[n++] = json_pack("{s:s,s:O}", "type", type, "value", v);
    }
    int rc = 0;
    int t = item_tlp(r, i, o);
    for (size_t k = 0; k < n; k++) {
        json_t *item = items[k];
        items[k] = NULL;
        if (!item || rc) {
            json_decref(item);
            continue;
        }
        if (n == 1) {
            set_str(item, "uuid", u);
        } else {
            char name[VG_MAX_NAME + VG_MAX_OBSERVABLE], uu[VG_UUID_LEN + 1];
            int len = snprintf(name, sizeof name, "%s/%s/%s", id, vg_json_str(item, "type"),
                               vg_json_str(item, "value"));
            vg_uuid5(vg_uuid_ns_vigie, name, len > 0 ? (size_t)len : 0, uu);
            set_str(item, "uuid", uu);
        }
        if (t >= 0)
            set_str(item, "tlp", vg_tlp_name((enum vg_tlp)t));
        json_object_set_new(item, "to_ids", json_false());
        json_object_set_new(item, "tags", json_array());
        rc = emit_item(r, i, item, before);
    }
    return rc;
}

static int read_object(struct reader *r, size_t i, const json_t *o)
{
    if (!json_is_object(o))
        return malformed(r, i, NULL, "a STIX object must be a JSON object");
    const char *type = vg_json_str(o, "type");
    if (!type || !*type)
        return malformed(r, i, "type", "a STIX object needs its type (a string)");
    const char *id = vg_json_str(o, "id");
    if (!id || !id_of_type(id, type) || !id_uuid(id))
        return malformed(r, i, "id", "id must be \"<type>--<uuid>\"");
    char what[96];
    snprintf(what, sizeof what, "object '%.60s'", type);
    if (strcmp(type, "indicator") == 0)
        return read_indicator(r, i, o, id);
    if (is_sco_type(type))
        return read_sco(r, i, o, id, type);
    if (strcmp(type, "report") == 0 || strcmp(type, "incident") == 0)
        return 0; /* read first, as containers */
    if (strcmp(type, "identity") == 0 && vg_strmap_find(&r->producers, id, strlen(id)) >= 0)
        return 0; /* the producer of objects of this input: read as their creator */
    if (strcmp(type, "sighting") == 0) {
        const char *of = vg_json_str(o, "sighting_of_ref");
        if (!of)
            return malformed(r, i, "sighting_of_ref", "a sighting needs its sighting_of_ref");
        long t = find_id(r, of);
        if (t >= 0 && id_of_type(of, "indicator"))
            return 0; /* read with its indicator */
        return skip(r, i, "sighting", "its sighting_of_ref is not an indicator of this input");
    }
    if (strcmp(type, "marking-definition") == 0) {
        if (vg_strmap_find(&r->markings, id, strlen(id)) >= 0)
            return 0; /* a TLP marking: read on the objects it marks */
        return skip(r, i, what, "a marking that is not TLP, kept only as a reference");
    }
    if (strcmp(type, "relationship") == 0) {
        const char *src = vg_json_str(o, "source_ref");
        const char *dst = vg_json_str(o, "target_ref");
        if (id_of_type(src, "indicator") && dst && find_id(r, src) >= 0 &&
            vg_strmap_find(&r->covered, dst, strlen(dst)) >= 0)
            return 0; /* an indicator and its observable: read with the indicator */
        long s = find_id(r, src), t = find_id(r, dst);
        if (s >= 0 && t >= 0 && r->container[s] == t)
            return 0; /* a member of an incident of this input */
    }
    return skip(r, i, what, "kept only as a reference (not imported)");
}

/* An incident SDO, or a report of an incident (as vigie writes them). */
static bool is_incident(const json_t *o, const char *type)
{
    if (strcmp(type, "incident") == 0)
        return true;
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(o, "report_types"), i, v) {
        if (json_is_string(v) && strcmp(json_string_value(v), "incident") == 0)
            return true;
    }
    return false;
}

static int read_all(struct reader *r, const json_t *bundle)
{
    int rc = learn(r);
    if (rc)
        return rc;
    if (bundle && (rc = emit_container(r, (size_t)-1, NULL, r->bundle_uuid, false)) != 0)
        return rc;
    size_t i;
    const json_t *o;
    /* the containers first, so that the items that refer to them come after them */
    json_array_foreach(r->objs, i, o) {
        const char *type = vg_json_str(o, "type");
        if (!type || (strcmp(type, "report") != 0 && strcmp(type, "incident") != 0))
            continue;
        const char *id = vg_json_str(o, "id");
        if (!id || !id_of_type(id, type) || !id_uuid(id))
            return malformed(r, i, "id", "id must be \"<type>--<uuid>\"");
        if ((rc = emit_container(r, i, o, id_uuid(id), is_incident(o, type))) != 0)
            return rc;
    }
    json_array_foreach(r->objs, i, o) {
        if ((rc = read_object(r, i, o)) != 0)
            return rc;
    }
    return 0;
}

static int read_list(const json_t *objs, const char *base, bool single, const json_t *bundle,
                     const struct vg_share_sink *sink, struct vg_diag *d)
{
    struct reader r = {.objs = objs,
                       .base = base ? base : "",
                       .single = single,
                       .sink = sink,
                       .d = d};
    vg_strmap_init(&r.ids);
    vg_strmap_init(&r.markings);
    vg_strmap_init(&r.covered);
    vg_strmap_init(&r.producers);
    vg_pattern_init(&r.pat);
    if (bundle) {
        const char *u = id_uuid(vg_json_str(bundle, "id"));
        if (!u || !id_of_type(vg_json_str(bundle, "id"), "bundle")) {
            vg_strmap_cleanup(&r.ids);
            vg_strmap_cleanup(&r.markings);
            vg_strmap_cleanup(&r.covered);
            vg_strmap_cleanup(&r.producers);
            return vg_diag_set(d, VG_EINVAL, "/id", "a bundle's id must be \"bundle--<uuid>\"");
        }
        memcpy(r.bundle_uuid, u, VG_UUID_LEN + 1);
    }
    int rc = read_all(&r, bundle);
    vg_strmap_cleanup(&r.ids);
    vg_strmap_cleanup(&r.markings);
    vg_strmap_cleanup(&r.covered);
    vg_strmap_cleanup(&r.producers);
    vg_pattern_cleanup(&r.pat);
    vg_pattern_reduced_cleanup(&r.red);
    vg_share_item_room_cleanup(&r.room);
    free(r.first_sighting);
    free(r.next_sighting);
    free(r.container);
    return rc;
}

int vg_stix_read(const char *buf, size_t len, const struct vg_share_sink *sink, struct vg_diag *d)
{
    vg_diag_clear(d);
    json_t *root = vg_json_parse(buf, len, d);
    if (!root)
        return errno == ENOMEM ? VG_ENOMEM : VG_EINVAL;
    int rc;
    if (json_is_array(root)) {
        rc = read_list(root, "", false, NULL, sink, d);
    } else if (json_is_object(root)) {
        const char *type = vg_json_str(root, "type");
        if (type && strcmp(type, "bundle") == 0) {
            const json_t *objs = json_object_get(root, "objects");
            if (objs && !json_is_array(objs))
                rc = vg_diag_set(d, VG_EINVAL, "/objects", "a bundle's objects must be an array");
            else if (!objs) {
                json_t *empty = json_array();
                rc = read_list(empty, "/objects", false, root, sink, d);
                json_decref(empty);
            } else {
                rc = read_list(objs, "/objects", false, root, sink, d);
            }
        } else {
            json_t *one = json_array();
            json_array_append(one, root);
            rc = read_list(one, "", true, NULL, sink, d);
            json_decref(one);
        }
    } else {
        rc = vg_diag_set(d, VG_EINVAL, "",
                         "expected a STIX bundle, a STIX object or a list of STIX objects");
    }
    json_decref(root);
    return rc;
}

int vg_stix_read_objects(const json_t *objects, const char *pointer_base,
                         const struct vg_share_sink *sink, struct vg_diag *d)
{
    vg_diag_clear(d);
    if (!json_is_array(objects))
        return vg_diag_set(d, VG_EINVAL, pointer_base ? pointer_base : "",
                           "objects must be an array of STIX objects");
    return read_list(objects, pointer_base, false, NULL, sink, d);
}
