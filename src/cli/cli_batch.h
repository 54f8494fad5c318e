/*
 * cli_batch: `simplan batch SCENARIO... --out DIR` runs each scenario as
 * a child `simplan run --out DIR/NAME` (at most --jobs at a time, the
 * threads shared out), collects what each saved and writes
 * DIR/comparison.csv, DIR/comparison.md and the comparison on stdout;
 * `batch --collect DIR` collects and compares the runs already in DIR.
 * SIGINT and SIGTERM are passed on to the children at once.
 */
#ifndef CLI_BATCH_H
#define CLI_BATCH_H

#include "cli_args.h"
#include "simplan.h"

simplan_status cli_batch(const cli_batch_options *opt, simplan_error *err);

/* Writes *text (*len bytes; freed here) to stdout when st is SIMPLAN_OK,
 * and checks stdout for a write error. Pointers, so that the call that
 * fills them can be an argument: cli_print(simplan_x_to_string(..., &text,
 * &len, err), &text, &len, err). */
simplan_status cli_print(simplan_status st, char **text, const size_t *len,
                         simplan_error *err);

/* SIMPLAN_ERR_IO naming standard output when a write to it failed. */
simplan_status cli_stdout_check(simplan_error *err);

#endif /* CLI_BATCH_H */
