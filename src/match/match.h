/* The indicator matcher: a frozen in-memory index of indicators (IP addresses and CIDRs,
 * domains, URLs, e-mail addresses, hashes), the classification of candidate strings, the event
 * readers (Suricata EVE / any NDJSON, plain text) and the multi-threaded scanner. */
#ifndef VG_MATCH_H
#define VG_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sighting.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/str.h"
#include "util/time.h"

#include <jansson.h>

/* ---- Indicator types (STIX names) ---- */

enum vg_match_type {
    VG_MATCH_IPV4 = 0, /* "ipv4-addr": address or CIDR */
    VG_MATCH_IPV6,     /* "ipv6-addr": address or CIDR */
    VG_MATCH_DOMAIN,   /* "domain-name": hits the domain and its subdomains */
    VG_MATCH_URL,      /* "url": compared after normalisation */
    VG_MATCH_EMAIL,    /* "email-addr": case-insensitive */
    VG_MATCH_MD5,      /* "md5", "sha1", "sha256": hexadecimal, case-insensitive */
    VG_MATCH_SHA1,
    VG_MATCH_SHA256,
    VG_MATCH_NTYPES
};

/* The STIX name of t ("ipv4-addr", ...). */
const char *vg_match_type_name(enum vg_match_type t);
/* Reads a STIX type name (case-insensitive); 0 or VG_EINVAL. */
int vg_match_type_parse(struct vg_str s, enum vg_match_type *out);

/* ---- Candidate classification (classify.c, url.c) ---- */

/* What a candidate string is, by the rules 1-5 of the matching semantics, in that order. */
enum vg_match_kind {
    VG_MATCH_KIND_NONE = 0,
    VG_MATCH_KIND_IPV4,  /* rule 1, inet_pton(AF_INET) */
    VG_MATCH_KIND_IPV6,  /* rule 1, inet_pton(AF_INET6) */
    VG_MATCH_KIND_URL,   /* rule 2, contains "://" */
    VG_MATCH_KIND_HASH,  /* rule 3, 32, 40 or 64 hexadecimal digits */
    VG_MATCH_KIND_EMAIL, /* rule 4, local@host */
    VG_MATCH_KIND_HOST,  /* rule 5, a host name */
};

/* Room for a normalised URL or e-mail key: longer candidates cannot equal an indicator. */
#define VG_MATCH_KEY_MAX     (VG_MAX_OBSERVABLE + 8)
/* Host names whose hashes a prepared candidate keeps: the host and its first parents. */
#define VG_MATCH_HOST_HASHES 8

/* A classified candidate: the keys it is looked up with. Large (about 2.4 KB): reuse one. */
struct vg_match_cand {
    enum vg_match_kind kind;        /* the rule that applied, NONE if none */
    enum vg_match_kind host_kind;   /* URL: IPV4, IPV6, HOST or NONE; EMAIL and HOST: HOST */
    uint8_t addr[16];               /* kind IPV4/IPV6 or host_kind IPV4/IPV6: the address */
    size_t key_len;                 /* bytes of key; 0 if too long to be an indicator */
    char key[VG_MATCH_KEY_MAX];     /* URL normalised, e-mail lower-cased, hash in binary */
    size_t host_len;                /* bytes of host */
    char host[VG_MAX_HOSTNAME + 2]; /* host name lower-cased, no trailing dot, NUL-ended */
    /* Hashes computed by vg_match_index_prepare for vg_match_index_lookup, so that a key is
     * hashed once; vg_match_classify clears them (a lookup without them hashes itself). */
    bool has_key_hash;                        /* key_hash is key's */
    unsigned nhost_hash;                      /* host_hash[0..nhost_hash) are set */
    uint64_t key_hash;                        /* the key's (URL, e-mail, hash) */
    uint64_t host_hash[VG_MATCH_HOST_HASHES]; /* host, then its parents of 2 labels or more */
};

/* Classifies s (trimmed of blanks and of one pair of surrounding '<' '>') into c; returns
 * c->kind. Never fails: what fits no rule is VG_MATCH_KIND_NONE. */
enum vg_match_kind vg_match_classify(struct vg_str s, struct vg_match_cand *c);
/* True if s is a host name by rule 5: dot-separated labels of letters, digits, '-' and '_',
 * at least two labels, the last one with a letter, at most 253 bytes (a final dot allowed). */
bool vg_match_is_hostname(struct vg_str s);
/* Reads s as an IPv4 (*af = 4, 4 bytes) or IPv6 (*af = 6, 16 bytes) address the way
 * inet_pton does; 0 or VG_EINVAL. */
