/*
 * sp_output: result directories written privately and published in one
 * step (see sp_output.h for the contract).
 *
 * All file operations go through directory descriptors: the private
 * directory is opened once (O_DIRECTORY | O_NOFOLLOW) and every file is
 * created in it with openat(O_CREAT | O_EXCL | O_NOFOLLOW), so no name
 * anybody planted is followed or reused. A file's content is formatted in
 * memory first and then written with write(2), so every error of the
 * write, the fsync and the close is seen and named. The old run that an
 * exchange moves out is removed with unlinkat, never following a link.
 */
#define _GNU_SOURCE /* renameat2 */
#include "sp_output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef SIMPLAN_HAVE_PLOTS
#include "sp_plot.h"
#endif

#define MAX_DEPTH 8 /* deepest tree an old run is removed from (batch: 2) */

struct sp_output {
    const sp_output_options *o;
    int parent_fd;           /* DIR's parent */
    int fd;                  /* the private directory */
    char base[NAME_MAX + 1]; /* DIR's last component */
    char priv[NAME_MAX + 1]; /* the private directory's name in parent */
    mode_t dir_mode;         /* mode of a published directory */
    bool published;          /* priv is now DIR */
    bool owns;               /* DIR is one this writer published */
    bool existed;            /* DIR held a run when the writer began */
    bool aside;              /* a checkpoint is at DIR.resume */
    char aside_dir[4096];    /* "DIR.resume", for messages */
    char warning[512];       /* a failed chart stage, or "" */
};

/* ---- errors ---------------------------------------------------------------- */

static sp_status io_fail(sp_error *err, const char *what, const char *dir,
                         const char *name, int e)
{
    return sp_error_set(err, SP_ERR_IO, NULL, 0, NULL, "%s %s%s%s: %s", what,
                        dir, name ? "/" : "", name ? name : "", strerror(e));
}

/* SP_ERR_IO when a signal asked to stop; DIR is left as it was. */
static sp_status check_stop(const sp_output *w, sp_error *err)
{
    if (w->o->stop == NULL || atomic_load(w->o->stop) == 0)
        return SP_OK;
    return sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                        "interrupted by signal %d before the results were "
                        "saved; %s is as it was",
                        atomic_load(w->o->stop), w->o->dir);
}

/* ---- private directories --------------------------------------------------- */

/* Splits o->dir into its parent (opened into w->parent_fd) and its last
 * component; trailing slashes are ignored. */
static sp_status split_dir(sp_output *w, sp_error *err)
{
    const char *dir = w->o->dir;
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    size_t cut = len;
    while (cut > 0 && dir[cut - 1] != '/')
        cut--;
    size_t blen = len - cut;
    if (blen == 0 || blen > NAME_MAX - 8 || (blen == 1 && dir[cut] == '.') ||
        (blen == 2 && dir[cut] == '.' && dir[cut + 1] == '.'))
        return sp_error_set(err, blen > NAME_MAX - 8 ? SP_ERR_IO : SP_ERR_USAGE,
                            NULL, 0, "--out", "%s: %s",
                            blen == 0 || blen <= 2
                                ? "give a directory name to create"
                                : "the directory name is too long",
                            dir);
    memcpy(w->base, dir + cut, blen);
    w->base[blen] = '\0';
    char parent[PATH_MAX];
    if (cut == 0)
        snprintf(parent, sizeof parent, ".");
    else if (cut - 1 >= sizeof parent)
        return sp_error_set(err, SP_ERR_IO, NULL, 0, "--out",
                            "the path is too long: %s", dir);
    else
        snprintf(parent, sizeof parent, "%.*s", cut == 1 ? 1 : (int)cut - 1,
                 dir);
    w->parent_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (w->parent_fd < 0)
        return io_fail(err, "cannot open the directory that holds", dir, NULL,
                       errno);
    return SP_OK;
}

/* Creates a fresh private directory ".BASE.XXXXXX" beside DIR; its name
 * goes to `name` (NAME_MAX + 1 bytes), an open descriptor to *fd. */
