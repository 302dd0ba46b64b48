/* Checking the URLs of advisories' references (advisory/link.h). */
#include "advisory/link.h"

#include <string.h>

static bool hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* RFC 3986's unreserved and sub-delims, and the extra characters a part allows. */
static bool uri_char(char c, const char *extra)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("-._~!$&'()*+,;=", c)) || (c && strchr(extra, c));
}

/* Skips the characters of a part (and %HH escapes); returns where it stopped. */
static const char *run(const char *p, const char *extra)
{
    for (;;) {
        if (*p == '%' && hex(p[1]) && hex(p[2]))
            p += 3;
        else if (*p != '%' && uri_char(*p, extra))
            p++;
        else
            return p;
    }
}

bool vg_adv_url_ok(const char *s)
{
    const char *p;
    if (!s)
        return false;
    if (strncmp(s, "https://", 8) == 0)
        p = s + 8;
    else if (strncmp(s, "http://", 7) == 0)
        p = s + 7;
    else
        return false;
    const char *host = p;
    if (*p == '[') { /* an IP literal: only its characters are checked */
        p++;
        while (hex(*p) || *p == ':' || *p == '.' || *p == 'v' || *p == 'V')
            p++;
        if (*p++ != ']' || p == host + 2)
            return false;
    } else {
        p = run(p, "");
        if (p == host)
            return false;
    }
    if (*p == ':')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    if (*p && *p != '/' && *p != '?' && *p != '#')
        return false; /* '@' (user information) or a character no URL holds */
    p = run(p, ":@/");
    if (*p == '?')
        p = run(p + 1, ":@/?");
    if (*p == '#')
        p = run(p + 1, ":@/?");
    return *p == '\0';
}
