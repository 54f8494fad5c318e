/*
 * sp_fit: maximum-likelihood estimates of an indicator's yearly process
 * from its history.
 *
 * The model's innovations (sp_model.h) follow an AR(1) around the path
 * mean: r[t] = mean + e[t], e[t] = ar1 e[t-1] + sd eps[t]. Fitted to a
 * historical series x (annual growth rates of a rate indicator, or annual
 * increments of a share), that is the stationary Gaussian AR(1) with
 * constant
 *
 *   x[t] - mu = phi (x[t-1] - mu) + sigma z[t],   z ~ N(0, 1), |phi| < 1,
 *
 * observed in years y_1 < ... < y_n that may have gaps. Its exact
 * likelihood (not the conditional least-squares shortcut) factors into
 * the stationary density of the first value and the k-year transitions:
 * with k_j = y_j - y_{j-1},
 *
 *   d_1 = x_1 - mu,                          v_1 = 1 / (1 - phi^2)
 *   d_j = x_j - mu - phi^k_j (x_{j-1} - mu), v_j = (1 - phi^(2 k_j)) / (1 - phi^2)
 *   log L = -n/2 log(2 pi sigma^2) - 1/2 sum log v_j - sum d_j^2 / (2 sigma^2 v_j).
 *
 * For a given phi the maximising mu (generalised least squares) and sigma^2
 * (the mean of d_j^2 / v_j) are closed forms, so the estimate maximises the
 * profile likelihood over phi alone (Brent's method, gsl_min, over
 * (-0.99, 0.99)). Standard errors come from the observed information: the
 * inverse of minus the Hessian of log L at the estimate, by central
 * differences in (mu, phi, sigma).
 *
 * (doc/model.md §13.2.) What the data cannot identify: with fewer than SP_FIT_MIN_N values the
 * estimate is refused; phi near +-0.99 (the bound) means the series looks
 * non-stationary and its mean is then poorly defined (reported through a
 * large mu_se and the `at_bound` flag).
 */
#ifndef SP_FIT_H
#define SP_FIT_H

#include <stdbool.h>
#include <stddef.h>

#include "sp_status.h"

#define SP_FIT_MIN_N     10   /* fewest values a fit accepts */
#define SP_FIT_PHI_BOUND 0.99 /* |phi| searched within this bound */

/* An AR(1) estimate with its standard errors. */
typedef struct {
    size_t n;                       /* values used */
    double mu, phi, sigma;          /* estimates */
    double mu_se, phi_se, sigma_se; /* from the observed information;
                                       NaN if it is not positive definite */
    double loglik;                  /* log L at the estimate */
    bool at_bound;                  /* phi at +-SP_FIT_PHI_BOUND */
} sp_fit_ar1;

/* The exact Gaussian log-likelihood above of values x[0..n) observed in
 * strictly increasing years year[0..n) (NULL: consecutive years). Returns
 * -HUGE_VAL for |phi| >= 1 or sigma <= 0. */
double sp_fit_ar1_loglik(const double *x, const int *year, size_t n, double mu,
                         double phi, double sigma);

/* Fits the AR(1) by maximum likelihood. SP_ERR_RANGE if n < SP_FIT_MIN_N,
 * if the years are not strictly increasing, or if a value is not finite;
 * SP_ERR_NUMERIC if the series is constant (sigma would be 0). */
sp_status sp_fit_ar1_mle(const double *x, const int *year, size_t n,
                         sp_fit_ar1 *out, sp_error *err);

/* The innovations implied by an estimate, standardised: z_j = d_j /
 * (sigma sqrt(v_j)), for each j >= 1 (the first value has none); z[0] is
 * NaN. For correlations between indicators' innovations over their common
 * years. */
void sp_fit_ar1_innovations(const double *x, const int *year, size_t n,
                            const sp_fit_ar1 *fit, double *z);

/* Pearson correlation of a[0..n) and b[0..n) with its asymptotic standard
 * error (1 - rho^2) / sqrt(n); SP_ERR_RANGE if n < 3 or a variance is 0. */
sp_status sp_fit_correlation(const double *a, const double *b, size_t n,
                             double *rho, double *rho_se, sp_error *err);

/* Variance of the mean of e[1..h] for the AR(1) e[t] = phi e[t-1] +
 * sigma eps[t] started at e[0] = 0 (the model's state at a plan's base):
 *   Var(mean) = sigma^2 / h^2 sum_{j=1..h} ((1 - phi^(h-j+1)) / (1 - phi))^2
 * (the bracket is h-j+1 when phi = 1). */
double sp_fit_ar1_mean_var(double sigma, double phi, int h);

#define SP_FIT_TREND_MIN_N 3 /* fewest departures trend_sd accepts */

/* trend_sd from departures of realised multi-year mean rates from what
 * was expected at the start of their period (doc/model.md §13.5). With
 * D_k = u_k + ebar_k, u_k ~ N(0, tau^2) the trend shift and ebar_k the AR
 * noise of the period mean with known variance V_k,
 *   E[D_k^2] = tau^2 + V_k,
 * so tau^2 is estimated by the method of moments about zero,
 *   tau^2 = max(0, mean(D^2) - mean(V)),
 * (about zero, not about the mean departure: a systematic departure is
 * part of the uncertainty of the expectation). Its standard error is the
 * delta method's, se(tau^2) = mean(D^2) sqrt(2 / n), se(tau) = se(tau^2) /
 * (2 tau) (NaN when tau = 0), and the `level` interval (e.g. 0.9) comes
 * from n mean(D^2) / (tau^2 + mean V) ~ chi^2_n, exact for normal D with
 * equal V_k. */
typedef struct {
    size_t n;         /* departures used */
    double mean_sq;   /* mean(D^2) */
    double bias;      /* mean(D) */
    double bias_se;   /* sd(D) / sqrt(n), NaN for n < 2 */
    double noise_var; /* mean(V) */
    double tau, tau_se;
    double tau_lo, tau_hi; /* the interval at `level` */
    double level;
} sp_fit_trend;

/* SP_ERR_RANGE if n < SP_FIT_TREND_MIN_N, a value is not finite, V_k < 0
 * or level is not in (0, 1). */
sp_status sp_fit_trend_sd(const double *departure, const double *noise_var,
                          size_t n, double level, sp_fit_trend *out,
                          sp_error *err);

#endif /* SP_FIT_H */
