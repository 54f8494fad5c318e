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
#include <stdint.h>

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

#endif /* SP_RNG_H */
