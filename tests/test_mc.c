/*
 * Tests of src/engine/sp_mc with src/input/sp_config and src/input/sp_compile: results are
 * bit-identical for any thread count and any split of blocks over calls.
 */
#include <stdlib.h>
#include <string.h>

#include "sp_compile.h"
#include "sp_config.h"
#include "sp_mc.h"
#include "sp_rng.h"
#include "sp_test.h"
#include "sp_test_scenario.h"

#ifndef SCENARIO_DIR
#error "SCENARIO_DIR must be defined"
#endif

/* Runs with `threads`, in calls of `step` blocks. */
static void run(const loaded *l, uint64_t draws, int threads, uint64_t step,
                sp_result *res)
{
    sp_mc_config cfg = {draws, 7, sp_rng_lookup(NULL), threads};
    sp_error err;
    sp_mc *mc = sp_mc_alloc(&l->sc, &l->c, &cfg, &err);
    assert_non_null(mc);
    for (uint64_t k = 0; k < sp_mc_blocks(mc); k += step)
        sp_mc_run(mc, k,
                  k + step < sp_mc_blocks(mc) ? k + step : sp_mc_blocks(mc));
    memset(res, 0, sizeof *res);
    assert_int_equal(sp_mc_result(mc, res, &err), SP_OK);
    sp_mc_free(mc);
}

static void assert_results_identical(const sp_result *a, const sp_result *b)
{
    assert_int_equal(a->n_targets, b->n_targets);
    for (size_t k = 0; k < a->n_targets; k++) {
        const sp_target_result *x = &a->targets[k], *y = &b->targets[k];
        assert_true(x->met == y->met && x->draws == y->draws);
        assert_memory_equal(&x->measure, &y->measure, sizeof x->measure);
        assert_int_equal(x->n_drivers, y->n_drivers);
        assert_memory_equal(x->drivers, y->drivers,
                            x->n_drivers * sizeof *x->drivers);
    }
    assert_memory_equal(a->indicators, b->indicators,
                        a->n_indicators * (size_t)a->n_years *
                            sizeof *a->indicators);
    assert_memory_equal(a->clamps, b->clamps,
                        a->n_indicators * sizeof *a->clamps);
}

static void results_should_not_depend_on_threads_or_steps(void **state)
{
    (void)state;
    const char *files[] = {"baseline.cfg", "shock.cfg", "heavy_industry.cfg",
                           "green_push.cfg"};
    for (int f = 0; f < 4; f++) {
        loaded l;
        load(&l, files[f]);
        sp_result r1, r2, r3;
        run(&l, 150000, 1, 1000, &r1); /* 147 blocks, one call */
        run(&l, 150000, 2, 7, &r2);
        run(&l, 150000, 3, 64, &r3);
        assert_results_identical(&r1, &r2);
        assert_results_identical(&r1, &r3);
        sp_result_destroy(&r1);
        sp_result_destroy(&r2);
        sp_result_destroy(&r3);
        unload(&l);
    }
}

static void different_seeds_should_give_different_results(void **state)
{
    (void)state;
    loaded l;
    load(&l, "minimal.cfg");
    sp_error err;
    sp_mc_config a = {5000, 1, sp_rng_lookup(NULL), 1};
    sp_mc_config b = {5000, 2, sp_rng_lookup(NULL), 1};
    sp_result ra = {0}, rb = {0};
    sp_mc *ma = sp_mc_alloc(&l.sc, &l.c, &a, &err);
    sp_mc *mb = sp_mc_alloc(&l.sc, &l.c, &b, &err);
    sp_mc_run(ma, 0, sp_mc_blocks(ma));
    sp_mc_run(mb, 0, sp_mc_blocks(mb));
    sp_mc_result(ma, &ra, &err);
    sp_mc_result(mb, &rb, &err);
    assert_true(ra.indicators[1].mean != rb.indicators[1].mean);
    sp_result_destroy(&ra);
    sp_result_destroy(&rb);
    sp_mc_free(ma);
    sp_mc_free(mb);
    unload(&l);
}

static void block_seeds_should_be_distinct(void **state)
{
    (void)state;
    /* 2^16 consecutive blocks of one seed: all stream seeds distinct. */
    const size_t n = 1u << 16;
    uint64_t *s = malloc(n * sizeof *s);
    for (size_t k = 0; k < n; k++)
        s[k] = sp_rng_block_seed(42, k);
    for (size_t k = 0; k < n; k++)
        for (size_t j = k + 1; j < k + 64 && j < n; j++)
            assert_true(s[k] != s[j]);
    free(s);
    assert_non_null(sp_rng_lookup("taus2"));
    assert_non_null(sp_rng_lookup("xoshiro256ss"));
    assert_null(sp_rng_lookup("no_such_generator"));
}

static void derived_base_values_should_come_from_their_formulas(void **state)
{
    (void)state;
    loaded l;
    load(&l, "baseline.cfg");
    long gdp = sp_scenario_find_indicator(&l.sc, "gdp");
    long energy = sp_scenario_find_indicator(&l.sc, "energy");
    long ei = sp_scenario_find_indicator(&l.sc, "energy_intensity");
    const sp_indicator *ind = l.c.model.indicators;
    assert_close(ind[energy].base, ind[gdp].base * ind[ei].base, 1e-9);
    unload(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(results_should_not_depend_on_threads_or_steps),
        cmocka_unit_test(different_seeds_should_give_different_results),
        cmocka_unit_test(block_seeds_should_be_distinct),
        cmocka_unit_test(derived_base_values_should_come_from_their_formulas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
