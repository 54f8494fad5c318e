/*
 * sp_marginal: copula transforms, cdf and quantile of the marginal families.
 */
#include "sp_marginal.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Indexed by sp_family. */
static const sp_family_info families[] = {
    {SP_FAMILY_NORMAL, "normal", 0, {{0}}},
    {SP_FAMILY_T,
     "t",
     1,
     {{"df",
       {2.0, HUGE_VAL, true, true},
       "so the variance is finite",
       5.0,
       2.1,
       100.0,
       offsetof(sp_marginal, df)}}},
    {SP_FAMILY_UNIFORM, "uniform", 0, {{0}}},
    {SP_FAMILY_SPLIT_NORMAL,
     "split_normal",
     1,
     {{"skew",
       {-1.0, 1.0, true, true},
       "",
       0.3,
       -0.95,
       0.95,
       offsetof(sp_marginal, skew)}}},
};

size_t sp_family_count(void)
{
    return sizeof families / sizeof families[0];
}

const sp_family_info *sp_family_info_of(sp_family family)
{
    return &families[family];
}

const char *sp_family_name(sp_family family)
{
    return families[family].name;
}

bool sp_family_parse(const char *name, sp_family *family)
{
    for (size_t i = 0; i < sp_family_count(); i++) {
        if (strcmp(name, families[i].name) == 0) {
            *family = families[i].family;
            return true;
        }
    }
    return false;
}

double *sp_marginal_param(sp_marginal *m, const sp_family_param *p)
{
    return (double *)(void *)((char *)m + p->offset);
}

double sp_marginal_param_value(const sp_marginal *m, const sp_family_param *p)
{
    return *(const double *)(const void *)((const char *)m + p->offset);
}

void sp_marginal_set_default(sp_marginal *m, sp_family family)
{
    const sp_family_info *f = sp_family_info_of(family);
    *m = (sp_marginal){.family = family};
    for (size_t k = 0; k < f->n_params; k++)
        *sp_marginal_param(m, &f->params[k]) = f->params[k].dflt;
}

/* Scale that gives the t distribution with `df` degrees of freedom unit
 * variance: Var(T) = df / (df - 2). */
static double t_scale(double df)
{
    return sqrt((df - 2.0) / df);
}

/* Left and right standard deviations of the two-piece normal. */
static void split_sigmas(double skew, double *s1, double *s2)
{
    *s1 = 1.0 / sqrt(1.0 + skew);
    *s2 = 1.0 / sqrt(1.0 - skew);
}

/* Split normal from a probability pair (p, q = 1 - p), both given so that the
 * tail that matters is computed without cancellation. The density is
 * 2/(s1+s2) phi(x/s_side); P(X < 0) = s1 / (s1 + s2). */
static double split_from_pq(double skew, double p, double q)
{
    double s1, s2;
    split_sigmas(skew, &s1, &s2);
    double p0 = s1 / (s1 + s2);
    if (p <= p0)
        return s1 * gsl_cdf_ugaussian_Pinv(p * (s1 + s2) / (2.0 * s1));
    return s2 * gsl_cdf_ugaussian_Qinv(q * (s1 + s2) / (2.0 * s2));
}

double sp_marginal_from_normal(const sp_marginal *m, double z)
{
    switch (m->family) {
    case SP_FAMILY_NORMAL:
        return z;
    case SP_FAMILY_T:
        /* Symmetric: use the lower tail for z < 0 and mirror for z >= 0. */
        if (z < 0.0)
            return t_scale(m->df) *
                   gsl_cdf_tdist_Pinv(gsl_cdf_ugaussian_P(z), m->df);
        return -t_scale(m->df) *
               gsl_cdf_tdist_Pinv(gsl_cdf_ugaussian_P(-z), m->df);
    case SP_FAMILY_UNIFORM:
        if (z < 0.0)
            return M_SQRT3 * (2.0 * gsl_cdf_ugaussian_P(z) - 1.0);
        return M_SQRT3 * (1.0 - 2.0 * gsl_cdf_ugaussian_P(-z));
    case SP_FAMILY_SPLIT_NORMAL:
        return split_from_pq(m->skew, gsl_cdf_ugaussian_P(z),
                             gsl_cdf_ugaussian_Q(z));
    }
    return z;
}

double sp_marginal_cdf(const sp_marginal *m, double x)
{
    switch (m->family) {
    case SP_FAMILY_NORMAL:
        return gsl_cdf_ugaussian_P(x);
    case SP_FAMILY_T:
        return gsl_cdf_tdist_P(x / t_scale(m->df), m->df);
    case SP_FAMILY_UNIFORM:
        if (x <= -M_SQRT3)
            return 0.0;
        if (x >= M_SQRT3)
            return 1.0;
        return (x + M_SQRT3) / (2.0 * M_SQRT3);
    case SP_FAMILY_SPLIT_NORMAL: {
        double s1, s2;
        split_sigmas(m->skew, &s1, &s2);
        if (x < 0.0)
            return 2.0 * s1 / (s1 + s2) * gsl_cdf_ugaussian_P(x / s1);
        return 1.0 - 2.0 * s2 / (s1 + s2) * gsl_cdf_ugaussian_Q(x / s2);
    }
    }
    return gsl_cdf_ugaussian_P(x);
}

