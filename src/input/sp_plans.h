/*
 * sp_plans: five-year-plan targets and what was realised, from a tidy CSV
 * file (data/plan_targets.csv).
 *
 * One row per published figure:
 *
 *   region,plan,indicator,period_from,period_to,figure,value,measure,source
 *   [,target_kind][,note]
 *
 * in any column order, named by a header line. `figure` is "target" (what
 * the plan set) or "outcome" (what was reported as realised). `measure`
 * says what the value is over the years period_from .. period_to
 * (inclusive, period_from the plan's first year): "cagr", the average
 * annual rate of change as a fraction; "change", the cumulative change
 * over the period as a fraction (X[to] / X[from - 1] - 1); "level", the
 * value at the end of period_to (shares as fractions). `target_kind` is
 * "binding", "expected" or empty. The reader is the RFC 4180 core of
 * sp_csv.h and refuses, with FILE:LINE and the column name, what sp_data
 * refuses, plus an unknown figure or measure, a period that ends before it
 * starts, a cagr or change at or below -1, and two rows with the same
 * (region, plan, indicator, period, figure).
 */
#ifndef SP_PLANS_H
#define SP_PLANS_H

#include <stddef.h>

#include "sp_status.h"

typedef enum { SP_PLAN_TARGET, SP_PLAN_OUTCOME } sp_plan_figure;
typedef enum { SP_PLAN_CAGR, SP_PLAN_CHANGE, SP_PLAN_LEVEL } sp_plan_measure;

/* One published figure; strings owned by the table ("" when absent). */
typedef struct {
    const char *region;
    const char *plan; /* e.g. "13th" */
    const char *indicator;
    int from, to; /* first and last year of the period */
    sp_plan_figure figure;
    double value;
    sp_plan_measure measure;
    const char *target_kind; /* "binding", "expected" or "" */
    const char *source;
    const char *note;
    int line;
} sp_plan_row;

typedef struct {
    char *file;
    size_t n_rows;
    sp_plan_row *rows; /* [n_rows] in file order */
    char *strings;
} sp_plans;

/* Reads `path` (or `len` bytes of `text`, `name` used in messages) into
 * `p`. On failure `p` is left empty and `err` names the file, line and
 * column; statuses as sp_data_load. */
sp_status sp_plans_load(const char *path, sp_plans *p, sp_error *err);
sp_status sp_plans_parse(const char *name, const char *text, size_t len,
                         sp_plans *p, sp_error *err);
void sp_plans_destroy(sp_plans *p);

/* "cagr", "change", "level". */
const char *sp_plan_measure_name(sp_plan_measure m);

/* The figure as an average annual rate over its period: a cagr as it is,
 * a change c over H years as (1 + c)^(1/H) - 1. Levels have none (NAN). */
double sp_plan_annual_rate(const sp_plan_row *r);

#endif /* SP_PLANS_H */
