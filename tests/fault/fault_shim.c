/*
 * fault_shim: an LD_PRELOAD library that makes the Nth call of a system
 * function fail, for the fault tests of the result writer
 * (tests/cli/test_faults.sh).
 *
 * SP_FAULT=KIND:N[:ERRNO] makes the Nth call (1-based, counted from the
 * start of the process) of KIND fail, and with a trailing "+" every call
 * from the Nth on. KIND is write, fsync or close (counted only on regular
 * files open for writing as descriptor 3 or higher, so the terminal,
 * pipes and files being read keep working), io (those three counted together) or malloc (malloc, calloc
 * and realloc together). ERRNO is ENOSPC (the default), EIO or EDQUOT;
 * malloc fails with ENOMEM. SP_FAULT_LOG=FILE appends one line per
 * injected failure, so a test can tell that a fault was reached.
 *
 * A forked child inherits the counters as they were at the fork. The
 * shim is not built into sanitizer builds (AddressSanitizer must be the
 * first library loaded).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

typedef enum { K_NONE, K_WRITE, K_FSYNC, K_CLOSE, K_IO, K_MALLOC } kind;

static struct {
    bool parsed;
    kind kind;
    long n;      /* the call that fails */
    bool onward; /* and every later one */
    int err;     /* errno to fail with */
    long count;  /* calls seen so far */
    bool in_log; /* writing the log: not counted */
} cfg;

/* Reads SP_FAULT once; getenv does not allocate. */
static void parse(void)
{
    if (cfg.parsed)
        return;
    cfg.parsed = true;
    cfg.err = ENOSPC;
    const char *s = getenv("SP_FAULT");
    if (s == NULL)
        return;
    static const struct {
        const char *name;
        kind k;
    } kinds[] = {{"write:", K_WRITE},
                 {"fsync:", K_FSYNC},
                 {"close:", K_CLOSE},
                 {"io:", K_IO},
                 {"malloc:", K_MALLOC}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t len = strlen(kinds[i].name);
        if (strncmp(s, kinds[i].name, len) != 0)
            continue;
        char *end;
        cfg.n = strtol(s + len, &end, 10);
        cfg.onward = *end == '+';
        end += cfg.onward;
        if (strcmp(end, ":EIO") == 0)
            cfg.err = EIO;
        else if (strcmp(end, ":EDQUOT") == 0)
            cfg.err = EDQUOT;
        cfg.kind = cfg.n > 0 ? kinds[i].k : K_NONE;
    }
}

/* Appends a line to SP_FAULT_LOG, if set. */
static void log_fault(const char *what)
{
    const char *path = getenv("SP_FAULT_LOG");
    if (path == NULL || cfg.in_log)
        return;
    cfg.in_log = true;
    int (*real_open)(const char *, int, ...) = dlsym(RTLD_NEXT, "open");
    ssize_t (*real_write)(int, const void *, size_t) =
        dlsym(RTLD_NEXT, "write");
    int (*real_close)(int) = dlsym(RTLD_NEXT, "close");
    int fd = real_open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        char line[96];
        int n = snprintf(line, sizeof line, "%s %ld pid %ld\n", what, cfg.count,
                         (long)getpid());
        if (n > 0 && real_write(fd, line, (size_t)n) < 0)
            n = 0;
        real_close(fd);
    }
    cfg.in_log = false;
}

/* Counts a call of kind k; true when it must fail. */
static bool hit(kind k, const char *what)
{
    parse();
    if (cfg.kind == K_NONE || cfg.in_log ||
        !(cfg.kind == k || (cfg.kind == K_IO && k != K_MALLOC)))
        return false;
    cfg.count++;
    bool fail = cfg.count == cfg.n || (cfg.onward && cfg.count > cfg.n);
    if (fail && k != K_MALLOC)
        log_fault(what);
    return fail;
}

/* Only regular files open for writing, from descriptor 3 on, are
 * counted: closing a file that was only read cannot lose data. */
static bool counted_fd(int fd)
{
    struct stat sb;
    int flags = fd > 2 ? fcntl(fd, F_GETFL) : -1;
    return flags >= 0 && (flags & O_ACCMODE) != O_RDONLY &&
           fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
}

ssize_t write(int fd, const void *buf, size_t size)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (real == NULL)
        real = dlsym(RTLD_NEXT, "write");
    if (counted_fd(fd) && hit(K_WRITE, "write")) {
        errno = cfg.err;
        return -1;
    }
    return real(fd, buf, size);
}

int fsync(int fd)
{
    static int (*real)(int);
    if (real == NULL)
        real = dlsym(RTLD_NEXT, "fsync");
    if (counted_fd(fd) && hit(K_FSYNC, "fsync")) {
        errno = cfg.err;
        return -1;
    }
    return real(fd);
}

int close(int fd)
{
    static int (*real)(int);
    if (real == NULL)
        real = dlsym(RTLD_NEXT, "close");
    if (counted_fd(fd) && hit(K_CLOSE, "close")) {
        real(fd); /* the descriptor is gone, as after a real failure */
        errno = cfg.err;
        return -1;
    }
    return real(fd);
}

void *malloc(size_t size)
{
    if (hit(K_MALLOC, "malloc")) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    if (hit(K_MALLOC, "calloc")) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    if (hit(K_MALLOC, "realloc")) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_realloc(p, size);
}
