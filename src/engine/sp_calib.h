/*
 * sp_calib: a scenario's uncertainty estimated from historical data
 * (`simplan fit`).
 *
 * For every stochastic indicator of the scenario that has data (or those
 * asked for), the series the model's innovations describe is taken from
 * the data set: for a rate indicator its published annual growth rates
 * (`growth` rows; growth is never computed from levels, which are in
 * current prices or change basis), for a share its annual increments, the
 * difference of `level` rows of consecutive years on the same basis. An
 * exact Gaussian AR(1) is fitted to it (model/sp_fit.h): the mean, the
 * innovation sd and ar1 with their standard errors. Correlations of the
 * standardised one-year innovations are estimated between every two
 * fitted indicators over their common years.
 *
 * Which figure a year uses: a `revised` (or any other vintage) row is
 * preferred to a `first` release; two rows of one year that are both
 * revisions are an error (the data must say which is current).
 *
 * trend_sd, the uncertainty of a multi-year mean seen at the start of a
 * plan, is not identified by one region's yearly series. With a table of
 * plan targets and outcomes (sp_plans.h) it is estimated from how far
 * realised period means departed from the plans' targets, pooled over
 * every region and plan of the table that has both figures for the
 * indicator, with the AR noise of a period mean taken out (from the
 * indicator's own fit, else from the scenario's sd and ar1) (model/sp_fit.h sp_fit_trend_sd, doc/model.md §13.5).
 */
#ifndef SP_CALIB_H
#define SP_CALIB_H

#include <stdbool.h>
#include <stddef.h>

#include "sp_data.h"
#include "sp_fit.h"
#include "sp_plans.h"
#include "sp_scenario.h"
#include "sp_status.h"

/* One indicator's series and, if it was long enough, its fit. */
typedef struct {
    const char *name; /* the scenario's indicator (borrowed) */
    size_t index;     /* its index in the scenario */
    sp_kind kind;     /* rate or share */
    size_t n_rows;    /* data rows found (one per year) */
    size_t n;         /* values of the series */
    int from, to;     /* first and last year of the series, 0 if none */
    double *x;        /* [n] growth rates or increments */
    int *year;        /* [n] their years */
    double *z;        /* [n] standardised innovations (z[0] NaN) */
    bool fitted;      /* false: too short (see `reason`) */
    sp_fit_ar1 fit;   /* when fitted */
    char reason[160]; /* why it was not fitted */
    /* trend_sd from plan departures (when a plan table was given) */
    size_t n_dep;
    struct sp_calib_departure *dep; /* [n_dep] the departures used */
    bool trend_estimated;           /* false: see trend_reason */
    bool trend_noise_fitted;        /* the AR noise of a period mean taken
                                       out is the fitted one; false: from
                                       the scenario's own sd and ar1 */
    sp_fit_trend trend;
    char trend_reason[160];
} sp_calib_indicator;

/* One (target, outcome) pair of the plan table as an annual departure:
 * for a rate, outcome minus target average annual rate; for a share, the
 * difference of the end levels over the period's years (on the logit
 * scale for a logit share). */
typedef struct sp_calib_departure {
    const char *region, *plan; /* borrowed from the plan table */
    int from, to;
    double target, outcome; /* as annual rates, or end levels */
    double departure;
    double noise_var; /* AR noise variance of the period mean */
    int target_line, outcome_line;
} sp_calib_departure;

/* The correlation of two fitted indicators' innovations. */
typedef struct {
    size_t a, b; /* indices into sp_calib.ind */
    size_t n;    /* common years */
    double rho, rho_se;
} sp_calib_corr;

typedef struct {
    const char *data_file;  /* borrowed from the data set */
    const char *plans_file; /* borrowed from the plan table, or NULL */
    char region[64];        /* the region fitted */
    size_t n_ind;
    sp_calib_indicator *ind; /* [n_ind] in the scenario's order */
    size_t n_corr;
    sp_calib_corr *corr; /* [n_corr] */
} sp_calib;

typedef struct {
    const char *region;            /* NULL: chosen as sp_calib_fit says */
    int from, to;                  /* years used; 0: no bound */
    const char *const *indicators; /* names to fit; NULL: every
                                       stochastic indicator with data */
    size_t n_indicators;
    const sp_plans *plans; /* targets and outcomes, or NULL: no trend_sd */
} sp_calib_options;

/* Fits `sc`'s stochastic indicators to the data of one region: the
 * region named, else the only region of the data, else the scenario's
 * scenario.region written in lower case with '_' for spaces. Errors:
 * SP_ERR_REFERENCE for an unknown region or indicator (or a derived one),
 * SP_ERR_DUPLICATE for two current revisions of one year, SP_ERR_NOMEM.
 * An indicator with too few values is kept with fitted = false. */
sp_status sp_calib_fit(const sp_scenario *sc, const sp_data *d,
                       const sp_calib_options *o, sp_calib *out, sp_error *err);

void sp_calib_destroy(sp_calib *c);

#endif /* SP_CALIB_H */