int vg_match_parse_ip(struct vg_str s, int *af, uint8_t addr[16]);
/* What vg_match_classify computes first, each with its fast path (SSE2, 16 bytes at a time,
 * for strings of 16 bytes or more) when fast is true, else byte by byte; both give the same
 * result (tests/unit/test_match_fast.c): the OR of the character classes of s's bytes (digit 1,
 * a-f 2, other letter 4, '.' 8, ':' 16, '-' or '_' 32, '@' 64, anything else 128), and whether
 * s holds "://". */
unsigned vg_match_char_classes(struct vg_str s, bool fast);
bool vg_match_has_scheme_sep(struct vg_str s, bool fast);

/* Normalises a URL (rule 2): scheme and host lower-cased, userinfo dropped, final dots of the
 * host dropped, an IPv6 literal in canonical text, leading zeros of the port and the default
 * port (http 80, https 443) dropped, fragment and blanks before it dropped, empty path becomes
 * "/". Writes at most cap bytes to out (not NUL-terminated) and its length to *out_len; *host
 * (may be NULL) is set to the host inside out, without brackets. Returns 0, VG_EINVAL (no "://",
 * empty or bad scheme, bad port) or VG_ETOOBIG (does not fit). */
int vg_match_url_normalise(struct vg_str in, char *out, size_t cap, size_t *out_len,
                           struct vg_str *host);

/* ---- The index (index.c) ---- */

struct vg_match_index;

/* A new empty index, or NULL (out of memory). Free with vg_match_index_free. */
struct vg_match_index *vg_match_index_new(void);
void vg_match_index_free(struct vg_match_index *idx);
/* Adds one indicator of the given type. value is read and normalised (an address, a CIDR,
 * a host name, ...); original is the text to report on a hit (value itself when original.len
 * is 0); id is the caller's identifier (e.g. a database row; 0 if none). An indicator equal
 * after normalisation to one already present is not added again (the first one stays).
 * Returns 0 added, 1 duplicate, VG_EINVAL invalid value (d says why), VG_ENOMEM. Not
 * allowed after vg_match_index_freeze. */
int vg_match_index_add(struct vg_match_index *idx, enum vg_match_type type, struct vg_str value,
                       struct vg_str original, int64_t id, struct vg_diag *d);
/* Adds a stored indicator (ctx: the index), with the signature of vg_store_indicator_each's
 * callback: type is a STIX name, value the stored normal form (reported on a hit), id the
 * row. A value the index refuses, or an unknown type, is skipped (counted in
 * idx's skipped count); returns 0 or VG_ENOMEM. */
int vg_match_index_add_row(void *ctx, long long id, const char *type, const char *value);
/* Rows vg_match_index_add_row skipped as invalid. */
size_t vg_match_index_skipped(const struct vg_match_index *idx);
/* Ends loading: from now on the index is read-only and safe to share between threads. */
void vg_match_index_freeze(struct vg_match_index *idx);
/* Number of indicators held. */
size_t vg_match_index_count(const struct vg_match_index *idx);
/* Bytes of memory the index holds (tables, records, strings). */
size_t vg_match_index_bytes(const struct vg_match_index *idx);

/* One indicator, as vg_match_index_get gives it. */
struct vg_match_indicator {
    enum vg_match_type type; /* its type */
    struct vg_str text;      /* as written where it came from; valid while idx and buf live */
    int64_t id;              /* the id given to vg_match_index_add */
};

/* Room for the text of any indicator, given to vg_match_index_get. */
#define VG_MATCH_TEXT_MAX (VG_MAX_OBSERVABLE + 8)

/* Fills out with indicator number rec (as passed to a vg_match_hit_fn). buf is used when
 * the text has to be rebuilt; it must hold VG_MATCH_TEXT_MAX bytes. */
void vg_match_index_get(const struct vg_match_index *idx, uint32_t rec,
                        struct vg_match_indicator *out, char *buf);

/* Asks the memory for what vg_match_index_get(idx, rec) reads: its record (text false), then,
 * once the record has arrived, its text (text true). Results are written faster so. */
void vg_match_index_prefetch_rec(const struct vg_match_index *idx, uint32_t rec, bool text);

/* Called once per indicator a candidate hits; a non-zero return stops the lookup. */
typedef int (*vg_match_hit_fn)(void *ctx, uint32_t rec);

/* Looks c up: calls fn for every indicator it hits. Returns 0 or fn's non-zero value. */
int vg_match_index_lookup(const struct vg_match_index *idx, const struct vg_match_cand *c,
                          vg_match_hit_fn fn, void *ctx);