static sp_status make_private(sp_output *w, char *name, int *fd, sp_error *err)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^
                 (uint64_t)(uintptr_t)name;
    for (int attempt = 0; attempt < 100; attempt++) {
        char suffix[7];
        for (int i = 0; i < 6; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            suffix[i] = chars[(x >> 33) % (sizeof chars - 1)];
        }
        suffix[6] = '\0';
        snprintf(name, NAME_MAX + 1, ".%s.%s", w->base, suffix);
        if (mkdirat(w->parent_fd, name, 0700) != 0) {
            if (errno == EEXIST)
                continue;
            return io_fail(err, "cannot create a directory beside", w->o->dir,
                           NULL, errno);
        }
        *fd = openat(w->parent_fd, name,
                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (*fd >= 0)
            return SP_OK;
        return io_fail(err, "cannot open a directory beside", w->o->dir, NULL,
                       errno);
    }
    return sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                        "cannot find a free temporary name beside %s",
                        w->o->dir);
}

/* Removes `name` in directory `dfd` and, if it is a directory, all it
 * holds; never follows a symbolic link. Best effort. */
static void remove_tree(int dfd, const char *name, int depth)
{
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        unlinkat(dfd, name, 0);
        return;
    }
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        struct stat sb;
        if (fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISDIR(sb.st_mode) && depth < MAX_DEPTH)
            remove_tree(fd, de->d_name, depth + 1);
        else
            unlinkat(fd, de->d_name, 0);
    }
    closedir(d);
    unlinkat(dfd, name, AT_REMOVEDIR);
}

/* Refuses a DIR that is a link or not a directory, or exists without
 * force (unless `replace`). */
