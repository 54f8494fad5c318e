/*
 * pause_shim: an LD_PRELOAD library that holds a process at a known step
 * so that a test can send it a real signal there, without any timing.
 *
 * The SP_PAUSE_AT-th call (default 1) of gsl_rng_alloc in the process --
 * one per Monte Carlo run with --threads 1 (sp_mc_alloc), and one when
 * scenario discovery simulates again -- creates the file
 * "$SP_PAUSE_MARK.<pid>" and then sleeps until a signal arrives (at most
 * 120 s), before doing the real allocation. Without SP_PAUSE_MARK it does
 * nothing.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

gsl_rng *gsl_rng_alloc(const gsl_rng_type *type)
{
    static int calls = 0;
    gsl_rng *(*real)(const gsl_rng_type *);
    *(void **)&real = dlsym(RTLD_NEXT, "gsl_rng_alloc");
    const char *mark = getenv("SP_PAUSE_MARK");
    const char *at = getenv("SP_PAUSE_AT");
    int n = __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
    if (mark != NULL && n == (at ? atoi(at) : 1)) {
        char path[4096];
        snprintf(path, sizeof path, "%s.%ld", mark, (long)getpid());
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd >= 0)
            close(fd);
        sleep(120); /* returns early when a signal is handled */
    }
    return real(type);
}
