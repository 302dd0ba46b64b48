/* STIX 2.1 patterns (share/pattern.h): a lexer over the bytes of the pattern, a recursive
 * descent over the grammar of STIX 2.1 section 9 (observation expressions, qualifiers,
 * comparison expressions, object paths, constants), then the reduction to indicator values. */
#include "share/pattern.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/limits.h"
#include "util/mem.h"
#include "util/str.h"

enum tok {
    T_END,
    T_LBRACK,
    T_RBRACK,
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_COLON,
    T_DOT,
    T_STAR,
    T_OP,     /* a comparison operator: = == != <> < <= > >= */
    T_IDENT,  /* identifiers and keywords */
    T_STRING, /* '...' */
    T_INT,
    T_FLOAT,
    T_TIMESTAMP, /* t'...' */
    T_HEX,       /* h'...' */
    T_BINARY,    /* b'...' */
};

struct parser {
    struct vg_pattern *p;
    const char *s;
    size_t len;
    size_t i;               /* next byte to lex */
    enum tok tok;           /* the current token */
    size_t tpos;            /* its position */
    size_t tlen;            /* its length in the pattern */
    enum vg_pattern_op top; /* T_OP: which */
    int depth;
    size_t terms;
    struct vg_diag *d;
    int err; /* 0, or the error already reported */
};

static int fail(struct parser *ps, int code, size_t pos, const char *what)
{
    if (!ps->err) {
        ps->err = code;
        vg_diag_set(ps->d, code, "", "position %zu: %s", pos, what);
        if (ps->d)
            ps->d->offset = (long)pos;
    }
    return -1;
}

/* ---- the text store ---- */

static long store(struct parser *ps, const char *b, size_t n)
{
    struct vg_pattern *p = ps->p;
    if (p->tlen + n + 1 > p->tcap) {
        size_t cap = p->tcap ? p->tcap : 256;
        while (cap < p->tlen + n + 1)
            cap *= 2;
        char *t = vg_realloc(p->text, cap);
        if (!t)
            return fail(ps, VG_ENOMEM, ps->tpos, "out of memory");
        p->text = t;
        p->tcap = cap;
    }
    size_t off = p->tlen;
    if (n)
        memcpy(p->text + off, b, n);
    p->text[off + n] = '\0';
    p->tlen += n + 1;
    return (long)off;
}

/* Appends n bytes to the last stored text (before its NUL). */
static int store_more(struct parser *ps, const char *b, size_t n)
{
    struct vg_pattern *p = ps->p;
    long off = store(ps, b, n); /* makes room, then joins it to the previous text */
    if (off < 0)
        return -1;
    memmove(p->text + off - 1, p->text + off, n + 1);
    p->tlen--;
    return 0;
}

/* ---- lexer ---- */

