/*
 * sp_range: an interval of allowed values, each end open or closed, as the
 * descriptor tables of the model (marginal family parameters, indicator
 * kinds) state them, with the test and the text that messages, usage and
 * documentation show ("> 2", "in (-1, 1)").
 */
#ifndef SP_RANGE_H
#define SP_RANGE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    double lo, hi; /* bounds; -HUGE_VAL or HUGE_VAL when there is none */
    bool lo_open;  /* true: lo itself is excluded */
    bool hi_open;  /* true: hi itself is excluded */
} sp_range;

/* True when v lies in the range; NaN never does. */
bool sp_range_holds(const sp_range *r, double v);

/* The range as people write it into buf (of `size` bytes): "> 2",
 * ">= 0", "< 1", "in (-1, 1)", "in [0, 1]", "any number"; numbers with
 * %g. Returns true when both ends are bounds (a two-sided range). */
bool sp_range_text(const sp_range *r, char *buf, size_t size);

/* The smallest and largest values in the range (the next double inside
 * an open end), for searches that need closed bounds. */
double sp_range_min(const sp_range *r);
double sp_range_max(const sp_range *r);

#endif /* SP_RANGE_H */