static sp_status check_target(const sp_output *w, bool replace, sp_error *err)
{
    struct stat sb;
    if (fstatat(w->parent_fd, w->base, &sb, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT
                   ? SP_OK
                   : io_fail(err, "cannot look at", w->o->dir, NULL, errno);
    if (S_ISLNK(sb.st_mode))
        return sp_error_set(err, SP_ERR_IO, w->o->dir, 0, "--out",
                            "is a symbolic link; give the directory itself");
    if (!S_ISDIR(sb.st_mode))
        return sp_error_set(err, SP_ERR_IO, w->o->dir, 0, "--out",
                            "exists and is not a directory");
    if (!replace)
        return sp_error_set(err, SP_ERR_IO, w->o->dir, 0, "--out",
                            "the directory exists; choose a new one or "
                            "add --force to overwrite its results");
    return SP_OK;
}

/* Whether directory `name` beside DIR exists (*exists) and holds nothing
 * but a state file: the checkpoint of a run, not a run's result. */
static bool state_only(const sp_output *w, const char *name, bool *exists)
{
    *exists = false;
    int fd = openat(w->parent_fd, name,
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    *exists = true;
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return false;
    }
    bool other = false;
    struct dirent *e;
    while (!other && (e = readdir(d)) != NULL)
        other = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
                strcmp(e->d_name, SP_STATE_FILE) != 0;
    closedir(d);
    return !other;
}

/* True when DIR holds a run's result (which a checkpoint never replaces),
 * not nothing or only the checkpoint of a run. */
static bool holds_a_run(const sp_output *w)
{
    bool exists;
    bool state = state_only(w, w->base, &exists);
    return exists && !state;
}

/* True when directory `name` beside DIR holds only a state file. */
static bool only_state(const sp_output *w, const char *name)
{
    bool exists;
    return state_only(w, name, &exists) && exists;
}

sp_status sp_output_begin(const sp_output_options *o, sp_output **out,
                          sp_error *err)
{
    *out = NULL;
    sp_output *w = calloc(1, sizeof *w);
    if (w == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    w->o = o;
    w->parent_fd = w->fd = -1;
    mode_t mask = umask(0);
    umask(mask);
    w->dir_mode = 0777 & ~mask;
    sp_status st = split_dir(w, err);
    if (st == SP_OK)
        st = check_target(w, o->force, err);
    w->existed = st == SP_OK && holds_a_run(w);
    if (st == SP_OK)
        st = make_private(w, w->priv, &w->fd, err);
    if (st != SP_OK) {
        sp_output_free(w);
        return st;
    }
    *out = w;
    return SP_OK;
}

void sp_output_free(sp_output *w)
{
    if (w == NULL)
        return;
    if (w->fd >= 0)
        close(w->fd);
    if (!w->published && w->priv[0] != '\0')
        remove_tree(w->parent_fd, w->priv, 0);
    if (w->parent_fd >= 0)
        close(w->parent_fd);
    free(w);
}

/* ---- files ----------------------------------------------------------------- */

/* write(2) until all of buf is written; -1 with errno on failure. */
static int write_all(int fd, const char *buf, size_t size)
{
    while (size > 0) {
        ssize_t n = write(fd, buf, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return -1;
        }
        buf += n;
        size -= (size_t)n;
    }
    return 0;
}

/* Creates file `name` in directory `dfd` exclusively and writes, syncs
 * and closes it; errors name DISPLAY/name. Removes it on failure. */
static sp_status write_at(int dfd, const char *display, const char *name,
                          const void *buf, size_t size, sp_error *err)
{
    char path[PATH_MAX];
    int len = snprintf(path, sizeof path, "%s/%s", display, name);
    if (strchr(name, '/') != NULL || name[0] == '\0')
        return sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                            "cannot write %s/%s: not a plain file name",
                            display, name);
    if (len < 0 || (size_t)len >= sizeof path)
        return sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                            "file path too long (at most %d bytes): %s/%s",
                            PATH_MAX - 1, display, name);
    int fd = openat(dfd, name,
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0)
        return io_fail(err, "cannot create", display, name, errno);
    int e = 0;
    if (write_all(fd, buf, size) != 0 || fsync(fd) != 0)
        e = errno;
    if (close(fd) != 0 && e == 0)
        e = errno;
    if (e == 0)
        return SP_OK;
    unlinkat(dfd, name, 0);
    return io_fail(err, "cannot write", display, name, e);
}

sp_status sp_output_bytes(sp_output *w, const char *name, const void *buf,
                          size_t size, sp_error *err)
{
    sp_status st = check_stop(w, err);
    if (st != SP_OK)
        return st;
    return write_at(w->fd, w->o->dir, name, buf, size, err);
}

typedef sp_status (*bytes_writer)(sp_output *w, const char *name,
                                  const void *buf, size_t size, sp_error *err);

/* Serialises state `s` and hands it to `put` as SP_STATE_FILE. */
static sp_status put_state(sp_output *w, const sp_state *s, bytes_writer put,
                           sp_error *err)
{
    char *buf;
    size_t size;
    sp_status st = sp_state_to_bytes(s, &buf, &size, err);
    if (st == SP_OK)
        st = put(w, SP_STATE_FILE, buf, size, err);
    free(buf);
    return st;
}

sp_status sp_output_state(sp_output *w, const sp_state *s, sp_error *err)
{
    return put_state(w, s, sp_output_bytes, err);
}

sp_status sp_output_checkpoint_state(sp_output *w, const sp_state *s,
                                     sp_error *err)
{
    return put_state(w, s, sp_output_checkpoint, err);
}

/* Formats what `fn` writes into a malloc'd buffer (*buf, *size). */
static sp_status format(const char *dir, const char *name, sp_output_fn fn,
                        const void *ctx, char **buf, size_t *size,
                        sp_error *err)
{
    *buf = NULL;
    *size = 0;
    FILE *m = open_memstream(buf, size);
    if (m == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory writing %s/%s", dir, name);
    sp_status st = fn(m, ctx, err);
    bool bad = ferror(m) != 0;
    bad = fclose(m) != 0 || bad;
    if (bad) /* a memory stream fails only when memory runs out */
        st = sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                          "out of memory writing %s/%s", dir, name);
    if (st != SP_OK) {
        free(*buf);
        *buf = NULL;
    }
    return st;
}

sp_status sp_output_file(sp_output *w, const char *name, sp_output_fn fn,
                         const void *ctx, sp_error *err)
{
    char *buf;
    size_t size;
    sp_status st = check_stop(w, err);
    if (st == SP_OK)
        st = format(w->o->dir, name, fn, ctx, &buf, &size, err);
    if (st != SP_OK)
        return st;
    st = write_at(w->fd, w->o->dir, name, buf, size, err);
    free(buf);
    return st;
}

sp_status sp_output_replace_file(const char *dir, const char *name,
                                 sp_output_fn fn, const void *ctx,
                                 sp_error *err)
{
    char *buf, tmp[NAME_MAX + 1];
    size_t size;
    int len = snprintf(tmp, sizeof tmp, ".%s.%ld.XXXXXX", name, (long)getpid());
    if (len < 0 || (size_t)len >= sizeof tmp)
        return sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                            "cannot write %s/%s: the file name is too long",
                            dir, name);
    sp_status st = format(dir, name, fn, ctx, &buf, &size, err);
    if (st != SP_OK)
        return st;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        free(buf);
        return io_fail(err, "cannot open", dir, NULL, errno);
    }
    st = SP_ERR_IO;
    for (unsigned k = 0; k < 1000 && st == SP_ERR_IO; k++) {
        snprintf(tmp + len - 6, 7, "%06u", (unsigned)(rand() % 1000000));
        st = write_at(dfd, dir, tmp, buf, size, err);
        if (st != SP_OK && errno != EEXIST)
            break;
    }
    free(buf);
    if (st == SP_OK && renameat(dfd, tmp, dfd, name) != 0) {
        st = io_fail(err, "cannot move into place", dir, name, errno);
        unlinkat(dfd, tmp, 0);
    }
    if (st == SP_OK && fsync(dfd) != 0)
        st = io_fail(err, "cannot sync", dir, NULL, errno);
    close(dfd);
    return st;
}