static bool is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident(char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The end of a quoted literal whose opening quote is at q: the closing quote's index, checking
 * that every backslash escapes ' or \; or fails. */
static long quoted_end(struct parser *ps, size_t q)
{
    for (size_t i = q + 1; i < ps->len; i++) {
        char c = ps->s[i];
        if (c == '\'')
            return (long)i;
        if (c == '\\') {
            if (i + 1 >= ps->len || (ps->s[i + 1] != '\'' && ps->s[i + 1] != '\\'))
                return fail(ps, VG_EINVAL, i, "a backslash in a string escapes only ' and \\");
            i++;
        }
    }
    return fail(ps, VG_EINVAL, q, "string not closed");
}

static int next(struct parser *ps)
{
    const char *s = ps->s;
    while (ps->i < ps->len &&
           (s[ps->i] == ' ' || s[ps->i] == '\t' || s[ps->i] == '\n' || s[ps->i] == '\r'))
        ps->i++;
    size_t i = ps->i;
    ps->tpos = i;
    if (i >= ps->len) {
        ps->tok = T_END;
        ps->tlen = 0;
        return 0;
    }
    char c = s[i];
    size_t n = 1;
    switch (c) {
    case '[': ps->tok = T_LBRACK; break;
    case ']': ps->tok = T_RBRACK; break;
    case '(': ps->tok = T_LPAREN; break;
    case ')': ps->tok = T_RPAREN; break;
    case ',': ps->tok = T_COMMA; break;
    case ':': ps->tok = T_COLON; break;
    case '.':
        if (i + 1 < ps->len && is_digit(s[i + 1]))
            goto number;
        ps->tok = T_DOT;
        break;
    case '*': ps->tok = T_STAR; break;
    case '=':
        ps->tok = T_OP;
        ps->top = VG_PAT_EQ;
        if (i + 1 < ps->len && s[i + 1] == '=')
            n = 2;
        break;
    case '!':
        if (i + 1 >= ps->len || s[i + 1] != '=')
            return fail(ps, VG_EINVAL, i, "'!' not followed by '='");
        ps->tok = T_OP;
        ps->top = VG_PAT_NE;
        n = 2;
        break;
    case '<':
        ps->tok = T_OP;
        ps->top = VG_PAT_LT;
        if (i + 1 < ps->len && s[i + 1] == '=') {
            ps->top = VG_PAT_LE;
            n = 2;
        } else if (i + 1 < ps->len && s[i + 1] == '>') {
            ps->top = VG_PAT_NE;
            n = 2;
        }
        break;
    case '>':
        ps->tok = T_OP;
        ps->top = VG_PAT_GT;
        if (i + 1 < ps->len && s[i + 1] == '=') {
            ps->top = VG_PAT_GE;
            n = 2;
        }
        break;
    case '\'': {
        long e = quoted_end(ps, i);
        if (e < 0)
            return -1;
        ps->tok = T_STRING;
        n = (size_t)e - i + 1;
        break;
    }
    default:
        if ((c == 't' || c == 'h' || c == 'b') && i + 1 < ps->len && s[i + 1] == '\'') {
            size_t e = i + 2;
            while (e < ps->len && s[e] != '\'')
                e++;
            if (e >= ps->len)
                return fail(ps, VG_EINVAL, i, "literal not closed");
            ps->tok = c == 't' ? T_TIMESTAMP : c == 'h' ? T_HEX : T_BINARY;
            n = e - i + 1;
            break;
        }
        if (is_ident_start(c)) {
            while (i + n < ps->len && is_ident(s[i + n]))
                n++;
            ps->tok = T_IDENT;
            break;
        }
        if (is_digit(c) || c == '-' || c == '+') {
        number:;
            size_t j = i;
            if (s[j] == '-' || s[j] == '+')
                j++;
            size_t d0 = j;
            while (j < ps->len && is_digit(s[j]))
                j++;
            size_t intdigits = j - d0;
            if (j < ps->len && s[j] == '.') {
                size_t f0 = ++j;
                while (j < ps->len && is_digit(s[j]))
                    j++;
                if (j == f0)
                    return fail(ps, VG_EINVAL, i, "a number needs digits after its '.'");
                ps->tok = T_FLOAT;
            } else {
                if (intdigits == 0)
                    return fail(ps, VG_EINVAL, i, "unexpected character");
                if (intdigits > 1 && s[d0] == '0')
                    return fail(ps, VG_EINVAL, i, "an integer does not start with 0");
                ps->tok = T_INT;
            }
            if (j < ps->len && is_ident(s[j]))
                return fail(ps, VG_EINVAL, j, "unexpected character after a number");
            n = j - i;
            break;
        }
        return fail(ps, VG_EINVAL, i, "unexpected character");
    }
    ps->tlen = n;
    ps->i = i + n;
    return 0;
}

static bool is_kw(const struct parser *ps, const char *kw)
{
    size_t n = strlen(kw);
    return ps->tok == T_IDENT && ps->tlen == n && memcmp(ps->s + ps->tpos, kw, n) == 0;
}

/* ---- constants ---- */

static bool two_digits(const char *s, int lo, int hi)
{
    if (!is_digit(s[0]) || !is_digit(s[1]))
        return false;
    int v = (s[0] - '0') * 10 + (s[1] - '0');
    return v >= lo && v <= hi;
}

/* t'YYYY-MM-DDTHH:MM:SS[.fraction]Z' between the quotes (s, n). */
static bool timestamp_ok(const char *s, size_t n)
{
    if (n < 20)
        return false;
    for (int k = 0; k < 4; k++)
        if (!is_digit(s[k]))
            return false;
    if (s[4] != '-' || !two_digits(s + 5, 1, 12) || s[7] != '-' || !two_digits(s + 8, 1, 31) ||
        s[10] != 'T' || !two_digits(s + 11, 0, 23) || s[13] != ':' || !two_digits(s + 14, 0, 59) ||
        s[16] != ':' || !two_digits(s + 17, 0, 60))
        return false;
    size_t k = 19;
    if (s[k] == '.') {
        size_t f = ++k;
        while (k < n && is_digit(s[k]))
            k++;
        if (k == f)
            return false;
    }
    return k == n - 1 && s[k] == 'Z';
}

static bool hex_ok(const char *s, size_t n)
{
    if (n % 2)
        return false;
    for (size_t k = 0; k < n; k++)
        if (vg_hex_digit(s[k]) < 0)
            return false;
    return true;
}

static bool b64_ok(const char *s, size_t n)
{
    if (n % 4)
        return false;
    size_t pad = 0;
    for (size_t k = 0; k < n; k++) {
        char c = s[k];
        bool alpha =
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '+' || c == '/';
        if (c == '=') {
            pad++;
            continue;
        }
        if (!alpha || pad)
            return false;
    }
    return pad <= 2;
}

/* Adds the current token as a constant; moves on. */
static int constant(struct parser *ps)
{
    struct vg_pattern *p = ps->p;
    if (++ps->terms > VG_MAX_PATTERN_TERMS)
        return fail(ps, VG_ETOOBIG, ps->tpos, "more than 1000 comparisons and constants");
    struct vg_pattern_const c = {.pos = ps->tpos};
    const char *t = ps->s + ps->tpos;
    long off;
    switch (ps->tok) {
    case T_STRING: {
        c.kind = VG_PAT_STRING;
        off = store(ps, "", 0);
        if (off < 0)
            return -1;
        size_t run = 1;
        size_t k = 1;
        for (; k + 1 < ps->tlen; k++) {
            if (t[k] == '\\') {
                if (store_more(ps, t + run, k - run) < 0)
                    return -1;
                run = ++k; /* the escaped byte starts the next run */
            }
        }
        if (store_more(ps, t + run, k - run) < 0)
            return -1;
        c.off = (size_t)off;
        c.len = p->tlen - 1 - (size_t)off;
        break;
    }
    case T_INT:
    case T_FLOAT:
        c.kind = ps->tok == T_INT ? VG_PAT_INT : VG_PAT_FLOAT;
        off = store(ps, t, ps->tlen);
        if (off < 0)
            return -1;
        c.off = (size_t)off;
        c.len = ps->tlen;
        break;
    case T_TIMESTAMP:
    case T_HEX:
    case T_BINARY: {
        const char *in = t + 2;
        size_t n = ps->tlen - 3;
        if (ps->tok == T_TIMESTAMP) {
            c.kind = VG_PAT_TIMESTAMP;
            if (!timestamp_ok(in, n))
                return fail(ps, VG_EINVAL, ps->tpos,
                            "a timestamp is t'YYYY-MM-DDTHH:MM:SS[.s]Z' (UTC)");
        } else if (ps->tok == T_HEX) {
            c.kind = VG_PAT_HEX;
            if (!hex_ok(in, n))
                return fail(ps, VG_EINVAL, ps->tpos, "h'...' holds pairs of hexadecimal digits");
        } else {
            c.kind = VG_PAT_BINARY;
            if (!b64_ok(in, n))
                return fail(ps, VG_EINVAL, ps->tpos, "b'...' holds base64");
        }
        off = store(ps, in, n);
        if (off < 0)
            return -1;
        c.off = (size_t)off;
        c.len = n;
        break;
    }
    case T_IDENT:
        if (is_kw(ps, "true") || is_kw(ps, "false")) {
            c.kind = VG_PAT_BOOL;
            off = store(ps, t, ps->tlen);
            if (off < 0)
                return -1;
            c.off = (size_t)off;
            c.len = ps->tlen;
            break;
        }
        return fail(ps, VG_EINVAL, ps->tpos, "expected a constant");
    default: return fail(ps, VG_EINVAL, ps->tpos, "expected a constant");
    }
    if (p->nconsts == p->capconsts) {
        size_t cap = p->capconsts ? p->capconsts * 2 : 16;
        struct vg_pattern_const *v = vg_realloc(p->consts, cap * sizeof *v);
        if (!v)
            return fail(ps, VG_ENOMEM, ps->tpos, "out of memory");
        p->consts = v;
        p->capconsts = cap;
    }
    p->consts[p->nconsts++] = c;
    return next(ps);
}

/* ---- tree ---- */

static int node(struct parser *ps, enum vg_pattern_kind kind, size_t pos, int a, int b)
{
    struct vg_pattern *p = ps->p;
    if (a < 0 || (kind != VG_PAT_OBSERVATION && kind != VG_PAT_QUALIFIED &&
                  kind != VG_PAT_COMPARISON && b < 0))
        return -1;
    if (p->nnodes == p->capnodes) {
        size_t cap = p->capnodes ? p->capnodes * 2 : 16;
        struct vg_pattern_node *v = vg_realloc(p->nodes, cap * sizeof *v);
        if (!v)
            return fail(ps, VG_ENOMEM, pos, "out of memory");
        p->nodes = v;
        p->capnodes = cap;
    }
    p->nodes[p->nnodes] = (struct vg_pattern_node){.kind = kind, .pos = pos, .a = a, .b = b};
    return (int)p->nnodes++;
}

static int enter(struct parser *ps)
{
    if (++ps->depth > VG_MAX_PATTERN_DEPTH)
        return fail(ps, VG_ETOOBIG, ps->tpos, "nested deeper than 32 levels");
    return 0;
}

static int expect(struct parser *ps, enum tok t, const char *what)
{
    if (ps->tok != t)
        return fail(ps, VG_EINVAL, ps->tpos, what);
    return next(ps);
}

/* An object path: type ':' component ('.' component | '[' index ']')*. Stores it normalised. */
static int object_path(struct parser *ps, size_t *off, size_t *len)
{
    if (ps->tok != T_IDENT)
        return fail(ps, VG_EINVAL, ps->tpos, "expected an object path (type:property)");
    long o = store(ps, ps->s + ps->tpos, ps->tlen);
    if (o < 0 || next(ps) < 0)
        return -1;
    if (ps->tok != T_COLON)
        return fail(ps, VG_EINVAL, ps->tpos, "expected ':' after the object type");
    if (store_more(ps, ":", 1) < 0 || next(ps) < 0)
        return -1;
    bool first = true;
    for (;;) {
        if (first || ps->tok == T_DOT) {
            if (!first) {
                if (store_more(ps, ".", 1) < 0 || next(ps) < 0)
                    return -1;
            }
            first = false;
            if (ps->tok == T_IDENT) {
                for (size_t k = 0; k < ps->tlen; k++)
                    if (ps->s[ps->tpos + k] == '-')
                        return fail(ps, VG_EINVAL, ps->tpos + k,
                                    "a property name with '-' is quoted ('SHA-256')");
                if (store_more(ps, ps->s + ps->tpos, ps->tlen) < 0)
                    return -1;
            } else if (ps->tok == T_STRING) {
                const char *t = ps->s + ps->tpos;
                size_t run = 1, k = 1;
                for (; k + 1 < ps->tlen; k++) {
                    if (t[k] == '\\') {
                        if (store_more(ps, t + run, k - run) < 0)
                            return -1;
                        run = ++k;
                    }
                }
                if (store_more(ps, t + run, k - run) < 0)
                    return -1;
            } else {
                return fail(ps, VG_EINVAL, ps->tpos, "expected a property name");
            }
            if (next(ps) < 0)
                return -1;
        } else if (ps->tok == T_LBRACK) {
            if (next(ps) < 0)
                return -1;
            if (ps->tok != T_STAR && ps->tok != T_INT)
                return fail(ps, VG_EINVAL, ps->tpos, "expected a list index or '*'");
            if (store_more(ps, "[", 1) < 0 || store_more(ps, ps->s + ps->tpos, ps->tlen) < 0 ||
                store_more(ps, "]", 1) < 0 || next(ps) < 0)
                return -1;
            if (expect(ps, T_RBRACK, "expected ']' after the list index") < 0)
                return -1;
        } else {
            break;
        }
    }
    *off = (size_t)o;
    *len = strlen(ps->p->text + o);
    return 0;
}

static int cmp_or(struct parser *ps);

/* A comparison, EXISTS path, or ( comparison expression ). */
static int cmp_primary(struct parser *ps)
{
    size_t pos = ps->tpos;
    if (ps->tok == T_LPAREN) {
        if (enter(ps) < 0 || next(ps) < 0)
            return -1;
        int r = cmp_or(ps);
        if (r < 0 || expect(ps, T_RPAREN, "expected ')'") < 0)
            return -1;
        ps->depth--;
        return r;
    }
    if (++ps->terms > VG_MAX_PATTERN_TERMS)
        return fail(ps, VG_ETOOBIG, pos, "more than 1000 comparisons and constants");
    struct vg_pattern_node c = {.kind = VG_PAT_COMPARISON, .pos = pos, .a = -1, .b = -1};
    if (is_kw(ps, "EXISTS")) {
        if (next(ps) < 0 || object_path(ps, &c.path_off, &c.path_len) < 0)
            return -1;
        c.op = VG_PAT_EXISTS;
        c.first = ps->p->nconsts;
    } else {
        if (object_path(ps, &c.path_off, &c.path_len) < 0)
            return -1;
        if (is_kw(ps, "NOT")) {
            c.negated = true;
            if (next(ps) < 0)
                return -1;
        }
        size_t oppos = ps->tpos;
        bool set = false, str_only = false;
        if (ps->tok == T_OP) {
            c.op = ps->top;
        } else if (is_kw(ps, "IN")) {
            c.op = VG_PAT_IN;
            set = true;
        } else if (is_kw(ps, "LIKE")) {
            c.op = VG_PAT_LIKE;
            str_only = true;
        } else if (is_kw(ps, "MATCHES")) {
            c.op = VG_PAT_MATCHES;
            str_only = true;
        } else if (is_kw(ps, "ISSUBSET")) {
            c.op = VG_PAT_ISSUBSET;
            str_only = true;
        } else if (is_kw(ps, "ISSUPERSET")) {
            c.op = VG_PAT_ISSUPERSET;
            str_only = true;
        } else {
            return fail(ps, VG_EINVAL, ps->tpos, "expected a comparison operator");
        }
        if (next(ps) < 0)
            return -1;
        c.first = ps->p->nconsts;
        if (set) {
            if (expect(ps, T_LPAREN, "expected '(' after IN") < 0)
                return -1;
            if (ps->tok != T_RPAREN) {
                for (;;) {
                    if (constant(ps) < 0)
                        return -1;
                    if (ps->tok != T_COMMA)
                        break;
                    if (next(ps) < 0)
                        return -1;
                }
            }
            if (expect(ps, T_RPAREN, "expected ',' or ')' in the set of IN") < 0)
                return -1;
        } else {
            if (str_only && ps->tok != T_STRING)
                return fail(ps, VG_EINVAL, ps->tpos, "this operator takes a string constant");
            if (ps->tok == T_IDENT &&
                (c.op == VG_PAT_GT || c.op == VG_PAT_LT || c.op == VG_PAT_GE || c.op == VG_PAT_LE))
                return fail(ps, VG_EINVAL, ps->tpos, "a boolean is not ordered");
            if (constant(ps) < 0)
                return -1;
        }
        (void)oppos;
    }
    c.nconsts = ps->p->nconsts - c.first;
    int r = node(ps, VG_PAT_COMPARISON, pos, 0, -1);
    if (r < 0)
        return -1;
    ps->p->nodes[r] = c;
    ps->p->ncmp++;
    return r;
}

/* One level of left-associative operators: sub (KW sub)*, each KW a node of kind. */
static int binary(struct parser *ps, const char *kw, enum vg_pattern_kind kind,
                  int (*sub)(struct parser *))
{
    int a = sub(ps);
    while (a >= 0 && is_kw(ps, kw)) {
        size_t pos = ps->tpos;
        if (next(ps) < 0)
            return -1;
        a = node(ps, kind, pos, a, sub(ps));
    }
    return a;
}

static int cmp_and(struct parser *ps)
{
    return binary(ps, "AND", VG_PAT_AND, cmp_primary);
}

static int cmp_or(struct parser *ps)
{
    return binary(ps, "OR", VG_PAT_OR, cmp_and);
}

static int obs_fb(struct parser *ps);

static bool positive_number(const struct parser *ps)
{
    if (ps->tok != T_INT && ps->tok != T_FLOAT)
        return false;
    const char *t = ps->s + ps->tpos;
    if (t[0] == '-')
        return false;
    for (size_t k = 0; k < ps->tlen; k++)
        if (t[k] >= '1' && t[k] <= '9')
            return true;
    return false;
}

/* [ comparisons ] or ( observations ), then its qualifiers. */
static int obs_qualified(struct parser *ps)
{
    int r;
    size_t pos = ps->tpos;
    if (enter(ps) < 0)
        return -1;
    if (ps->tok == T_LBRACK) {
        if (next(ps) < 0)
            return -1;
        r = cmp_or(ps);
        if (r < 0 || expect(ps, T_RBRACK, "expected ']' closing the observation") < 0)
            return -1;
        r = node(ps, VG_PAT_OBSERVATION, pos, r, -1);
    } else if (ps->tok == T_LPAREN) {
        if (next(ps) < 0)
            return -1;
        r = obs_fb(ps);
        if (r < 0 || expect(ps, T_RPAREN, "expected ')'") < 0)
            return -1;
    } else {
        return fail(ps, VG_EINVAL, ps->tpos, "expected '[' starting an observation");
    }
    ps->depth--;
    while (r >= 0) {
        size_t qpos = ps->tpos;
        enum vg_pattern_qual q;
        if (is_kw(ps, "WITHIN")) {
            q = VG_PAT_WITHIN;
            if (next(ps) < 0)
                return -1;
            if (!positive_number(ps))
                return fail(ps, VG_EINVAL, ps->tpos, "WITHIN takes a positive number");
            if (next(ps) < 0)
                return -1;
            if (!is_kw(ps, "SECONDS"))
                return fail(ps, VG_EINVAL, ps->tpos, "expected SECONDS");
        } else if (is_kw(ps, "REPEATS")) {
            q = VG_PAT_REPEATS;
            if (next(ps) < 0)
                return -1;
            if (ps->tok != T_INT || !positive_number(ps) || ps->s[ps->tpos] == '-')
                return fail(ps, VG_EINVAL, ps->tpos, "REPEATS takes a positive integer");
            if (next(ps) < 0)
                return -1;
            if (!is_kw(ps, "TIMES"))
                return fail(ps, VG_EINVAL, ps->tpos, "expected TIMES");
        } else if (is_kw(ps, "START")) {
            q = VG_PAT_START_STOP;
            if (next(ps) < 0)
                return -1;
            if (ps->tok != T_TIMESTAMP || !timestamp_ok(ps->s + ps->tpos + 2, ps->tlen - 3))
                return fail(ps, VG_EINVAL, ps->tpos, "START takes a timestamp t'...Z'");
            if (next(ps) < 0)
                return -1;
            if (!is_kw(ps, "STOP"))
                return fail(ps, VG_EINVAL, ps->tpos, "expected STOP");
            if (next(ps) < 0)
                return -1;
            if (ps->tok != T_TIMESTAMP || !timestamp_ok(ps->s + ps->tpos + 2, ps->tlen - 3))
                return fail(ps, VG_EINVAL, ps->tpos, "STOP takes a timestamp t'...Z'");
        } else {
            break;
        }
        if (next(ps) < 0)
            return -1;
        r = node(ps, VG_PAT_QUALIFIED, qpos, r, -1);
        if (r >= 0)
            ps->p->nodes[r].qual = q;
    }
    return r;
}

static int obs_and(struct parser *ps)
{
    return binary(ps, "AND", VG_PAT_OBS_AND, obs_qualified);
}

static int obs_or(struct parser *ps)
{
    return binary(ps, "OR", VG_PAT_OBS_OR, obs_and);
}

static int obs_fb(struct parser *ps)
{
    return binary(ps, "FOLLOWEDBY", VG_PAT_FOLLOWEDBY, obs_or);
}

void vg_pattern_init(struct vg_pattern *p)
{
    memset(p, 0, sizeof *p);
    p->root = -1;
}

void vg_pattern_cleanup(struct vg_pattern *p)
{
    if (!p)
        return;
    free(p->nodes);
    free(p->consts);
    free(p->text);
    vg_pattern_init(p);
}

int vg_pattern_parse(struct vg_pattern *p, const char *s, size_t len, struct vg_diag *d)
{
    p->nnodes = p->nconsts = p->tlen = p->ncmp = 0;
    p->root = -1;
    if (len > VG_MAX_PATTERN) {
        vg_diag_set(d, VG_ETOOBIG, "", "pattern longer than %d bytes", VG_MAX_PATTERN);
        if (d)
            d->offset = VG_MAX_PATTERN;
        return VG_ETOOBIG;
    }
    struct parser ps = {.p = p, .s = s ? s : "", .len = len, .d = d};
    if (next(&ps) < 0)
        return ps.err;
    int r = obs_fb(&ps);
    if (r >= 0 && ps.tok != T_END)
        fail(&ps, VG_EINVAL, ps.tpos,
             ps.tok == T_RBRACK || ps.tok == T_RPAREN ? "unbalanced closing bracket"
                                                      : "expected AND, OR or FOLLOWEDBY");
    if (ps.err)
        return ps.err;
    if (r < 0) /* a node without operand: its error is set */
        return fail(&ps, VG_EINVAL, ps.tpos, "syntax error"), VG_EINVAL;
    p->root = r;
    return 0;
}

/* ---- reduction ---- */

/* The supported object paths and their vigie types. Hash names are compared without case. */
static const struct {
    const char *path;
    const char *type;
    bool nocase;
} paths[] = {
    {"ipv4-addr:value", "ipv4-addr", false},
    {"ipv6-addr:value", "ipv6-addr", false},
    {"domain-name:value", "domain-name", false},
    {"url:value", "url", false},
    {"email-addr:value", "email-addr", false},
    {"email-message:from_ref.value", "email-addr", false},
    {"file:hashes.MD5", "md5", true},
    {"file:hashes.SHA-1", "sha1", true},
    {"file:hashes.SHA1", "sha1", true},
    {"file:hashes.SHA-256", "sha256", true},
    {"file:hashes.SHA256", "sha256", true},
};

static const char *path_type(const char *path, size_t len)
{
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        size_t n = strlen(paths[i].path);
        if (n != len)
            continue;
        if (paths[i].nocase ? (memcmp(path, paths[i].path, 12) == 0 &&
                               strncasecmp(path + 12, paths[i].path + 12, n - 12) == 0)
                            : memcmp(path, paths[i].path, n) == 0)
            return paths[i].type;
    }
    return NULL;
}

