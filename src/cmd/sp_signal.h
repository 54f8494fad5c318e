/*
 * sp_signal: SIGINT and SIGTERM as a stop request that the commands poll.
 *
 * A long command (run, solve, sweep, batch) installs the handler once and
 * checks sp_signal_caught() between its steps: between blocks of draws,
 * between the steps after the simulation, between evaluations, before
 * anything is published. A command that stops this way leaves the result
 * directory as it was and fails with SP_ERR_IO (exit 3). A command with
 * child processes names them with sp_signal_forward, and the handler
 * passes the signal on to them at once, so that none keeps running.
 */
#ifndef SP_SIGNAL_H
#define SP_SIGNAL_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>

#include "sp_status.h"

/* Installs the handler for SIGINT and SIGTERM (without SA_RESTART, so a
 * blocking wait returns early with EINTR). */
void sp_signal_catch(void);

/* The signal caught since sp_signal_catch, or 0. */
int sp_signal_caught(void);

/* The flag itself, for code below the commands that checks it between its
 * own steps (the result writer before each file and before publishing). */
const atomic_int *sp_signal_flag(void);

/* The children the handler sends SIGTERM to when a signal arrives: `pids`
 * (n entries; 0 or negative entries are skipped) stays owned by the
 * caller and must live until sp_signal_forward(NULL, 0). */
void sp_signal_forward(const pid_t *pids, size_t n);

/* The value a cancel request (simplan_cancel_request) stores in a stop
 * flag; a signal stores its number, which is positive. */
#define SP_STOP_CANCEL (-1)

/* SP_OK while `flag` is NULL or 0; otherwise the error of a stopped
 * computation: SP_ERR_IO "interrupted by signal N; <what>" for a signal,
 * SP_ERR_CANCELLED "cancelled; <what>" for a cancel request. */
sp_status sp_stop_check(const atomic_int *flag, sp_error *err,
                        const char *what);

/* SP_ERR_IO "interrupted by signal N; <what>" for a stopped command. */
sp_status sp_signal_error(sp_error *err, const char *what);

#endif /* SP_SIGNAL_H */
