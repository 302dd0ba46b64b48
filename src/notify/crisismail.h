/* The texts of the crisis cell's mail (issue 15): a roll-call with its personal
 * acknowledgement link, a sitrep with its TLP, a reminder that a sitrep is due. Each appends a
 * subject, a text and an HTML body to three buffers, in the member's language: lang "fr" French,
 * "en" English, anything else French then English. Values of the crisis, the member and the
 * caller are escaped in the HTML; control characters are dropped from subjects and one-line
 * fields. Each returns 0, or VG_ENOMEM (a buffer failed). Includes only core and util. */
#ifndef VG_NOTIFY_CRISISMAIL_H
#define VG_NOTIFY_CRISISMAIL_H

#include <jansson.h>

#include "util/buf.h"
#include "util/err.h"

/* A roll-call: crisis c ("title", "level"), the caller's name, the member's link (absolute)
 * and what to do (open it to say "I am here"). */
int vg_notify_crisis_rollcall(const json_t *c, const char *lang, const char *caller,
                              const char *link, struct vg_buf *subject, struct vg_buf *text,
                              struct vg_buf *html);
/* A sitrep s ("number", "version", "title", "body" (Markdown), "tlp") of crisis c: the TLP
 * first in the subject and the bodies; the Markdown as the text, body_html (the Markdown
 * already rendered and escaped by the caller) in the HTML. */
int vg_notify_crisis_sitrep(const json_t *c, const json_t *s, const char *lang,
                            const char *body_html, struct vg_buf *subject, struct vg_buf *text,
                            struct vg_buf *html);
/* A reminder to the cell that crisis c wants a sitrep every `hours` and the last one (or the
 * opening) was at `last`. */
int vg_notify_crisis_reminder(const json_t *c, const char *lang, long long hours, const char *last,
                              struct vg_buf *subject, struct vg_buf *text, struct vg_buf *html);

#endif
