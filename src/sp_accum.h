/*
 * sp_accum: mergeable statistics of many quantities over many draws.
 *
 * Quantiles: each quantity has a fixed-range histogram of SP_ACCUM_BINS
 * bins plus underflow and overflow counts. The range is set before the run
 * from a pilot sample (sp_accum_pilot_range): the pilot's 2.5 % and 97.5 %
 * quantiles widened by a quarter of their distance on each side, which
 * holds the 5 % and 95 % quantiles with a wide margin. A quantile is read
 * by linear interpolation inside its bin, so its error is below one bin
 * width, which for the families used here is under 0.05 % of (p95 - p05)
 * (normal: 5.9 sd / 4096 bins = 0.0014 sd against 3.29 sd; Student t with
 * 3 degrees of freedom: 0.06 %). sp_accum_resolution_ok() checks the bound
 * after the run. Memory is fixed: 8 * (SP_ACCUM_BINS + 2) bytes per
 * quantity, independent of the number of draws. Counts are integers, so
 * merging per-thread accumulators is exact and order-independent.
 *
 * Means: sums are floating-point, so their value depends on the order of
 * additions. sp_sumtree adds per-block sums in a fixed binary tree over
 * block indices (pairwise summation), so the total depends only on the
 * block sums, never on how blocks were spread over threads.
 */
#ifndef SP_ACCUM_H
#define SP_ACCUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SP_ACCUM_BINS 4096

typedef struct sp_accum sp_accum;

/* Histograms for n quantities over ranges [lo[q], hi[q]) (lo < hi).
 * NULL when out of memory. */
sp_accum *sp_accum_alloc(size_t n, const double *lo, const double *hi);
void sp_accum_free(sp_accum *a);

/* Adds finite value v to quantity q (non-finite values must be filtered by
 * the caller). */
void sp_accum_add(sp_accum *a, size_t q, double v);

/* Adds the finite values of v[0..n) to quantity q, in order, and returns
 * their sum (added left to right, so it depends only on v). Non-finite
 * values are skipped; sp_accum_count() tells how many were kept. */
double sp_accum_add_row(sp_accum *a, size_t q, const double *v, size_t n);

/* Adds the counts of `from` to `into` (same quantities and ranges). */
void sp_accum_merge(sp_accum *into, const sp_accum *from);

/* Number of values added to quantity q, and their min and max. */
uint64_t sp_accum_count(const sp_accum *a, size_t q);
double sp_accum_min(const sp_accum *a, size_t q);
double sp_accum_max(const sp_accum *a, size_t q);

/* The p-quantile (0 < p < 1) of quantity q; NaN if it has no values.
 * *in_range (if not NULL) is false when the quantile fell in the underflow
 * or overflow counts, so only a bound is known. */
double sp_accum_quantile(const sp_accum *a, size_t q, double p,
                         bool *in_range);

/* Width of one bin of quantity q. */
double sp_accum_bin_width(const sp_accum *a, size_t q);

/* Histogram range for a quantity from a pilot sample of n values (sorted
 * in place; non-finite values are ignored). */
void sp_accum_pilot_range(double *sample, size_t n, double *lo, double *hi);

/* Pairwise sums of n-vectors pushed in block order. */
typedef struct {
    size_t n;        /* vector length */
    uint64_t pushed; /* vectors pushed so far */
    double *level;   /* [64 * n]: level[l] holds the sum of 2^l vectors */
} sp_sumtree;

/* Initialises an empty tree of n-vectors; false when out of memory. */
bool sp_sumtree_init(sp_sumtree *t, size_t n);
void sp_sumtree_destroy(sp_sumtree *t);

/* Pushes the next block's vector v (length n). */
void sp_sumtree_push(sp_sumtree *t, const double *v);

/* Writes the total of all pushed vectors to out (length n). */
void sp_sumtree_total(const sp_sumtree *t, double *out);

#endif /* SP_ACCUM_H */
