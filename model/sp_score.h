/*
 * sp_score: scores of a probabilistic projection against what happened.
 *
 * A projection of one value is a sample of it (the Monte Carlo draws, kept
 * sorted); the realised value y is scored by
 *
 *   PIT   F(y), the projection's distribution function at y (mid-rank for
 *         ties: (#{x < y} + #{x = y} / 2) / n); uniform on (0, 1) over many
 *         scored values when the projections are calibrated;
 *   cover whether y lies in the central p interval, i.e. (1 - p) / 2 <=
 *         PIT <= (1 + p) / 2;
 *   CRPS  the continuous ranked probability score
 *         E|X - y| - E|X - X'| / 2 (Gneiting and Raftery 2007, eq. 20),
 *         exact for the sample's empirical distribution; for a normal
 *         projection N(mu, s^2) its closed form is
 *         s (z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi)), z = (y - mu) / s.
 *
 * (doc/model.md §14.) The verdict on a set of scored values compares the share inside the
 * central 90 % intervals with 0.9: with n values its binomial standard
 * error is sqrt(0.09 / n); outside 0.9 +- 2.576 se (a 99 % band) the
 * projections are over-confident (too few inside: intervals too narrow)
 * or under-confident (too many inside: too wide), else calibrated.
 *
 * A probability forecast p_i of an event (a target met) is scored against
 * its outcome o_i (1: it happened, 0: it did not), i = 1 .. n
 * (doc/model.md §14.4):
 *
 *   Brier score  BS = mean (p_i - o_i)^2 (Brier 1950), with the standard
 *                error sd((p - o)^2) / sqrt(n) (sample sd);
 *   base rate    obar = mean o_i;
 *   climatology  BS_clim = mean (obar - o_i)^2 = obar (1 - obar), the
 *                score of forecasting the base rate every time;
 *   skill        1 - BS / BS_clim, defined when 0 < obar < 1;
 *   expected     E = mean p_i (1 - p_i), the mean of BS when every o_i is
 *                drawn from its own p_i; then BS - E = mean (o_i - p_i)
 *                (1 - 2 p_i) has mean 0 and, for independent outcomes,
 *                the sd sqrt(sum p_i (1 - p_i) (1 - 2 p_i)^2) / n, and
 *                z = (BS - E) / sd is Spiegelhalter's (1986) test
 *                statistic, about N(0, 1) when the p_i are right;
 *   reliability  the forecasts in equal-width bins of p (bin k of K holds
 *                floor(K p) = k, p = 1 in the last): their count, mean p,
 *                the observed frequency of the event and its 95 % Wilson
 *                interval (sp_measure.h).
 */
#ifndef SP_SCORE_H
#define SP_SCORE_H

#include <stddef.h>

typedef enum {
    SP_VERDICT_CALIBRATED,
    SP_VERDICT_OVER_CONFIDENT,
    SP_VERDICT_UNDER_CONFIDENT
} sp_verdict;

/* Sorts x[0..n) in increasing order. */
void sp_score_sort(double *x, size_t n);

/* The q quantile (0 <= q <= 1) of the sorted sample x[0..n), n >= 1, by
 * linear interpolation between order statistics (Hyndman and Fan type 7). */
double sp_score_quantile(const double *x, size_t n, double q);

/* The PIT of y for the sorted sample x[0..n), n >= 1. */
double sp_score_pit(const double *x, size_t n, double y);

/* The PIT of y for the sample x[0..n) in any order, n >= 1, by counting:
 * O(n), and equal to sp_score_pit of the sorted sample. */
double sp_score_pit_unsorted(const double *x, size_t n, double y);

/* Whether a PIT lies in the central p interval (0 < p < 1). */
int sp_score_covered(double pit, double p);

/* The CRPS of y for the sorted sample x[0..n), n >= 1: O(n). */
double sp_score_crps_sample(const double *x, size_t n, double y);

/* The CRPS of y for a normal projection N(mu, sd^2), sd > 0. */
double sp_score_crps_normal(double mu, double sd, double y);

/* The verdict from `inside` of `n` values in their central 90 %
 * intervals; *se gets the binomial standard error sqrt(0.09 / n). */
sp_verdict sp_score_verdict(size_t inside, size_t n, double *se);

/* "calibrated", "over-confident", "under-confident". */
const char *sp_verdict_name(sp_verdict v);

/* ---- probability forecasts of events ------------------------------------ */

/* The Brier score of n forecasts and what it is compared with. Every
 * quantity that is not defined (no forecasts, a standard error of fewer
 * than 2, a skill with obar 0 or 1, z with sd 0) is NaN. */
typedef struct {
    size_t n;
    double brier, brier_se;       /* BS and its standard error */
    double base_rate;             /* obar */
    double brier_climatology;     /* obar (1 - obar) */
    double skill;                 /* 1 - BS / BS_clim */
    double expected, expected_se; /* E and the sd of BS - E */
    double z;                     /* (BS - E) / expected_se */
} sp_brier;

/* One bin of a reliability table. */
typedef struct {
    double lo, hi;   /* the bin [lo, hi) of p; the last includes 1 */
    size_t n, met;   /* forecasts in it and their events that happened */
    double p_mean;   /* NaN when empty, as below */
    double observed; /* met / n */
    double observed_lo, observed_hi; /* 95 % Wilson interval of it */
} sp_reliability_bin;

/* The Brier score of forecasts p[0..n) in [0, 1] with outcomes o[0..n)
 * (0 or 1). */
void sp_score_brier(const double *p, const unsigned char *o, size_t n,
                    sp_brier *out);

/* The reliability table of the same forecasts in n_bins >= 1 bins, into
 * bins[0..n_bins). */
void sp_score_reliability(const double *p, const unsigned char *o, size_t n,
                          size_t n_bins, sp_reliability_bin *bins);

#endif /* SP_SCORE_H */
