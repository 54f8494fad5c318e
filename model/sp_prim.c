/*
 * sp_prim: peeling over per-dimension sorted values, choice on the
 * trajectory, pruning by violation counts.
 *
 * Each dimension is sorted once, by a radix sort on the bits of the
 * values (eight linear passes, where qsort took three quarters of the
 * time of a whole search). The box is an inside mask over the points
 * plus, for each dimension, the range [begin, end) of sorted positions
 * outside which no inside point lies; a cut walks inward from one end of
 * that range, skipping points already outside, so it costs the points it
 * passes rather than a sort. Pruning keeps for each point the number of
 * restrictions it violates and the XOR of their ids (2 j for the lower
 * side of dimension j, 2 j + 1 for the upper): a point violating exactly
 * one restriction names it in the XOR, so one pass over the points gives
 * the box that dropping any single restriction would make.
 */
#include "sp_prim.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned long long prim_count; /* exact products of counts < 2^32 */

/* Digits of the radix sort: at most RADIX_BITS bits, so that a digit's
 * counts (2^11 + 1 of them, 16 kB) stay in the first-level cache. */
#define RADIX_BITS   11
#define RADIX_PASSES 6 /* ceil(64 / RADIX_BITS) */

/* One input value and the point it belongs to. */
typedef struct {
    double v;
    size_t i;
} prim_entry;

/* A candidate cut on one side of one dimension. */
typedef struct {
    size_t dim;
    int upper;           /* 0 raises the lower bound, 1 lowers the upper */
    size_t removed;      /* inside points it removes */
    size_t removed_ones; /* of which y = 1 */
    double cut;          /* it removes inside points up to (from) this value */
} prim_cut;

/* One step of the peeling trajectory: the bound it set and the box left. */
typedef struct {
    size_t dim;
    int upper;       /* which side */
    double bound;    /* the new bound */
    size_t n_inside; /* points inside after the step */
    size_t n_ones;   /* of which y = 1 */
} prim_step;

/* Scratch of one search. */
typedef struct {
    const double *x;        /* [n d], the caller's points */
    const unsigned char *y; /* [n], the caller's outcomes */
    size_t n, d;
    size_t n_ones;         /* 1s among all points */
    prim_entry *sorted;    /* [d n]: dimension j sorted at sorted + j n */
    prim_entry *tmp;       /* [n]: the radix sort's other buffer */
    uint64_t *keys;        /* [2 n]: the sort keys of both buffers */
    size_t *counts;        /* the radix sort's digit counts */
    unsigned char *inside; /* [n]: point inside the current box */
    size_t *begin, *end;   /* [d]: inside points lie in [begin, end) */
    double *lo, *hi;       /* [d]: current bounds, -+HUGE_VAL if none */
    size_t n_inside;       /* points inside the current box */
    size_t n_ones_inside;  /* of which y = 1 */
    prim_step *steps;      /* [cap_steps]: the peeling trajectory */
    size_t n_steps, cap_steps;
    size_t *viol_count; /* [n]: restrictions a point violates (pruning) */
    size_t *viol_xor;   /* [n]: XOR of their ids */
    size_t *add_inside; /* [2 d]: points dropping restriction r adds */
    size_t *add_ones;   /* [2 d]: of which y = 1 */
} prim_work;

/* Returns SP_OK when every argument is in range, else SP_ERR_RANGE naming
 * the first one that is not. Counts the 1s of y into *n_ones. */
