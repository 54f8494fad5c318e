/*
 * sp_output: the result directory of `simplan run --out DIR`.
 *
 * DIR receives summary.json (the JSON report with the scenario's SHA-256,
 * the command line and the resolved settings), targets.csv, indicators.csv,
 * iamc.csv, report.md and, with plots, a fan chart per indicator and the
 * target chart as SVG and PNG. Every file is written under a temporary
 * name in DIR and renamed into place once complete, so an interrupted run
 * never leaves a half-written file. An existing DIR is reused only with
 * force.
 */
#ifndef SP_OUTPUT_H
#define SP_OUTPUT_H

#include <stdbool.h>

#include "sp_report.h"
#include "sp_status.h"

typedef struct {
    const char *dir; /* result directory */
    bool force;      /* reuse an existing directory */
    bool plots;      /* write the charts */
} sp_output_options;

/* Creates DIR (or accepts an existing one with force) before the run, so a
 * long run cannot fail at its end for want of a place to write. *created
 * tells whether this call made the directory. SP_ERR_IO with a message on
 * failure. */
sp_status sp_output_prepare(const sp_output_options *o, bool *created,
                            sp_error *err);

/* Removes DIR if it is empty (after a failed or interrupted run that
 * created it). */
void sp_output_abandon(const sp_output_options *o);

/* Writes every result file of report `r` into DIR. */
sp_status sp_output_write(const sp_output_options *o, const sp_report *r,
                          sp_error *err);

#endif /* SP_OUTPUT_H */
