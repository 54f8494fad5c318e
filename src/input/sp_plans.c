/*
 * sp_plans: the reader of plan targets and outcomes and its checks.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_plans.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_csv.h"
#include "sp_scenario.h"

/* The columns: the first nine are required. */
enum {
    COL_REGION,
    COL_PLAN,
    COL_INDICATOR,
    COL_FROM,
    COL_TO,
    COL_FIGURE,
    COL_VALUE,
    COL_MEASURE,
    COL_SOURCE,
    COL_KIND,
    COL_NOTE,
    N_COLUMNS
};

static const char *const column_names[N_COLUMNS] = {
    "region", "plan",    "indicator", "period_from", "period_to", "figure",
    "value",  "measure", "source",    "target_kind", "note"};
static const sp_csv_schema schema = {column_names, N_COLUMNS, 9};

static const char *const measure_names[] = {"cagr", "change", "level"};
static const char *const figure_names[] = {"target", "outcome"};
static const char *const kind_names[] = {"", "binding", "expected"};

const char *sp_plan_measure_name(sp_plan_measure m)
{
    return measure_names[m];
}

double sp_plan_annual_rate(const sp_plan_row *r)
{
    int years = r->to - r->from + 1;
    switch (r->measure) {
    case SP_PLAN_CAGR:
        return r->value;
    case SP_PLAN_CHANGE:
        return pow(1.0 + r->value, 1.0 / years) - 1.0;
    case SP_PLAN_LEVEL:
        break;
    }
    return NAN;
}

/* The index of `text` in names[0 .. n), or -1. */
static int lookup(const char *text, const char *const *names, int n)
{
    for (int k = 0; k < n; k++)
        if (strcmp(text, names[k]) == 0)
            return k;
    return -1;
}

static sp_status make_row(const sp_csv_reader *r, sp_csv_row *rec, void *out,
                          sp_error *err)
{
    sp_plan_row *row = out;
    char **f = rec->column;
    int line = rec->line;
    row->line = line;
    row->region = f[COL_REGION];
    row->plan = f[COL_PLAN];
    row->indicator = f[COL_INDICATOR];
    row->target_kind = f[COL_KIND];
    row->source = f[COL_SOURCE];
    row->note = f[COL_NOTE];
    int figure = lookup(sp_csv_trim(f[COL_FIGURE]), figure_names, 2);
    if (figure < 0)
        return sp_error_set(err, SP_ERR_RANGE, r->name, line, "figure",
                            "unknown figure '%s'; allowed: target, outcome",
                            f[COL_FIGURE]);
    row->figure = (sp_plan_figure)figure;
    int measure = lookup(sp_csv_trim(f[COL_MEASURE]), measure_names, 3);
    if (measure < 0)
        return sp_error_set(err, SP_ERR_RANGE, r->name, line, "measure",
                            "unknown measure '%s'; allowed: cagr, change, "
                            "level",
                            f[COL_MEASURE]);
    row->measure = (sp_plan_measure)measure;
    if (lookup(sp_csv_trim(f[COL_KIND]), kind_names, 3) < 0)
        return sp_error_set(err, SP_ERR_RANGE, r->name, line, "target_kind",
                            "unknown target kind '%s'; allowed: binding, "
                            "expected, or empty",
                            f[COL_KIND]);
    sp_status st = sp_csv_year(r, line, f[COL_FROM], "period_from", SP_MIN_YEAR,
                               SP_MAX_YEAR, &row->from, err);
    if (st == SP_OK)
        st = sp_csv_year(r, line, f[COL_TO], "period_to", SP_MIN_YEAR,
                         SP_MAX_YEAR, &row->to, err);
    if (st == SP_OK)
        st = sp_csv_number(r, line, f[COL_VALUE], "value", &row->value, err);
    if (st != SP_OK)
        return st;
    if (row->to < row->from)
        return sp_error_set(err, SP_ERR_RANGE, r->name, line, "period_to",
                            "the period ends (%d) before it starts (%d)",
                            row->to, row->from);
    if (row->measure != SP_PLAN_LEVEL && row->value <= -1.0)
        return sp_error_set(err, SP_ERR_RANGE, r->name, line, "value",
                            "a %s is a fraction above -1, got %g",
                            measure_names[measure], row->value);
    return SP_OK;
}

/* Two rows for one (region, plan, indicator, period, figure). */
static sp_status check_duplicates(const sp_plans *p, sp_error *err)
{
    for (size_t i = 0; i < p->n_rows; i++)
        for (size_t j = 0; j < i; j++) {
            const sp_plan_row *x = &p->rows[j], *y = &p->rows[i];
            if (strcmp(x->region, y->region) == 0 &&
                strcmp(x->plan, y->plan) == 0 &&
                strcmp(x->indicator, y->indicator) == 0 && x->from == y->from &&
                x->to == y->to && x->figure == y->figure)
                return sp_error_set(
                    err, SP_ERR_DUPLICATE, p->file, y->line, "figure",
                    "a second %s for %s %s %s %d-%d (the first is line %d)",
                    figure_names[y->figure], y->region, y->plan, y->indicator,
                    y->from, y->to, x->line);
        }
    return SP_OK;
}

sp_status sp_plans_parse(const char *name, const char *text, size_t len,
                         sp_plans *p, sp_error *err)
{
    memset(p, 0, sizeof *p);
    sp_csv_table t;
    sp_status st = sp_csv_read_table(name, text, len, &schema, sizeof *p->rows,
                                     make_row, &t, err);
    if (st != SP_OK)
        return st;
    *p = (sp_plans){t.file, t.n_rows, t.rows, t.strings};
    st = check_duplicates(p, err);
    if (st != SP_OK)
        sp_plans_destroy(p);
    return st;
}

sp_status sp_plans_load(const char *path, sp_plans *p, sp_error *err)
{
    memset(p, 0, sizeof *p);
    char *buf = NULL;
    size_t len = 0;
    sp_status st = sp_csv_read_file(path, &buf, &len, err);
    if (st == SP_OK)
        st = sp_plans_parse(path, buf, len, p, err);
    free(buf);
    return st;
}

void sp_plans_destroy(sp_plans *p)
{
    free(p->file);
    free(p->rows);
    free(p->strings);
    memset(p, 0, sizeof *p);
}