/* ---- publishing ------------------------------------------------------------ */

/* For file systems without renameat2 flags (EINVAL): moves the old DIR
 * aside to a fresh name, then renames `name` into place. Not one step,
 * but never a mix: DIR is briefly absent instead. */
static int rename_plain(sp_output *w, const char *name, bool replace)
{
    char aside[NAME_MAX + 1];
    int afd = -1;
    bool moved = false;
    if (replace && make_private(w, aside, &afd, NULL) == SP_OK) {
        close(afd);
        moved = renameat(w->parent_fd, w->base, w->parent_fd, aside) == 0;
        if (!moved)
            unlinkat(w->parent_fd, aside, AT_REMOVEDIR);
    }
    struct stat sb;
    if (!moved &&
        fstatat(w->parent_fd, w->base, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
        errno = EEXIST;
        return -1;
    }
    int rc = renameat(w->parent_fd, name, w->parent_fd, w->base);
    int e = errno;
    if (moved)
        remove_tree(w->parent_fd, aside, 0);
    errno = e;
    return rc;
}

/* Moves private directory `name` (descriptor fd) into place as DIR: an
 * exchange with the existing DIR when `replace` (the old run is then
 * removed), a rename that never replaces otherwise. */
static sp_status move_into_place(sp_output *w, const char *name, int fd,
                                 bool replace, sp_error *err)
{
    const char *dir = w->o->dir;
    if (fchmod(fd, w->dir_mode) != 0 || fsync(fd) != 0)
        return io_fail(err, "cannot sync the result for", dir, NULL, errno);
    bool moved = false;
    for (int attempt = 0; attempt < 100 && !moved; attempt++) {
        int e = 0;
        if (replace) {
            if (renameat2(w->parent_fd, name, w->parent_fd, w->base,
                          RENAME_EXCHANGE) == 0) {
                remove_tree(w->parent_fd, name, 0); /* now the old run */
                moved = true;
                break;
            }
            e = errno;
            if (e != ENOENT && e != EINVAL && e != ENOSYS)
                return io_fail(err, "cannot replace", dir, NULL, e);
        }
        int rc = -1;
        if (e != EINVAL && e != ENOSYS) {
            rc = renameat2(w->parent_fd, name, w->parent_fd, w->base,
                           RENAME_NOREPLACE);
            e = rc != 0 ? errno : 0;
        }
        if (rc != 0 && (e == EINVAL || e == ENOSYS)) { /* no flags here */
            rc = rename_plain(w, name, replace);
            e = rc != 0 ? errno : 0;
        }
        moved = rc == 0;
        if (!moved && e != EEXIST && e != ENOTEMPTY)
            return io_fail(err, "cannot move the result into", dir, NULL, e);
        if (!moved && !replace)
            return sp_error_set(err, SP_ERR_IO, dir, 0, "--out",
                                "another process created the directory "
                                "while this one ran; the results were not "
                                "saved (use --force to replace it)");
    }
    if (!moved)
        return sp_error_set(err, SP_ERR_IO, dir, 0, "--out",
                            "other processes keep replacing the directory; "
                            "the results were not saved");
    if (fsync(w->parent_fd) != 0)
        return io_fail(err, "cannot sync the directory that holds", dir, NULL,
                       errno);
    return SP_OK;
}

sp_status sp_output_publish(sp_output *w, sp_error *err)
{
    sp_status st = check_stop(w, err);
    if (st == SP_OK)
        st = move_into_place(w, w->priv, w->fd, w->o->force || w->owns, err);
    if (st == SP_OK)
        w->published = w->owns = true;
    if (st == SP_OK) { /* a whole run in DIR: a checkpoint beside it goes */
        char name[NAME_MAX + 1];
        int n = snprintf(name, sizeof name, "%s.resume", w->base);
        if (n > 0 && (size_t)n < sizeof name && only_state(w, name))
            remove_tree(w->parent_fd, name, 0);
        w->aside = false;
    }
    return st;
}

const char *sp_output_checkpoint_dir(const sp_output *w)
{
    return w->aside ? w->aside_dir : w->o->dir;
}

static sp_status checkpoint_at(sp_output *w, const char *name, const void *buf,
                               size_t size, bool aside, sp_error *err);

sp_status sp_output_checkpoint(sp_output *w, const char *name, const void *buf,
                               size_t size, sp_error *err)
{
    /* A checkpoint never replaces another complete run: while DIR still
     * holds the run that was there when this one began, the checkpoint
     * is published beside it as DIR.resume. */
    char base[NAME_MAX + 1];
    memcpy(base, w->base, sizeof base);
    bool aside = w->existed && !w->owns;
    if (aside) {
        int n = snprintf(w->base, sizeof w->base, "%s.resume", base);
        int m =
            snprintf(w->aside_dir, sizeof w->aside_dir, "%s.resume", w->o->dir);
        if (n < 0 || (size_t)n >= sizeof w->base || m < 0 ||
            (size_t)m >= sizeof w->aside_dir) {
            memcpy(w->base, base, sizeof base);
            return sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                                "the name is too long: %s.resume", w->o->dir);
        }
    }
    sp_status st = checkpoint_at(w, name, buf, size, aside, err);
    memcpy(w->base, base, sizeof base);
    if (st == SP_OK && aside)
        w->aside = true;
    else if (st == SP_OK)
        w->owns = true;
    return st;
}

