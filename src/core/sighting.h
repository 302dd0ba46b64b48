/* Sightings: an indicator of the store seen in an event, as the matcher makes it from a hit and
 * a backend keeps it (counted in the alert of its indicator, organisation and day). A plain
 * record, no rule: the store refuses an indicator or organisation it does not hold. */
#ifndef VG_SIGHTING_H
#define VG_SIGHTING_H

/* One sighting. The strings are NUL-terminated and belong to whoever made the record. */
struct vg_sighting {
    long long indicator; /* the indicator's database id */
    long long org;       /* the organisation it is attributed to, 0: none */
    const char *seen;    /* when, RFC 3339 UTC; NULL: the recording time */
    const char *value;   /* the value seen, as the log wrote it (valid UTF-8) */
    const char *field;   /* where in the event ("dns.rrname"); NULL or "": none */
    const char *source;  /* "LOG:LINE"; NULL: "" */
    const char *tlp;     /* its own TLP 2.0 name (a sighting imported from a partner); NULL:
                          * none, its indicator's applies */
};

#endif
