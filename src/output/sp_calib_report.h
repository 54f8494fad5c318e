/*
 * sp_calib_report: the outputs of `simplan fit`.
 *
 * table: per indicator the series used, the fitted mean, sd and ar1 with
 * their standard errors beside the scenario's own numbers, trend_sd from
 * plan departures with the departures used, then the correlations; json:
 * the same as data ({"indicators": [...], "correlations": [...]}); cfg:
 * the scenario's own text with the fitted sd (every path period), ar1,
 * trend_sd and correlations written in, each changed line commented
 * "# fit: FILE YEAR-YEAR n=.. se=..". Correlations are written in only
 * from at least SP_FIT_MIN_N common years (fewer are listed in the
 * header). Path means stay the scenario's: they are the plan's
 * assumptions.
 */
#ifndef SP_CALIB_REPORT_H
#define SP_CALIB_REPORT_H

#include <stdio.h>

#include "sp_calib.h"
#include "sp_scenario.h"
#include "sp_status.h"

/* How trend_sd was estimated, in words. */
const char *sp_calib_trend_method(const sp_calib_indicator *ci);

sp_status sp_calib_report_table(FILE *out, const sp_scenario *sc,
                                const sp_calib *c, sp_error *err);

/* In sp_json.c; SP_ERR_UNSUPPORTED when built without jansson. */
sp_status sp_calib_report_json(FILE *out, const sp_scenario *sc,
                               const sp_calib *c, sp_error *err);

sp_status sp_calib_report_cfg(FILE *out, const sp_scenario *sc,
                              const sp_calib *c, sp_error *err);

#endif /* SP_CALIB_REPORT_H */
