/*
 * sp_digest: SHA-256 (through nettle, the only file that includes it).
 */
#ifndef SP_DIGEST_H
#define SP_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define SP_DIGEST_SIZE 32

/* SHA-256 of data[0..n) into out. */
void sp_digest(const void *data, size_t n, uint8_t out[SP_DIGEST_SIZE]);

/* SHA-256 of data[0..n) as 64 lowercase hex digits and a NUL. */
void sp_digest_hex(const void *data, size_t n, char hex[65]);

#endif /* SP_DIGEST_H */
