/*
 * sp_measure: target measures, operators and the Wilson score interval.
 */
#include "sp_measure.h"

#include <math.h>
#include <string.h>

static const char *measure_names[] = {"level", "change", "cagr", "delta"};
static const char *op_names[] = {">=", ">", "<=", "<", "between"};

const char *sp_measure_name(sp_measure_kind kind)
{
    return measure_names[kind];
}

const char *sp_op_name(sp_op op)
{
    return op_names[op];
}

bool sp_measure_parse(const char *name, sp_measure_kind *kind)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, measure_names[i]) == 0) {
            *kind = (sp_measure_kind)i;
            return true;
        }
    }
    return false;
}

bool sp_op_parse(const char *name, sp_op *op)
{
    for (int i = 0; i < 5; i++) {
        if (strcmp(name, op_names[i]) == 0) {
            *op = (sp_op)i;
            return true;
        }
    }
    return false;
}

double sp_measure_eval(sp_measure_kind kind, double x_from, double x_to,
                       int years)
{
    switch (kind) {
    case SP_MEASURE_LEVEL:
        return x_to;
    case SP_MEASURE_CHANGE:
        return x_to / x_from - 1.0;
    case SP_MEASURE_CAGR:
        return pow(x_to / x_from, 1.0 / years) - 1.0;
    case SP_MEASURE_DELTA:
        return x_to - x_from;
    }
    return NAN;
}

bool sp_op_holds(sp_op op, double v, double value, double lo, double hi)
{
    if (!isfinite(v)) /* an overflow is no evidence the target is met */
        return false;
    switch (op) {
    case SP_OP_GE:
        return v >= value;
    case SP_OP_GT:
        return v > value;
    case SP_OP_LE:
        return v <= value;
    case SP_OP_LT:
        return v < value;
    case SP_OP_BETWEEN:
        return v >= lo && v <= hi;
    }
    return false;
}

void sp_wilson_interval(uint64_t met, uint64_t n, double z, double *lo,
                        double *hi)
{
    if (n == 0) {
        *lo = 0.0;
        *hi = 1.0;
        return;
    }
    double nn = (double)n;
    double p = (double)met / nn;
    double z2 = z * z;
    double denom = 1.0 + z2 / nn;
    double centre = (p + z2 / (2.0 * nn)) / denom;
    double half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
    *lo = met == 0 ? 0.0 : fmax(0.0, centre - half);
    *hi = met == n ? 1.0 : fmin(1.0, centre + half);
}
