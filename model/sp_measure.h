/*
 * sp_measure: target measures, comparison operators and the Wilson interval.
 *
 * A target compares a measure of one indicator's trajectory with a value
 * (doc/model.md §7.1): level X[y]; change X[to]/X[from] - 1; cagr
 * (X[to]/X[from])^(1/(to-from)) - 1; delta X[to] - X[from].
 */
#ifndef SP_MEASURE_H
#define SP_MEASURE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    SP_MEASURE_LEVEL,
    SP_MEASURE_CHANGE,
    SP_MEASURE_CAGR,
    SP_MEASURE_DELTA
} sp_measure_kind;

typedef enum { SP_OP_GE, SP_OP_GT, SP_OP_LE, SP_OP_LT, SP_OP_BETWEEN } sp_op;

/* Names as written in scenario files ("cagr", ">="). */
const char *sp_measure_name(sp_measure_kind kind);
const char *sp_op_name(sp_op op);
bool sp_measure_parse(const char *name, sp_measure_kind *kind);
bool sp_op_parse(const char *name, sp_op *op);

/* The measure from the values at the start and end years, `years` apart
 * (level uses only x_to). May return NaN or infinity (e.g. X[from] = 0);
 * callers count such values. */
double sp_measure_eval(sp_measure_kind kind, double x_from, double x_to,
                       int years);

/* True when `v` satisfies `op` against `value` (or [lo, hi], inclusive, for
 * between). A value that is not finite (NaN, an overflow) never does. */
bool sp_op_holds(sp_op op, double v, double value, double lo, double hi);

/* 95 % (or other `z`) Wilson score interval for `met` successes in `n`
 * trials (Wilson 1927). n = 0 gives [0, 1]. */
void sp_wilson_interval(uint64_t met, uint64_t n, double z, double *lo,
                        double *hi);

/* Two-sided 95 % standard normal quantile. */
#define SP_Z95 1.959963984540054

#endif /* SP_MEASURE_H */
