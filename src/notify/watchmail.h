/* The texts of the technology watch's digests, the detection alerts and the published
 * advisories sent by mail (issue 15; app/notify.c queues them). Pure: jansson in, buffers
 * out. Languages: "fr", "en", or "" for French then English in one message. Every value is
 * escaped in the HTML, control characters are dropped from subjects and text lines, the TLP
 * comes first in the subject and on the first line, and indicator values are defanged so
 * that no mail client makes them links. */
#ifndef VG_NOTIFY_WATCHMAIL_H
#define VG_NOTIFY_WATCHMAIL_H

#include <jansson.h>
#include <stddef.h>

#include "util/buf.h"

/* Appends value, an indicator of STIX type type ("ipv4-addr", "domain-name", "url",
 * "email-addr", ...) in its normal form, defanged, to out, its control characters dropped:
 * ipv4-addr: the last dot as "[.]" ("198.51.100[.]7"); domain-name: every dot
 * ("evil[.]example"); url: the scheme http/https as hxxp/hxxps (another scheme's "://" as
 * "[://]") and every dot of the host ("hxxp://evil[.]example/a.php"); email-addr: "@" as
 * "[@]" and every dot of the domain. Other types (hashes, ipv6-addr...) are written as they
 * are. core's defanged-form reader (notify/defang.h) reads all of these back. */
void vg_watchmail_defang(const char *type, const char *value, struct vg_buf *out);

/* The digest d as vg_store_digest_take gives it ({"org","name","since","until","findings":
 * [{"cve","priority","asset","cvss":{"score",...}|null,"kev":...|null,"epss":...|null,
 * "published","description"}]}), under TLP tlp, in language lang. At most max findings are
 * listed (0: all), the rest counted. 0, or VG_ENOMEM (a buffer failed). */
int vg_watchmail_digest(const json_t *digest, const char *tlp, const char *lang, size_t max,
                        struct vg_buf *subject, struct vg_buf *text, struct vg_buf *html);

/* The detection alerts of organisation name: alerts as vg_store_notify_alerts_unmailed gives
 * them ([{"day","first_seen","last_seen","count","indicator":{"type","value","tlp"}}]),
 * more = how many others were not listed; the message is under TLP tlp (the highest of the
 * indicators'). 0, or VG_ENOMEM. */
int vg_watchmail_alerts(const char *name, const json_t *alerts, size_t more, const char *tlp,
                        const char *lang, struct vg_buf *subject, struct vg_buf *text,
                        struct vg_buf *html);

/* A published advisory adv ({"ref","kind","title","tlp","risks":[...],"affected_systems":
 * [{"vendor","product","versions","fixed"?}],"cves":[...]}), to an organisation that holds
 * the products products (an array of CPE strings, may be NULL); link (may be NULL) is the
 * address of its public page. 0, or VG_ENOMEM. */
int vg_watchmail_advisory(const json_t *adv, const json_t *products, const char *link,
                          const char *lang, struct vg_buf *subject, struct vg_buf *text,
                          struct vg_buf *html);

#endif
