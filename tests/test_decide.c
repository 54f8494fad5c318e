/*
 * Tests of the pure parts of src/cmd/sp_decide: the grid of a sweep axis,
 * the monotonicity test solve uses to tell a probability out of reach
 * from one that is not monotone in the lever, and the bracket test.
 */
#include <string.h>

#include "sp_decide.h"
#include "sp_test.h"

static void grid_runs_from_lo_to_hi_in_even_steps(void **state)
{
    (void)state;
    assert_close(sp_decide_grid(0.0, 0.03, 7, 0), 0.0, 0.0);
    assert_close(sp_decide_grid(0.0, 0.03, 7, 6), 0.03, 0.0);
    assert_close(sp_decide_grid(0.0, 0.03, 7, 3), 0.015, 1e-17);
    assert_close(sp_decide_grid(-1.0, 1.0, 2, 1), 1.0, 0.0);
    assert_close(sp_decide_grid(-1.0, 1.0, 9, 4), 0.0, 0.0);
    for (int i = 1; i < 1000; i++)
        assert_true(sp_decide_grid(0.1, 0.7, 1000, i) >
                    sp_decide_grid(0.1, 0.7, 1000, i - 1));
}

static void monotone_accepts_rising_falling_and_flat_sequences(void **state)
{
    (void)state;
    size_t peak = 99;
    const double rising[] = {0.0, 0.1, 0.1, 0.5, 1.0};
    assert_true(sp_decide_monotone(rising, 5, &peak));
    assert_int_equal(peak, 4);
    const double falling[] = {0.9, 0.9, 0.4, 0.0};
    assert_true(sp_decide_monotone(falling, 4, &peak));
    assert_int_equal(peak, 0);
    const double flat[] = {0.0, 0.0, 0.0};
    assert_true(sp_decide_monotone(flat, 3, &peak));
    assert_int_equal(peak, 0);
    assert_true(sp_decide_monotone(flat, 1, &peak));
}

static void monotone_finds_an_interior_peak_of_a_between_target(void **state)
{
    (void)state;
    size_t peak = 99;
    /* P of a `between` target: 0 at both ends, largest inside. */
    const double hump[] = {0.0, 0.0, 0.05, 0.3, 0.32, 0.2, 0.01, 0.0, 0.0};
    assert_false(sp_decide_monotone(hump, 9, &peak));
    assert_int_equal(peak, 4);
    const double dip[] = {0.9, 0.2, 0.9};
    assert_false(sp_decide_monotone(dip, 3, &peak));
    assert_int_equal(peak, 0);
    const double wiggle[] = {0.0, 0.2, 0.1, 0.3};
    assert_false(sp_decide_monotone(wiggle, 4, &peak));
    assert_int_equal(peak, 3);
}

static void bracket_holds_when_prob_lies_between_the_ends(void **state)
{
    (void)state;
    assert_true(sp_decide_bracketed(0.1, 0.9, 0.8));
    assert_true(sp_decide_bracketed(0.9, 0.1, 0.8));
    assert_true(sp_decide_bracketed(0.1, 0.8, 0.8));
    assert_false(sp_decide_bracketed(0.0, 0.0, 0.8));
    assert_false(sp_decide_bracketed(0.1, 0.5, 0.8));
    assert_false(sp_decide_bracketed(0.9, 0.95, 0.8));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grid_runs_from_lo_to_hi_in_even_steps),
        cmocka_unit_test(monotone_accepts_rising_falling_and_flat_sequences),
        cmocka_unit_test(monotone_finds_an_interior_peak_of_a_between_target),
        cmocka_unit_test(bracket_holds_when_prob_lies_between_the_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
