/* Where a zip member's compressed bytes are in a mapped archive, so that they
 * are inflated from the page cache instead of being copied out by libzip
 * first (src/io/mrio_files.c, read_whole). libzip has opened the archive and
 * stays its authority: the central directory entry found here must be
 * libzip's entry `index`, with its name, CRC-32 and sizes, and anything else
 * (a malformed or unusual archive) answers NULL, which sends the member to
 * libzip's reader and its messages. Formats: PKWARE APPNOTE 4.3.12-4.3.16
 * (local header, central directory, end records) and 4.5.3 (Zip64 extra). */
#include <string.h>

#include "mrio_internal.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END 0x06054b50u
#define SIG_END64 0x06064b50u
#define SIG_LOC64 0x07064b50u
#define U32_MAX_FIELD 0xffffffffu

static uint64_t rd16(const unsigned char *p) { return (uint64_t)p[0] | (uint64_t)p[1] << 8; }
static uint64_t rd32(const unsigned char *p) { return rd16(p) | rd16(p + 2) << 16; }
static uint64_t rd64(const unsigned char *p) { return rd32(p) | rd32(p + 4) << 32; }

/* Offset and entry count of the central directory; 0 when not found. */
static int central_dir(const unsigned char *z, size_t n, uint64_t *cd, uint64_t *count)
{
    if (n < 22) return 0;
    const size_t lo = n - 22 > 65535 ? n - 22 - 65535 : 0;
    for (size_t i = n - 22 + 1; i-- > lo;) {
        if (rd32(z + i) != SIG_END) continue;
        *count = rd16(z + i + 10);
        *cd = rd32(z + i + 16);
        if (*count == 0xffff || *cd == U32_MAX_FIELD) {
            if (i < 20 || rd32(z + i - 20) != SIG_LOC64) return 0;
            const uint64_t e = rd64(z + i - 20 + 8);
            if (n < 56 || e > n - 56 || rd32(z + e) != SIG_END64) return 0;
            *count = rd64(z + e + 32);
            *cd = rd64(z + e + 48);
        }
        return *cd < n;
    }
    return 0;
}

/* The Zip64 extra field of a central entry: the 8-byte values of the fields
 * that are 0xffffffff, in the order uncompressed size, compressed size,
 * local header offset. 0 when one is missing. */
static int zip64_fields(const unsigned char *x, size_t xl, uint64_t *usize, uint64_t *csize, uint64_t *lho)
{
    uint64_t *f[3] = {usize, csize, lho};
    for (size_t k = 0; k + 4 <= xl;) {
        const size_t id = (size_t)rd16(x + k), sz = (size_t)rd16(x + k + 2);
        if (k + 4 + sz > xl) return 0;
        if (id == 1) {
            size_t at = k + 4;
            for (int j = 0; j < 3; j++) {
                if (*f[j] != U32_MAX_FIELD) continue;
                if (at + 8 > k + 4 + sz) return 0;
                *f[j] = rd64(x + at);
                at += 8;
            }
            return 1;
        }
        k += 4 + sz;
    }
    return *usize != U32_MAX_FIELD && *csize != U32_MAX_FIELD && *lho != U32_MAX_FIELD;
}

/* The compressed data of entry `index` described by the central entry at c
 * (bounds checked by the caller), or NULL. */
static const unsigned char *entry_data(const unsigned char *z, size_t n, const unsigned char *c, zip_t *za,
                                       zip_uint64_t index, const zip_stat_t *st)
{
    const size_t nl = (size_t)rd16(c + 28), xl = (size_t)rd16(c + 30);
    const char *name = zip_get_name(za, index, ZIP_FL_ENC_RAW);
    if (!name || strlen(name) != nl || memcmp(name, c + 46, nl) != 0) return NULL;
    uint64_t usize = rd32(c + 24), csize = rd32(c + 20), lho = rd32(c + 42);
    if (!zip64_fields(c + 46 + nl, xl, &usize, &csize, &lho)) return NULL;
    if (rd32(c + 16) != st->crc || usize != st->size || csize != st->comp_size || rd16(c + 10) != ZIP_CM_DEFLATE ||
        (rd16(c + 8) & 1))
        return NULL;
    if (lho > n || n - lho < 30 || rd32(z + lho) != SIG_LOCAL || rd16(z + lho + 8) != ZIP_CM_DEFLATE) return NULL;
    const uint64_t data = lho + 30 + rd16(z + lho + 26) + rd16(z + lho + 28);
    if (data > n || n - data < csize) return NULL;
    return z + data;
}

const unsigned char *mrio_zip_member_data(const unsigned char *z, size_t n, zip_t *za, zip_uint64_t index,
                                          const zip_stat_t *st)
{
    uint64_t cd = 0, count = 0;
    if (!central_dir(z, n, &cd, &count) || index >= count) return NULL;
    const unsigned char *c = z + cd, *end = z + n;
    for (zip_uint64_t k = 0;; k++) {
        if (end - c < 46 || rd32(c) != SIG_CENTRAL) return NULL;
        const size_t len = 46 + (size_t)rd16(c + 28) + (size_t)rd16(c + 30) + (size_t)rd16(c + 32);
        if ((size_t)(end - c) < len) return NULL;
        if (k == index) return entry_data(z, n, c, za, index, st);
        c += len;
    }
}
