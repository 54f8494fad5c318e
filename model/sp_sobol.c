/*
 * sp_sobol: direction numbers, scramble and random access.
 */
#include "sp_sobol.h"

#include <stdlib.h>
#include <string.h>

/* m_1 .. m_32 of dimension j: the table's first s, then the recurrence of
 * Bratley and Fox (1988), m_k = 2 a_1 m_(k-1) ^ 4 a_2 m_(k-2) ^ ... ^
 * 2^(s-1) a_(s-1) m_(k-s+1) ^ 2^s m_(k-s) ^ m_(k-s), with the polynomial
 * x^s + a_1 x^(s-1) + ... + a_(s-1) x + 1. */
static void direction_numbers(size_t j, uint32_t *m)
{
    if (j == 0) {
        for (int k = 0; k < SP_SOBOL_BITS; k++)
            m[k] = 1;
        return;
    }
    uint32_t p = sp_sobol_dirs[j][0];
    int s = 0;
    while ((p >> (s + 1)) != 0)
        s++;
    for (int k = 0; k < s; k++)
        m[k] = sp_sobol_dirs[j][1 + k];
    for (int k = s; k < SP_SOBOL_BITS; k++) {
        uint32_t next = m[k - s] ^ (m[k - s] << s);
        for (int i = 1; i < s; i++)
            if ((p >> (s - i)) & 1u)
                next ^= m[k - i] << i;
        m[k] = next;
    }
}

sp_sobol *sp_sobol_alloc(size_t dim)
{
    if (dim < 1 || dim > SP_SOBOL_MAX_DIM)
        return NULL;
    sp_sobol *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->dim = dim;
    s->base = malloc(SP_SOBOL_BITS * dim * sizeof *s->base);
    s->v = malloc(SP_SOBOL_BITS * dim * sizeof *s->v);
    s->shift = malloc(dim * sizeof *s->shift);
    s->x = malloc(dim * sizeof *s->x);
    if (!s->base || !s->v || !s->shift || !s->x) {
        sp_sobol_free(s);
        return NULL;
    }
    for (size_t j = 0; j < dim; j++) {
        uint32_t m[SP_SOBOL_BITS];
        direction_numbers(j, m);
        /* v_k = m_k / 2^k as a 32-bit binary fraction */
        for (int k = 0; k < SP_SOBOL_BITS; k++)
            s->base[(size_t)k * dim + j] = m[k] << (SP_SOBOL_BITS - 1 - k);
    }
    sp_sobol_reset(s);
    return s;
}

void sp_sobol_free(sp_sobol *s)
{
    if (s == NULL)
        return;
    free(s->base);
    free(s->v);
    free(s->shift);
    free(s->x);
    free(s);
}

void sp_sobol_reset(sp_sobol *s)
{
    memcpy(s->v, s->base, SP_SOBOL_BITS * s->dim * sizeof *s->v);
    memset(s->shift, 0, s->dim * sizeof *s->shift);
    sp_sobol_seek(s, 0);
}

/* 32 random bits from any GSL generator (gsl_rng_get spans [min, max]). */
static uint32_t random_bits(gsl_rng *rng)
{
    uint32_t r = 0;
    for (int b = 0; b < 4; b++)
        r = (r << 8) | (uint32_t)gsl_rng_uniform_int(rng, 256);
    return r;
}

void sp_sobol_scramble(sp_sobol *s, gsl_rng *rng)
{
    size_t dim = s->dim;
    for (size_t j = 0; j < dim; j++) {
        /* Row p of L (p = 0 the most significant bit) as a mask over the
         * bits of a direction number: bit 31 - p set, the bits above it
         * (the rows q < p) random, those below 0. */
        uint32_t row[SP_SOBOL_BITS];
        for (int p = 0; p < SP_SOBOL_BITS; p++) {
            uint32_t diag = 1u << (SP_SOBOL_BITS - 1 - p);
            uint32_t above = p == 0 ? 0u : ~0u << (SP_SOBOL_BITS - p);
            row[p] = diag | (random_bits(rng) & above);
        }
        for (int k = 0; k < SP_SOBOL_BITS; k++) {
            uint32_t in = s->base[(size_t)k * dim + j], out = 0;
            for (int p = 0; p < SP_SOBOL_BITS; p++)
                out |= (uint32_t)(__builtin_popcount(row[p] & in) & 1)
                       << (SP_SOBOL_BITS - 1 - p);
            s->v[(size_t)k * dim + j] = out;
        }
        s->shift[j] = random_bits(rng);
    }
    sp_sobol_seek(s, 0);
}

void sp_sobol_seek(sp_sobol *s, uint64_t index)
{
    uint64_t gray = index ^ (index >> 1);
    memcpy(s->x, s->shift, s->dim * sizeof *s->x);
    for (int k = 0; k < SP_SOBOL_BITS; k++) {
        if (!((gray >> k) & 1u))
            continue;
        const uint32_t *v = s->v + (size_t)k * s->dim;
        for (size_t j = 0; j < s->dim; j++)
            s->x[j] ^= v[j];
    }
    s->index = index;
}