static sp_status check_args(const unsigned char *y, size_t n, size_t d,
                            double alpha, double min_support,
                            double min_coverage, size_t *n_ones, sp_error *err)
{
    if (n == 0 || n > UINT32_MAX)
        return sp_error_set(err, SP_ERR_RANGE, NULL, 0, "n",
                            "PRIM needs between 1 and 2^32 - 1 points");
    if (d == 0)
        return sp_error_set(err, SP_ERR_RANGE, NULL, 0, "n_dims",
                            "PRIM needs at least one input dimension");
    if (!(alpha > 0.0 && alpha < 1.0))
        return sp_error_set(err, SP_ERR_RANGE, NULL, 0, "alpha",
                            "peeling fraction %g must be in (0, 1)", alpha);
    if (!(min_support >= 0.0 && min_support <= 1.0))
        return sp_error_set(err, SP_ERR_RANGE, NULL, 0, "min_support",
                            "minimum support %g must be in [0, 1]",
                            min_support);
    if (!(min_coverage >= 0.0 && min_coverage <= 1.0))
        return sp_error_set(err, SP_ERR_RANGE, NULL, 0, "min_coverage",
                            "minimum coverage %g must be in [0, 1]",
                            min_coverage);
    *n_ones = 0;
    for (size_t i = 0; i < n; i++) {
        if (y[i] > 1)
            return sp_error_set(err, SP_ERR_RANGE, NULL, 0, "y",
                                "outcome %zu is %d; it must be 0 or 1", i,
                                (int)y[i]);
        *n_ones += y[i];
    }
    return SP_OK;
}

/* Returns SP_OK when every value of x is finite (NaN has no place in the
 * sort order), else SP_ERR_RANGE naming the point and dimension. */
static sp_status check_finite(const double *x, size_t n, size_t d,
                              sp_error *err)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            if (!isfinite(x[i * d + j]))
                return sp_error_set(err, SP_ERR_RANGE, NULL, 0, "x",
                                    "input %zu of point %zu is %g; inputs "
                                    "must be finite",
                                    j, i, x[i * d + j]);
    return SP_OK;
}

/* Returns malloc(count * size), or NULL when that is out of memory or the
 * product overflows (checked here, so no allocator sees a huge size). */
static void *alloc_array(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    return malloc(count * size);
}

/* Allocates the arrays of `box` for d dimensions, none restricted. */
static sp_status box_alloc(sp_prim_box *box, size_t d, sp_error *err)
{
    box->n_dims = d;
    box->restricted = alloc_array(d, sizeof *box->restricted);
    box->lo = alloc_array(d, sizeof *box->lo);
    box->hi = alloc_array(d, sizeof *box->hi);
    if (box->restricted == NULL || box->lo == NULL || box->hi == NULL) {
        sp_prim_box_destroy(box);
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, "n_dims",
                            "out of memory for a box of %zu dimensions", d);
    }
    for (size_t j = 0; j < d; j++) {
        box->restricted[j] = 0;
        box->lo[j] = -HUGE_VAL;
        box->hi[j] = HUGE_VAL;
    }
    return SP_OK;
}

/* Fills the statistics of `box` from its counts among n points with
 * n_ones 1s in all. */
static void box_set_counts(sp_prim_box *box, size_t n_inside, size_t n_ones,
                           size_t n, size_t total_ones)
{
    box->n_inside = n_inside;
    box->n_ones = n_ones;
    box->support = (double)n_inside / (double)n;
    box->density = (double)n_ones / (double)n_inside;
    box->coverage = total_ones ? (double)n_ones / (double)total_ones : 0.0;
}

/* Frees the scratch of `w`; safe on partly allocated scratch. */
static void work_free(prim_work *w)
{
    free(w->sorted);
    free(w->tmp);
    free(w->keys);
    free(w->counts);
    free(w->inside);
    free(w->begin);
    free(w->end);
    free(w->lo);
    free(w->hi);
    free(w->steps);
    free(w->viol_count);
    free(w->viol_xor);
    free(w->add_inside);
    free(w->add_ones);
    memset(w, 0, sizeof *w);
}

