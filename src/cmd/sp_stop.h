/*
 * sp_stop: the stop flag a long computation polls between its steps.
 *
 * run, solve, sweep and the analyses after a run check an atomic flag
 * between blocks of draws, between evaluations and before anything is
 * published. A signal handler of the host stores the signal's number in
 * it (simplan_cancel_request_signal), another thread SP_STOP_CANCEL
 * (simplan_cancel_request); a lock-free atomic may be stored from a
 * signal handler (C11 7.14.1.1). A computation that stops this way
 * leaves its result directory as it was.
 */
#ifndef SP_STOP_H
#define SP_STOP_H

#include <stdatomic.h>

#include "sp_status.h"

/* The value a cancel request stores; a signal stores its number (> 0). */
#define SP_STOP_CANCEL (-1)

/* SP_OK while `flag` is NULL or 0; otherwise the error of a stopped
 * computation: SP_ERR_IO "interrupted by signal N; <what>" for a signal,
 * SP_ERR_CANCELLED "cancelled; <what>" for a cancel request. */
sp_status sp_stop_check(const atomic_int *flag, sp_error *err,
                        const char *what);

#endif /* SP_STOP_H */
