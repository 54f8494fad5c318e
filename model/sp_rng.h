/*
 * sp_rng: generator types and the per-block random streams.
 *
 * Block k of a run draws from a generator seeded only from (seed, k), so
 * results do not depend on how blocks are spread over threads or
 * processes. The block seed is splitmix64 applied twice,
 *   s_k = mix(mix(seed) + k),
 * which is injective in k for a given seed (mix is a bijection on 64-bit
 * integers), so no two blocks of a run share a stream seed.
 *
 * The default generator is xoshiro256** (Blackman and Vigna 2021), exposed
 * as a GSL generator type named "xoshiro256ss": it passes BigCrush, has a
 * 256-bit state filled from the 64-bit block seed by splitmix64, and costs
 * about as much per normal variate as taus2 here. Any GSL generator can be
 * chosen by name instead; note that many GSL generators (taus2, mt19937,
 * ...) use only 32 bits of the seed, so with more than about 10^4 blocks two
 * blocks may share a stream by chance.
 */
#ifndef SP_RNG_H
#define SP_RNG_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The default generator's name. */
#define SP_RNG_DEFAULT "xoshiro256ss"

/* Looks up a generator type by name (SP_RNG_DEFAULT or any GSL name);
 * "" or NULL gives the default. NULL if unknown. */
const gsl_rng_type *sp_rng_lookup(const char *name);

/* The seed of block `block` under run seed `seed`. */
uint64_t sp_rng_block_seed(uint64_t seed, uint64_t block);

/* Reseeds `r` for block `block` of a run with seed `seed`. */
void sp_rng_seed_block(gsl_rng *r, uint64_t seed, uint64_t block);

/* splitmix64 finaliser (Steele, Lea and Flood 2014). */
uint64_t sp_rng_mix(uint64_t x);

/* ---- the inline path of the default generator ---------------------------
 *
 * Drawing through GSL costs two indirect calls per variate
 * (gsl_ran_gaussian_ziggurat, then the generator's get). For the default
 * generator, sp_rng_fast draws xoshiro256** in place, its state in a local
 * struct that the compiler keeps in registers, and reproduces
 * gsl_ran_gaussian_ziggurat (Marsaglia and Tsang's ziggurat in GSL's
 * version: one of 128 layers from the low 7 bits of one 64-bit output, the
 * sign from bit 7, a 24-bit abscissa from the next 24) and gsl_rng_uniform
 * bit for bit: the fast path, taken by 97.2 % of normals, is inline with a
 * branch-free sign; a draw that leaves it puts the state back where the
 * draw began and lets gsl_ran_gaussian_ziggurat itself finish it. The fast
 * path's tables (the accept bound k[i] and the step w[i] of each layer) are
 * read once from GSL's own function, by feeding it chosen generator
 * outputs, and checked against it on 2^16 normals of a seeded stream; if
 * either fails (another GSL, a 32-bit unsigned long), every draw goes
 * through GSL. So a run gives the same numbers on either path, and
 * sp_rng_normal_method() says which was used. */
typedef struct {
    uint32_t k[128]; /* j < k[i]: the fast path accepts j w[i] */
    double w[128];
} sp_zig_table;

typedef struct {
    uint64_t s[4];
    const sp_zig_table *zig;
    gsl_rng *rng; /* whose state s is, between begin and end */
} sp_rng_fast;

/* Takes the state of `rng` into f: true when rng is the default generator
 * and the inline path is available; false (f unused) otherwise. */
bool sp_rng_fast_begin(sp_rng_fast *f, gsl_rng *rng);

/* Puts the state back into the gsl_rng, which then continues the stream
 * exactly as if every variate had been drawn through GSL. */
void sp_rng_fast_end(sp_rng_fast *f);

/* The name of the method by which standard normals of generator type t
 * are drawn: "ziggurat-inline" (sp_rng_fast) or "gsl_ran_gaussian_ziggurat".
 * Both give the same numbers for the default generator. */
const char *sp_rng_normal_method(const gsl_rng_type *t);

/* The slow path of sp_rng_fast_normal: the state (a0, a1, a2, a3) where
 * the draw began goes back into `rng`, which draws the normal; the result
 * has the normal and the state after it. (By value, so that the caller's
 * state never has its address taken and can stay in registers.) */
typedef struct {
    uint64_t s[4];
    double x;
} sp_rng_fast_slow;
sp_rng_fast_slow sp_rng_fast_normal_slow(gsl_rng *rng, uint64_t a0, uint64_t a1,
                                         uint64_t a2, uint64_t a3);

/* One step of xoshiro256** 1.0 (the reference algorithm of Blackman and
 * Vigna) on the state s: its output. */
static inline uint64_t sp_rng_xoshiro_step(uint64_t s[4])
{
    uint64_t r = s[1] * 5;
    r = ((r << 7) | (r >> 57)) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return r;
}

static inline uint64_t sp_rng_fast_next(sp_rng_fast *f)
{
    return sp_rng_xoshiro_step(f->s);
}

/* gsl_rng_uniform of the default generator: 53 bits in [0, 1). */
static inline double sp_rng_fast_uniform(sp_rng_fast *f)
{
    return (double)(sp_rng_fast_next(f) >> 11) * 0x1.0p-53;
}

/* gsl_ran_gaussian_ziggurat(rng, 1.0) of the default generator. */
static inline double sp_rng_fast_normal(sp_rng_fast *f)
{
    uint64_t a0 = f->s[0], a1 = f->s[1], a2 = f->s[2], a3 = f->s[3];
    uint64_t k = sp_rng_fast_next(f);
    uint64_t i = k & 0x7f, j = (k >> 8) & 0xffffff;
    if (__builtin_expect(j < f->zig->k[i], 1)) {
        /* GSL's sign * 1.0 * x with sign -1 when bit 7 is clear; x >= 0,
         * so setting the sign bit is the same, without a branch */
        double x = (double)j * f->zig->w[i];
        uint64_t b;
        memcpy(&b, &x, sizeof b);
        b |= (~k & 0x80) << 56;
        memcpy(&x, &b, sizeof x);
        return x;
    }
    sp_rng_fast_slow r = sp_rng_fast_normal_slow(f->rng, a0, a1, a2, a3);
    memcpy(f->s, r.s, sizeof f->s);
    return r.x;
}

#endif /* SP_RNG_H */
