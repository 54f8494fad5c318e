/*
 * sp_cmd_backtest: `simplan backtest SCENARIO.cfg --data DATA.csv --origins
 * FROM:TO[:STEP] [--horizon H] [--history L] [--region R]... [--draws N]
 * [--seed S] [--threads T] [--rng NAME] [--no-sd-factor]
 * [--format table|json|csv] [--out DIR] [--force] [--plots | --no-plots]
 * [--quiet]`.
 *
 * The command owns its options. It loads the scenario and the data,
 * back-tests the scenario against the data (src/engine/sp_backtest) and
 * writes the result to stdout (src/output/sp_backtest_report) and, with
 * --out, scores.csv, summary.json and (built with PLplot) the charts
 * pit.png, coverage.png and projections-NAME.png into DIR through the one
 * result writer (src/output/sp_output), which draws the charts in a child
 * process: a failed chart stage publishes the data files and ends the
 * command with its warning (exit 3), as `simplan run` does.
 */
#ifndef SP_CMD_BACKTEST_H
#define SP_CMD_BACKTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sp_status.h"

#define SP_BT_MAX_REGIONS 256 /* --region given at most this often */

typedef enum { SP_BT_TABLE, SP_BT_JSON, SP_BT_CSV } sp_bt_format;

typedef struct {
    const char *scenario; /* SCENARIO.cfg, borrowed from argv */
    const char *data;     /* --data */
    int from, to, step;   /* --origins; step 1 by default */
    bool have_origins;
    int horizon, history; /* --horizon (5), --history (5) */
    const char *regions[SP_BT_MAX_REGIONS];
    size_t n_regions;
    uint64_t draws; /* --draws, default 20000 */
    uint64_t seed;  /* --seed; have_seed false: the scenario's */
    bool have_seed;
    int threads;           /* --threads, 0: all cores */
    const char *rng;       /* --rng, NULL: the scenario's */
    bool sd_factor;        /* false with --no-sd-factor */
    uint64_t search_draws; /* --search-draws, default 5000; 0: all */
    sp_bt_format format;
    const char *out; /* --out DIR */
    bool force, quiet;
    bool plots; /* charts in DIR: true unless --no-plots */
} sp_backtest_cli;

/* Parses the arguments after "backtest" (argv[0] is "backtest"). */
sp_status sp_cmd_backtest_parse(int argc, char **argv, sp_backtest_cli *o,
                                sp_error *err);

sp_status sp_cmd_backtest_run(const sp_backtest_cli *o, sp_error *err);

#endif /* SP_CMD_BACKTEST_H */
