/* UUIDs (util/uuid.h). SHA-1 from OpenSSL's libcrypto, random bytes from libsodium. */
#include "util/uuid.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "util/str.h"

/* 00abedb4-aa42-466c-9c01-fed23315a9b7: STIX 2.1, section 2.9 */
const unsigned char vg_uuid_ns_stix[16] = {0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
                                           0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7};
/* vigie's namespace: 5b4c0f1e-3d7a-5e21-9a6e-2f418c3b7710, fixed once and never changed
 * (changing it would change the id of everything vigie ever exported). */
const unsigned char vg_uuid_ns_vigie[16] = {0x5b, 0x4c, 0x0f, 0x1e, 0x3d, 0x7a, 0x5e, 0x21,
                                            0x9a, 0x6e, 0x2f, 0x41, 0x8c, 0x3b, 0x77, 0x10};

static void format(const unsigned char u[16], char out[VG_UUID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[u[i] >> 4];
        out[o++] = hex[u[i] & 15];
    }
    out[o] = '\0';
}

/* SHA-1 fetched once: EVP_sha1() looks the algorithm up in the provider store (a lock and a
 * search) at each initialisation, half the cost of a UUID; a STIX export makes several per
 * object. Never freed: it lives as long as the process. */
static EVP_MD *sha1_md;
static pthread_once_t sha1_once = PTHREAD_ONCE_INIT;

static void sha1_fetch(void)
{
    sha1_md = EVP_MD_fetch(NULL, "SHA1", NULL);
}

void vg_uuid5(const unsigned char ns[16], const char *name, size_t len, char out[VG_UUID_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    pthread_once(&sha1_once, sha1_fetch);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, sha1_md ? sha1_md : EVP_sha1(), NULL) != 1 ||
        EVP_DigestUpdate(ctx, ns, 16) != 1 || EVP_DigestUpdate(ctx, name, len) != 1 ||
        EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen < 16)
        memset(md, 0, 16); /* only when libcrypto cannot allocate: a nil-derived UUID */
    EVP_MD_CTX_free(ctx);
    md[6] = (unsigned char)((md[6] & 0x0f) | 0x50); /* version 5 */
    md[8] = (unsigned char)((md[8] & 0x3f) | 0x80); /* variant RFC 9562 */
    format(md, out);
}

void vg_uuid4(char out[VG_UUID_LEN + 1])
{
    unsigned char u[16];
    randombytes_buf(u, sizeof u);
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
    format(u, out);
}

int vg_uuid_parse(const char *s, size_t len, unsigned char out[16])
{
    if (len != VG_UUID_LEN)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return -1;
            i++;
            continue;
        }
        int hi = vg_hex_digit(s[i]), lo = vg_hex_digit(s[i + 1]);
        if (hi < 0 || lo < 0 || i + 1 == 8 || i + 1 == 13 || i + 1 == 18 || i + 1 == 23)
            return -1;
        out[o++] = (unsigned char)(hi << 4 | lo);
        i += 2;
    }
    return o == 16 ? 0 : -1;
}

bool vg_uuid_valid(const char *s, size_t len)
{
    unsigned char u[16];
    return vg_uuid_parse(s, len, u) == 0;
}
