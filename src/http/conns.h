/* The server's connections as vigie tracks them, for deadlines libmicrohttpd does not have:
 * the request's headers must arrive within one deadline from the connection's start (or the
 * end of its previous request), its body within another from the end of its headers; and
 * when the connections a worker thread holds near its share of the cap, the idlest is closed
 * to keep room for new clients. A connection whose request is queued for the database or
 * being answered is never closed by vigie. */
#ifndef VG_HTTP_CONNS_H
#define VG_HTTP_CONNS_H

#include <microhttpd.h>
#include <stdbool.h>

/* Where a connection is at. */
enum vg_conn_state {
    VG_CONN_HEADERS = 0, /* waiting for a request's line and headers (or idle, kept alive) */
    VG_CONN_BODY = 1,    /* headers read, reading the body */
    VG_CONN_BUSY = 2,    /* queued for the database thread or being answered: kept */
};

struct vg_conns_config {
    unsigned header_ms;  /* deadline of a request's line and headers, milliseconds */
    unsigned body_ms;    /* deadline of its body from the end of its headers, milliseconds */
    unsigned per_thread; /* connections one worker thread may hold (libmicrohttpd's share) */
};

struct vg_conns;

/* Starts tracking (and the thread that ends overdue connections). NULL when out of memory or
 * the thread cannot start. */
struct vg_conns *vg_conns_new(const struct vg_conns_config *cfg);
/* Stops the thread and frees; call after MHD_stop_daemon (which reports every connection
 * closed). NULL does nothing. */
void vg_conns_free(struct vg_conns *cs);
/* The MHD_OPTION_NOTIFY_CONNECTION callback, cls the struct vg_conns. */
void vg_conns_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                     enum MHD_ConnectionNotificationCode toe);
/* Moves conn to state, its clock restarted. Returns false when vigie has already ended the
 * connection (its socket is shut down): the caller gives up on the request (MHD_NO). */
bool vg_conns_enter(struct MHD_Connection *conn, enum vg_conn_state state);

#endif
