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

#endif /* SP_SCORE_H */