static const char *op_name(enum vg_pattern_op op)
{
    switch (op) {
    case VG_PAT_EQ: return "=";
    case VG_PAT_NE: return "!=";
    case VG_PAT_GT: return ">";
    case VG_PAT_LT: return "<";
    case VG_PAT_GE: return ">=";
    case VG_PAT_LE: return "<=";
    case VG_PAT_IN: return "IN";
    case VG_PAT_LIKE: return "LIKE";
    case VG_PAT_MATCHES: return "MATCHES";
    case VG_PAT_ISSUBSET: return "ISSUBSET";
    case VG_PAT_ISSUPERSET: return "ISSUPERSET";
    case VG_PAT_EXISTS: return "EXISTS";
    }
    return "?";
}

static int not_reducible(struct vg_diag *d, size_t pos, const char *what, const char *detail)
{
    vg_diag_set(d, VG_EINVAL, "", "position %zu: %s%s is not reducible to indicator values", pos,
                what, detail);
    if (d)
        d->offset = (long)pos;
    return VG_EINVAL;
}

static int add_pair(struct vg_pattern_reduced *r, const char *type,
                    const struct vg_pattern_const *c)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        struct vg_pattern_pair *v = vg_realloc(r->pairs, cap * sizeof *v);
        if (!v)
            return VG_ENOMEM;
        r->pairs = v;
        r->cap = cap;
    }
    r->pairs[r->n++] = (struct vg_pattern_pair){type, c->off, c->len, c->pos};
    return 0;
}