/* Publishes the checkpoint as w->base (DIR, or DIR.resume when `aside`). */
static sp_status checkpoint_at(sp_output *w, const char *name, const void *buf,
                               size_t size, bool aside, sp_error *err)
{
    char priv[NAME_MAX + 1];
    int fd = -1;
    bool replace = aside || w->o->force || w->owns;
    sp_status st = check_target(w, replace, err);
    if (st == SP_OK)
        st = make_private(w, priv, &fd, err);
    if (st == SP_OK)
        st = write_at(fd, w->o->dir, name, buf, size, err);
    if (st == SP_OK)
        st = move_into_place(w, priv, fd, replace, err);
    if (fd >= 0)
        close(fd);
    if (st != SP_OK && fd >= 0)
        remove_tree(w->parent_fd, priv, 0);
    return st;
}

sp_status sp_output_stdout(sp_error *err)
{
    int e = errno; /* of the write that failed, if one did */
    bool bad = fflush(stdout) != 0;
    if (bad)
        e = errno;
    if (!bad && !ferror(stdout))
        return SP_OK;
    return sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                        "cannot write to standard output: %s",
                        strerror(e ? e : EIO));
}

/* ---- charts ---------------------------------------------------------------- */

/* The child's side: draws every chart, reports the first failure's
 * message on `fd` and exits non-zero. Never returns. */
