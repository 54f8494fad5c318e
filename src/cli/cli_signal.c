/*
 * cli_signal: the handler of SIGINT and SIGTERM, and forwarding to child
 * processes.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli_signal.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#include "cli_args.h"

/* A lock-free atomic may be stored from a signal handler (C11 7.14.1.1). */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic int must be lock-free");

static atomic_int caught = 0;
static simplan_cancel *request = NULL;
static const volatile pid_t *forward_pids = NULL;
static volatile size_t forward_n = 0;

/* Records the signal, stops the library's computation and passes SIGTERM
 * on to the named children; all three are async-signal-safe. */
static void on_signal(int sig)
{
    atomic_store(&caught, sig);
    simplan_cancel_request_signal(request, sig);
    const volatile pid_t *pids = forward_pids;
    size_t n = forward_n;
    for (size_t i = 0; pids != NULL && i < n; i++)
        if (pids[i] > 0)
            kill(pids[i], SIGTERM);
}

simplan_cancel *cli_signal_catch(void)
{
    if (request == NULL)
        request = simplan_cancel_new();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return request;
}

int cli_signal_caught(void)
{
    return atomic_load(&caught);
}

void cli_signal_forward(const pid_t *pids, size_t n)
{
    forward_n = 0; /* never a count beyond the array being replaced */
    forward_pids = pids;
    forward_n = pids != NULL ? n : 0;
}

simplan_status cli_signal_error(simplan_error *err, const char *what)
{
    return cli_error(err, SIMPLAN_ERR_IO, NULL, 0, NULL,
                     "interrupted by signal %d; %s", atomic_load(&caught),
                     what);
}
