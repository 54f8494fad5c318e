/*
 * sp_count: counts as the command line and sweep grids take them -- an
 * integer in decimal or exact scientific notation (1e6, 2.5e6), nothing
 * else.
 */
#ifndef SP_COUNT_H
#define SP_COUNT_H

#include <stdbool.h>
#include <stdint.h>

/* Why a count did not parse. */
typedef enum {
    SP_COUNT_OK,
    SP_COUNT_SYNTAX,   /* not a number: junk, a sign, hex, empty */
    SP_COUNT_FRACTION, /* a number, but not an integer (1.5, 15e-1) */
    SP_COUNT_RANGE     /* an integer outside [lo, hi] */
} sp_count;

/* Parses `s` as a count in [lo, hi] into *out (set on SP_COUNT_OK only). */
sp_count sp_count_parse_detail(const char *s, uint64_t lo, uint64_t hi,
                               uint64_t *out);

/* The same as a yes or no. */
bool sp_count_parse(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

#endif /* SP_COUNT_H */
