/*
 * sp_cmd_fit: `simplan fit DATA.csv --scenario SCENARIO.cfg [--indicator
 * NAME]... [--region R] [--from Y] [--to Y] [--plans PLANS.csv]
 * [--format table|json|cfg]`.
 *
 * The command owns its options: they are parsed here into sp_fit_options,
 * not into the options of the simulating commands. Data and scenario are
 * loaded, the scenario's stochastic indicators fitted (src/engine/sp_calib)
 * and the result written to stdout (src/output/sp_calib_report).
 */
#ifndef SP_CMD_FIT_H
#define SP_CMD_FIT_H

#include <stddef.h>

#include "sp_status.h"

#define SP_FIT_MAX_INDICATORS 64 /* --indicator given at most this often */

typedef enum { SP_FIT_TABLE, SP_FIT_JSON, SP_FIT_CFG } sp_fit_format;

typedef struct {
    const char *data;     /* DATA.csv, borrowed from argv */
    const char *scenario; /* --scenario */
    const char *region;   /* --region, NULL: see sp_calib_fit */
    const char *plans;    /* --plans: targets and outcomes for trend_sd */
    int from, to;         /* --from, --to; 0: no bound */
    const char *indicators[SP_FIT_MAX_INDICATORS]; /* --indicator */
    size_t n_indicators;
    sp_fit_format format;
} sp_fit_options;

/* Parses the arguments after "fit" (argv[0] is "fit"). SP_ERR_USAGE with
 * the option named on bad usage. */
sp_status sp_cmd_fit_parse(int argc, char **argv, sp_fit_options *o,
                           sp_error *err);

/* Runs the command. */
sp_status sp_cmd_fit_run(const sp_fit_options *o, sp_error *err);

#endif /* SP_CMD_FIT_H */
