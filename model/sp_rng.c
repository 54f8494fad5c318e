/*
 * sp_rng: xoshiro256** as a GSL generator type, and block seeding.
 */
#include "sp_rng.h"

#include <string.h>

uint64_t sp_rng_mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

uint64_t sp_rng_block_seed(uint64_t seed, uint64_t block)
{
    return sp_rng_mix(sp_rng_mix(seed) + block);
}

typedef struct {
    uint64_t s[4];
} xoshiro_state;

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0, reference algorithm of Blackman and Vigna. */
static uint64_t xoshiro_next(xoshiro_state *st)
{
    uint64_t *s = st->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static void xoshiro_set(void *vstate, unsigned long seed)
{
    /* The first four outputs of splitmix64 started at `seed`, as the
     * xoshiro authors recommend; they are never all zero. */
    xoshiro_state *st = vstate;
    for (uint64_t i = 0; i < 4; i++)
        st->s[i] = sp_rng_mix((uint64_t)seed + i * 0x9E3779B97F4A7C15ULL);
}

static unsigned long xoshiro_get(void *vstate)
{
    return (unsigned long)xoshiro_next(vstate);
}

static double xoshiro_get_double(void *vstate)
{
    /* 53 random bits scaled to [0, 1). */
    return (double)(xoshiro_next(vstate) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type xoshiro_type = {SP_RNG_DEFAULT,
                                          (unsigned long)UINT64_MAX,
                                          0,
                                          sizeof(xoshiro_state),
                                          xoshiro_set,
                                          xoshiro_get,
                                          xoshiro_get_double};

const gsl_rng_type *sp_rng_lookup(const char *name)
{
    if (name == NULL || *name == '\0' || strcmp(name, SP_RNG_DEFAULT) == 0)
        return &xoshiro_type;
    for (const gsl_rng_type **t = gsl_rng_types_setup(); *t; t++)
        if (strcmp((*t)->name, name) == 0)
            return *t;
    return NULL;
}

void sp_rng_seed_block(gsl_rng *r, uint64_t seed, uint64_t block)
{
    gsl_rng_set(r, (unsigned long)sp_rng_block_seed(seed, block));
}
