/*
 * sp_data: the reader of historical observations and its checks.
 *
 * The file is read whole (it is small: a few thousand published figures)
 * by the RFC 4180 core of sp_csv.h; this file gives the columns their
 * meaning and checks the rows.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_data.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_csv.h"
#include "sp_scenario.h"

/* The columns: the first six are required. */
enum {
    COL_REGION,
    COL_INDICATOR,
    COL_YEAR,
    COL_VALUE,
    COL_MEASURE,
    COL_SOURCE,
    COL_BASIS,
    COL_VINTAGE,
    COL_NOTE,
    N_COLUMNS
};

static const char *const column_names[N_COLUMNS] = {
    "region", "indicator", "year",    "value", "measure",
    "source", "basis",     "vintage", "note"};
static const sp_csv_schema schema = {column_names, N_COLUMNS, 6};

static const char *const measure_names[] = {"growth", "level"};

const char *sp_data_measure_name(sp_data_measure m)
{
    return measure_names[m == SP_DATA_LEVEL];
}

/* Checks and stores one data record as a row. */
static sp_status make_row(const sp_csv_reader *r, sp_csv_row *rec, void *out,
                          sp_error *err)
{
    sp_data_row *row = out;
    char **f = rec->column;
    row->line = rec->line;
    row->region = f[COL_REGION];
    row->indicator = f[COL_INDICATOR];
    row->source = f[COL_SOURCE];
    row->basis = f[COL_BASIS];
    row->vintage = f[COL_VINTAGE];
    row->note = f[COL_NOTE];
    const char *m = sp_csv_trim(f[COL_MEASURE]);
    if (strcmp(m, "growth") == 0)
        row->measure = SP_DATA_GROWTH;
    else if (strcmp(m, "level") == 0)
        row->measure = SP_DATA_LEVEL;
    else
        return sp_error_set(err, SP_ERR_RANGE, r->name, rec->line, "measure",
                            "unknown measure '%s'; allowed: growth, level", m);
    sp_status st = sp_csv_year(r, rec->line, f[COL_YEAR], "year", SP_MIN_YEAR,
                               SP_MAX_YEAR, &row->year, err);
    if (st == SP_OK)
        st = sp_csv_number(r, rec->line, f[COL_VALUE], "value", &row->value,
                           err);
    if (st == SP_OK && row->measure == SP_DATA_GROWTH && row->value <= -1.0)
        return sp_error_set(err, SP_ERR_RANGE, r->name, rec->line, "value",
                            "a growth rate is a fraction above -1, got %g "
                            "(write 5.2 %% as 0.052)",
                            row->value);
    return st;
}

/* Orders rows by (region, indicator, year, measure, vintage), then line. */
static int by_key(const void *a, const void *b)
{
    const sp_data_row *x = *(const sp_data_row *const *)a;
    const sp_data_row *y = *(const sp_data_row *const *)b;
    int c = strcmp(x->region, y->region);
    if (c == 0)
        c = strcmp(x->indicator, y->indicator);
    if (c == 0)
        c = (x->year > y->year) - (x->year < y->year);
    if (c == 0)
        c = (int)x->measure - (int)y->measure;
    if (c == 0)
        c = strcmp(x->vintage, y->vintage);
    return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

/* Refuses two rows with one key, naming the later one's line. */
static sp_status check_duplicates(const sp_data *d, sp_error *err)
{
    if (d->n_rows < 2)
        return SP_OK;
    const sp_data_row **idx = malloc(d->n_rows * sizeof *idx);
    if (idx == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, d->file, 0, NULL,
                            "out of memory for the data rows");
    for (size_t i = 0; i < d->n_rows; i++)
        idx[i] = &d->rows[i];
    qsort(idx, d->n_rows, sizeof *idx, by_key);
    sp_status st = SP_OK;
    for (size_t i = 1; i < d->n_rows && st == SP_OK; i++) {
        const sp_data_row *x = idx[i - 1], *y = idx[i];
        if (strcmp(x->region, y->region) == 0 &&
            strcmp(x->indicator, y->indicator) == 0 && x->year == y->year &&
            x->measure == y->measure && strcmp(x->vintage, y->vintage) == 0)
            st = sp_error_set(
                err, SP_ERR_DUPLICATE, d->file, y->line, "vintage",
                "a second row for %s %s %d %s%s%s "
                "(the first is line %d); give revisions their "
                "own vintage",
                y->region, y->indicator, y->year,
                sp_data_measure_name(y->measure),
                y->vintage[0] ? " vintage " : "", y->vintage, x->line);
    }
    free(idx);
    return st;
}

sp_status sp_data_parse(const char *name, const char *text, size_t len,
                        sp_data *d, sp_error *err)
{
    memset(d, 0, sizeof *d);
    sp_csv_table t;
    sp_status st = sp_csv_read_table(name, text, len, &schema, sizeof *d->rows,
                                     make_row, &t, err);
    if (st != SP_OK)
        return st;
    *d = (sp_data){t.file, t.n_rows, t.rows, t.strings};
    st = check_duplicates(d, err);
    if (st != SP_OK)
        sp_data_destroy(d);
    return st;
}

sp_status sp_data_load(const char *path, sp_data *d, sp_error *err)
{
    memset(d, 0, sizeof *d);
    char *buf = NULL;
    size_t len = 0;
    sp_status st = sp_csv_read_file(path, &buf, &len, err);
    if (st == SP_OK)
        st = sp_data_parse(path, buf, len, d, err);
    free(buf);
    return st;
}

void sp_data_destroy(sp_data *d)
{
    free(d->file);
    free(d->rows);
    free(d->strings);
    memset(d, 0, sizeof *d);
}