/* Allocates the scratch of one search over the caller's x and y. */
static sp_status work_alloc(prim_work *w, const double *x,
                            const unsigned char *y, size_t n, size_t d,
                            size_t n_ones, sp_error *err)
{
    *w = (prim_work){.x = x, .y = y, .n = n, .d = d, .n_ones = n_ones};
    w->sorted =
        d <= SIZE_MAX / n ? alloc_array(n * d, sizeof *w->sorted) : NULL;
    w->tmp = alloc_array(n, sizeof *w->tmp);
    w->keys = n <= SIZE_MAX / 2 ? alloc_array(2 * n, sizeof *w->keys) : NULL;
    w->counts = alloc_array(RADIX_PASSES * (((size_t)1 << RADIX_BITS) + 1),
                            sizeof *w->counts);
    w->inside = alloc_array(n, 1);
    w->begin = alloc_array(d, sizeof *w->begin);
    w->end = alloc_array(d, sizeof *w->end);
    w->lo = alloc_array(d, sizeof *w->lo);
    w->hi = alloc_array(d, sizeof *w->hi);
    w->cap_steps = 64;
    w->steps = alloc_array(w->cap_steps, sizeof *w->steps);
    w->viol_count = alloc_array(n, sizeof *w->viol_count);
    w->viol_xor = alloc_array(n, sizeof *w->viol_xor);
    w->add_inside =
        d <= SIZE_MAX / 2 ? alloc_array(2 * d, sizeof(size_t)) : NULL;
    w->add_ones = d <= SIZE_MAX / 2 ? alloc_array(2 * d, sizeof(size_t)) : NULL;
    if (!w->sorted || !w->tmp || !w->keys || !w->counts || !w->inside ||
        !w->begin || !w->end || !w->lo || !w->hi || !w->steps ||
        !w->viol_count || !w->viol_xor || !w->add_inside || !w->add_ones) {
        work_free(w);
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for PRIM over %zu points of %zu "
                            "inputs",
                            n, d);
    }
    return SP_OK;
}

/* Maps a double to an unsigned key in the same order, with -0 equal to +0:
 * the sign bit is set for positive values and every bit flipped for
 * negative ones. */
static uint64_t sort_key(double v)
{
    uint64_t u;
    if (v == 0.0)
        v = 0.0;
    memcpy(&u, &v, sizeof u);
    return u >> 63 ? ~u : u | (UINT64_C(1) << 63);
}

/* Sorts s[0..n) by value, keeping the order of equal values: a stable
 * least-significant-digit radix sort on sort_key, with tmp[0..n) as the
 * other buffer, keys[0..2n) for the keys of both and counts for
 * RADIX_PASSES x (2^RADIX_BITS + 1) counts. The keys are computed once;
 * only the bits that differ between keys are sorted on (a double widened
 * from a float has 29 low bits that do not), in as few digits of at most
 * RADIX_BITS bits as cover them, all digits counted in one pass: for
 * scenario discovery's float-valued inputs 4 passes of 9 bits, about 150
 * instructions an entry against 340 with a pass for every byte that
 * recomputed the keys (callgrind, the baseline's 64 sorts of 100 000).
 * The result is left in s. */
