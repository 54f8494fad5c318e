/*
 * sp_measure: target measures, operators and the Wilson score interval.
 */
#include "sp_measure.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <string.h>

/* Indexed by sp_measure_kind and sp_op. */
static const sp_measure_info measures[] = {
    {SP_MEASURE_LEVEL, "level", 1, SP_UNIT_LEVEL, "X[year]"},
    {SP_MEASURE_CHANGE, "change", 2, SP_UNIT_RELATIVE, "X[to] / X[from] - 1"},
    {SP_MEASURE_CAGR, "cagr", 2, SP_UNIT_RELATIVE,
     "(X[to] / X[from])^(1/(to-from)) - 1"},
    {SP_MEASURE_DELTA, "delta", 2, SP_UNIT_DIFFERENCE, "X[to] - X[from]"},
};

static const sp_op_info ops[] = {
    {SP_OP_GE, ">=", false, 1},          {SP_OP_GT, ">", false, 1},
    {SP_OP_LE, "<=", false, -1},         {SP_OP_LT, "<", false, -1},
    {SP_OP_BETWEEN, "between", true, 0},
};

size_t sp_measure_count(void)
{
    return sizeof measures / sizeof measures[0];
}

size_t sp_op_count(void)
{
    return sizeof ops / sizeof ops[0];
}

const sp_measure_info *sp_measure_info_of(sp_measure_kind kind)
{
    return &measures[kind];
}

const sp_op_info *sp_op_info_of(sp_op op)
{
    return &ops[op];
}

const char *sp_measure_name(sp_measure_kind kind)
{
    return measures[kind].name;
}

const char *sp_op_name(sp_op op)
{
    return ops[op].name;
}

bool sp_measure_parse(const char *name, sp_measure_kind *kind)
{
    for (size_t i = 0; i < sp_measure_count(); i++) {
        if (strcmp(name, measures[i].name) == 0) {
            *kind = measures[i].kind;
            return true;
        }
    }
    return false;
}

bool sp_op_parse(const char *name, sp_op *op)
{
    for (size_t i = 0; i < sp_op_count(); i++) {
        if (strcmp(name, ops[i].name) == 0) {
            *op = ops[i].op;
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

double sp_measure_path_level(sp_measure_kind kind, double x_from, double v,
                             int years, double done)
{
    double span = (double)years;
    switch (kind) {
    case SP_MEASURE_LEVEL:
        return v;
    case SP_MEASURE_CHANGE:
        return x_from * pow(1.0 + v, span > 0 ? done / span : 1.0);
    case SP_MEASURE_CAGR:
        return x_from * pow(1.0 + v, done);
    case SP_MEASURE_DELTA:
        return x_from + v * (span > 0 ? done / span : 1.0);
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

void sp_replicate_interval(const uint64_t *met, size_t r, uint64_t n,
                           double *lo, double *hi)
{
    uint64_t total = 0;
    for (size_t i = 0; i < r; i++)
        total += met[i];
    if (r < 2 || n == 0 || total == 0 || total == (uint64_t)r * n) {
        sp_wilson_interval(total, (uint64_t)r * n, SP_Z95, lo, hi);
        return;
    }
    double mean = (double)total / ((double)r * (double)n), ss = 0.0;
    for (size_t i = 0; i < r; i++) {
        double d = (double)met[i] / (double)n - mean;
        ss += d * d;
    }
    if (!(ss > 0.0)) {
        sp_wilson_interval(total, (uint64_t)r * n, SP_Z95, lo, hi);
        return;
    }
    double se = sqrt(ss / (double)(r - 1) / (double)r);
    double half = gsl_cdf_tdist_Pinv(0.975, (double)(r - 1)) * se;
    *lo = fmax(0.0, mean - half);
    *hi = fmin(1.0, mean + half);
}

void sp_pair_interval(uint64_t met, uint64_t both, uint64_t n, double *lo,
                      double *hi)
{
    uint64_t pairs = n / 2;
    /* sum of y^2 over the pairs, times 4: 4 per pair met twice, 1 per pair
     * met once; and the sum of y, times 2 */
    double sy2x4 = 4.0 * (double)both + (double)(met - 2 * both);
    double syx2 = (double)met, np = (double)pairs;
    double ss = (sy2x4 / 4.0) - (syx2 / 2.0) * (syx2 / 2.0) / np;
    if (pairs < 2 || !(ss > 0.0)) {
        sp_wilson_interval(met, n, SP_Z95, lo, hi);
        return;
    }
    double mean = (double)met / (double)n;
    double half = SP_Z95 * sqrt(ss / (np - 1.0) / np);
    *lo = fmax(0.0, mean - half);
    *hi = fmin(1.0, mean + half);
}