/* Asks the memory for what looking c up will read first, so that a lookup a little later is
 * faster (the scanner looks a candidate up after reading the next ones), and keeps in c the
 * hashes its lookup needs (the key's, the host's and its parents'): they are computed once. */
void vg_match_index_prepare(const struct vg_match_index *idx, struct vg_match_cand *c);

/* ---- Indicator files (iocfile.c) ---- */

/* Called for each invalid line (d->line is set); when strict is false loading goes on. */
typedef void (*vg_match_ioc_error_fn)(void *ctx, const struct vg_diag *d);

/* Counts of one indicator file. */
struct vg_match_ioc_counts {
    size_t added;      /* indicators added to the index */
    size_t duplicates; /* valid lines already present */
    size_t invalid;    /* lines reported and skipped */
};

/* Loads an indicator file held in data[0..len) into idx: lines "TYPE VALUE" (blank lines and
 * '#' comments ignored) or CSV whose header has "type" and "value" columns. Each invalid
 * line goes to on_error. Returns 0, or with strict the first invalid line's VG_EINVAL (d
 * filled), or VG_ENOMEM. counts may be NULL. */
int vg_match_iocs_load(struct vg_match_index *idx, const char *data, size_t len, bool strict,
                       vg_match_ioc_error_fn on_error, void *ctx,
                       struct vg_match_ioc_counts *counts, struct vg_diag *d);

/* Where a load stands between calls to vg_match_iocs_feed; start from {0, 0, -1, -1}. */
struct vg_match_ioc_state {
    long line;    /* lines read so far */
    int format;   /* 0 not known yet, 1 "TYPE VALUE" lines, 2 CSV */
    int col_type; /* CSV: the "type" and "value" columns */
    int col_value;
};

/* Same as vg_match_iocs_load over a file given in pieces of whole lines (so a caller need not
 * hold the whole file): state carries the line number and the format between calls. */
int vg_match_iocs_feed(struct vg_match_index *idx, struct vg_match_ioc_state *state,
                       const char *data, size_t len, bool strict, vg_match_ioc_error_fn on_error,
                       void *ctx, struct vg_match_ioc_counts *counts, struct vg_diag *d);

/* Called by vg_match_iocs_each for each line with a known type and a non-empty value (trimmed,
 * CSV-unquoted; valid while the call lasts). Returns 0 to go on; VG_EINVAL with d filled
 * reports the line as invalid (counted, given to on_error, fatal when strict); any other
 * non-zero value stops the reading and is returned. */
typedef int (*vg_match_ioc_line_fn)(void *ctx, long line, enum vg_match_type type,
                                    struct vg_str value, struct vg_diag *d);

/* The parser under vg_match_iocs_feed, for callers that do not build an index (e.g. an import
 * into the database): reads the lines of data[0..len) (whole lines, state as for
 * vg_match_iocs_feed) and calls fn for each indicator line. Lines with an unknown type or
 * no value, and lines fn refuses, are reported to on_error and counted in counts->invalid
 * (counts may be NULL; other counts are left alone). Returns 0, VG_EINVAL (strict: the first
 * invalid line, d filled), VG_ENOMEM or fn's other non-zero value. */
int vg_match_iocs_each(struct vg_match_ioc_state *state, const char *data, size_t len, bool strict,
                       vg_match_ioc_line_fn fn, void *fn_ctx, vg_match_ioc_error_fn on_error,
                       void *ctx, struct vg_match_ioc_counts *counts, struct vg_diag *d);

/* Counts the next line of a file read with vg_match_iocs_feed or vg_match_iocs_each as one
 * that its reader did not keep, being longer than it holds (more than VG_MAX_LINE bytes):
 * reported to on_error as "line longer than VG_MAX_LINE bytes" and counted invalid, as a
 * long line given whole is. Returns 0, or VG_EINVAL when strict (d filled). */
int vg_match_iocs_long_line(struct vg_match_ioc_state *state, bool strict,
                            vg_match_ioc_error_fn on_error, void *ctx,
                            struct vg_match_ioc_counts *counts, struct vg_diag *d);

/* ---- Event readers (eve.c, text.c) ---- */

/* Called for each candidate string of an event: its bytes (unescaped) and its field path
 * ("dns.rrname", "dns.answers[0].rdata"; empty for text). Non-zero stops the reading. */
typedef int (*vg_match_string_fn)(void *ctx, struct vg_str value, struct vg_str field);

/* A reusable reader state for JSON lines (one per thread). */
struct vg_match_eve;

