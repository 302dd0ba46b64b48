/* STIX 2.1 patterns (STIX 2.1 section 9): a recursive-descent parser of the whole grammar into
 * a small tree, with limits (util/limits.h: VG_MAX_PATTERN bytes, VG_MAX_PATTERN_DEPTH nested
 * brackets and parentheses, VG_MAX_PATTERN_TERMS comparisons and constants), and the
 * reduction of a pattern to the (type, value) pairs vigie imports as indicators. Pure. */
#ifndef VG_PATTERN_H
#define VG_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

enum vg_pattern_kind {
    VG_PAT_FOLLOWEDBY,  /* observation a FOLLOWEDBY observation b */
    VG_PAT_OBS_OR,      /* observation a OR observation b */
    VG_PAT_OBS_AND,     /* observation a AND observation b */
    VG_PAT_QUALIFIED,   /* observation a with a qualifier (qual) */
    VG_PAT_OBSERVATION, /* [ comparison expression a ] */
    VG_PAT_OR,          /* comparison a OR comparison b */
    VG_PAT_AND,         /* comparison a AND comparison b */
    VG_PAT_COMPARISON,  /* object path, operator, constants */
};

enum vg_pattern_op {
    VG_PAT_EQ, /* = or == */
    VG_PAT_NE, /* != or <> */
    VG_PAT_GT,
    VG_PAT_LT,
    VG_PAT_GE,
    VG_PAT_LE,
    VG_PAT_IN,
    VG_PAT_LIKE,
    VG_PAT_MATCHES,
    VG_PAT_ISSUBSET,
    VG_PAT_ISSUPERSET,
    VG_PAT_EXISTS,
};

enum vg_pattern_const_kind {
    VG_PAT_STRING,    /* '...': text is the string with \' and \\ resolved */
    VG_PAT_INT,       /* text as written, sign included */
    VG_PAT_FLOAT,     /* text as written */
    VG_PAT_BOOL,      /* "true" or "false" */
    VG_PAT_TIMESTAMP, /* t'...': text between the quotes */
    VG_PAT_HEX,       /* h'...': text between the quotes */
    VG_PAT_BINARY,    /* b'...': text between the quotes (base64) */
};

enum vg_pattern_qual {
    VG_PAT_WITHIN,     /* WITHIN n SECONDS */
    VG_PAT_REPEATS,    /* REPEATS n TIMES */
    VG_PAT_START_STOP, /* START t'...' STOP t'...' */
};

/* A constant of a comparison. */
struct vg_pattern_const {
    enum vg_pattern_const_kind kind;
    size_t pos;      /* byte offset of the constant in the pattern */
    size_t off, len; /* its text in the pattern's text store (NUL-terminated there) */
};

/* A node of the tree; operands are node numbers. */
struct vg_pattern_node {
    enum vg_pattern_kind kind;
    size_t pos;                /* byte offset of the operator, bracket, qualifier or path */
    int a, b;                  /* operands, -1 when none */
    enum vg_pattern_op op;     /* comparisons */
    bool negated;              /* comparisons: NOT before the operator */
    size_t path_off, path_len; /* comparisons: the object path, normalised (below) */
    size_t first, nconsts;     /* comparisons: constants[first .. first + nconsts) */
    enum vg_pattern_qual qual; /* qualified observations */
};

/* A parsed pattern. Zero-initialised (or vg_pattern_init) is empty; one struct may parse many
 * patterns in turn, reusing its memory. The object path of a comparison is kept normalised:
 * "type:first.component[index]" with quoted components unquoted and [*] as written, e.g.
 * "file:hashes.SHA-256" for file:hashes.'SHA-256'. */
struct vg_pattern {
    struct vg_pattern_node *nodes;
    size_t nnodes, capnodes;
    struct vg_pattern_const *consts;
    size_t nconsts, capconsts;
    char *text; /* the text store: paths and constants, each NUL-terminated */
    size_t tlen, tcap;
    int root;    /* the root node, -1 before a successful parse */
    size_t ncmp; /* comparisons in the pattern */
};

void vg_pattern_init(struct vg_pattern *p);
void vg_pattern_cleanup(struct vg_pattern *p);

/* Parses len bytes of s (not NUL-terminated) as one STIX 2.1 pattern into p. 0; VG_EINVAL with
 * d's offset the byte position of the error and its message "position N: ..."; VG_ETOOBIG for
 * a limit (the position where it was reached); VG_ENOMEM. */
int vg_pattern_parse(struct vg_pattern *p, const char *s, size_t len, struct vg_diag *d);

/* The NUL-terminated text at off in p's text store (a path or a constant). */
static inline const char *vg_pattern_str(const struct vg_pattern *p, size_t off)
{
    return p->text + off;
}

/* One value a pattern reduces to. */
struct vg_pattern_pair {
    const char *type; /* vigie type (core/observable.h names): "ipv4-addr", ..., "sha256" */
    size_t off, len;  /* the value in the pattern's text store */
    size_t pos;       /* byte offset of the constant in the pattern */
};

/* The values of a reduced pattern. Zero-initialised is empty; reused by each reduce. */
struct vg_pattern_reduced {
    struct vg_pattern_pair *pairs;
    size_t n, cap;
    bool conjunction; /* an AND was reduced: each value alone is broader than the pattern */
};

void vg_pattern_reduced_cleanup(struct vg_pattern_reduced *r);

/* Reduces a parsed pattern to (type, value) pairs: comparisons with = or IN of string
 * constants on ipv4-addr:value, ipv6-addr:value, domain-name:value, url:value,
 * email-addr:value, email-message:from_ref.value (an email-addr) and file:hashes.MD5, SHA-1,
 * SHA-256 (quoted or not, SHA1 and SHA256 too, any case), combined with OR and AND in an
 * observation and between observations. AND is reduced as an approximation: every value is
 * kept and r->conjunction tells the caller. 0 and r; VG_EINVAL when the pattern is not
 * reducible, d's offset and message naming the first part that is not (FOLLOWEDBY, a
 * qualifier, NOT, an operator other than = and IN, another object path, a constant that is
 * not a string); VG_ENOMEM. */
int vg_pattern_reduce(const struct vg_pattern *p, struct vg_pattern_reduced *r, struct vg_diag *d);

#endif
