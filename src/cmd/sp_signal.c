/*
 * sp_signal: the stop flag set by SIGINT and SIGTERM, and forwarding to
 * child processes.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_signal.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>

/* A lock-free atomic may be stored from a signal handler (C11 7.14.1.1)
 * and read from any thread. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic int must be lock-free");

static atomic_int caught = 0;
static const volatile pid_t *forward_pids = NULL;
static volatile size_t forward_n = 0;

/* Records the signal and passes SIGTERM on to the named children; kill()
 * is async-signal-safe. */
static void on_signal(int sig)
{
    atomic_store(&caught, sig);
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
    return atomic_load(&caught);
}

const atomic_int *sp_signal_flag(void)
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
                        "interrupted by signal %d; %s", atomic_load(&caught),
                        what);
}

sp_status sp_stop_check(const atomic_int *flag, sp_error *err, const char *what)
{
    int v = flag != NULL ? atomic_load(flag) : 0;
    if (v == 0)
        return SP_OK;
    if (v == SP_STOP_CANCEL)
        return sp_error_set(err, SP_ERR_CANCELLED, NULL, 0, NULL,
                            "cancelled; %s", what);
    return sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                        "interrupted by signal %d; %s", v, what);
}
