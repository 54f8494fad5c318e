/*
 * Tests of model/sp_rng: the inline path of the default generator draws
 * the same numbers as GSL, bit for bit, on its fast and its slow path.
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

#include "sp_rng.h"
#include "sp_test.h"

/* Whether the next normal of the stream at state s leaves the fast path. */
static bool leaves_fast_path(const sp_rng_fast *f)
{
    sp_rng_fast g = *f;
    uint64_t k = sp_rng_fast_next(&g);
    return ((k >> 8) & 0xffffff) >= f->zig->k[k & 0x7f];
}

/* A mixed stream (normals, uniforms, by a pattern from a third generator)
 * through sp_rng_fast and through GSL: every value bit for bit, the
 * states after it equal; some normals take the slow path, at the rate the
 * table implies within 5 binomial sd. */
static void inline_path_should_equal_gsl(void **state)
{
    (void)state;
    const gsl_rng_type *type = sp_rng_lookup(NULL);
    assert_string_equal(sp_rng_normal_method(type), "ziggurat-inline");
    gsl_rng *a = gsl_rng_alloc(type), *b = gsl_rng_alloc(type);
    gsl_rng *pattern = gsl_rng_alloc(gsl_rng_taus2);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(pattern);
    gsl_rng_set(pattern, 5);
    size_t normals = 0, slow = 0;
    for (uint64_t seed = 0; seed < 4; seed++) {
        sp_rng_seed_block(a, seed, 3 * seed);
        sp_rng_seed_block(b, seed, 3 * seed);
        sp_rng_fast f;
        assert_true(sp_rng_fast_begin(&f, b));
        for (int n = 0; n < 250000; n++) {
            if (gsl_rng_uniform(pattern) < 0.9) {
                slow += leaves_fast_path(&f);
                normals++;
                double x = gsl_ran_gaussian_ziggurat(a, 1.0);
                double y = sp_rng_fast_normal(&f);
                assert_memory_equal(&x, &y, sizeof x);
            } else {
                double x = gsl_rng_uniform(a), y = sp_rng_fast_uniform(&f);
                assert_memory_equal(&x, &y, sizeof x);
            }
        }
        sp_rng_fast_end(&f);
        assert_memory_equal(a->state, b->state, 4 * sizeof(uint64_t));
        /* b goes on through GSL from where the inline path left it */
        assert_true(gsl_rng_get(a) == gsl_rng_get(b));
    }
    /* P(slow) for one attempt: the share of (layer, abscissa) pairs at or
     * above the layer's bound */
    sp_rng_fast f;
    assert_true(sp_rng_fast_begin(&f, b));
    double p = 0.0;
    for (int i = 0; i < 128; i++)
        p += (double)((1u << 24) - f.zig->k[i]) / (128.0 * (1u << 24));
    double sd = sqrt((double)normals * p * (1.0 - p));
    assert_true(slow > 0);
    assert_true(fabs((double)slow - (double)normals * p) < 5.0 * sd);
    gsl_rng_free(a);
    gsl_rng_free(b);
    gsl_rng_free(pattern);
}

/* Other generators go through GSL, and say so. */
static void other_generators_should_use_gsl(void **state)
{
    (void)state;
    const gsl_rng_type *type = sp_rng_lookup("taus2");
    assert_non_null(type);
    assert_string_equal(sp_rng_normal_method(type),
                        "gsl_ran_gaussian_ziggurat");
    gsl_rng *r = gsl_rng_alloc(type);
    assert_non_null(r);
    sp_rng_fast f;
    assert_false(sp_rng_fast_begin(&f, r));
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(inline_path_should_equal_gsl),
        cmocka_unit_test(other_generators_should_use_gsl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