static void chart_child(const sp_output *w, const char *const *names, size_t n,
                        sp_output_chart_fn fn, const void *ctx, int fd)
{
    /* A crash must end the child, whatever handler the parent had. */
    static const int crashes[] = {SIGSEGV, SIGBUS,  SIGFPE,
                                  SIGILL,  SIGABRT, SIGTRAP};
    for (size_t k = 0; k < sizeof crashes / sizeof crashes[0]; k++)
        signal(crashes[k], SIG_DFL);
    for (size_t k = 0; k < n; k++) {
        char path[PATH_MAX];
        sp_error e;
        sp_error_clear(&e);
        int len =
            snprintf(path, sizeof path, "/proc/self/fd/%d/%s", w->fd, names[k]);
        sp_status st = len > 0 && (size_t)len < sizeof path
                           ? fn(path, k, ctx, &e)
                           : sp_error_set(&e, SP_ERR_IO, NULL, 0, NULL,
                                          "the file name is too long");
        if (st != SP_OK) {
            char msg[sizeof e.message + 300];
            int m = snprintf(msg, sizeof msg, "%s/%s: %s", w->o->dir, names[k],
                             e.message);
            if (m > 0 && write(fd, msg, strlen(msg)) < 0)
                _exit(2);
            _exit(1);
        }
    }
    _exit(0);
}

