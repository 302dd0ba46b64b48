/* Outbound mail's MIME building with GMime 3 (notify/notify.h). */
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "notify/notify.h"
#include "util/mem.h"

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_start(void)
{
    g_mime_init();
}

int vg_mime_addr_spec(const char *address, char *out, size_t cap)
{
    if (!address)
        return VG_EINVAL;
    const char *b = address, *e = address + strlen(address);
    const char *lt = strchr(address, '<');
    if (lt) {
        const char *gt = strchr(lt, '>');
        if (!gt)
            return VG_EINVAL;
        b = lt + 1;
        e = gt;
    }
    while (b < e && (*b == ' ' || *b == '\t'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    size_t n = (size_t)(e - b);
    if (n == 0 || n >= cap || !memchr(b, '@', n))
        return VG_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (b[i] == '\r' || b[i] == '\n' || b[i] == '<' || b[i] == '>' || b[i] == ' ' ||
            b[i] == ',')
            return VG_EINVAL;
    memcpy(out, b, n);
    out[n] = '\0';
    return 0;
}

/* Adds the one address of text to list; false if it is not exactly one mailbox. */
static bool add_address(InternetAddressList *list, const char *text)
{
    char spec[320];
    if (vg_mime_addr_spec(text, spec, sizeof spec))
        return false;
    InternetAddressList *parsed = internet_address_list_parse(NULL, text);
    if (!parsed)
        return false;
    bool ok = internet_address_list_length(parsed) == 1 &&
              INTERNET_ADDRESS_IS_MAILBOX(internet_address_list_get_address(parsed, 0));
    if (ok)
        internet_address_list_append(list, parsed);
    g_object_unref(parsed);
    return ok;
}

static GMimeTextPart *text_part(const char *subtype, const char *body)
{
    /* the UTF-8 bytes as they are (g_mime_text_part_set_text would convert them to the
     * smallest charset that holds them, ISO-8859-1 for French) */
    GMimeTextPart *p = g_mime_text_part_new_with_subtype(subtype);
    GMimeStream *s = g_mime_stream_mem_new_with_buffer(body, strlen(body));
    GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(s, GMIME_CONTENT_ENCODING_DEFAULT);
    g_mime_part_set_content(GMIME_PART(p), w);
    g_object_unref(w);
    g_object_unref(s);
    g_mime_text_part_set_charset(p, "utf-8");
    GMimeContentEncoding enc =
        g_mime_part_get_best_content_encoding(GMIME_PART(p), GMIME_ENCODING_CONSTRAINT_7BIT);
    g_mime_part_set_content_encoding(GMIME_PART(p), enc);
    return p;
}

int vg_mime_build(const struct vg_mime_msg *m, char **out, size_t *len, struct vg_diag *d)
{
    *out = NULL;
    *len = 0;
    if (!m->from || !m->to || m->nto == 0 || !m->subject || !m->text || !m->message_id)
        return vg_diag_set(d, VG_EINVAL, "",
                           "a message needs a sender, recipients, a subject, "
                           "a text and a Message-ID");
    pthread_once(&gmime_once, gmime_start);
    GMimeMessage *msg = g_mime_message_new(TRUE);
    int rc = 0;
    if (!add_address(g_mime_message_get_from(msg), m->from))
        rc = vg_diag_set(d, VG_EINVAL, "from", "the sender's address is not one mailbox");
    for (size_t i = 0; !rc && i < m->nto; i++)
        if (!add_address(g_mime_message_get_to(msg), m->to[i]))
            rc = vg_diag_set(d, VG_EINVAL, "to", "a recipient's address is not one mailbox");
    char mid[400];
    size_t ml = strlen(m->message_id);
    if (!rc && ml >= 2 && m->message_id[0] == '<' && m->message_id[ml - 1] == '>') {
        if (ml - 2 >= sizeof mid)
            rc = vg_diag_set(d, VG_EINVAL, "message_id", "Message-ID too long");
        else {
            memcpy(mid, m->message_id + 1, ml - 2);
            mid[ml - 2] = '\0';
        }
    } else if (!rc) {
        if (ml >= sizeof mid)
            rc = vg_diag_set(d, VG_EINVAL, "message_id", "Message-ID too long");
        else
            memcpy(mid, m->message_id, ml + 1);
    }
    if (!rc && (!strchr(mid, '@') || strpbrk(mid, "<> \r\n")))
        rc = vg_diag_set(d, VG_EINVAL, "message_id", "Message-ID is not left@right");
    if (rc) {
        g_object_unref(msg);
        return rc;
    }
    if (m->ref && *m->ref) {
        char *subject = g_strdup_printf("[%s] %s", m->ref, m->subject);
        g_mime_message_set_subject(msg, subject, "utf-8");
        g_free(subject);
    } else {
        g_mime_message_set_subject(msg, m->subject, "utf-8");
    }
    g_mime_message_set_message_id(msg, mid);
    GDateTime *date = g_date_time_new_from_unix_utc((gint64)m->date);
    g_mime_message_set_date(msg, date);
    g_date_time_unref(date);
    g_mime_object_set_header(GMIME_OBJECT(msg), "Auto-Submitted", "auto-generated", NULL);

    GMimeTextPart *text = text_part("plain", m->text);
    if (m->html && *m->html) {
        GMimeMultipart *alt = g_mime_multipart_new_with_subtype("alternative");
        GMimeTextPart *html = text_part("html", m->html);
        g_mime_multipart_add(alt, GMIME_OBJECT(text));
        g_mime_multipart_add(alt, GMIME_OBJECT(html));
        g_object_unref(text);
        g_object_unref(html);
        g_mime_message_set_mime_part(msg, GMIME_OBJECT(alt));
        g_object_unref(alt);
    } else {
        g_mime_message_set_mime_part(msg, GMIME_OBJECT(text));
        g_object_unref(text);
    }

    GMimeFormatOptions *fo = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
    GMimeStream *stream = g_mime_stream_mem_new();
    ssize_t w = g_mime_object_write_to_stream(GMIME_OBJECT(msg), fo, stream);
    GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
    if (w < 0 || !bytes) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "cannot write the message");
    } else {
        *out = vg_malloc(bytes->len + 1);
        if (!*out) {
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        } else {
            memcpy(*out, bytes->data, bytes->len);
            (*out)[bytes->len] = '\0';
            *len = bytes->len;
        }
    }
    g_object_unref(stream);
    g_mime_format_options_free(fo);
    g_object_unref(msg);
    return rc;
}
