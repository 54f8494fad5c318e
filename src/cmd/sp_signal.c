/*
 * sp_signal: the stop flag set by SIGINT and SIGTERM, and forwarding to
 * child processes.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_signal.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t caught = 0;
static const volatile pid_t *forward_pids = NULL;
static volatile size_t forward_n = 0;

/* Records the signal and passes SIGTERM on to the named children; kill()
 * is async-signal-safe. */
static void on_signal(int sig)
{
    caught = sig;
    const volatile pid_t *pids = forward_pids;
    size_t n = forward_n;
    for (size_t i = 0; pids != NULL && i < n; i++)
        if (pids[i] > 0)
            kill(pids[i], SIGTERM);
}

void sp_signal_catch(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int sp_signal_caught(void)
{
    return (int)caught;
}

volatile sig_atomic_t *sp_signal_flag(void)
{
    return &caught;
}

void sp_signal_forward(const pid_t *pids, size_t n)
{
    forward_n = 0; /* never a count beyond the array being replaced */
    forward_pids = pids;
    forward_n = pids != NULL ? n : 0;
}

sp_status sp_signal_error(sp_error *err, const char *what)
{
    return sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                        "interrupted by signal %d; %s", (int)caught, what);
}