/* Why the chart child failed, into w->warning. */
static void chart_failure(sp_output *w, int status, const char *msg)
{
    char why[400];
    if (msg[0] != '\0')
        snprintf(why, sizeof why, "%s", msg);
    else if (WIFSIGNALED(status))
        snprintf(why, sizeof why, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(why, sizeof why, "exit status %d",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    snprintf(w->warning, sizeof w->warning,
             "the charts were not written (chart stage: %s); the data "
             "files are saved in %s",
             why, w->o->dir);
}

/* Runs chart_child in a child process and waits for it; true when it
 * drew every chart. */
static bool run_chart_child(sp_output *w, const char *const *names, size_t n,
                            sp_output_chart_fn fn, const void *ctx)
{
    int p[2];
    if (pipe(p) != 0) {
        snprintf(w->warning, sizeof w->warning,
                 "the charts were not "
                 "written (chart stage: cannot start: %s)",
                 strerror(errno));
        return false;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        chart_child(w, names, n, fn, ctx, p[1]);
    }
    close(p[1]);
    char msg[400] = "";
    size_t got = 0;
    ssize_t r;
    while (pid > 0 && got + 1 < sizeof msg &&
           ((r = read(p[0], msg + got, sizeof msg - 1 - got)) > 0 ||
            (r < 0 && errno == EINTR)))
        got += r > 0 ? (size_t)r : 0;
    msg[got] = '\0';
    close(p[0]);
    int status = 0;
    if (pid < 0) {
        snprintf(msg, sizeof msg, "cannot start: %s", strerror(errno));
    } else {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    bool ok = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok)
        chart_failure(w, status, msg);
    return ok;
}

bool sp_output_charts(sp_output *w, const char *const *names, size_t n,
                      sp_output_chart_fn fn, const void *ctx)
{
    if (check_stop(w, NULL) != SP_OK)
        return false;
    bool ok = run_chart_child(w, names, n, fn, ctx);
    for (size_t k = 0; ok && k < n; k++) {
        struct stat sb;
        if (fstatat(w->fd, names[k], &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(sb.st_mode) || sb.st_size <= 0) {
            snprintf(w->warning, sizeof w->warning,
                     "the charts were not "
                     "written (chart stage: %s/%s is missing)",
                     w->o->dir, names[k]);
            ok = false;
        }
    }
    for (size_t k = 0; !ok && k < n; k++)
        unlinkat(w->fd, names[k], 0);
    return ok;
}

const char *sp_output_warning(const sp_output *w)
{
    return w->warning[0] != '\0' ? w->warning : NULL;
}

/* ---- the report files ------------------------------------------------------ */

typedef struct {
    const sp_report *r;
    bool plots; /* report.md links the charts */
} report_ctx;

#ifdef SIMPLAN_HAVE_JSON
static sp_status put_json(FILE *out, const void *ctx, sp_error *err)
{
    return sp_report_json(out, ((const report_ctx *)ctx)->r, err);
}
#endif

static sp_status put_targets(FILE *out, const void *ctx, sp_error *err)
{
    return sp_report_csv(out, ((const report_ctx *)ctx)->r, err);
}

static sp_status put_indicators(FILE *out, const void *ctx, sp_error *err)
{
    return sp_report_indicators_csv(out, ((const report_ctx *)ctx)->r, err);
}

static sp_status put_iamc(FILE *out, const void *ctx, sp_error *err)
{
    return sp_report_iamc_csv(out, ((const report_ctx *)ctx)->r, err);
}

static sp_status put_drivers(FILE *out, const void *ctx, sp_error *err)
{
    return sp_report_drivers_csv(out, ((const report_ctx *)ctx)->r, err);
}

static sp_status put_markdown(FILE *out, const void *ctx, sp_error *err)
{
    const report_ctx *c = ctx;
    return sp_report_markdown(out, c->r, c->plots, err);
}

#ifdef SIMPLAN_HAVE_PLOTS
/* Chart k of a run: k / 2 is the target chart (0) or fan chart k / 2 - 1;
 * k % 2 the format (SVG, PNG). */
static sp_status draw_report_chart(const char *path, size_t k, const void *ctx,
                                   sp_error *err)
{
    const report_ctx *c = ctx;
    sp_plot_format fmt = k % 2 == 0 ? SP_PLOT_SVG : SP_PLOT_PNG;
    return k / 2 == 0 ? sp_plot_targets(path, fmt, c->r, err)
                      : sp_plot_fan(path, fmt, c->r, k / 2 - 1, err);
}

/* The target chart and every fan chart, in the child; true when all were
 * written. */
static bool report_charts(sp_output *w, const report_ctx *c)
{
    size_t n = 2 * (1 + c->r->sc->n_indicators);
    char(*names)[NAME_MAX + 1] = calloc(n, sizeof *names);
    const char **ptrs = calloc(n, sizeof *ptrs);
    bool ok = names != NULL && ptrs != NULL;
    for (size_t k = 0; ok && k < n; k++) {
        const char *ext = k % 2 == 0 ? "svg" : "png";
        int len = k / 2 == 0
                      ? snprintf(names[k], sizeof names[k], "targets.%s", ext)
                      : snprintf(names[k], sizeof names[k], "fan_%s.%s",
                                 c->r->sc->indicators[k / 2 - 1].name, ext);
        ok = len > 0 && (size_t)len < sizeof names[k];
        ptrs[k] = names[k];
    }
    if (!ok)
        snprintf(w->warning, sizeof w->warning,
                 "the charts were not "
                 "written (chart stage: %s)",
                 names && ptrs ? "a file name is too long" : "out of memory");
    else
        ok = sp_output_charts(w, ptrs, n, draw_report_chart, c);
    free(names);
    free(ptrs);
    return ok;
}
#endif

sp_status sp_output_report(sp_output *w, const sp_report *r, sp_error *err)
{
    report_ctx c = {r, false};
    sp_status st = SP_OK;
#ifdef SIMPLAN_HAVE_JSON
    st = sp_output_file(w, "summary.json", put_json, &c, err);
#endif
    if (st == SP_OK)
        st = sp_output_file(w, "targets.csv", put_targets, &c, err);
    if (st == SP_OK)
        st = sp_output_file(w, "indicators.csv", put_indicators, &c, err);
    if (st == SP_OK)
        st = sp_output_file(w, "iamc.csv", put_iamc, &c, err);
    if (st == SP_OK)
        st = sp_output_file(w, "drivers.csv", put_drivers, &c, err);
#ifdef SIMPLAN_HAVE_PLOTS
    if (st == SP_OK && w->o->plots && r->settings_plots)
        c.plots = report_charts(w, &c);
#endif
    if (st == SP_OK)
        st = sp_output_file(w, "report.md", put_markdown, &c, err);
    return st;
}
