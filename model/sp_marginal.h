/*
 * sp_marginal: the marginal families of the yearly innovations eps[t].
 *
 * Innovations are generated as standard normals z (correlated across
 * indicators by the Gaussian copula) and mapped to each indicator's family by
 * eps = F^-1(Phi(z)) (DESIGN.md 2.2). The families:
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

/* Family name as written in scenario files ("split_normal"). */
const char *sp_family_name(sp_family family);

/* Parses a family name; returns false if unknown. */
bool sp_family_parse(const char *name, sp_family *family);

/* Maps a standard normal z to the family: F^-1(Phi(z)). Accurate in both
 * tails (upper-tail probabilities are computed as Phi(-z), not 1 - Phi(z)). */
double sp_marginal_from_normal(const sp_marginal *m, double z);

/* Cumulative distribution function F(x) of the family. */
double sp_marginal_cdf(const sp_marginal *m, double x);

/* Quantile function F^-1(p) for p in (0, 1). */
double sp_marginal_quantile(const sp_marginal *m, double p);

/* Mean and variance of the family (0 and 1 except for split_normal). */
double sp_marginal_mean(const sp_marginal *m);
double sp_marginal_variance(const sp_marginal *m);

#endif /* SP_MARGINAL_H */