struct vg_match_eve *vg_match_eve_new(void);
void vg_match_eve_free(struct vg_match_eve *e);
/* Reads one JSON line, which must be one object. Validates it exactly as jansson's
 * json_loadb(flags 0) would (and refuses nesting deeper than VG_MAX_JSON_DEPTH) while it
 * calls fn for every string value at any depth (not keys), in document order; then, if the
 * event has string "http.hostname" and "http.url" starting with '/', for the URL
 * "http://" hostname url with field "http.hostname+http.url". fn is called before the line
 * is known valid: a caller must drop what it got when this returns an error. Returns 0,
 * VG_EINVAL (malformed; d has the offset), VG_ETOOBIG (longer than VG_MAX_LINE or too deep)
 * or fn's non-zero value. */
int vg_match_eve_read(struct vg_match_eve *e, const char *line, size_t len, vg_match_string_fn fn,
                      void *ctx, struct vg_diag *d);

/* The scanner's form of vg_match_eve_read, without a separate pass to find the line: reads the
 * line starting at p (it ends at the first newline or at end) and on success sets *next to the
 * start of the next line. On failure the caller finds the line's end itself (the line may be
 * malformed, blank or longer than VG_MAX_LINE, which always fails). */
int vg_match_eve_read_next(struct vg_match_eve *e, const char *p, const char *end,
                           const char **next, vg_match_string_fn fn, void *ctx, struct vg_diag *d);

/* Splits a text line into tokens at blanks and at the characters "'<>()[]{},;|= and calls fn
 * for each non-empty token (field empty). Returns 0 or fn's non-zero value. */
int vg_match_text_read(const char *line, size_t len, vg_match_string_fn fn, void *ctx);

/* ---- The scanner (scan.c) ---- */

enum vg_match_format {
    VG_MATCH_FORMAT_EVE = 0, /* one JSON object per line */
    VG_MATCH_FORMAT_TEXT,    /* plain text lines */
};

/* One (event, indicator) hit, as given to the sink, in input order. */
struct vg_match_hit {
    uint64_t line;       /* line in its input, from 1 */
    uint32_t rec;        /* the indicator, for vg_match_index_get */
    struct vg_str value; /* the event's value that matched */
    struct vg_str field; /* its field path (empty for text) */
};

/* Where results go; called from the calling thread only, in input order. */
struct vg_match_sink {
    int (*hit)(void *ctx, const struct vg_match_hit *h); /* non-zero aborts the scan */
    /* A line skipped as malformed or too long: the first 10 of each vg_match_scan_* call. */
    void (*bad)(void *ctx, uint64_t line, const char *message);
    void *ctx;
};

struct vg_match_scan_opts {
    enum vg_match_format format; /* how lines are read */
    unsigned threads;            /* worker threads, at least 1 */
    size_t block;                /* input is scanned and its results delivered this many bytes at
                                  * a time (0: 256 MiB mapped, 32 MiB read; reads at least
                                  * VG_MAX_LINE + 1); for tests */
};

/* What a scan saw; vg_match_scan_* add to it. */
struct vg_match_stats {
    uint64_t lines;     /* lines read */
    uint64_t events;    /* lines read as events (valid JSON objects, or text lines) */
    uint64_t bytes;     /* bytes read */
    uint64_t hits;      /* (event, indicator) hits */
    uint64_t malformed; /* lines skipped: malformed JSON or longer than VG_MAX_LINE */
    uint64_t dropped;   /* hits over VG_MAX_EVENT_HITS in one event, not reported */
};

/* Scans data[0..len) (lines; the last one may lack its newline). Each (event, indicator)
 * pair is reported once, for its first field in document order. The results do not depend on
 * opts->threads. Returns 0, the sink's non-zero value, or VG_ENOMEM (d filled). */
int vg_match_scan_mem(const struct vg_match_index *idx, const struct vg_match_scan_opts *opts,
                      const char *data, size_t len, const struct vg_match_sink *sink,
                      struct vg_match_stats *st, struct vg_diag *d);
/* Same over a file descriptor. A regular file is mapped to find line ends, and each worker
 * reads its pieces with pread (the file must not shrink meanwhile: VG_EIO); anything else (a
 * pipe) is read in blocks of whole lines. Returns 0, VG_EIO, VG_ENOMEM or the sink's
 * non-zero value. */
int vg_match_scan_fd(const struct vg_match_index *idx, const struct vg_match_scan_opts *opts,
                     int fd, const struct vg_match_sink *sink, struct vg_match_stats *st,
                     struct vg_diag *d);

/* ---- Output (format.c) ---- */

struct vg_buf;

