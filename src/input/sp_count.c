/*
 * sp_count: counts in decimal or exact scientific notation.
 */
#include "sp_count.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

/* Parses a count written as a decimal integer or in scientific notation
 * (1000000, 1e6, 2.5e6, 1.5E+3), exactly: the digits are kept as an
 * integer and scaled by the exponent, never rounded through a double, so a
 * value that is not an integer is refused rather than truncated. Only
 * digits may start it (no sign, no leading point, no hex). Stores the
 * value in *out on SP_COUNT_OK. */
sp_count sp_count_parse_detail(const char *s, uint64_t lo, uint64_t hi,
                               uint64_t *out)
{
    if (s == NULL || !(*s >= '0' && *s <= '9'))
        return SP_COUNT_SYNTAX;
    char digits[64];
    size_t nd = 0, nfrac = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (nd == sizeof digits)
            return SP_COUNT_RANGE;
        digits[nd++] = *p;
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, nfrac++) {
            if (nd == sizeof digits)
                return SP_COUNT_RANGE;
            digits[nd++] = *p;
        }
    }
    long exp10 = 0;
    if (*p == 'e' || *p == 'E') {
        char *end = NULL;
        p++;
        if (!((*p >= '0' && *p <= '9') ||
              ((*p == '+' || *p == '-') && p[1] >= '0' && p[1] <= '9')))
            return SP_COUNT_SYNTAX;
        errno = 0;
        exp10 = strtol(p, &end, 10);
        if (errno != 0 || exp10 > 1000 || exp10 < -1000)
            return SP_COUNT_RANGE;
        p = end;
    }
    if (*p != '\0')
        return SP_COUNT_SYNTAX;
    exp10 -= (long)nfrac;
    while (exp10 < 0 && nd > 0 && digits[nd - 1] == '0') {
        nd--; /* trailing zeros: 2.50e1 is 25, 150e-1 is 15 */
        exp10++;
    }
    if (exp10 < 0 && nd > 0) {
        for (size_t i = 0; i < nd; i++)
            if (digits[i] != '0')
                return SP_COUNT_FRACTION;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < nd; i++) {
        uint64_t d = (uint64_t)(digits[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return SP_COUNT_RANGE;
        v = v * 10 + d;
    }
    for (long e = 0; v != 0 && e < exp10; e++) {
        if (v > UINT64_MAX / 10)
            return SP_COUNT_RANGE;
        v *= 10;
    }
    if (v < lo || v > hi)
        return SP_COUNT_RANGE;
    *out = v;
    return SP_COUNT_OK;
}

bool sp_count_parse(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    return sp_count_parse_detail(s, lo, hi, out) == SP_COUNT_OK;
}
