/*
 * Tests of model/sp_measure: measures, operators, Wilson interval.
 */
#include <stdbool.h>

#include "sp_measure.h"
#include "sp_test.h"

static void measures_should_follow_their_definitions(void **state)
{
    (void)state;
    assert_close(sp_measure_eval(SP_MEASURE_LEVEL, 2.0, 3.0, 5), 3.0, 0);
    assert_close(sp_measure_eval(SP_MEASURE_CHANGE, 2.0, 3.0, 5), 0.5, 1e-15);
    assert_close(sp_measure_eval(SP_MEASURE_CAGR, 1.0, 2.0, 15),
                 pow(2.0, 1.0 / 15.0) - 1.0, 1e-15);
    assert_close(sp_measure_eval(SP_MEASURE_DELTA, 0.361, 0.5, 5), 0.139,
                 1e-15);
}

static void between_should_be_inclusive_and_nan_never_met(void **state)
{
    (void)state;
    assert_true(sp_op_holds(SP_OP_BETWEEN, 0.045, 0, 0.045, 0.055));
    assert_true(sp_op_holds(SP_OP_BETWEEN, 0.055, 0, 0.045, 0.055));
    assert_false(sp_op_holds(SP_OP_BETWEEN, 0.0551, 0, 0.045, 0.055));
    assert_true(sp_op_holds(SP_OP_LE, -0.16, -0.16, 0, 0));
    assert_false(sp_op_holds(SP_OP_LT, -0.16, -0.16, 0, 0));
    assert_true(sp_op_holds(SP_OP_GE, 1.0, 1.0, 0, 0));
    assert_false(sp_op_holds(SP_OP_GT, 1.0, 1.0, 0, 0));
    for (int op = SP_OP_GE; op <= SP_OP_BETWEEN; op++)
        assert_false(sp_op_holds((sp_op)op, NAN, 0.0, -1.0, 1.0));
}

static void wilson_interval_should_match_reference_values(void **state)
{
    (void)state;
    double lo, hi;
    /* Reference values computed independently from Wilson (1927). */
    sp_wilson_interval(81, 263, SP_Z95, &lo, &hi);
    assert_close(lo, 0.2552885198782742, 1e-14);
    assert_close(hi, 0.36620957698280004, 1e-14);
    sp_wilson_interval(0, 50, SP_Z95, &lo, &hi);
    assert_close(lo, 0.0, 0);
    assert_close(hi, 0.07134759913335872, 1e-14);
    sp_wilson_interval(50, 50, SP_Z95, &lo, &hi);
    assert_close(hi, 1.0, 0);
    assert_close(lo, 1.0 - 0.07134759913335872, 1e-14);
}

static void names_should_round_trip(void **state)
{
    (void)state;
    for (int k = SP_MEASURE_LEVEL; k <= SP_MEASURE_DELTA; k++) {
        sp_measure_kind m;
        assert_true(sp_measure_parse(sp_measure_name((sp_measure_kind)k), &m));
        assert_int_equal(m, k);
    }
    for (int k = SP_OP_GE; k <= SP_OP_BETWEEN; k++) {
        sp_op op;
        assert_true(sp_op_parse(sp_op_name((sp_op)k), &op));
        assert_int_equal(op, k);
    }
    sp_op op;
    assert_false(sp_op_parse("=>", &op));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(measures_should_follow_their_definitions),
        cmocka_unit_test(between_should_be_inclusive_and_nan_never_met),
        cmocka_unit_test(wilson_interval_should_match_reference_values),
        cmocka_unit_test(names_should_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
