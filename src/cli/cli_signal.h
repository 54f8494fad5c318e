/*
 * cli_signal: SIGINT and SIGTERM as a stop request.
 *
 * A long command (run, solve, sweep, batch) installs the handler once; it
 * passes the signal to the library's stop request (a simplan_cancel given
 * to every computation: simplan_cancel_request_signal, async-signal-safe),
 * which stops the work at its next step and fails with "interrupted by
 * signal N" (exit 3), leaving any result directory as it was. A command
 * with child processes names them with cli_signal_forward, and the
 * handler passes the signal on to them at once, so that none keeps
 * running.
 */
#ifndef CLI_SIGNAL_H
#define CLI_SIGNAL_H

#include <stddef.h>
#include <sys/types.h>

#include "simplan.h"

/* Installs the handler for SIGINT and SIGTERM (without SA_RESTART, so a
 * blocking wait returns early with EINTR) and returns the stop request it
 * sets (NULL when out of memory: then signals end the process). */
simplan_cancel *cli_signal_catch(void);

/* The signal caught since cli_signal_catch, or 0. */
int cli_signal_caught(void);

/* The children the handler sends SIGTERM to when a signal arrives: `pids`
 * (n entries; 0 or negative entries are skipped) stays owned by the
 * caller and must live until cli_signal_forward(NULL, 0). */
void cli_signal_forward(const pid_t *pids, size_t n);

/* SIMPLAN_ERR_IO "interrupted by signal N; <what>" for a stopped command. */
simplan_status cli_signal_error(simplan_error *err, const char *what);

#endif /* CLI_SIGNAL_H */
