/*
 * sp_prim: PRIM scenario discovery, the region of the inputs in which a
 * target is missed.
 *
 * Given n draws of n_dims inputs x and an outcome y (1 = the target was
 * missed, 0 = met), PRIM, the Patient Rule Induction Method of Friedman and
 * Fisher (1999, "Bump hunting in high-dimensional data", Statistics and
 * Computing 9, 123-143), as used for scenario discovery by the EMA
 * Workbench (Kwakkel 2017, Environmental Modelling & Software 96, 239-250),
 * finds an axis-aligned box in which misses are concentrated and which is
 * described by few inputs. It runs in three phases:
 *
 *   peel    Start from the box holding every point. At each step, for every
 *           dimension and both sides, the candidate cut removes the alpha
 *           fraction of the points inside (k = max(1, floor(alpha m)) of
 *           the m points inside, by exact order statistics) from that side,
 *           together with every inside point sharing the k-th value, so
 *           tied values are never split. A cut that would remove every
 *           point is skipped. The cut raising the mean of y most per
 *           point removed is made (Friedman and Fisher's criterion, which
 *           keeps a cut through many tied values, e.g. a count of events,
 *           from swallowing the box; ties: the one removing fewer points,
 *           then the lowest dimension, then the lower side), even when the
 *           mean does not rise (patient peeling), until the best cut would
 *           leave fewer than min_support n points. Every box on the way,
 *           the full box first, is the peeling trajectory.
 *   choose  Among the trajectory boxes whose coverage is at least
 *           min_coverage, take the one with the highest density (ties: the
 *           earliest, which has the largest support).
 *   prune   Repeatedly remove the one-sided restriction whose removal lowers
 *           the density of the current box least (ties: lowest dimension,
 *           then lower side), as long as it lowers it by less than
 *           SP_PRIM_PRUNE_DENSITY. Removing any restriction left in the
 *           box would therefore lower its density by at least that much,
 *           so only inputs that matter are reported.
 *
 * Friedman and Fisher's pasting phase (widening the box again one small
 * step at a time) is not done; pruning is what widens the box here.
 *
 * A new bound is the value of the nearest point left inside, so a box is
 * exactly {x : lo[j] <= x[j] <= hi[j] for every j}, both ends included, and
 * a side is restricted exactly when some point lies beyond it. Unrestricted
 * sides hold -HUGE_VAL and +HUGE_VAL.
 *
 * The search is deterministic and uses no random numbers: the same x and y
 * always give the same box. Equal values are ordered by point index.
 *
 * Cost (n points, d = n_dims, T peels, about log(min_support) /
 * log(1 - alpha), 58 with the defaults): sorting each dimension once, by
 * a radix sort, O(d n); each peel evaluates 2 d cuts by walking each
 * dimension's sorted values inward from the box edge, O(alpha n) per cut
 * when the inside points are spread out and O(n) at worst, so O(T d alpha
 * n) typically and O(T d n) at worst; pruning O(d n + R n) for R dropped
 * restrictions. Measured on one core (gcc -O2): 0.04 s for n = 100000,
 * d = 12 and 0.2 s for d = 50. Memory: 16 d n + 33 n bytes of scratch
 * plus 40 bytes per peel, allocated and freed by sp_prim_find.
 */
#ifndef SP_PRIM_H
#define SP_PRIM_H

#include <stdbool.h>
#include <stddef.h>

#include "sp_status.h"

#define SP_PRIM_ALPHA         0.05 /* default peeling fraction */
#define SP_PRIM_MIN_SUPPORT   0.05 /* default smallest fraction of points */
#define SP_PRIM_MIN_COVERAGE  0.5  /* default smallest fraction of the 1s */
#define SP_PRIM_PRUNE_DENSITY 0.01 /* a restriction must add this density */

/* A box found by sp_prim_find. Plain data, owned by the caller; free the
 * arrays with sp_prim_box_destroy. */
typedef struct {
    size_t n_dims;
    int *restricted; /* [n_dims]: 0 none, 1 lower, 2 upper, 3 both sides */
    double *lo;      /* [n_dims]: lower bound, -HUGE_VAL when unrestricted */
    double *hi;      /* [n_dims]: upper bound, +HUGE_VAL when unrestricted */
    double coverage; /* fraction of all y = 1 points inside (0 if none) */
    double density;  /* fraction of the points inside with y = 1 */
    double support;  /* fraction of all points inside */
    size_t n_inside; /* points inside */
    size_t n_ones;   /* points inside with y = 1 */
    size_t n_peels;  /* peeling steps to the chosen box, before pruning */
} sp_prim_box;

/* Finds the box in which y = 1 is concentrated (peel, choose, prune above).
 *   x             n points of n_dims finite values, row-major:
 *                 x[i n_dims + j]; read only, not kept
 *   y             n outcomes, each 0 or 1; read only, not kept
 *   alpha         peeling fraction, 0 < alpha < 1 (SP_PRIM_ALPHA)
 *   min_support   peeling stops before the box would hold fewer than
 *                 min_support n points, 0 <= min_support <= 1
 *                 (SP_PRIM_MIN_SUPPORT)
 *   min_coverage  the chosen box holds at least this fraction of the 1s,
 *                 0 <= min_coverage <= 1 (SP_PRIM_MIN_COVERAGE); pruning
 *                 only widens it, so the result does too
 *   box           receives the box; the caller frees it with
 *                 sp_prim_box_destroy, also after a failure (it is then
 *                 empty)
 *   err           filled on failure; may be NULL
 * When y has no 1s or no 0s the box has no restrictions: support 1, density
 * the mean of y, coverage 1 (0 when there are no 1s).
 * Returns SP_OK; SP_ERR_RANGE (field "n", "n_dims", "alpha", "min_support",
 * "min_coverage", "y" or "x") for the first argument out of range, n >=
 * 2^32 included (counts are multiplied exactly in 64 bits); or SP_ERR_NOMEM
 * when the scratch cannot be allocated. */
sp_status sp_prim_find(const double *x, const unsigned char *y, size_t n,
                       size_t n_dims, double alpha, double min_support,
                       double min_coverage, sp_prim_box *box, sp_error *err);

/* Frees the arrays of `box` and empties it; safe on an emptied box and on
 * NULL. */
void sp_prim_box_destroy(sp_prim_box *box);

/* Returns true when `point` (box->n_dims values) lies inside `box`. */
bool sp_prim_box_contains(const sp_prim_box *box, const double *point);

/* Returns the number of restricted sides of `box` (0 to 2 n_dims). */
size_t sp_prim_box_n_restrictions(const sp_prim_box *box);

#endif /* SP_PRIM_H */