/* Appends the JSON line of a hit and a newline:
 * {"file":..,"line":N,"indicator":..,"type":..,"value":..,"field":..}; "file" only when file
 * is not NULL, "field" only when the hit has one (not for text). */
void vg_match_hit_format(const struct vg_match_index *idx, const struct vg_match_hit *h,
                         const char *file, struct vg_buf *out);

/* ---- Sightings (sighting.c) ---- */

struct vg_attrib;

/* What a sighting takes from its event. */
struct vg_match_event {
    char seen[VG_TIME_LEN]; /* "timestamp" as RFC 3339 UTC, or the recording time */
    char src_ip[64];        /* "src_ip" and "dest_ip" as written, "" when absent */
    char dest_ip[64];
};

/* Reads an EVE "timestamp" ("2026-11-29T06:01:08.123456+0000", or any RFC 3339 date-time)
 * into out as "YYYY-MM-DDTHH:MM:SSZ" (UTC). 0 or VG_EINVAL (out untouched). */
int vg_match_time_normalise(const char *in, char out[VG_TIME_LEN]);
/* Fills ev from a JSON event line: its time (now when it has no valid "timestamp") and its
 * "src_ip"/"dest_ip". Never fails: what is missing stays empty. */
void vg_match_event_read(const char *line, size_t len, const char *now, struct vg_match_event *ev);
/* The organisation a hit of value in the event ev is attributed to (0: none), by this rule:
 * when value is the event's dest_ip (src_ip), the constituent whose CIDR contains src_ip
 * (dest_ip), i.e. the other side of the flow; else the constituent containing dest_ip, else
 * src_ip (dest_ip first: an inbound scan or a reply reaches the constituent there); when
 * neither address is a constituent's (or the event has none, as plain text), the owner of the
 * matched address, or of the host of a matched URL, e-mail address or host name (the
 * constituent's domain or a parent of it). c is scratch space. */
long long vg_match_attribute(const struct vg_attrib *a, const struct vg_match_event *ev,
                             struct vg_str value, struct vg_match_cand *c);

struct vg_match_sg_block; /* sighting.c: where a batch's strings are kept */

/* Turns the hits of a scan of data[0..len) into sightings (core/sighting.h: indicator id,
 * organisation or 0, seen, value, field, source "SOURCE:LINE") and hands them to flush
 * batch_max at a time; what flush is given (records and strings) is valid until it returns.
 * Use vg_match_sightings_hit as the sink's hit function with the structure as its context. */
struct vg_match_sightings {
    const struct vg_match_index *idx; /* indicator ids come from here */
    const struct vg_attrib *attrib;   /* may be NULL: no attribution */
    const char *p, *end;              /* the scanned data; p is the start of line `line` */
    uint64_t line;
    enum vg_match_format format; /* EVE events give time and addresses; text does not */
    const char *source;          /* the log's name, for "source" */
    uint64_t line_base;          /* lines of the log before data (a piece of a followed log):
                                  * added to the line in "source" */
    size_t batch_max;            /* sightings per flush */
    int (*flush)(void *ctx, const struct vg_sighting *v, size_t n); /* stores a batch; non-zero
                                                                        stops the scan */
    void *flush_ctx;
    struct vg_sighting *batch;      /* sightings not flushed yet */
    size_t nbatch, capbatch;        /* their number, and the room in batch */
    struct vg_match_sg_block *text; /* their strings: the block being filled, then older */
    uint64_t ev_line;               /* the line ev was read from (0: none) */
    struct vg_match_event ev;
    struct vg_match_cand *cand; /* scratch for attribution */
    char now[VG_TIME_LEN];      /* the time of events without one */
    uint64_t hits;              /* sightings made */
};

/* 0 or VG_ENOMEM. data must stay as given while hits come. */
int vg_match_sightings_init(struct vg_match_sightings *s, const struct vg_match_index *idx,
                            const struct vg_attrib *attrib, const char *data, size_t len,
                            enum vg_match_format format, const char *source, size_t batch_max,
                            int (*flush)(void *ctx, const struct vg_sighting *v, size_t n),
                            void *flush_ctx);
/* A vg_match_sink hit function (ctx: the struct vg_match_sightings). Hits must come in input
 * order, as the scanner gives them. Returns 0, VG_ENOMEM or flush's non-zero value. */
int vg_match_sightings_hit(void *ctx, const struct vg_match_hit *h);
/* Hands what is left to flush; 0 or flush's value. */
int vg_match_sightings_flush(struct vg_match_sightings *s);
void vg_match_sightings_cleanup(struct vg_match_sightings *s);

#endif
