#define VG_RESP_HEADERS 6 /* other headers an answer may carry */

/* What a handler answers: status, body and its content type, and optional headers; the
 * helpers that set them, errors included. Ready for JSON, HTML pages and TAXII. */
#ifndef VG_HTTP_RESPONSE_H
#define VG_HTTP_RESPONSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

/* Content types of answers (struct vg_resp's content_type). */
#define VG_CONTENT_JSON  "application/json; charset=utf-8"
#define VG_CONTENT_HTML  "text/html; charset=utf-8"
#define VG_CONTENT_TAXII "application/taxii+json;version=2.1"

/* What a handler answers: status and a body (a JSON document or text, owned), plus optional
 * headers. */
struct vg_resp {
    int status;               /* HTTP status, 0: none set yet */
    json_t *json;             /* the body as a document (owned), or NULL */
    char *text;               /* or the body as text already written (owned) */
    size_t text_len;          /* its length */
    const char *content_type; /* of the body (a static string, VG_CONTENT_*); set by the
                               * vg_resp_* helpers, NULL: application/json */
    char location[256];       /* Location header, "" if none */
    int retry_after;          /* Retry-After header in seconds, 0: none */
    bool close;               /* Connection: close: the connection ends after the answer */
    bool basic_auth;          /* a 401 also offers HTTP Basic (a sharing route, where a
                               * partner CERT may authenticate so) */
    bool raw;                 /* the text goes out as it is: no newline added (a file whose
                               * bytes are hashed, compared or served from a folder too) */
    struct {
        char name[32];
        char value[256];        /* a Content-Security-Policy fits */
    } headers[VG_RESP_HEADERS]; /* other headers (vg_resp_header) */
    int nheaders;
};

/* Answers the document body (taken over; NULL: no body) as JSON. */
void vg_resp_json(struct vg_resp *r, int status, json_t *body);
/* Answers the JSON text the handler wrote in b (taken over; b is left empty), or a 500 if
 * b failed. For hot routes whose answer is faster written than built as a document. */
void vg_resp_buf(struct vg_resp *r, int status, struct vg_buf *b);
/* As vg_resp_text, but the bytes go out exactly as written: a file of the published site,
 * the same bytes as `vigie advisory publish-site` writes and as its hashes cover. */
void vg_resp_bytes(struct vg_resp *r, int status, const char *content_type, struct vg_buf *b);
/* Answers the text written in b (taken over; b is left empty) as content_type (a static
 * string: VG_CONTENT_HTML, VG_CONTENT_TAXII, ...), or a JSON 500 if b failed. */
void vg_resp_text(struct vg_resp *r, int status, const char *content_type, struct vg_buf *b);
/* Sets an error answer {"error":{"code","message","field"}}. */
void vg_resp_error(struct vg_resp *r, int status, const char *code, const char *field,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The answer to a read of one item that failed with rc: VG_ENOENT is a 404 "not_found"
 * naming field, its message "no " followed by the item (fmt: "organisation %lld", ...); any
 * other error is a 500 "internal" whose cause (the item and rc) is logged. */
void vg_resp_get_failed(struct vg_resp *r, int rc, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds a header to the answer (name and value cut to fit; past VG_RESP_HEADERS, ignored). */
void vg_resp_header(struct vg_resp *r, const char *name, const char *value);
/* Makes an answer a TAXII 2.1 one: an error {"error":{"code","message","field"}} becomes a
 * TAXII error message {title, description, http_status, error_code, details}, and every JSON
 * body gets the TAXII content type. For the routes under /taxii2/. */
void vg_resp_taxii(struct vg_resp *r);
/* Maps a store/library error code and its diagnostic to an HTTP error answer. */
void vg_resp_diag(struct vg_resp *r, int rc, const struct vg_diag *d);

#endif
