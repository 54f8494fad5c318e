/*
 * sp_marginal: the marginal families of the yearly innovations eps[t].
 *
 * Innovations are generated as standard normals z (correlated across
 * indicators by the Gaussian copula) and mapped to each indicator's family by
 * eps = F^-1(Phi(z)) (doc/model.md §4.2). The families:
 *   normal        eps = z                                     (unit variance)
 *   t (df > 2)    Student t scaled by sqrt((df-2)/df)         (unit variance)
 *   uniform       on [-sqrt 3, sqrt 3]                        (unit variance)
 *   split_normal  two-piece normal of the Bank of England fan chart with
 *                 mode 0, left standard deviation 1/sqrt(1+skew) and right
 *                 standard deviation 1/sqrt(1-skew), skew in (-1, 1)
 *                 (Britton, Fisher and Whitley 1998, Bank of England
 *                 Quarterly Bulletin 38(1)); its mean is not 0 and its
 *                 variance is not 1: the period's `mean` is the mode and
 *                 `sd` the fan chart's uncertainty parameter.
 */
#ifndef SP_MARGINAL_H
#define SP_MARGINAL_H

#include <stdbool.h>
#include <stddef.h>

#include "sp_range.h"

typedef enum {
    SP_FAMILY_NORMAL,
    SP_FAMILY_T,
    SP_FAMILY_UNIFORM,
    SP_FAMILY_SPLIT_NORMAL
} sp_family;

typedef struct {
    sp_family family; /* which family */
    double df;        /* degrees of freedom (t only), > 2 */
    double skew;      /* skew (split_normal only), in (-1, 1) */
} sp_marginal;

/* ---- The families' descriptor table ---------------------------------------
 *
 * Everything the rest of the program knows of a family comes from this
 * table: the loader reads the `dist` group by it (the keys it allows, the
 * ranges it checks, the "allowed:" list of its messages), `check` prints
 * the parameters, solve and sweep find the levers `dist.NAME`, and bench
 * --marginal and the usage text take the defaults. Adding a family means
 * an enum value, a table entry and the cases of its formulas in
 * sp_marginal.c, its tests, and the docs. */

#define SP_FAMILY_MAX_PARAMS 2

/* One parameter of a family, a key of the `dist` group. */
typedef struct {
    const char *name; /* key as written: "df" */
    sp_range range;   /* values the loader accepts */
    const char *why;  /* why that range, for messages ("" if none) */
    double dflt;      /* default: bench --marginal, the usage text */
    double search_lo; /* default range solve searches for a lever */
    double search_hi;
    size_t offset; /* offsetof(sp_marginal, the field it sets) */
} sp_family_param;

/* One family. */
typedef struct {
    sp_family family;
    const char *name; /* as written in scenario files: "split_normal" */
    size_t n_params;
    sp_family_param params[SP_FAMILY_MAX_PARAMS];
} sp_family_info;

/* Number of families; their enum values are 0 .. count - 1. */
size_t sp_family_count(void);

/* The table entry of a family. */
const sp_family_info *sp_family_info_of(sp_family family);

/* Family name as written in scenario files ("split_normal"). */
const char *sp_family_name(sp_family family);

/* Parses a family name; returns false if unknown. */
bool sp_family_parse(const char *name, sp_family *family);

/* The field of `m` that parameter `p` (of m's family) sets. */
double *sp_marginal_param(sp_marginal *m, const sp_family_param *p);
double sp_marginal_param_value(const sp_marginal *m, const sp_family_param *p);

/* Sets *m to `family` with every parameter at its default. */
void sp_marginal_set_default(sp_marginal *m, sp_family family);

/* Maps a standard normal z to the family: F^-1(Phi(z)). Accurate in both
 * tails (upper-tail probabilities are computed as Phi(-z), not 1 - Phi(z)). */
double sp_marginal_from_normal(const sp_marginal *m, double z);

/* A precomputed copula transform g(z) = F^-1(Phi(z)) for one family:
 * cubic Hermite interpolation on a uniform grid over |z| <= SP_TABLE_ZMAX,
 * with the exact derivative g'(z) = phi(z) / f(g(z)) at every node. The
 * grid has a node where g changes formula (the split normal's mode), and
 * is refined until the error, checked against the exact transform at three
 * points inside every interval, is below SP_TABLE_TOL * (1 + |g|). Beyond
 * the grid (probability 1.2e-15 per variate) the exact transform is used.
 * Cost: a few nanoseconds instead of about 1 microsecond for the t
 * quantile (bench/RESULTS.md). */
#define SP_TABLE_ZMAX 8.0
#define SP_TABLE_TOL  1e-10

typedef struct {
    sp_marginal marginal; /* the family tabulated */
    double z0;            /* first node */
    double inv_h;         /* 1 / node spacing */
    double h;             /* node spacing */
    size_t n;             /* intervals */
    double *node;         /* [2 (n + 1)]: g(z_k), h g'(z_k) interleaved */
    double max_error;     /* largest checked error / (1 + |g|) */
} sp_marginal_table;

/* Builds the table for a family into *out. Returns false only when out of
 * memory. *out is NULL when SP_TABLE_TOL cannot be reached with the
 * finest grid; the caller then uses the exact transform. */
bool sp_marginal_table_alloc(const sp_marginal *m, sp_marginal_table **out);
void sp_marginal_table_free(sp_marginal_table *t);

/* g(z) from the table (exact outside the grid). */
static inline double sp_marginal_table_eval(const sp_marginal_table *t,
                                            double z)
{
    double u = (z - t->z0) * t->inv_h;
    if (!(u >= 0.0 && u < (double)t->n))
        return sp_marginal_from_normal(&t->marginal, z);
    size_t k = (size_t)u;
    double s = u - (double)k;
    const double *p = t->node + 2 * k;
    double y0 = p[0], m0 = p[1], y1 = p[2], m1 = p[3];
    /* Hermite basis in Horner form. */
    double d = y1 - y0;
    double c2 = 3.0 * d - 2.0 * m0 - m1;
    double c3 = m0 + m1 - 2.0 * d;
    return y0 + s * (m0 + s * (c2 + s * c3));
}

/* Cumulative distribution function F(x) of the family. */
double sp_marginal_cdf(const sp_marginal *m, double x);

/* Quantile function F^-1(p) for p in (0, 1). */
double sp_marginal_quantile(const sp_marginal *m, double p);

/* Mean and variance of the family (0 and 1 except for split_normal). */
double sp_marginal_mean(const sp_marginal *m);
double sp_marginal_variance(const sp_marginal *m);

#endif /* SP_MARGINAL_H */
