/* `vigie serve --eve-socket PATH` (issue 17): Suricata's socket output fed to the server's
 * event ingestion. Used by http/server.c only (its public face is vg_server_eve_socket and
 * vg_server_eve_counts in http/server.h). */
#ifndef VG_HTTP_EVESOCK_H
#define VG_HTTP_EVESOCK_H

#include "http/server.h"

struct vg_evesock;

/* Listens on path and starts the thread taking the queue's batches to the database thread
 * (vg_server_run_db). NULL with d filled. */
struct vg_evesock *vg_evesock_start(struct vg_server *srv, const char *path, size_t queue,
                                    struct vg_diag *d);
/* Stops accepting and reading, ingests what is queued, ends the thread. NULL or a second call
 * does nothing. Call before the database thread stops; the counts stay readable. */
void vg_evesock_stop(struct vg_evesock *es);
/* Stops it if needed, removes the socket file and frees it. NULL does nothing. */
void vg_evesock_free(struct vg_evesock *es);
struct vg_eve_counts vg_evesock_counts(struct vg_evesock *es);

#endif
