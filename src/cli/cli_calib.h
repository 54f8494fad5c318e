/*
 * cli_calib: the calibration commands, each with its own options:
 * `simplan fit` (cli_fit.c) and `simplan backtest` (cli_backtest.c).
 * argv[0] is the command's name.
 */
#ifndef CLI_CALIB_H
#define CLI_CALIB_H

#include "simplan.h"

/* The years options may name, as scenario years. */
#define CLI_MIN_YEAR 1000
#define CLI_MAX_YEAR 9999

simplan_status cli_fit(int argc, char **argv, simplan_error *err);
simplan_status cli_backtest(int argc, char **argv, simplan_error *err);

#endif /* CLI_CALIB_H */
