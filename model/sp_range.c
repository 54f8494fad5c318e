/*
 * sp_range: membership, text and closed bounds of an interval.
 */
#include "sp_range.h"

#include <math.h>
#include <stdio.h>

bool sp_range_holds(const sp_range *r, double v)
{
    bool above = r->lo_open ? v > r->lo : v >= r->lo;
    bool below = r->hi_open ? v < r->hi : v <= r->hi;
    return above && below;
}

bool sp_range_text(const sp_range *r, char *buf, size_t size)
{
    bool has_lo = isfinite(r->lo), has_hi = isfinite(r->hi);
    if (has_lo && has_hi)
        snprintf(buf, size, "in %c%g, %g%c", r->lo_open ? '(' : '[', r->lo,
                 r->hi, r->hi_open ? ')' : ']');
    else if (has_lo)
        snprintf(buf, size, "%s %g", r->lo_open ? ">" : ">=", r->lo);
    else if (has_hi)
        snprintf(buf, size, "%s %g", r->hi_open ? "<" : "<=", r->hi);
    else
        snprintf(buf, size, "any number");
    return has_lo && has_hi;
}

double sp_range_min(const sp_range *r)
{
    return r->lo_open ? nextafter(r->lo, HUGE_VAL) : r->lo;
}

double sp_range_max(const sp_range *r)
{
    return r->hi_open ? nextafter(r->hi, -HUGE_VAL) : r->hi;
}