double sp_marginal_quantile(const sp_marginal *m, double p)
{
    switch (m->family) {
    case SP_FAMILY_NORMAL:
        return gsl_cdf_ugaussian_Pinv(p);
    case SP_FAMILY_T:
        return t_scale(m->df) * gsl_cdf_tdist_Pinv(p, m->df);
    case SP_FAMILY_UNIFORM:
        return M_SQRT3 * (2.0 * p - 1.0);
    case SP_FAMILY_SPLIT_NORMAL:
        return split_from_pq(m->skew, p, 1.0 - p);
    }
    return gsl_cdf_ugaussian_Pinv(p);
}

double sp_marginal_mean(const sp_marginal *m)
{
    if (m->family != SP_FAMILY_SPLIT_NORMAL)
        return 0.0;
    double s1, s2;
    split_sigmas(m->skew, &s1, &s2);
    return sqrt(2.0 / M_PI) * (s2 - s1);
}

double sp_marginal_variance(const sp_marginal *m)
{
    if (m->family != SP_FAMILY_SPLIT_NORMAL)
        return 1.0;
    /* Two-piece normal (John 1982): Var = (1 - 2/pi)(s2 - s1)^2 + s1 s2. */
    double s1, s2;
    split_sigmas(m->skew, &s1, &s2);
    return (1.0 - 2.0 / M_PI) * (s2 - s1) * (s2 - s1) + s1 * s2;
}

/* Density f(x) of the family. */
static double density(const sp_marginal *m, double x)
{
    switch (m->family) {
    case SP_FAMILY_NORMAL:
        return gsl_ran_ugaussian_pdf(x);
    case SP_FAMILY_T: {
        double c = t_scale(m->df);
        return gsl_ran_tdist_pdf(x / c, m->df) / c;
    }
    case SP_FAMILY_UNIFORM:
        return 1.0 / (2.0 * M_SQRT3);
    case SP_FAMILY_SPLIT_NORMAL: {
        double s1, s2;
        split_sigmas(m->skew, &s1, &s2);
        double s = x < 0.0 ? s1 : s2;
        return 2.0 / (s1 + s2) * gsl_ran_ugaussian_pdf(x / s);
    }
    }
    return gsl_ran_ugaussian_pdf(x);
}

/* z where g changes formula: the split normal's mode, 0 otherwise. */
static double kink(const sp_marginal *m)
{
    if (m->family != SP_FAMILY_SPLIT_NORMAL)
        return 0.0;
    double s1, s2;
    split_sigmas(m->skew, &s1, &s2);
    return gsl_cdf_ugaussian_Pinv(s1 / (s1 + s2));
}

/* Fills the nodes for spacing h and returns the largest relative error at
 * the 1/4, 1/2 and 3/4 points of every interval. */
static double fill_table(sp_marginal_table *t)
{
    for (size_t k = 0; k <= t->n; k++) {
        double z = t->z0 + (double)k * t->h;
        double g = sp_marginal_from_normal(&t->marginal, z);
        t->node[2 * k] = g;
        t->node[2 * k + 1] =
            t->h * gsl_ran_ugaussian_pdf(z) / density(&t->marginal, g);
    }
    double worst = 0.0;
    for (size_t k = 0; k < t->n; k++)
        for (int j = 1; j <= 3; j++) {
            double z = t->z0 + ((double)k + 0.25 * j) * t->h;
            double exact = sp_marginal_from_normal(&t->marginal, z);
            double err = fabs(sp_marginal_table_eval(t, z) - exact) /
                         (1.0 + fabs(exact));
            if (!(err <= worst))
                worst = err;
        }
    return worst;
}

bool sp_marginal_table_alloc(const sp_marginal *m, sp_marginal_table **out)
{
    double zk = kink(m);
    *out = NULL;
    for (double h = 1.0 / 32.0; h >= 1.0 / 2048.0; h /= 2.0) {
        sp_marginal_table *t = calloc(1, sizeof *t);
        if (t == NULL)
            return false;
        t->marginal = *m;
        t->h = h;
        t->inv_h = 1.0 / h;
        /* Nodes at zk + j h, covering [-ZMAX, ZMAX]. */
        double below = ceil((zk + SP_TABLE_ZMAX) / h);
        double above = ceil((SP_TABLE_ZMAX - zk) / h);
        t->z0 = zk - below * h;
        t->n = (size_t)(below + above);
        t->node = malloc(2 * (t->n + 1) * sizeof *t->node);
        if (t->node == NULL) {
            free(t);
            return false;
        }
        t->max_error = fill_table(t);
        if (t->max_error <= SP_TABLE_TOL) {
            *out = t;
            return true;
        }
        sp_marginal_table_free(t);
    }
    return true;
}

void sp_marginal_table_free(sp_marginal_table *t)
{
    if (t == NULL)
        return;
    free(t->node);
    free(t);
}
