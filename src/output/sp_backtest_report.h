/*
 * sp_backtest_report: the outputs of `simplan backtest`.
 *
 * table: the pooled scores (number scored, 50 % and 90 % coverage with
 * their binomial standard errors, the PIT histogram, mean CRPS, verdict,
 * sd factor), then by indicator (with each one's own sd factor) and by
 * horizon, then the targets' Brier scores, pooled and by target, and the
 * pooled reliability table; csv: one row per scored value (scores.csv),
 * or per scored target at a case (targets.csv); json: the same as data
 * (in sp_json.c, with jansson).
 */
#ifndef SP_BACKTEST_REPORT_H
#define SP_BACKTEST_REPORT_H

#include <stdio.h>

#include "sp_backtest.h"
#include "sp_scenario.h"
#include "sp_status.h"

/* What a report shows besides the back-test itself. */
typedef struct {
    const sp_scenario *sc;
    const char *data_file;
    const sp_backtest_options *o;
    const sp_backtest *b;
} sp_backtest_report;

sp_status sp_backtest_report_table(FILE *out, const void *r, sp_error *err);
sp_status sp_backtest_report_csv(FILE *out, const void *r, sp_error *err);
sp_status sp_backtest_report_targets_csv(FILE *out, const void *r,
                                         sp_error *err);

/* In sp_json.c; SP_ERR_UNSUPPORTED without jansson. */
sp_status sp_backtest_report_json(FILE *out, const void *r, sp_error *err);

/* The verdict of a tally ("calibrated", ...) and its 90 % coverage se. */
const char *sp_backtest_verdict(const sp_bt_tally *t, double *se);

#endif /* SP_BACKTEST_REPORT_H */