static void radix_sort(prim_entry *s, prim_entry *tmp, uint64_t *keys,
                       size_t *counts, size_t n)
{
    /* The low bits that are 0 in every magnitude (29 for doubles widened
     * from floats) carry no order: the keys are sort_key of the values
     * with them shifted out, so that the digits cover only the rest. */
    uint64_t *kfrom = keys, *kto = keys + n, mags = 0;
    for (size_t i = 0; i < n; i++) {
        kfrom[i] = sort_key(s[i].v);
        /* the value's own bits: a negative value's key is them flipped */
        mags |= kfrom[i] >> 63 ? kfrom[i] : ~kfrom[i];
    }
    /* bit 63 is set in mags unless n is 0 */
    unsigned low = mags ? (unsigned)__builtin_ctzll(mags) : 0;
    uint64_t any = 0, all = ~UINT64_C(0);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = kfrom[i];
        /* flip a negative value's key back to shift the magnitude, then
         * flip again (order kept, sign bit 0) */
        kfrom[i] = k >> 63 ? k >> low | (UINT64_C(1) << 63 >> low)
                           : ~(~k >> low) & (~UINT64_C(0) >> low);
        any |= kfrom[i];
        all &= kfrom[i];
    }
    uint64_t varies = any ^ all;
    if (varies == 0)
        return; /* all equal: already in order */
    unsigned lo = (unsigned)__builtin_ctzll(varies);
    unsigned width = 64 - (unsigned)__builtin_clzll(varies) - lo;
    unsigned passes = (width + RADIX_BITS - 1) / RADIX_BITS;
    unsigned bits = (width + passes - 1) / passes;
    size_t size = ((size_t)1 << bits) + 1;
    uint64_t mask = ((uint64_t)1 << bits) - 1;
    memset(counts, 0, passes * size * sizeof *counts);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = kfrom[i] >> lo;
        for (unsigned p = 0; p < passes; p++, k >>= bits)
            counts[p * size + (k & mask) + 1]++;
    }
    prim_entry *from = s, *to = tmp;
    for (unsigned p = 0; p < passes; p++) {
        size_t *c = counts + p * size;
        unsigned shift = lo + p * bits;
        for (size_t b = 1; b < size; b++)
            c[b] += c[b - 1];
        for (size_t i = 0; i < n; i++) {
            size_t at = c[(kfrom[i] >> shift) & mask]++;
            to[at] = from[i];
            kto[at] = kfrom[i];
        }
        prim_entry *swap = from;
        from = to;
        to = swap;
        uint64_t *kswap = kfrom;
        kfrom = kto;
        kto = kswap;
    }
    if (from != s)
        memcpy(s, from, n * sizeof *s);
}

/* Sorts every dimension of x once into w->sorted, by value and then by
 * point index (the order the entries start in), using w->tmp. */
static void sort_dims(prim_work *w)
{
    for (size_t j = 0; j < w->d; j++) {
        prim_entry *s = w->sorted + j * w->n;
        for (size_t i = 0; i < w->n; i++)
            s[i] = (prim_entry){w->x[i * w->d + j], i};
        radix_sort(s, w->tmp, w->keys, w->counts, w->n);
    }
}

/* Makes the current box the one holding every point. */
static void box_reset(prim_work *w)
{
    memset(w->inside, 1, w->n);
    for (size_t j = 0; j < w->d; j++) {
        w->begin[j] = 0;
        w->end[j] = w->n;
        w->lo[j] = -HUGE_VAL;
        w->hi[j] = HUGE_VAL;
    }
    w->n_inside = w->n;
    w->n_ones_inside = w->n_ones;
    w->n_steps = 0;
}

/* Adds sorted entry e to cut c when its point is inside. */
static void cut_take(const prim_work *w, const prim_entry *e, prim_cut *c)
{
    if (w->inside[e->i]) {
        c->removed++;
        c->removed_ones += w->y[e->i];
    }
}

/* Returns the cut removing the k lowest inside points of dimension j and
 * every inside point tied with the k-th. Moves begin[j] to the first inside
 * point, which no later peel can bring back. Requires 1 <= k <= n_inside. */
static prim_cut cut_lower(prim_work *w, size_t j, size_t k)
{
    const prim_entry *s = w->sorted + j * w->n;
    size_t p = w->begin[j];
    while (!w->inside[s[p].i])
        p++;
    w->begin[j] = p;
    prim_cut c = {j, 0, 0, 0, 0.0};
    while (c.removed < k)
        cut_take(w, &s[p++], &c);
    c.cut = s[p - 1].v;
    for (; p < w->end[j] && s[p].v == c.cut; p++)
        cut_take(w, &s[p], &c);
    return c;
}

/* Returns the cut removing the k highest inside points of dimension j and
 * every inside point tied with the k-th; the mirror of cut_lower. */
static prim_cut cut_upper(prim_work *w, size_t j, size_t k)
{
    const prim_entry *s = w->sorted + j * w->n;
    size_t p = w->end[j];
    while (!w->inside[s[p - 1].i])
        p--;
    w->end[j] = p;
    prim_cut c = {j, 1, 0, 0, 0.0};
    while (c.removed < k)
        cut_take(w, &s[--p], &c);
    c.cut = s[p].v;
    while (p > w->begin[j] && s[p - 1].v == c.cut)
        cut_take(w, &s[--p], &c);
    return c;
}