static int reduce(const struct vg_pattern *p, int i, struct vg_pattern_reduced *r,
                  struct vg_diag *d)
{
    const struct vg_pattern_node *n = &p->nodes[i];
    int rc;
    switch (n->kind) {
    case VG_PAT_FOLLOWEDBY: return not_reducible(d, n->pos, "FOLLOWEDBY", "");
    case VG_PAT_QUALIFIED:
        return not_reducible(d, n->pos,
                             n->qual == VG_PAT_WITHIN    ? "the qualifier WITHIN"
                             : n->qual == VG_PAT_REPEATS ? "the qualifier REPEATS"
                                                         : "the qualifier START/STOP",
                             "");
    case VG_PAT_OBSERVATION: return reduce(p, n->a, r, d);
    case VG_PAT_OBS_AND:
    case VG_PAT_AND: r->conjunction = true; /* fall through */
    case VG_PAT_OBS_OR:
    case VG_PAT_OR: rc = reduce(p, n->a, r, d); return rc ? rc : reduce(p, n->b, r, d);
    case VG_PAT_COMPARISON: break;
    }
    const char *path = p->text + n->path_off;
    if (n->negated)
        return not_reducible(d, n->pos, "NOT", "");
    if (n->op != VG_PAT_EQ && n->op != VG_PAT_IN) {
        char what[48];
        vg_str_copy(vg_str_c(op_name(n->op)), what + 9, sizeof what - 9);
        memcpy(what, "operator ", 9);
        return not_reducible(d, n->pos, what, "");
    }
    const char *type = path_type(path, n->path_len);
    if (!type) {
        char detail[200];
        size_t k = n->path_len < 120 ? n->path_len : 120;
        memcpy(detail, " '", 2);
        memcpy(detail + 2, path, k);
        memcpy(detail + 2 + k, "'", 2);
        return not_reducible(d, n->pos, "the object path", detail);
    }
    for (size_t k = 0; k < n->nconsts; k++) {
        const struct vg_pattern_const *c = &p->consts[n->first + k];
        if (c->kind != VG_PAT_STRING)
            return not_reducible(d, c->pos, "a constant that is not a string", "");
        if ((rc = add_pair(r, type, c)) != 0)
            return rc;
    }
    return 0;
}

void vg_pattern_reduced_cleanup(struct vg_pattern_reduced *r)
{
    if (!r)
        return;
    free(r->pairs);
    memset(r, 0, sizeof *r);
}

int vg_pattern_reduce(const struct vg_pattern *p, struct vg_pattern_reduced *r, struct vg_diag *d)
{
    r->n = 0;
    r->conjunction = false;
    if (p->root < 0)
        return vg_diag_set(d, VG_EINVAL, "", "no pattern parsed");
    return reduce(p, p->root, r, d);
}
