/*
 * sp_sobol: a scrambled Sobol' sequence for randomised quasi-Monte Carlo.
 *
 * Points of up to SP_SOBOL_MAX_DIM dimensions with SP_SOBOL_BITS bits,
 * from Joe and Kuo's direction numbers (model/sp_sobol_dirs.c), in Gray
 * code order (Antonov and Saleev 1979): point i is the XOR of the
 * direction numbers v_k of the set bits k of i ^ (i >> 1), so point i + 1
 * is point i XOR v_ctz(i+1), and the first 2^m points are the same set as
 * in natural order. Unscrambled, these are the points of
 * scipy.stats.qmc.Sobol(d, scramble=False, bits=32) (tests/cli/
 * test_sobol.sh checks 4096 points of 1024 dimensions).
 *
 * A randomisation (sp_sobol_scramble) is Matousek's (1998) linear matrix
 * scramble with a digital shift: each dimension's generator matrix is
 * multiplied on the left by a random lower-triangular binary matrix with
 * unit diagonal and its points XORed with a random shift. Each scrambled
 * point is uniform on [0, 1)^d, the first 2^m points of every dimension
 * still fall one in each interval [k 2^-m, (k + 1) 2^-m), and estimates
 * from independent randomisations are independent and unbiased, so their
 * spread gives an honest interval. The randomisation is drawn from a GSL
 * generator, so it depends only on that generator's state.
 */
#ifndef SP_SOBOL_H
#define SP_SOBOL_H

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

#define SP_SOBOL_MAX_DIM    1024
#define SP_SOBOL_MAX_DEGREE 13 /* of the first SP_SOBOL_MAX_DIM polynomials */
#define SP_SOBOL_BITS       32

/* Polynomial and m_1 .. m_s of each dimension (sp_sobol_dirs.c). */
extern const uint16_t sp_sobol_dirs[SP_SOBOL_MAX_DIM][1 + SP_SOBOL_MAX_DEGREE];

typedef struct {
    size_t dim;
    uint32_t *base;  /* [SP_SOBOL_BITS * dim]: unscrambled direction numbers,
                        base[k * dim + j] for bit k of dimension j */
    uint32_t *v;     /* [SP_SOBOL_BITS * dim]: the same, scrambled */
    uint32_t *shift; /* [dim] */
    uint32_t *x;     /* [dim] the current point */
    uint64_t index;  /* of the current point */
} sp_sobol;

/* The unscrambled sequence of `dim` dimensions (1 .. SP_SOBOL_MAX_DIM),
 * positioned at point 0; NULL when dim is out of range or out of memory. */
sp_sobol *sp_sobol_alloc(size_t dim);
void sp_sobol_free(sp_sobol *s);

/* Replaces the direction numbers by a fresh randomisation drawn from rng
 * (linear matrix scramble and digital shift of the unscrambled ones) and
 * positions the sequence at point 0. */
void sp_sobol_scramble(sp_sobol *s, gsl_rng *rng);

/* Undoes any scramble: the unscrambled sequence, at point 0. */
void sp_sobol_reset(sp_sobol *s);

/* Positions the sequence at point `index` (< 2^SP_SOBOL_BITS - 1; a
 * randomisation has 2^32 - 1 points). */
void sp_sobol_seek(sp_sobol *s, uint64_t index);

/* Moves to the next point. */
static inline void sp_sobol_next(sp_sobol *s)
{
    s->index++;
    const uint32_t *v = s->v + (size_t)__builtin_ctzll(s->index) * s->dim;
    for (size_t j = 0; j < s->dim; j++)
        s->x[j] ^= v[j];
}

/* Coordinate j of the current point as a number in (0, 1): (x + 1/2) 2^-32. */
static inline double sp_sobol_uniform(const sp_sobol *s, size_t j)
{
    return ((double)s->x[j] + 0.5) * 0x1p-32;
}

#endif /* SP_SOBOL_H */
