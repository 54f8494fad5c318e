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
#include <stddef.h>
#include <stdint.h>

typedef enum {
    SP_MEASURE_LEVEL,
    SP_MEASURE_CHANGE,
    SP_MEASURE_CAGR,
    SP_MEASURE_DELTA
} sp_measure_kind;

typedef enum { SP_OP_GE, SP_OP_GT, SP_OP_LE, SP_OP_LT, SP_OP_BETWEEN } sp_op;

/* ---- Descriptor tables --------------------------------------------------
 *
 * The loader (the keys and "allowed:" lists of a target), `check`, the
 * reports (how a value is formatted) and the fan chart (the level a
 * target implies) read the measures and operators from these tables;
 * adding a measure means an enum value, a table entry and its cases in
 * sp_measure.c, its tests, and the docs. */

/* What a measure's values are. */
typedef enum {
    SP_UNIT_LEVEL,     /* in the indicator's unit (shares: a fraction) */
    SP_UNIT_RELATIVE,  /* a fraction of the `from` level (shown in %) */
    SP_UNIT_DIFFERENCE /* in the indicator's unit (shares: share points) */
} sp_unit_class;

typedef struct {
    sp_measure_kind kind;
    const char *name;    /* as written: "cagr" */
    int n_years;         /* 1: the target gives `year`; 2: `from`, `to` */
    sp_unit_class unit;  /* what its values are */
    const char *formula; /* of indicator X, for people: "X[to] - X[from]" */
} sp_measure_info;

typedef struct {
    sp_op op;
    const char *name; /* as written: ">=" */
    bool range;       /* true: takes range = [lo, hi], not value */
    int side;         /* met above the threshold (+1), below (-1), or
                             inside the range (0) */
} sp_op_info;

/* Numbers of measures and operators; enum values are 0 .. count - 1. */
size_t sp_measure_count(void);
size_t sp_op_count(void);

/* Table entries. */
const sp_measure_info *sp_measure_info_of(sp_measure_kind kind);
const sp_op_info *sp_op_info_of(sp_op op);

/* Names as written in scenario files ("cagr", ">="). */
const char *sp_measure_name(sp_measure_kind kind);
const char *sp_op_name(sp_op op);
bool sp_measure_parse(const char *name, sp_measure_kind *kind);
bool sp_op_parse(const char *name, sp_op *op);

/* The level `done` years after `from` (0 <= done <= years) on the path
 * from x_from along which the measure reaches v after `years` years:
 * constant growth for change and cagr, a straight line for delta, the
 * value itself for level. At done = years this is the threshold X[to]
 * that measure value v sets. */
double sp_measure_path_level(sp_measure_kind kind, double x_from, double v,
                             int years, double done);

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

/* 95 % interval of P from r >= 2 independent randomisations, replicate i
 * meeting the target in met[i] of its n draws (randomised quasi-Monte
 * Carlo, doc/model.md §7.6): P = sum met / (r n) and P -+ t s / sqrt(r),
 * with s the sd of the replicates' P_i and t the 97.5 % quantile of
 * Student's t with r - 1 degrees of freedom, clipped to [0, 1]. When the
 * replicates carry no spread (no draw or every draw meets the target, or
 * every replicate meets it equally often) the interval is the Wilson
 * interval of the pooled counts. */
void sp_replicate_interval(const uint64_t *met, size_t r, uint64_t n,
                           double *lo, double *hi);

/* 95 % interval of P from antithetic pairs (doc/model.md §7.7): n draws
 * in n / 2 pairs, `met` draws meeting the target, `both` pairs in which
 * both draws meet it. The pair means y are iid, taking 1 (both met), 1/2
 * (one) or 0, so P = met / n -+ z sd(y) / sqrt(n / 2), with sd(y) the
 * sample sd over the pairs, clipped to [0, 1]. When the pairs show no
 * spread (no draw or every draw meets the target, or every pair meets it
 * once) the interval is the Wilson interval of the pooled counts. */
void sp_pair_interval(uint64_t met, uint64_t both, uint64_t n, double *lo,
                      double *hi);

/* Two-sided 95 % standard normal quantile. */
#define SP_Z95 1.959963984540054

#endif /* SP_MEASURE_H */