/* Returns true when cut a raises the mean of y inside the box more per
 * point it removes than cut b (Friedman and Fisher 1999, section 8: with
 * tied or discrete inputs a cut may remove far more than the alpha share,
 * and must earn its size), or as much with fewer points removed. */
static bool cut_better(const prim_work *w, const prim_cut *a, const prim_cut *b)
{
    double m0 = (double)w->n_ones_inside / (double)w->n_inside;
    double ga = ((double)(w->n_ones_inside - a->removed_ones) /
                     (double)(w->n_inside - a->removed) -
                 m0) /
                (double)a->removed;
    double gb = ((double)(w->n_ones_inside - b->removed_ones) /
                     (double)(w->n_inside - b->removed) -
                 m0) /
                (double)b->removed;
    if (ga != gb)
        return ga > gb;
    return a->removed < b->removed;
}

/* Finds the best cut removing about k points into *best; returns false when
 * every cut would empty the box. Scanning dimensions upward, lower side
 * first, and replacing only on a strictly better cut breaks the remaining
 * ties by lowest dimension, then lower side. */
static bool cut_best(prim_work *w, size_t k, prim_cut *best)
{
    bool found = false;
    for (size_t j = 0; j < w->d; j++)
        for (int upper = 0; upper <= 1; upper++) {
            prim_cut c = upper ? cut_upper(w, j, k) : cut_lower(w, j, k);
            if (c.removed >= w->n_inside)
                continue;
            if (!found || cut_better(w, &c, best)) {
                *best = c;
                found = true;
            }
        }
    return found;
}

/* Makes cut c on the lower side: marks the points outside, moves begin[j]
 * to the first point left inside and the bound to its value. */
static void apply_lower(prim_work *w, const prim_cut *c)
{
    const prim_entry *s = w->sorted + c->dim * w->n;
    size_t p = w->begin[c->dim];
    for (; s[p].v <= c->cut; p++)
        w->inside[s[p].i] = 0;
    while (!w->inside[s[p].i])
        p++;
    w->begin[c->dim] = p;
    w->lo[c->dim] = s[p].v;
}

/* Makes cut c on the upper side; the mirror of apply_lower. */
static void apply_upper(prim_work *w, const prim_cut *c)
{
    const prim_entry *s = w->sorted + c->dim * w->n;
    size_t p = w->end[c->dim];
    for (; s[p - 1].v >= c->cut; p--)
        w->inside[s[p - 1].i] = 0;
    while (!w->inside[s[p - 1].i])
        p--;
    w->end[c->dim] = p;
    w->hi[c->dim] = s[p - 1].v;
}

/* Makes cut c and appends the box it leaves to the trajectory. */
static sp_status apply_cut(prim_work *w, const prim_cut *c, sp_error *err)
{
    if (w->n_steps == w->cap_steps) {
        size_t cap = 2 * w->cap_steps;
        prim_step *steps = realloc(w->steps, cap * sizeof *steps);
        if (steps == NULL)
            return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                                "out of memory for %zu PRIM peeling steps",
                                cap);
        w->steps = steps;
        w->cap_steps = cap;
    }
    if (c->upper)
        apply_upper(w, c);
    else
        apply_lower(w, c);
    w->n_inside -= c->removed;
    w->n_ones_inside -= c->removed_ones;
    w->steps[w->n_steps++] =
        (prim_step){c->dim, c->upper, c->upper ? w->hi[c->dim] : w->lo[c->dim],
                    w->n_inside, w->n_ones_inside};
    return SP_OK;
}

/* Peels from the full box until the best cut would leave fewer than
 * min_support n points or every cut would empty the box, recording the
 * trajectory in w->steps. */
