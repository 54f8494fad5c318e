/*
 * sp_rng: xoshiro256** as a GSL generator type, and block seeding.
 */
#include "sp_rng.h"

#include <gsl/gsl_randist.h>
#include <limits.h>
#include <string.h>
#include <threads.h>

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

/* xoshiro256** 1.0, reference algorithm of Blackman and Vigna. */
static uint64_t xoshiro_next(xoshiro_state *st)
{
    return sp_rng_xoshiro_step(st->s);
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

/* ---- the inline path ---------------------------------------------------- */

/* A generator that gives gsl_ran_gaussian_ziggurat one chosen output, then
 * outputs that end any rejection loop at once (layer 1, abscissa 0, which
 * GSL accepts without a test), and counts the outputs taken. */
typedef struct {
    uint64_t first;
    unsigned calls;
} probe_state;

static void probe_set(void *vstate, unsigned long seed)
{
    (void)seed;
    memset(vstate, 0, sizeof(probe_state));
}

static unsigned long probe_get(void *vstate)
{
    probe_state *p = vstate;
    return p->calls++ == 0 ? (unsigned long)p->first : 0x81UL;
}

static double probe_get_double(void *vstate)
{
    probe_state *p = vstate;
    p->calls++;
    return 0.5;
}

static const gsl_rng_type probe_type = {
    "simplan-probe", ULONG_MAX,       0, sizeof(probe_state), probe_set,
    probe_get,       probe_get_double};

/* Draws one normal with first output (j << 8) | 0x80 | i: *x gets the
 * result; returns the number of outputs it took (1: the fast path). */
static unsigned probe(gsl_rng *r, uint64_t i, uint64_t j, double *x)
{
    probe_state *p = r->state;
    p->first = (j << 8) | 0x80 | i;
    p->calls = 0;
    *x = gsl_ran_gaussian_ziggurat(r, 1.0);
    return p->calls;
}

static sp_zig_table zig_table;
static bool zig_ok;

static void fast_take(sp_rng_fast *f, gsl_rng *rng);
static once_flag zig_once = ONCE_FLAG_INIT;

/* The tables from GSL's behaviour: k[i] is the smallest abscissa j that
 * leaves the fast path (bisection on j), w[i] the result for j = 1. Then
 * 2^16 normals of a seeded stream on both paths must agree bit for bit. */
static void zig_build(void)
{
    if (ULONG_MAX != UINT64_MAX)
        return;
    gsl_rng *r = gsl_rng_alloc(&probe_type);
    if (r == NULL)
        return;
    bool ok = true;
    for (uint64_t i = 0; i < 128 && ok; i++) {
        double x;
        uint64_t lo = 0, hi = 1u << 24; /* lo fast; hi slow, or past the end */
        if (probe(r, i, 0, &x) != 1)
            hi = 0; /* GSL tests every abscissa of this layer (its top) */
        else if (probe(r, i, hi - 1, &x) != 1)
            while (hi - lo > 1) {
                uint64_t mid = lo + (hi - lo) / 2;
                if (probe(r, i, mid, &x) == 1)
                    lo = mid;
                else
                    hi = mid;
            }
        zig_table.k[i] = (uint32_t)hi;
        zig_table.w[i] = 0.0; /* no j > 0 is fast when k[i] <= 1 */
        if (ok && hi > 1) {
            ok = probe(r, i, 1, &x) == 1 && x > 0.0;
            zig_table.w[i] = x;
        }
    }
    gsl_rng_free(r);
    if (!ok)
        return;
    gsl_rng *a = gsl_rng_alloc(sp_rng_lookup(NULL));
    gsl_rng *b = gsl_rng_alloc(sp_rng_lookup(NULL));
    if (a != NULL && b != NULL) {
        sp_rng_seed_block(a, 20240601, 0);
        sp_rng_seed_block(b, 20240601, 0);
        sp_rng_fast f;
        fast_take(&f, b);
        for (int n = 0; n < (1 << 16) && ok; n++) {
            double x = gsl_ran_gaussian_ziggurat(a, 1.0);
            double y = sp_rng_fast_normal(&f);
            double u = gsl_rng_uniform(a), v = sp_rng_fast_uniform(&f);
            ok = memcmp(&x, &y, sizeof x) == 0 && u == v;
        }
        sp_rng_fast_end(&f);
        ok = ok && memcmp(a->state, b->state, 4 * sizeof(uint64_t)) == 0;
    }
    zig_ok = ok && a != NULL && b != NULL;
    gsl_rng_free(a);
    gsl_rng_free(b);
}

static void fast_take(sp_rng_fast *f, gsl_rng *rng)
{
    memcpy(f->s, rng->state, sizeof f->s);
    f->zig = &zig_table;
    f->rng = rng;
}

static bool zig_available(void)
{
    call_once(&zig_once, zig_build);
    return zig_ok;
}

bool sp_rng_fast_begin(sp_rng_fast *f, gsl_rng *rng)
{
    if (rng->type != &xoshiro_type || !zig_available())
        return false;
    fast_take(f, rng);
    return true;
}

void sp_rng_fast_end(sp_rng_fast *f)
{
    memcpy(f->rng->state, f->s, sizeof f->s);
}

sp_rng_fast_slow sp_rng_fast_normal_slow(gsl_rng *rng, uint64_t a0, uint64_t a1,
                                         uint64_t a2, uint64_t a3)
{
    uint64_t at[4] = {a0, a1, a2, a3};
    sp_rng_fast_slow r;
    memcpy(rng->state, at, sizeof at);
    r.x = gsl_ran_gaussian_ziggurat(rng, 1.0);
    memcpy(r.s, rng->state, sizeof r.s);
    return r;
}

const char *sp_rng_normal_method(const gsl_rng_type *t)
{
    return t == &xoshiro_type && zig_available() ? "ziggurat-inline"
                                                 : "gsl_ran_gaussian_ziggurat";
}
