/*
 * sp_digest: SHA-256 through nettle.
 */
#include "sp_digest.h"

#include <nettle/sha2.h>
#include <stdio.h>

void sp_digest(const void *data, size_t n, uint8_t out[SP_DIGEST_SIZE])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, n, data);
    sha256_digest(&ctx, SP_DIGEST_SIZE, out);
}

void sp_digest_hex(const void *data, size_t n, char hex[65])
{
    uint8_t d[SP_DIGEST_SIZE];
    sp_digest(data, n, d);
    for (size_t i = 0; i < SP_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}
