/* All of vigie's limits in one place: sizes of what comes from outside and of what we build.
 * A limit that a user may want to change is also a command-line option; this is its default. */
#ifndef VG_LIMITS_H
#define VG_LIMITS_H

#define VG_MAX_BODY            (1024 * 1024) /* HTTP request body, bytes */
#define VG_MAX_TARGET          8192          /* HTTP request target (path and query), bytes */
#define VG_MAX_HEADERS         16384         /* HTTP request line and headers, bytes */
#define VG_MAX_JSON_DEPTH      64            /* nesting of any JSON document we parse */
#define VG_MAX_LINE            (1024 * 1024) /* one line of a log or indicator file */
#define VG_MAX_STR_FIELD       65536         /* one free-text field (description, note) */
#define VG_MAX_NAME            256           /* a name, title, e-mail, reference */
#define VG_MAX_OBSERVABLE      2048          /* one observable or indicator value */
#define VG_MAX_LIST            1000          /* items in one JSON array field (assets, contacts) */
#define VG_MAX_PAGE            500           /* items in one page of a list */
#define VG_DEFAULT_PAGE        50
#define VG_MAX_HOSTNAME        253
#define VG_MAX_RELATED         100                 /* incidents returned by /related */
#define VG_MAX_EVENT_HITS      100000              /* (event, indicator) hits reported per event */
#define VG_MAX_BUF             (256 * 1024 * 1024) /* default cap of a growable buffer */
#define VG_MAX_BULK_INDICATORS 10000               /* indicators in one POST /api/v1/indicators */
#define VG_MAX_LOG_FILES       1024                /* log files named on one `vigie match` line */
#define VG_IMPORT_CHUNK        10000  /* indicators per store transaction of a feed import */
#define VG_SHARE_IMPORT_CHUNK  100000 /* of a MISP/STIX import (C records: ~10 MB a chunk) */

/* Technology watch (src/vuln). */
#define VG_MAX_CPE             1024 /* one CPE name, formatted string or URI, bytes */
#define VG_MAX_VERSION         256  /* one version string compared by vg_version_cmp */
#define VG_MAX_VERSION_ITEMS   64   /* tokens of a version considered by the order */
#define VG_MAX_FEED_FILE       (1024L * 1024 * 1024) /* one CVE/NVD/KEV/EPSS file, bytes */
#define VG_MAX_FEED_CRITERIA   100000                /* cpeMatch entries in one CVE record */
#define VG_MAX_FEED_DIAGS      1000    /* rejected records reported one by one per read */
#define VG_MAX_FEED_FILES      1000000 /* files one feed import reads (CVE List: ~300,000) */
#define VG_MAX_FEED_DEPTH      16      /* directory levels below a feed path */
#define VG_MAX_IOC_FILES       1024    /* indicator files named on one command line */
#define VG_MAX_SHOWN           200     /* bytes of an untrusted value shown in a message */

/* The TAXII 2.1 server (app/taxii.c). */
#define VG_TAXII_PAGE_DEFAULT  100   /* objects in a page when the client gives no limit */
#define VG_TAXII_PAGE_MAX      1000  /* the most objects in one page: a larger limit is capped */
#define VG_TAXII_MAX_POST      10000 /* objects in one POSTed envelope */

/* Publications (src/advisory). */
#define VG_MAX_MARKDOWN        65536 /* one Markdown text rendered to HTML, bytes */
/* Beyond these, a Markdown text is shown as plain text: cmark-gfm 0.29.0.gfm.6 (Debian 12)
 * takes time quadratic in them (measured on 64 KiB: 0.85 s of "![[]()", 2.2 s for a line of
 * 32,000 table cells, 1 s of table header rows that fail; see advisory/markdown.c). */
#define VG_MD_MAX_BRACKETS     4096   /* '[' in one text */
#define VG_MD_MAX_CELLS_LINE   1000   /* '|' in one line */
#define VG_MD_MAX_TABLE_SCAN   262144 /* bytes of paragraphs read again as table headers */

/* The fuzz build (make fuzz) shrinks the line limit, so that inputs of a few kilobytes reach
 * the long-line paths and the block boundaries of the stream reader (fuzz/fuzz_scan.c). */
#ifdef VG_FUZZING
#undef VG_MAX_LINE
#define VG_MAX_LINE 4096
#endif

/* STIX 2.1 patterns (src/share/pattern.c). */
#define VG_MAX_PATTERN       65536 /* one STIX pattern, bytes */
#define VG_MAX_PATTERN_DEPTH 32    /* nesting of brackets and parentheses in a pattern */
#define VG_MAX_PATTERN_TERMS 1000  /* comparisons and constants in one pattern */

/* CSAF documents (src/advisory, `vigie csaf validate`). */
#define VG_MAX_CSAF_FILE     (64L * 1024 * 1024) /* one CSAF document read from a file, bytes */
/* Advisories (src/advisory/model.c, issue 13). */
#define VG_ADV_MAX_TITLE     512          /* an advisory's title, bytes */
#define VG_ADV_MAX_TEXT      (256 * 1024) /* its summary or solution (Markdown), bytes */
#define VG_ADV_MAX_URL       2048         /* a reference's URL, bytes */
#define VG_ADV_MAX_DESC      4096         /* a revision's description, bytes */

#endif
