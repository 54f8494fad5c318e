/*
 * Shared includes and helpers of the cmocka unit tests.
 */
#ifndef SP_TEST_H
#define SP_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

/* Asserts |a - b| <= tol, printing the values when it fails. */
#define assert_close(a, b, tol)                                                \
    do {                                                                       \
        double a_ = (a), b_ = (b), t_ = (tol);                                 \
        if (!(fabs(a_ - b_) <= t_))                                            \
            fail_msg("%s = %.17g, %s = %.17g, |diff| %.3g > %.3g", #a, a_, #b, \
                     b_, fabs(a_ - b_), t_);                                   \
    } while (0)

/* Asserts that an estimate lies within k standard errors of its
 * expectation. */
#define assert_within_sigma(estimate, expected, sigma, k)                      \
    do {                                                                       \
        double e_ = (estimate), x_ = (expected), s_ = (sigma);                 \
        if (!(fabs(e_ - x_) <= (k)*s_))                                        \
            fail_msg("%s = %.8g, expected %.8g: %.2f sigma (sigma %.3g, "      \
                     "tolerance %g sigma)",                                    \
                     #estimate, e_, x_, fabs(e_ - x_) / s_, s_, (double)(k));  \
    } while (0)

#endif /* SP_TEST_H */