static sp_status peel(prim_work *w, double alpha, double min_support,
                      sp_error *err)
{
    box_reset(w);
    for (;;) {
        /* k < n_inside unless rounding says otherwise; k = n_inside is
         * harmless, as a cut removing every point is skipped. */
        size_t k = (size_t)(alpha * (double)w->n_inside);
        k = k < 1 ? 1 : k > w->n_inside ? w->n_inside : k;
        prim_cut best;
        if (!cut_best(w, k, &best))
            return SP_OK;
        size_t left = w->n_inside - best.removed;
        if ((double)left < min_support * (double)w->n)
            return SP_OK;
        sp_status st = apply_cut(w, &best, err);
        if (st != SP_OK)
            return st;
    }
}

/* Returns the trajectory step (0 = the full box) with the highest density
 * among those holding at least min_coverage of the 1s; the earliest on
 * ties. Coverage never grows along the trajectory, so the scan stops at
 * the first step below min_coverage. */
static size_t choose_step(const prim_work *w, double min_coverage)
{
    size_t best = 0;
    prim_count best_in = w->n, best_ones = w->n_ones;
    for (size_t t = 1; t <= w->n_steps; t++) {
        const prim_step *s = &w->steps[t - 1];
        if ((double)s->n_ones < min_coverage * (double)w->n_ones)
            break;
        if ((prim_count)s->n_ones * best_in >
            best_ones * (prim_count)s->n_inside) {
            best = t;
            best_in = s->n_inside;
            best_ones = s->n_ones;
        }
    }
    return best;
}

/* Sets the bounds to those of trajectory step t. */
static void replay(prim_work *w, size_t t)
{
    for (size_t j = 0; j < w->d; j++) {
        w->lo[j] = -HUGE_VAL;
        w->hi[j] = HUGE_VAL;
    }
    for (size_t s = 0; s < t; s++) {
        const prim_step *step = &w->steps[s];
        if (step->upper)
            w->hi[step->dim] = step->bound;
        else
            w->lo[step->dim] = step->bound;
    }
}

/* Counts, for every point, the restrictions of the current bounds it
 * violates and the XOR of their ids. */
static void prune_init(prim_work *w)
{
    for (size_t i = 0; i < w->n; i++) {
        const double *row = w->x + i * w->d;
        size_t count = 0, ids = 0;
        for (size_t j = 0; j < w->d; j++) {
            if (row[j] < w->lo[j]) {
                count++;
                ids ^= 2 * j;
            } else if (row[j] > w->hi[j]) {
                count++;
                ids ^= 2 * j + 1;
            }
        }
        w->viol_count[i] = count;
        w->viol_xor[i] = ids;
    }
}

/* Counts the points inside the current bounds and, for each restriction,
 * the points that dropping it alone would bring inside. */
static void prune_tally(prim_work *w)
{
    memset(w->add_inside, 0, 2 * w->d * sizeof *w->add_inside);
    memset(w->add_ones, 0, 2 * w->d * sizeof *w->add_ones);
    w->n_inside = 0;
    w->n_ones_inside = 0;
    for (size_t i = 0; i < w->n; i++) {
        if (w->viol_count[i] == 0) {
            w->n_inside++;
            w->n_ones_inside += w->y[i];
        } else if (w->viol_count[i] == 1) {
            w->add_inside[w->viol_xor[i]]++;
            w->add_ones[w->viol_xor[i]] += w->y[i];
        }
    }
}

/* Finds the restriction whose removal lowers the density least (ties:
 * lowest id) into *id; returns false when there is none or when even it
 * lowers the density by SP_PRIM_PRUNE_DENSITY or more. */
static bool prune_choose(const prim_work *w, size_t *id)
{
    double density = (double)w->n_ones_inside / (double)w->n_inside;
    double best = -HUGE_VAL;
    bool found = false;
    for (size_t r = 0; r < 2 * w->d; r++) {
        double bound = r % 2 ? w->hi[r / 2] : w->lo[r / 2];
        if (isinf(bound))
            continue;
        double without = (double)(w->n_ones_inside + w->add_ones[r]) /
                         (double)(w->n_inside + w->add_inside[r]);
        if (!found || without > best) {
            best = without;
            *id = r;
            found = true;
        }
    }
    return found && density - best < SP_PRIM_PRUNE_DENSITY;
}

