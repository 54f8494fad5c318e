/*
 * sp_cmd_backtest: the result directory of `simplan backtest --out DIR`:
 * scores.csv, targets.csv, summary.json and (built with PLplot) the
 * charts pit.png, coverage.png and projections-NAME.png, through the one
 * result writer (src/output/sp_output), which draws the charts in a child
 * process: a failed chart stage publishes the data files.
 */
#ifndef SP_CMD_BACKTEST_H
#define SP_CMD_BACKTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "sp_backtest_report.h"
#include "sp_status.h"

/* Writes the files into `dir` (an existing one only with `force`) and
 * publishes them; a chart stage that failed is no error here: its
 * warning goes to `warning` ("" when none). */
sp_status sp_backtest_save(const char *dir, bool force, bool plots,
                           const sp_backtest_report *r, char *warning,
                           size_t size, sp_error *err);

#endif /* SP_CMD_BACKTEST_H */
