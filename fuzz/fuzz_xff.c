/* libFuzzer target of the X-Forwarded-For walk (src/http/proxy.c): the input is header values,
 * one a line (the last 16 kept, as the server does). Whatever they hold, the client found is
 * the peer itself or an address that parses again to itself, the output buffer is never
 * overrun, and its rate-limit key is well formed. The network parser gets the first line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/proxy.h"
#include "http/ratelimit.h"

static struct vg_proxies proxies;

static void setup(void)
{
    if (proxies.n)
        return;
    static const char *const nets[] = {"127.0.0.1", "10.0.0.0/8", "2001:db8:ff::/48",
                                       "::ffff:192.0.2.0/24"};
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++)
        if (vg_proxies_add(&proxies, nets[i]) != 0)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    struct vg_str v[VG_XFF_MAX_HEADERS];
    size_t n = 0;
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        if (n == VG_XFF_MAX_HEADERS) {
            memmove(v, v + 1, (VG_XFF_MAX_HEADERS - 1) * sizeof v[0]);
            n--;
        }
        v[n++] = (struct vg_str){p, (size_t)(e - p)};
        p = nl ? nl + 1 : end;
    }
    static const char *const peers[] = {"127.0.0.1", "10.1.2.3", "192.0.2.9", "unknown"};
    const char *peer = peers[size ? data[0] % 4 : 0];
    char out[64];
    memset(out, 'x', sizeof out);
    vg_proxy_client(&proxies, peer, v, n, out, sizeof out);
    if (!memchr(out, '\0', sizeof out))
        abort();
    if (strcmp(out, peer) != 0) {
        struct vg_addr a;
        char again[64];
        if (vg_addr_parse(out, strlen(out), &a) != 0)
            abort();
        vg_addr_format(&a, again, sizeof again);
        if (strcmp(again, out) != 0)
            abort();
    }
    char key[64];
    vg_ratelimit_key(out, 24, 64, key, sizeof key);
    if (!memchr(key, '\0', sizeof key))
        abort();
    if (n && v[0].len < 128) {
        char line[128];
        memcpy(line, v[0].ptr, v[0].len);
        line[v[0].len] = '\0';
        struct vg_net net;
        if (vg_net_parse(line, &net) == 0 && (net.prefix < 0 || net.prefix > 128))
            abort();
    }
    return 0;
}