/* Removes restriction `id` from the bounds and from every point's
 * violation count. */
static void prune_drop(prim_work *w, size_t id)
{
    size_t j = id / 2;
    for (size_t i = 0; i < w->n; i++) {
        double v = w->x[i * w->d + j];
        if (id % 2 ? v > w->hi[j] : v < w->lo[j]) {
            w->viol_count[i]--;
            w->viol_xor[i] ^= id;
        }
    }
    if (id % 2)
        w->hi[j] = HUGE_VAL;
    else
        w->lo[j] = -HUGE_VAL;
}

/* Prunes the current bounds, leaving in w->n_inside and w->n_ones_inside
 * the counts of the pruned box. */
static void prune(prim_work *w)
{
    size_t id = 0;
    prune_init(w);
    for (;;) {
        prune_tally(w);
        if (!prune_choose(w, &id))
            return;
        prune_drop(w, id);
    }
}

/* Copies the current bounds and counts of `w` into `box`. */
static void box_fill(const prim_work *w, sp_prim_box *box)
{
    for (size_t j = 0; j < w->d; j++) {
        box->lo[j] = w->lo[j];
        box->hi[j] = w->hi[j];
        box->restricted[j] =
            (isinf(w->lo[j]) ? 0 : 1) | (isinf(w->hi[j]) ? 0 : 2);
    }
    box_set_counts(box, w->n_inside, w->n_ones_inside, w->n, w->n_ones);
}

/* Runs the three phases over checked arguments into an allocated box. */
static sp_status find(const double *x, const unsigned char *y, size_t n,
                      size_t d, size_t n_ones, double alpha, double min_support,
                      double min_coverage, sp_prim_box *box, sp_error *err)
{
    prim_work w;
    sp_status st = work_alloc(&w, x, y, n, d, n_ones, err);
    if (st != SP_OK)
        return st;
    sort_dims(&w);
    st = peel(&w, alpha, min_support, err);
    if (st == SP_OK) {
        box->n_peels = choose_step(&w, min_coverage);
        replay(&w, box->n_peels);
        prune(&w);
        box_fill(&w, box);
    }
    work_free(&w);
    return st;
}

sp_status sp_prim_find(const double *x, const unsigned char *y, size_t n,
                       size_t n_dims, double alpha, double min_support,
                       double min_coverage, sp_prim_box *box, sp_error *err)
{
    assert(box != NULL && (n == 0 || (x != NULL && y != NULL)));
    memset(box, 0, sizeof *box);
    size_t n_ones = 0;
    sp_status st = check_args(y, n, n_dims, alpha, min_support, min_coverage,
                              &n_ones, err);
    if (st == SP_OK)
        st = box_alloc(box, n_dims, err);
    if (st == SP_OK)
        st = check_finite(x, n, n_dims, err);
    if (st == SP_OK && (n_ones == 0 || n_ones == n))
        box_set_counts(box, n, n_ones, n, n_ones);
    else if (st == SP_OK)
        st = find(x, y, n, n_dims, n_ones, alpha, min_support, min_coverage,
                  box, err);
    if (st != SP_OK)
        sp_prim_box_destroy(box);
    return st;
}

void sp_prim_box_destroy(sp_prim_box *box)
{
    if (box == NULL)
        return;
    free(box->restricted);
    free(box->lo);
    free(box->hi);
    memset(box, 0, sizeof *box);
}

bool sp_prim_box_contains(const sp_prim_box *box, const double *point)
{
    for (size_t j = 0; j < box->n_dims; j++)
        if (!(point[j] >= box->lo[j] && point[j] <= box->hi[j]))
            return false;
    return true;
}

size_t sp_prim_box_n_restrictions(const sp_prim_box *box)
{
    size_t count = 0;
    for (size_t j = 0; j < box->n_dims; j++)
        count += (size_t)(box->restricted[j] & 1) +
                 (size_t)(box->restricted[j] >> 1 & 1);
    return count;
}
