/*
 * sp_plot: fan, target, back-test and sweep charts through PLplot.
 *
 * Every chart follows the same steps: plot_open() checks that the driver
 * exists, creates the output file and starts a fresh PLplot stream writing
 * to it with our palette, page size and font size; the chart is drawn in
 * world coordinates; plot_close() ends the stream, returns to the stream
 * that was current before, and checks that PLplot reported no error and
 * that the file is a complete PNG or SVG (PLplot does not report failed
 * writes), then syncs it. PLplot exits the process when it cannot open
 * its output file, and asks on stdin when it does not know the device, so
 * both are checked here before PLplot is asked to do either. Errors of
 * individual calls are caught with plsError instead of being printed.
 * Values that are not finite never reach PLplot; user text (names, units)
 * has PLplot's escape character '#' doubled. PLplot 5.15 exports no query
 * for the width of a string, so widths (margins, label boxes, fitting of
 * long titles) are estimated from character counts, generously.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_plot.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <plplot.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "sp_bt_chart.h"

#ifdef __SANITIZE_ADDRESS__
/* The cairo driver lays text out with pango, which fills fontconfig
 * caches that are never freed (they stay the same size however many charts
 * are drawn). LeakSanitizer would report them at the exit of any program
 * that draws a PNG, so a sanitizer build of such a program is told here,
 * in the one file that brings PLplot in, to ignore them. The sanitizer
 * runtime finds these hooks by name, so they keep default visibility
 * (the project builds everything else hidden); a program linked against
 * the shared libsimplan, whose version script exports only simplan_*,
 * draws its charts in a child process that does not check for leaks. */
__attribute__((visibility("default"))) const char *
__lsan_default_suppressions(void);
__attribute__((visibility("default"))) const char *
__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

/* ... and not to list the suppressed leaks on stderr at exit. */
__attribute__((visibility("default"))) const char *__lsan_default_options(void);
__attribute__((visibility("default"))) const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}
#endif

/* Colours of cmap0, in the order of `palette`. */
enum {
    COL_BG,
    COL_INK,
    COL_GRID,
    COL_BAND90,
    COL_BAND50,
    COL_MEDIAN,
    COL_TARGET,
    COL_SIMPLE,
    COL_JOINT,
    COL_GUIDE,
    COL_MUTED,
    COL_WHITE,
    COL_HALO,
    COL_UNIFORM,
    COL_SERIES,
    COL_COUNT = COL_SERIES + 12
};
#define SERIES_COLOURS (COL_COUNT - COL_SERIES)

static const int palette[COL_COUNT][3] = {
    {255, 255, 255}, /* background */
    {33, 33, 33},    /* text, axes, whiskers */
    {230, 230, 230}, /* grid */
    {198, 219, 239}, /* 90 % band */
    {122, 178, 216}, /* 50 % band */
    {8, 48, 107},    /* median */
    {190, 30, 45},   /* targets on the fan chart */
    {49, 130, 189},  /* simple target bars */
    {230, 120, 20},  /* joint target bars */
    {110, 110, 110}, /* guide lines */
    {85, 85, 85},    /* subtitles, target names */
    {255, 255, 255}, /* text on dark bars */
    {255, 255, 255}, /* behind labels, translucent (HALO_ALPHA) */
    {253, 224, 186}, /* the range of a uniform PIT's bin counts */
    {31, 119, 180},  /* sweep curves, one colour per target: blue */
    {255, 127, 14},  /* orange */
    {44, 160, 44},   /* green */
    {214, 39, 40},   /* red */
    {148, 103, 189}, /* purple */
    {140, 86, 75},   /* brown */
    {227, 119, 194}, /* pink */
    {188, 189, 34},  /* olive */
    {23, 190, 207},  /* cyan */
    {57, 59, 121},   /* navy */
    {99, 121, 57},   /* dark green */
    {132, 60, 57},   /* dark red */
};
#define HALO_ALPHA 0.75

#define CHAR_SCALE   0.85 /* text size relative to PLplot's default */
#define TITLE_SCALE  1.35 /* titles relative to CHAR_SCALE */
#define GLYPH_WIDTH  0.75 /* mean glyph width / char height (DejaVu Sans) */
#define DIGIT_WIDTH  0.9  /* digit width / char height in tick labels */
#define SUBTITLE_MIN 0.75 /* smallest subtitle scale before it is cut */
#define MAX_TEXT     512  /* bytes of one label */
#define MAX_YEARS    (SP_MAX_STEPS + 1)

/* One open chart: the PLplot stream and where its errors land. */
typedef struct {
    const char *path;   /* output file */
    sp_plot_format fmt; /* its format */
    PLINT prev;         /* stream current before ours */
    PLINT code;         /* set non-zero by PLplot when a call aborts */
    char msg[1024];     /* PLplot's message for that call */
} plot_stream;

/* ------------------------------------------------------------------ */
/* Streams and files                                                   */
/* ------------------------------------------------------------------ */

/* True when this PLplot build has the output driver `dev`. Without it,
 * plinit() would ask for a device on stdin. */
static bool driver_available(const char *dev)
{
    const char *menu[128], *names[128];
    const char **m = menu, **d = names;
    int n = 128;
    plgDevs(&m, &d, &n);
    for (int k = 0; k < n; k++)
        if (names[k] != NULL && strcmp(names[k], dev) == 0)
            return true;
    return false;
}

/* Loads the chart palette into cmap0: white background, dark ink. */
static void plot_palette(void)
{
    plscmap0n(COL_COUNT);
    for (int k = 0; k < COL_COUNT; k++)
        plscol0a(k, palette[k][0], palette[k][1], palette[k][2],
                 k == COL_HALO ? HALO_ALPHA : 1.0);
}

/* Creates `path` (so PLplot never fails to open it), then starts a new
 * PLplot stream that writes format `fmt` to it. On SP_OK the stream is
 * current and plot_close() must be called; on failure no stream is left
 * open and no file is left behind. */
static sp_status plot_open(plot_stream *s, const char *path, sp_plot_format fmt,
                           sp_error *err)
{
    const char *dev = fmt == SP_PLOT_PNG ? "pngcairo" : "svg";
    if (!driver_available(dev))
        return sp_error_set(
            err, SP_ERR_UNSUPPORTED, path, 0, NULL,
            "PLplot has no '%s' driver; install the Debian "
            "package %s",
            dev, fmt == SP_PLOT_PNG ? "plplot-driver-cairo" : "libplplot17");
    int fd =
        open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 || close(fd) != 0)
        return sp_error_set(err, SP_ERR_IO, path, 0, NULL,
                            "cannot create the chart file: %s",
                            strerror(errno));
    PLINT strm;
    plgstrm(&s->prev);
    plmkstrm(&strm);
    if (strm < 0) {
        unlink(path);
        return sp_error_set(err, SP_ERR_IO, path, 0, NULL,
                            "PLplot cannot open another stream");
    }
    *s = (plot_stream){path, fmt, s->prev, 0, ""};
    plsError(&s->code, s->msg);
    plsdev(dev);
    plsfnam(path);
    plspage(0, 0, SP_PLOT_WIDTH, SP_PLOT_HEIGHT, 0, 0);
    plot_palette();
    plinit();
    plschr(0, CHAR_SCALE);
    return SP_OK;
}

/* The CRC-32 of PNG (ISO 3309, polynomial 0xEDB88320) of `n` bytes. */
static uint32_t png_crc(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int b = 0; b < 8; b++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

/* True when the n bytes are a whole PNG: the signature, then chunks whose
 * lengths and CRCs are right, the last one IEND, ending at the end. */
static bool png_complete(const unsigned char *b, size_t n)
{
    static const unsigned char sig[8] = {0x89, 'P',  'N',  'G',
                                         '\r', '\n', 0x1a, '\n'};
    if (n < 8 || memcmp(b, sig, 8) != 0)
        return false;
    for (size_t at = 8; n - at >= 12;) {
        uint32_t len = be32(b + at);
        if (len > n - at - 12 ||
            png_crc(b + at + 4, len + 4) != be32(b + at + 8 + len))
            return false;
        bool end = memcmp(b + at + 4, "IEND", 4) == 0;
        at += 12 + (size_t)len;
        if (end)
            return at == n;
    }
    return false;
}

/* True when the n bytes are a whole SVG document: "<svg" near the start,
 * "</svg>" and only white space after it at the end. */
static bool svg_complete(const char *b, size_t n)
{
    size_t end = n;
    while (end > 0 && strchr(" \t\r\n", b[end - 1]) != NULL)
        end--;
    size_t head = n < 512 ? n : 512;
    bool opens = false;
    for (size_t i = 0; i + 4 <= head && !opens; i++)
        opens = memcmp(b + i, "<svg", 4) == 0;
    return opens && end >= 6 && memcmp(b + end - 6, "</svg>", 6) == 0;
}

/* Reads the chart PLplot closed and checks that it is complete (PLplot
 * does not report failed writes, so a full disk leaves a truncated file),
 * then syncs it to disk. SP_ERR_IO naming the file otherwise. */
static sp_status plot_verify(const char *path, sp_plot_format fmt,
                             sp_error *err)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        sp_status st = sp_error_set(
            err, SP_ERR_IO, path, 0, NULL, "the chart was not written: %s",
            fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0)
            close(fd);
        return st;
    }
    size_t n = (size_t)sb.st_size;
    unsigned char *b = malloc(n ? n : 1);
    size_t got = 0;
    ssize_t r = 0;
    while (b && got < n &&
           ((r = read(fd, b + got, n - got)) > 0 || (r < 0 && errno == EINTR)))
        got += r > 0 ? (size_t)r : 0;
    bool whole = b && got == n &&
                 (fmt == SP_PLOT_PNG ? png_complete(b, n)
                                     : svg_complete((const char *)b, n));
    bool nomem = b == NULL;
    free(b);
    int e = fsync(fd) != 0 ? errno : 0;
    /* PLplot hides the errno of its failed write; a full file system is
     * the likely one and can be seen. */
    struct statvfs vfs;
    if (!whole && e == 0 && fstatvfs(fd, &vfs) == 0 &&
        (double)vfs.f_bavail * (double)vfs.f_frsize < 1048576.0)
        e = ENOSPC;
    close(fd);
    if (!whole || e != 0)
        return sp_error_set(err, nomem ? SP_ERR_NOMEM : SP_ERR_IO, path, 0,
                            NULL, "the chart was not written completely%s%s",
                            e ? ": " : " (PLplot could not write it)",
                            e ? strerror(e) : "");
    return SP_OK;
}

/* Ends the stream of `s` and makes the previous stream current again.
 * Returns `st` when the drawing had already failed, SP_ERR_IO when PLplot
 * reported an error or the file is not a complete chart (plot_verify),
 * and SP_OK otherwise; on failure the file is removed. */
static sp_status plot_close(plot_stream *s, sp_status st, sp_error *err)
{
    plend1();
    plsstrm(s->prev);
    s->msg[strcspn(s->msg, "\n")] = '\0'; /* PLplot ends it with a newline */
    if (st == SP_OK && s->code != 0)
        st = sp_error_set(err, SP_ERR_IO, s->path, 0, NULL, "PLplot failed: %s",
                          s->msg);
    else if (st == SP_OK)
        st = plot_verify(s->path, s->fmt, err);
    if (st != SP_OK)
        unlink(s->path);
    return st;
}

/* ------------------------------------------------------------------ */
/* Text and layout helpers                                             */
/* ------------------------------------------------------------------ */

/* Copies `in` to `out` (of `size` bytes) with PLplot's escape character
 * '#' doubled so that user text is drawn as written; truncates at a
 * character boundary. */
static void plot_text(char *out, size_t size, const char *in)
{
    size_t n = 0;
    for (; *in != '\0' && n + 2 < size; in++) {
        if (*in == '#')
            out[n++] = '#';
        out[n++] = *in;
    }
    while (n > 0 && *in != '\0' && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
        n--; /* do not end inside a UTF-8 sequence */
    if (n > 0 && *in != '\0' && ((unsigned char)out[n - 1] & 0xC0) == 0xC0)
        n--;
    out[n] = '\0';
}

/* Characters (not bytes) of UTF-8 text, for width estimates. */
static size_t text_chars(const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Current character height in millimetres. */
static double char_mm(void)
{
    PLFLT def, ht;
    plgchr(&def, &ht);
    return ht;
}

/* Size of the current viewport in millimetres. */
static void viewport_mm(double *w, double *h)
{
    PLFLT x0, x1, y0, y1, px0, px1, py0, py1;
    plgspa(&px0, &px1, &py0, &py1);
    plgvpd(&x0, &x1, &y0, &y1);
    *w = (x1 - x0) * (px1 - px0);
    *h = (y1 - y0) * (py1 - py0);
}

/* World units per millimetre along x and y in the current window. */
static void world_per_mm(double *wx, double *wy)
{
    PLFLT x0, x1, y0, y1;
    double w, h;
    plgvpw(&x0, &x1, &y0, &y1);
    viewport_mm(&w, &h);
    *wx = (x1 - x0) / w;
    *wy = (y1 - y0) / h;
}

/* A probability as a planner reads it: two decimals, but never "0.00" or
 * "1.00" for a probability that is not exactly 0 or 1. */
static void fmt_probability(char *buf, size_t size, double p)
{
    if (p > 0.0 && p < 0.005)
        snprintf(buf, size, "< 0.01");
    else if (p < 1.0 && p > 0.995)
        snprintf(buf, size, "> 0.99");
    else
        snprintf(buf, size, "%.2f", p);
}

void sp_plot_target_label(char *buf, size_t size, const char *id, double p)
{
    char text[16];
    fmt_probability(text, sizeof text, p);
    /* "P < 0.01", never "P = < 0.01". */
    snprintf(buf, size, "%s  P %s%s", id,
             text[0] == '<' || text[0] == '>' ? "" : "= ", text);
}

/* Cuts `text` (PLplot-escaped UTF-8) after `keep` characters and appends
 * "..."; never leaves half a character or half of a doubled '#'. `text`
 * has room for at least three more bytes. */
static void cut_text(char *text, size_t keep)
{
    size_t i = 0, chars = 0;
    for (; text[i] != '\0' && chars < keep; i++)
        chars += ((unsigned char)text[i] & 0xC0) != 0x80;
    while (text[i] != '\0' && ((unsigned char)text[i] & 0xC0) == 0x80)
        i++; /* finish the last character */
    size_t hashes = 0;
    while (hashes < i && text[i - 1 - hashes] == '#')
        hashes++;
    if (hashes % 2 == 1)
        i--;
    strcpy(text + i, "...");
}

/* The scale, at most `scale` and at least `min_scale`, at which `text`
 * fits in `avail_mm` millimetres at the chart's text size; when it does
 * not fit even at `min_scale`, `text` (of `size` bytes) is cut to fit. */
static double fit_text(char *text, size_t size, double avail_mm, double scale,
                       double min_scale)
{
    PLFLT def, ht;
    plgchr(&def, &ht); /* def: unscaled character height in mm */
    double glyph = GLYPH_WIDTH * CHAR_SCALE * def;
    double need = (double)text_chars(text) * glyph * scale;
    if (need <= avail_mm)
        return scale;
    double fit = scale * avail_mm / need;
    if (fit >= min_scale)
        return fit;
    size_t keep = (size_t)fmax(1.0, avail_mm / (glyph * min_scale) - 3.0);
    if (text_chars(text) > keep && size > strlen(text) + 3)
        cut_text(text, keep); /* keep + "..." fits at min_scale */
    return min_scale;
}

/* Writes `text` on side `side` of the viewport (as plmtex) at scale
 * `scale` of the chart's text size and in colour `col`. */
static void side_text(const char *side, double disp, double pos, double just,
                      double scale, int col, const char *text)
{
    plschr(0, CHAR_SCALE * scale);
    plcol0(col);
    plmtex(side, disp, pos, just, text);
    plschr(0, CHAR_SCALE);
}

/* Room for titles: millimetres from the viewport's left edge to the
 * page's right margin. */
static double title_room_mm(void)
{
    PLFLT x0, x1, y0, y1, px0, px1, py0, py1;
    plgvpd(&x0, &x1, &y0, &y1);
    plgspa(&px0, &px1, &py0, &py1);
    return (0.98 - x0) * (px1 - px0);
}

/* Title (scaled up) and a muted subtitle under it, above the viewport,
 * each made smaller, or cut, when it is wider than title_room_mm(). The
 * strings are changed if cut. */
static void plot_titles(char *title, size_t title_size, char *subtitle,
                        size_t subtitle_size)
{
    double room = title_room_mm();
    double ts = fit_text(title, title_size, room, TITLE_SCALE, 0.9);
    side_text("t", 2.6 * TITLE_SCALE / ts, 0.0, 0.0, ts, COL_INK, title);
    if (subtitle[0] != '\0') {
        double ss = fit_text(subtitle, subtitle_size, room, 0.85, SUBTITLE_MIN);
        side_text("t", 1.0, 0.0, 0.0, ss, COL_MUTED, subtitle);
    }
}

/* Light grid lines, drawn before the data; the frame and the numbered
 * axes are drawn after it with plot_frame(). */
static void plot_grid(const char *xopt, double xtick, const char *yopt,
                      double ytick)
{
    plcol0(COL_GRID);
    plwidth(1.0);
    plbox(xopt, xtick, 0, yopt, ytick, 0);
}

/* Spacing of about six round ticks (1, 2 or 5 times a power of ten) over
 * `span` > 0. */
static double nice_tick(double span)
{
    double raw = span / 6.0, mag = pow(10.0, floor(log10(raw)));
    double f = raw / mag, tick = (f < 1.5   ? 1.0
                                  : f < 3.5 ? 2.0
                                  : f < 7.5 ? 5.0
                                            : 10.0) *
                                 mag;
    return isfinite(tick) && tick > 0 ? tick : 0.0; /* 0: PLplot chooses */
}

/* Decimals needed to tell ticks `tick` apart (2 when PLplot chooses). */
static int tick_decimals(double tick)
{
    if (!(tick > 0))
        return 2;
    double d = -floor(log10(tick) + 1e-9);
    return d > 0 ? (int)fmin(d, 9.0) : 0;
}

/* PLplot label callback: a tick value written in full with the decimals
 * that `data` (an int) gives, instead of PLplot's "x10^4" scaling. */
static void label_plain(PLINT axis, PLFLT value, PLCHAR_NC_VECTOR label,
                        PLINT length, PLPointer data)
{
    (void)axis;
    int decimals = *(const int *)data;
    if (fabs(value) < 0.5 * pow(10.0, -decimals))
        value = 0.0; /* never "-0.0" */
    snprintf(label, (size_t)length, "%.*f", decimals, value);
}

/* Frame and numbered axes in ink colour. */
static void plot_frame(const char *xopt, double xtick, PLINT nxsub,
                       const char *yopt, double ytick, PLINT nysub)
{
    plcol0(COL_INK);
    plwidth(1.0);
    pllsty(1);
    plbox(xopt, xtick, nxsub, yopt, ytick, nysub);
}

/* ------------------------------------------------------------------ */
/* Fan chart                                                           */
/* ------------------------------------------------------------------ */

/* The quantile rows of one indicator in plotted units (percent for
 * shares), NaN where a value is not finite. */
typedef struct {
    int n; /* years base_year .. horizon */
    int base_year;
    double scale; /* 100 for shares, 1 otherwise */
    double base;  /* base-year value, plotted units */
    double year[MAX_YEARS];
    double q[5][MAX_YEARS]; /* p05, p25, p50, p75, p95 */
    int n_obs; /* observed years base_year+1 .. +n_obs, NaN: not observed */
    double obs[MAX_YEARS]; /* their values, plotted units */
} fan_data;

enum { Q05, Q25, Q50, Q75, Q95 };

/* Copies the statistics of indicator `i` from the report into `f`. */
static void fan_load(const sp_report *r, size_t i, fan_data *f)
{
    const sp_scenario *sc = r->sc;
    f->n = r->res->n_years;
    f->base_year = sc->base_year;
    f->scale = sc->indicators[i].kind == SP_KIND_SHARE ? 100.0 : 1.0;
    double base = r->c != NULL ? r->c->model.indicators[i].base
                               : r->res->indicators[i * (size_t)f->n].p50;
    f->base = isfinite(base) ? f->scale * base : (double)NAN;
    for (int y = 0; y < f->n; y++) {
        const sp_stats *s = &r->res->indicators[i * (size_t)f->n + (size_t)y];
        const double v[5] = {s->p05, s->p25, s->p50, s->p75, s->p95};
        f->year[y] = (double)(sc->base_year + y);
        for (int k = 0; k < 5; k++)
            f->q[k][y] = isfinite(v[k]) ? f->scale * v[k] : (double)NAN;
    }
    double obs[SP_MAX_STEPS];
    size_t n_obs = sp_report_observed(sc, i, obs);
    f->n_obs = n_obs < (size_t)f->n ? (int)n_obs : f->n - 1;
    for (int t = 0; t < f->n_obs; t++)
        f->obs[t] = f->scale * obs[t];
}

/* A simple target drawn on a fan chart, in plotted units. */
typedef struct {
    size_t k;      /* index of the target */
    int from, to;  /* years (from = to for level targets) */
    double lo, hi; /* implied level at `to`; lo < hi for between */
    double anchor; /* median at `from`, NaN for level targets */
    int dir;       /* +1 met above, -1 met below, 0 between */
} fan_target;

/* The level at `year` (from..to) on the path that target `t` implies from
 * x_from at `from`, with measure value `v`, in the indicator's own units
 * (sp_measure_path_level). At year = to this is the threshold the target
 * sets. */
static double implied_level(const sp_target_spec *t, double x_from, double v,
                            double year)
{
    return sp_measure_path_level(t->measure, x_from, v, t->to - t->from,
                                 year - (double)t->from);
}

/* Fills `ft` for target k when it is a simple target on indicator `name`
 * whose years lie on the chart and whose implied level is finite; returns
 * whether it can be drawn. */
static bool fan_target_load(const sp_report *r, const fan_data *f,
                            const char *name, size_t k, fan_target *ft)
{
    const sp_target_spec *t = &r->sc->targets[k];
    if (t->n_all > 0 || t->indicator == NULL || strcmp(t->indicator, name) != 0)
        return false;
    int last = f->base_year + f->n - 1;
    const sp_measure_info *mi = sp_measure_info_of(t->measure);
    bool level = mi->n_years == 1;
    int from = level ? t->to : t->from;
    if (t->to < f->base_year || t->to > last || from < f->base_year ||
        from > t->to)
        return false;
    double x_from = level ? 0.0 : f->q[Q50][from - f->base_year] / f->scale;
    bool between = sp_op_info_of(t->op)->range;
    double a = implied_level(t, x_from, between ? t->lo : t->value, t->to);
    double b = implied_level(t, x_from, between ? t->hi : t->value, t->to);
    double anchor = level ? (double)NAN : f->scale * x_from;
    *ft = (fan_target){
        k,      from, t->to, f->scale * fmin(a, b), f->scale * fmax(a, b),
        anchor, 0};
    if (!between) { /* the level rises with v unless X[from] < 0 */
        int up = sp_op_info_of(t->op)->side;
        ft->dir = mi->unit == SP_UNIT_RELATIVE && x_from < 0 ? -up : up;
    }
    return isfinite(ft->lo) && isfinite(ft->hi) && (level || isfinite(x_from));
}

/* Collects the drawable targets of indicator `i` into `out` (room for
 * SP_MAX_TARGETS); returns how many. */
static size_t fan_targets(const sp_report *r, const fan_data *f, size_t i,
                          fan_target *out)
{
    size_t n = 0;
    for (size_t k = 0; k < r->sc->n_targets && n < SP_MAX_TARGETS; k++)
        if (fan_target_load(r, f, r->sc->indicators[i].name, k, &out[n]))
            n++;
    return n;
}

/* Extends [*lo, *hi] to include v when v is finite. */
static void extend(double *lo, double *hi, double v)
{
    if (isfinite(v)) {
        *lo = fmin(*lo, v);
        *hi = fmax(*hi, v);
    }
}

/* The y range of the fan chart: every finite quantile, the base value and
 * the targets, with a margin; a sensible range when all are equal or none
 * is finite. */
static void fan_range(const fan_data *f, const fan_target *ts, size_t nt,
                      double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int y = 0; y < f->n; y++)
        for (int k = 0; k < 5; k++)
            extend(lo, hi, f->q[k][y]);
    extend(lo, hi, f->base);
    for (int t = 0; t < f->n_obs; t++)
        extend(lo, hi, f->obs[t]);
    for (size_t j = 0; j < nt; j++) {
        extend(lo, hi, ts[j].lo);
        extend(lo, hi, ts[j].hi);
    }
    if (!(*lo <= *hi)) {
        *lo = 0.0;
        *hi = 1.0;
    }
    double pad = *hi > *lo ? 0.08 * (*hi - *lo) : fmax(0.1 * fabs(*hi), 1.0);
    *lo -= pad;
    *hi += pad;
}

/* Index of the first year >= `start` where rows a and b are both finite,
 * and in *end the first year after it where one is not; f->n if none. */
static int next_run(const fan_data *f, int a, int b, int start, int *end)
{
    while (start < f->n &&
           !(isfinite(f->q[a][start]) && isfinite(f->q[b][start])))
        start++;
    *end = start;
    while (*end < f->n && isfinite(f->q[a][*end]) && isfinite(f->q[b][*end]))
        (*end)++;
    return start;
}

/* Fills the band between rows lo and hi, one polygon per run of years
 * where both are finite, so a gap in the data is a gap in the band. The
 * band starts at the last observed year: the years before are data. */
static void fan_band(const fan_data *f, int lo, int hi, int col)
{
    PLFLT x[2 * MAX_YEARS], y[2 * MAX_YEARS];
    plcol0(col);
    int end;
    for (int a = next_run(f, lo, hi, f->n_obs, &end); a < f->n;
         a = next_run(f, lo, hi, end, &end)) {
        if (end - a < 2)
            continue;
        PLINT m = 0;
        for (int j = a; j < end; j++, m++) {
            x[m] = f->year[j];
            y[m] = f->q[hi][j];
        }
        for (int j = end - 1; j >= a; j--, m++) {
            x[m] = f->year[j];
            y[m] = f->q[lo][j];
        }
        plfill(m, x, y);
    }
}

/* Draws the median as a line over each run of finite years, and a lone
 * finite year as a point. */
static void fan_median(const fan_data *f)
{
    plcol0(COL_MEDIAN);
    plwidth(3.0);
    int end;
    for (int a = next_run(f, Q50, Q50, 0, &end); a < f->n;
         a = next_run(f, Q50, Q50, end, &end)) {
        if (end - a >= 2)
            plline(end - a, &f->year[a], &f->q[Q50][a]);
        else
            plstring(1, &f->year[a], &f->q[Q50][a], "•");
    }
    plwidth(1.0);
}

/* Marks the known base-year value with a filled circle. */
static void fan_base(const fan_data *f)
{
    if (!isfinite(f->base))
        return;
    PLFLT x = f->year[0], y = f->base;
    plcol0(COL_INK);
    plschr(0, 0.75 * CHAR_SCALE);
    plstring(1, &x, &y, "●");
    plschr(0, CHAR_SCALE);
}

/* Marks every observed year's value with a diamond: data, not a
 * projection. */
static void fan_observed(const fan_data *f)
{
    plcol0(COL_INK);
    plschr(0, 0.75 * CHAR_SCALE);
    for (int t = 0; t < f->n_obs; t++) {
        if (!isfinite(f->obs[t]))
            continue;
        PLFLT x = f->year[t + 1], y = f->obs[t];
        plstring(1, &x, &y, "◆");
    }
    plschr(0, CHAR_SCALE);
}

/* Draws, as a thin dashed line, the path from X[from] that target `t`
 * implies (to the threshold, or to both ends of a between range). */
static void fan_target_path(const fan_data *f, const sp_target_spec *t,
                            const fan_target *ft)
{
    if (!isfinite(ft->anchor) || ft->to <= ft->from)
        return;
    PLFLT x[MAX_YEARS], y[MAX_YEARS];
    PLINT n = ft->to - ft->from + 1;
    bool between = sp_op_info_of(t->op)->range;
    plcol0(COL_TARGET);
    plwidth(1.5);
    pllsty(2);
    for (int end = 0; end < (between ? 2 : 1); end++) {
        double v = between ? (end == 0 ? t->lo : t->hi) : t->value;
        bool finite = true;
        for (PLINT j = 0; j < n; j++) {
            x[j] = (double)(ft->from + j);
            y[j] = f->scale * implied_level(t, ft->anchor / f->scale, v, x[j]);
            finite = finite && isfinite(y[j]);
        }
        if (finite) /* a change below -100 % has no constant-growth path */
            plline(n, x, y);
    }
    pllsty(1);
    plwidth(1.0);
}

/* Draws the threshold of a target at its year: a short horizontal line
 * with a triangle pointing to where the target is met, or for a between
 * target a bar from lo to hi. `cy` is one character height in world y. */
static void fan_target_mark(const fan_target *ft, double cy)
{
    PLFLT x = (double)ft->to;
    plcol0(COL_TARGET);
    plwidth(3.0);
    if (ft->dir == 0) {
        pljoin(x, ft->lo, x, ft->hi);
        pljoin(x - 0.25, ft->lo, x + 0.25, ft->lo);
        pljoin(x - 0.25, ft->hi, x + 0.25, ft->hi);
    } else {
        pljoin(x - 0.35, ft->lo, x + 0.35, ft->lo);
        PLFLT y = ft->lo + 0.75 * cy * ft->dir;
        plstring(1, &x, &y, ft->dir > 0 ? "▲" : "▼");
    }
    plwidth(1.0);
}

/* Room taken on the chart by a mark or a label, in world coordinates. */
typedef struct {
    double x0, x1, y0, y1;
} taken_box;

/* True when box `b` overlaps one of the `n` boxes in `taken`. */
static bool box_collides(const taken_box *taken, size_t n, taken_box b)
{
    for (size_t j = 0; j < n; j++)
        if (b.x0 < taken[j].x1 && taken[j].x0 < b.x1 && b.y0 < taken[j].y1 &&
            taken[j].y0 < b.y1)
            return true;
    return false;
}

/* The box of a target's mark (see fan_target_mark). */
static taken_box mark_box(const fan_target *ft, double cy)
{
    taken_box b = {ft->to - 0.35, ft->to + 0.35, ft->lo - 0.3 * cy,
                   ft->hi + 0.3 * cy};
    if (ft->dir > 0)
        b.y1 = ft->lo + 1.3 * cy;
    if (ft->dir < 0)
        b.y0 = ft->lo - 1.3 * cy;
    return b;
}

/* Finds room for a label `width` wide (world x) beside the mark of `ft`:
 * at the mark's height or whole lines above or below it, right of the
 * mark or else left of it, the first place that stays inside `window`
 * and clears the `n` boxes in `taken`. Sets *right to the side chosen and
 * returns the box (at the mark when there is no room). */
static taken_box label_place(const fan_target *ft, double width, double cy,
                             taken_box window, const taken_box *taken, size_t n,
                             bool *right)
{
    double mid = 0.5 * (ft->lo + ft->hi);
    bool fits_right = ft->to + 0.6 + width <= window.x1;
    bool fits_left = ft->to - 0.6 - width >= window.x0;
    bool pref = fits_right || !fits_left; /* right, unless only left fits */
    for (int k = 0; k < 48; k++) {
        double y = mid + (k / 2 % 2 ? -1 : 1) * ((k / 2 + 1) / 2) * 1.4 * cy;
        *right = k % 2 == 0 ? pref : !pref;
        if (k % 2 == 1 && !(fits_right && fits_left))
            continue;
        double x0 = *right ? ft->to + 0.6 : ft->to - 0.6 - width;
        taken_box b = {x0 - 0.1, x0 + width + 0.1, y - 0.7 * cy, y + 0.7 * cy};
        if (b.y0 >= window.y0 && b.y1 <= window.y1 &&
            !box_collides(taken, n, b))
            return b;
    }
    *right = pref; /* no room anywhere: at the mark */
    double x0 = pref ? ft->to + 0.6 : ft->to - 0.6 - width;
    return (taken_box){x0 - 0.1, x0 + width + 0.1, mid - 0.7 * cy,
                       mid + 0.7 * cy};
}

/* Writes "id  P = 0.43" on a translucent white box beside the target's
 * mark, where label_place() finds room among the marks and labels in
 * `taken` (`*n_taken` boxes, to which it adds its own), with a leader
 * line to the mark when it had to move. `cy` is a character height in
 * world y. */
static void fan_target_label(const sp_report *r, const fan_target *ft,
                             double cy, taken_box *taken, size_t *n_taken)
{
    char id[MAX_TEXT / 2], text[MAX_TEXT];
    plot_text(id, sizeof id, r->sc->targets[ft->k].id);
    sp_plot_target_label(text, sizeof text, id,
                         r->res->targets[ft->k].probability);
    PLFLT wx0, wx1, wy0, wy1;
    double wx, wy;
    plgvpw(&wx0, &wx1, &wy0, &wy1);
    world_per_mm(&wx, &wy);
    double width = (double)text_chars(text) * GLYPH_WIDTH * char_mm() * wx;
    bool right;
    taken_box window = {wx0, wx1, wy0, wy1};
    taken_box b = label_place(ft, width, cy, window, taken, *n_taken, &right);
    taken[(*n_taken)++] = b;
    PLFLT bx[4] = {b.x0, b.x1, b.x1, b.x0}, by[4] = {b.y0, b.y0, b.y1, b.y1};
    plcol0(COL_HALO);
    plfill(4, bx, by);
    plcol0(COL_TARGET);
    double mid = 0.5 * (ft->lo + ft->hi), y = 0.5 * (b.y0 + b.y1);
    if (fabs(y - mid) > 0.5 * cy) /* moved: a leader line to its mark */
        pljoin(ft->to, mid, right ? b.x0 : b.x1, y);
    plptex(right ? b.x0 + 0.1 : b.x1 - 0.1, y, 1.0, 0.0, right ? 0.0 : 1.0,
           text);
}

/* Draws every target of the chart: implied paths first, then marks, then
 * labels on top. */
static void fan_draw_targets(const sp_report *r, const fan_data *f,
                             const fan_target *ts, size_t nt, taken_box *taken)
{
    double wx, wy;
    world_per_mm(&wx, &wy);
    double cy = char_mm() * wy;
    size_t n_taken = 0;
    for (size_t j = 0; j < nt; j++)
        fan_target_path(f, &r->sc->targets[ts[j].k], &ts[j]);
    for (size_t j = 0; j < nt; j++) {
        fan_target_mark(&ts[j], cy);
        taken[n_taken++] = mark_box(&ts[j], cy);
    }
    for (size_t j = 0; j < nt; j++)
        fan_target_label(r, &ts[j], cy, taken, &n_taken);
}

/* Major tick spacing for a span of years: every year, 5 or 10 years. */
static double year_tick(int span)
{
    return span <= 10 ? 1.0 : span <= 40 ? 5.0 : span <= 100 ? 10.0 : 0.0;
}

/* The y-axis label "name [unit]" ("name (%)" for shares), `disp`
 * character heights left of the axis, made smaller or cut when it is
 * longer than the axis. */
static void fan_ylabel(const sp_indicator_spec *ind, double disp)
{
    char name[MAX_TEXT / 2], unit[MAX_TEXT / 2], text[MAX_TEXT + 16];
    plot_text(name, sizeof name, ind->name);
    plot_text(unit, sizeof unit, ind->unit != NULL ? ind->unit : "");
    if (ind->kind == SP_KIND_SHARE)
        snprintf(text, sizeof text, "%s (%%)", name);
    else if (unit[0] != '\0')
        snprintf(text, sizeof text, "%s [%s]", name, unit);
    else
        snprintf(text, sizeof text, "%s", name);
    double w, h;
    viewport_mm(&w, &h);
    double scale = fit_text(text, sizeof text, h, 1.0, 0.7);
    side_text("l", disp / scale, 0.5, 0.5, scale, COL_INK, text);
}

/* The fan chart's subtitle in `sub` (of `size` bytes): the indicator's
 * description, then "scenario NAME, N draws"; the description is cut so
 * that the whole line fits at the smallest subtitle scale. */
static void fan_subtitle(const sp_report *r, const sp_indicator_spec *ind,
                         char *sub, size_t size)
{
    char desc[MAX_TEXT / 2], scen[MAX_TEXT / 4], tail[MAX_TEXT / 2];
    plot_text(desc, sizeof desc - 4, /* room to append "..." */
              ind->description != NULL ? ind->description : "");
    plot_text(scen, sizeof scen, r->sc->name);
    snprintf(tail, sizeof tail, "scenario %s, %llu draws", scen,
             (unsigned long long)r->res->draws);
    PLFLT def, ht;
    plgchr(&def, &ht);
    double room = title_room_mm() /
                  (GLYPH_WIDTH * CHAR_SCALE * def * SUBTITLE_MIN); /* chars */
    double tail_chars = (double)text_chars(tail);
    if ((double)text_chars(desc) + 2.0 + tail_chars > room &&
        room > tail_chars + 12.0)
        cut_text(desc, (size_t)(room - tail_chars) - 8); /* see fit_text */
    snprintf(sub, size, "%s%s%s", desc, desc[0] != '\0' ? "; " : "", tail);
}

/* Title (the indicator name), subtitle (fan_subtitle) and axis labels of
 * the fan chart; the y label `ydisp` character heights from the axis. */
static void fan_labels(const sp_report *r, size_t i, double ydisp)
{
    const sp_indicator_spec *ind = &r->sc->indicators[i];
    char name[MAX_TEXT / 4], sub[MAX_TEXT];
    plot_text(name, sizeof name, ind->name);
    fan_subtitle(r, ind, sub, sizeof sub);
    plot_titles(name, sizeof name, sub, sizeof sub);
    side_text("b", 2.8, 0.5, 0.5, 1.0, COL_INK, "year");
    fan_ylabel(ind, ydisp);
}

/* Legend entries, in the arrays pllegend() takes: up to seven on a fan
 * chart, one per target on a sweep curve chart. */
#define LEGEND_MAX SP_PLOT_SWEEP_MAX_TARGETS
typedef struct {
    PLINT n;
    PLINT opt[LEGEND_MAX], col[LEGEND_MAX], style[LEGEND_MAX];
    PLINT pattern[LEGEND_MAX], nsym[LEGEND_MAX], ink[LEGEND_MAX];
    PLFLT width[LEGEND_MAX], scale[LEGEND_MAX];
    const char *text[LEGEND_MAX], *symbol[LEGEND_MAX];
} legend_entries;

/* Appends a legend entry of kind `opt` (PL_LEGEND_COLOR_BOX, _LINE or
 * _SYMBOL) in colour `col`; `style` is the line style, `width` the line
 * width, `symbol` the glyph of a symbol entry. */
static void legend_add(legend_entries *l, PLINT opt, int col, PLINT style,
                       double width, const char *symbol, const char *text)
{
    PLINT k = l->n++;
    l->opt[k] = opt;
    l->col[k] = col;
    l->ink[k] = COL_INK;
    l->style[k] = style;
    l->pattern[k] = 0;
    l->width[k] = width;
    l->scale[k] = 1.0;
    l->nsym[k] = 1;
    l->symbol[k] = symbol != NULL ? symbol : "";
    l->text[k] = text;
}

/* Draws the legend `l` outside the viewport, on its right. */
static void legend_draw(const legend_entries *l)
{
    PLFLT w, h;
    plwidth(1.0);
    pllegend(&w, &h, PL_LEGEND_BACKGROUND,
             PL_POSITION_RIGHT | PL_POSITION_OUTSIDE | PL_POSITION_VIEWPORT,
             0.015, 0.3, 0.06, COL_BG, COL_GRID, 1, 0, 0, l->n, l->opt, 0.8,
             0.85, 2.2, 0.0, l->ink, l->text, l->col, l->pattern, l->scale,
             l->width, l->col, l->style, l->width, l->col, l->scale, l->nsym,
             l->symbol);
}

/* The fan chart's legend: bands, median, base value and, when there are
 * targets, their marks and implied paths. */
static void fan_legend(const fan_data *f, const fan_target *ts, size_t nt)
{
    char base[64];
    snprintf(base, sizeof base, "value in %d", f->base_year);
    legend_entries l = {0};
    legend_add(&l, PL_LEGEND_LINE, COL_MEDIAN, 1, 3.0, NULL, "median");
    legend_add(&l, PL_LEGEND_COLOR_BOX, COL_BAND50, 1, 1.0, NULL,
               "middle 50 % of draws");
    legend_add(&l, PL_LEGEND_COLOR_BOX, COL_BAND90, 1, 1.0, NULL,
               "middle 90 % of draws");
    legend_add(&l, PL_LEGEND_SYMBOL, COL_INK, 1, 1.0, "●", base);
    if (f->n_obs > 0)
        legend_add(&l, PL_LEGEND_SYMBOL, COL_INK, 1, 1.0, "◆", "observed");
    bool paths = false;
    for (size_t j = 0; j < nt; j++)
        paths = paths || isfinite(ts[j].anchor);
    if (nt > 0)
        legend_add(&l, PL_LEGEND_LINE, COL_TARGET, 1, 3.0, NULL,
                   "target threshold");
    if (paths)
        legend_add(&l, PL_LEGEND_LINE, COL_TARGET, 2, 1.5, NULL,
                   "path it implies");
    legend_draw(&l);
}

/* Everything of one fan chart: the chart's data and targets. */
typedef struct {
    fan_data f;
    size_t nt;
    fan_target t[SP_MAX_TARGETS];
    taken_box taken[2 * SP_MAX_TARGETS]; /* marks and labels */
} fan_chart;

/* Characters of the widest y tick label over [lo, hi]. */
static size_t tick_label_chars(double lo, double hi, int decimals)
{
    char a[64], b[64];
    snprintf(a, sizeof a, "%.*f", decimals, lo);
    snprintf(b, sizeof b, "%.*f", decimals, hi);
    return strlen(a) > strlen(b) ? strlen(a) : strlen(b);
}

/* Draws the fan chart of indicator i (data loaded into `fc`) on the
 * current stream. */
static void fan_draw(const sp_report *r, size_t i, fan_chart *fc)
{
    const fan_data *f = &fc->f;
    double lo, hi;
    fan_range(f, fc->t, fc->nt, &lo, &hi);
    double xtick = year_tick(f->n - 1), ytick = nice_tick(hi - lo);
    int decimals = tick_decimals(ytick);
    double ydisp = (double)tick_label_chars(lo, hi, decimals) * DIGIT_WIDTH +
                   1.8; /* y label, in character heights from the axis */
    PLFLT px0, px1, py0, py1;
    pladv(0);
    plgspa(&px0, &px1, &py0, &py1);
    plvpor(fmin(0.3, (ydisp + 2.0) * char_mm() / (px1 - px0)), 0.7, 0.11, 0.86);
    plwind(f->year[0] - 0.5, f->year[f->n - 1] + 0.5, lo, hi);
    plot_grid("g", xtick, "g", ytick);
    fan_band(f, Q05, Q95, COL_BAND90);
    fan_band(f, Q25, Q75, COL_BAND50);
    fan_median(f);
    fan_base(f);
    fan_observed(f);
    fan_draw_targets(r, f, fc->t, fc->nt, fc->taken);
    plslabelfunc(label_plain, &decimals);
    plot_frame("bcnst", xtick, xtick >= 5.0 ? (PLINT)xtick : 0, "bcnstvo",
               ytick, 0);
    plslabelfunc(NULL, NULL);
    fan_labels(r, i, ydisp);
    fan_legend(f, fc->t, fc->nt);
}

sp_status sp_plot_fan(const char *path, sp_plot_format fmt, const sp_report *r,
                      size_t indicator, sp_error *err)
{
    if (indicator >= r->sc->n_indicators)
        return sp_error_set(err, SP_ERR_RANGE, path, 0, NULL,
                            "no indicator %zu: the scenario has %zu", indicator,
                            r->sc->n_indicators);
    if (r->res->n_years < 1 || r->res->n_years > MAX_YEARS)
        return sp_error_set(err, SP_ERR_RANGE, path, 0, NULL,
                            "%d years cannot be plotted (1 to %d)",
                            r->res->n_years, MAX_YEARS);
    fan_chart *fc = malloc(sizeof *fc);
    if (fc == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, path, 0, NULL,
                            "no memory for the fan chart");
    fan_load(r, indicator, &fc->f);
    fc->nt = fan_targets(r, &fc->f, indicator, fc->t);
    plot_stream s;
    sp_status st = plot_open(&s, path, fmt, err);
    if (st == SP_OK) {
        fan_draw(r, indicator, fc);
        st = plot_close(&s, st, err);
    }
    free(fc);
    return st;
}

/* ------------------------------------------------------------------ */
/* Target chart                                                        */
/* ------------------------------------------------------------------ */

/* A target and its probability, for sorting. */
typedef struct {
    double p;
    size_t k;
} ranked_target;

/* Orders by probability, highest first; ties keep the scenario's order. */
static int ranked_cmp(const void *a, const void *b)
{
    const ranked_target *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? 1 : -1;
    return (x->k > y->k) - (x->k < y->k);
}

/* The axis label of target k: its id, with "(joint)" for a joint target. */
static void target_label(const sp_report *r, size_t k, char *buf, size_t size)
{
    char id[MAX_TEXT / 2];
    plot_text(id, sizeof id, r->sc->targets[k].id);
    snprintf(buf, size, "%s%s", id,
             r->sc->targets[k].n_all > 0 ? " (joint)" : "");
}

/* Left edge of the viewport (normalised page units) that leaves room for
 * the longest target label at the current text size. */
static double targets_left_margin(const sp_report *r)
{
    size_t chars = 0;
    for (size_t k = 0; k < r->sc->n_targets; k++) {
        char label[MAX_TEXT];
        target_label(r, k, label, sizeof label);
        size_t n = text_chars(label);
        chars = n > chars ? n : chars;
    }
    PLFLT x0, x1, y0, y1;
    plgspa(&x0, &x1, &y0, &y1);
    double need = ((double)chars * GLYPH_WIDTH + 2.0) * char_mm() / (x1 - x0);
    return fmin(0.45, fmax(0.08, need));
}

/* The whiskers' reach: the Monte Carlo interval, widened to the interval
 * with parameter uncertainty when there is one. */
static void target_reach(const sp_target_result *tr, double *lo, double *hi)
{
    *lo = tr->ci_lo;
    *hi = tr->ci_hi;
    if (tr->param.done) {
        *lo = fmin(*lo, tr->param.lo);
        *hi = fmax(*hi, tr->param.hi);
    }
}

/* Writes the probability "0.43  [0.41, 0.45]" of a target (and "; with
 * parameters 0.38-0.51" when P carries its parameter uncertainty) beside
 * its whiskers at height c, or inside the bar (in white) when there is no
 * room right of them. */
static void target_value(const sp_target_result *tr, double c)
{
    char p[16], lo[16], hi[16], text[96];
    fmt_probability(p, sizeof p, tr->probability);
    fmt_probability(lo, sizeof lo, tr->ci_lo);
    fmt_probability(hi, sizeof hi, tr->ci_hi);
    int used = snprintf(text, sizeof text, "%s  [%s, %s]", p, lo, hi);
    if (tr->param.done) {
        fmt_probability(lo, sizeof lo, tr->param.lo);
        fmt_probability(hi, sizeof hi, tr->param.hi);
        snprintf(text + used, sizeof text - (size_t)used,
                 "; with parameters %s-%s", lo, hi);
    }
    double wx, wy, left, right;
    world_per_mm(&wx, &wy);
    target_reach(tr, &left, &right);
    double width = (double)text_chars(text) * GLYPH_WIDTH * char_mm() * wx;
    bool inside = right + 0.015 + width > 1.0 && left - 0.015 - width >= 0.0;
    plcol0(inside ? COL_WHITE : COL_INK);
    plptex(inside ? left - 0.015 : right + 0.015, c, 1.0, 0.0,
           inside ? 1.0 : 0.0, text);
}

/* A whisker from lo to hi at height y with caps of half height `cap`. */
static void whisker(double lo, double hi, double y, double cap)
{
    pljoin(lo, y, hi, y);
    pljoin(lo, y - cap, lo, y + cap);
    pljoin(hi, y - cap, hi, y + cap);
}

/* Draws the bar of target k centred at y = c (half height `h`), its 95 %
 * whisker, its value and, when `named`, its name above the bar. */
static void target_bar(const sp_report *r, size_t k, double c, double h,
                       bool named)
{
    const sp_target_result *tr = &r->res->targets[k];
    if (!isfinite(tr->probability) || !isfinite(tr->ci_lo) ||
        !isfinite(tr->ci_hi)) {
        plcol0(COL_INK);
        plptex(0.01, c, 1.0, 0.0, 0.0, "n/a");
        return;
    }
    double p = fmin(1.0, fmax(0.0, tr->probability));
    double lo = fmax(0.0, tr->ci_lo), hi = fmin(1.0, tr->ci_hi);
    PLFLT bx[4] = {0.0, p, p, 0.0}, by[4] = {c - h, c - h, c + h, c + h};
    plcol0(r->sc->targets[k].n_all > 0 ? COL_JOINT : COL_SIMPLE);
    plfill(4, bx, by);
    if (tr->param.done && isfinite(tr->param.lo) && isfinite(tr->param.hi)) {
        plcol0(COL_MUTED);
        plwidth(1.5);
        whisker(fmax(0.0, tr->param.lo), fmin(1.0, tr->param.hi), c - 0.6 * h,
                0.3 * h);
    }
    plcol0(COL_INK);
    plwidth(2.0);
    whisker(lo, hi, c, 0.5 * h);
    plwidth(1.0);
    target_value(tr, c);
    if (named) {
        char name[MAX_TEXT];
        plot_text(name, sizeof name, r->sc->targets[k].name);
        plschr(0, CHAR_SCALE * 0.8);
        plcol0(COL_MUTED);
        plptex(0.005, c + h + 0.17, 1.0, 0.0, 0.0, name);
    }
}

/* The bars, ids and guide lines of the `n` targets in `order`, with
 * smaller text when many targets leave little room for each. */
static void targets_bars(const sp_report *r, const ranked_target *order,
                         size_t n)
{
    double w, h;
    viewport_mm(&w, &h);
    double slot = h / (double)n;
    bool named = slot >= 4.0 * char_mm(); /* room for a name */
    double ts = fmax(0.45, fmin(1.0, slot / (1.8 * char_mm())));
    for (size_t j = 0; j < n; j++) {
        double c = (double)(n - j) - (named ? 0.6 : 0.5);
        char label[MAX_TEXT];
        target_label(r, order[j].k, label, sizeof label);
        plschr(0, CHAR_SCALE * ts);
        target_bar(r, order[j].k, c, named ? 0.25 : 0.32, named);
        side_text("lv", 0.8, c / (double)n, 1.0, ts, COL_INK, label);
    }
    plcol0(COL_GUIDE);
    pllsty(2);
    pljoin(0.5, 0.0, 0.5, (double)n);
    pljoin(0.9, 0.0, 0.9, (double)n);
    pllsty(1);
}

/* Title, subtitle, axis label and legend of the target chart. */
static void targets_labels(const sp_report *r)
{
    char name[MAX_TEXT / 2], sub[MAX_TEXT];
    plot_text(name, sizeof name, r->sc->name);
    snprintf(sub, sizeof sub,
             "scenario %s, %llu draws; joint: all its "
             "targets met in the same draw",
             name, (unsigned long long)r->res->draws);
    char title[] = "Probability that each target is met";
    plot_titles(title, sizeof title, sub, sizeof sub);
    side_text("b", 2.8, 0.5, 0.5, 1.0, COL_INK, "probability target met");
    legend_entries l = {0};
    legend_add(&l, PL_LEGEND_COLOR_BOX, COL_SIMPLE, 1, 1.0, NULL, "target");
    legend_add(&l, PL_LEGEND_COLOR_BOX, COL_JOINT, 1, 1.0, NULL,
               "joint target");
    legend_add(&l, PL_LEGEND_LINE, COL_INK, 1, 2.0, NULL,
               "95 % interval (Monte Carlo)");
    bool param = false;
    for (size_t k = 0; k < r->sc->n_targets; k++)
        param = param || r->res->targets[k].param.done;
    if (param)
        legend_add(&l, PL_LEGEND_LINE, COL_MUTED, 1, 1.5, NULL,
                   "with parameter uncertainty");
    PLFLT lw, lh;
    pllegend(&lw, &lh, PL_LEGEND_BACKGROUND,
             PL_POSITION_BOTTOM | PL_POSITION_OUTSIDE | PL_POSITION_VIEWPORT,
             0.0, 0.13, 0.05, COL_BG, COL_GRID, 1, 1, l.n, l.n, l.opt, 0.8,
             0.85, 2.0, 0.0, l.ink, l.text, l.col, l.pattern, l.scale, l.width,
             l.col, l.style, l.width, l.col, l.scale, l.nsym, l.symbol);
}

/* Draws the target chart of the `n` targets in `order` on the current
 * stream. */
static void targets_draw(const sp_report *r, const ranked_target *order,
                         size_t n)
{
    pladv(0);
    plvpor(targets_left_margin(r), 0.95, 0.2, 0.86);
    plwind(0.0, 1.0, 0.0, n > 0 ? (double)n : 1.0);
    plot_grid("g", 0.1, "", 0.0);
    if (n > 0)
        targets_bars(r, order, n);
    else
        side_text("t", -3.0, 0.5, 0.5, 1.0, COL_MUTED,
                  "the scenario has no targets");
    plot_frame("bcnst", 0.1, 2, "bc", 0.0, 0);
    targets_labels(r);
}

sp_status sp_plot_targets(const char *path, sp_plot_format fmt,
                          const sp_report *r, sp_error *err)
{
    size_t n = r->sc->n_targets;
    if (n > SP_MAX_TARGETS)
        return sp_error_set(err, SP_ERR_RANGE, path, 0, NULL,
                            "%zu targets cannot be plotted (at most %d)", n,
                            SP_MAX_TARGETS);
    ranked_target *order = malloc((n > 0 ? n : 1) * sizeof *order);
    if (order == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, path, 0, NULL,
                            "no memory for the target chart");
    for (size_t k = 0; k < n; k++)
        order[k] = (ranked_target){isfinite(r->res->targets[k].probability)
                                       ? r->res->targets[k].probability
                                       : -1.0, /* n/a sorts last */
                                   k};
    qsort(order, n, sizeof *order, ranked_cmp);
    plot_stream s;
    sp_status st = plot_open(&s, path, fmt, err);
    if (st == SP_OK) {
        targets_draw(r, order, n);
        st = plot_close(&s, st, err);
    }
    free(order);
    return st;
}

/* ------------------------------------------------------------------ */
/* Sweep charts                                                        */
/* ------------------------------------------------------------------ */

/* The probabilities every sweep chart marks. */
#define SWEEP_LEVELS 3
static const double sweep_level[SWEEP_LEVELS] = {0.5, 0.8, 0.9};

/* Line style and width of the contour (and colour bar mark) at level k. */
static const PLINT sweep_level_style[SWEEP_LEVELS] = {2, 1, 1};
static const double sweep_level_width[SWEEP_LEVELS] = {1.5, 1.5, 2.5};

#define SWEEP_ID_CHARS  28   /* longest target id shown in a legend */
#define SWEEP_SAMPLE_MM 20.0 /* width of a legend's line sample */
#define ID_GLYPH_WIDTH  0.95 /* glyph width / char height of ids ("_", "w") */

/* Markers of the sweep curves, in the order of the series colours. */
static const char *const series_marker[SERIES_COLOURS] = {
    "●", "■", "▲", "◆", "▼", "★", "○", "□", "△", "◇", "▽", "✚"};

/* Checks that the `n` lever values `v` of axis `what` ("x" or "y") are
 * 2 to SP_PLOT_SWEEP_MAX_POINTS finite, strictly increasing numbers;
 * returns SP_OK or SP_ERR_RANGE with a message. */
static sp_status sweep_grid_check(const char *path, const char *what,
                                  const double *v, size_t n, sp_error *err)
{
    if (n < 2 || n > SP_PLOT_SWEEP_MAX_POINTS || v == NULL)
        return sp_error_set(err, SP_ERR_RANGE, path, 0, NULL,
                            "a sweep chart needs 2 to %d %s values, not %zu",
                            SP_PLOT_SWEEP_MAX_POINTS, what,
                            v == NULL ? (size_t)0 : n);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            return sp_error_set(err, SP_ERR_RANGE, path, 0, NULL,
                                "the %s values of a sweep chart must be "
                                "finite, but %s[%zu] is %g",
                                what, what, i, v[i]);
        if (i > 0 && !(v[i] > v[i - 1]))
            return sp_error_set(err, SP_ERR_RANGE, path, 0, NULL,
                                "the %s values of a sweep chart must "
                                "increase, but %s[%zu] = %g follows %g",
                                what, what, i, v[i], v[i - 1]);
    }
    return SP_OK;
}

/* Writes `text` (user text, escaped here) along side `side` ("b" or "l")
 * of the viewport, `disp` character heights from it, made smaller or cut
 * when it is longer than that side. */
static void sweep_axis_label(const char *side, double disp, const char *text)
{
    char buf[MAX_TEXT];
    plot_text(buf, sizeof buf - 4, text != NULL ? text : "");
    double w, h;
    viewport_mm(&w, &h);
    double scale = fit_text(buf, sizeof buf, side[0] == 'b' ? w : h, 1.0, 0.7);
    side_text(side, disp / scale, 0.5, 0.5, scale, COL_INK, buf);
}

/* Tick spacing for the x axis over the window [lo, hi]: about six round
 * ticks, fewer when their labels would not fit side by side in the
 * viewport's width. */
static double sweep_xtick(double lo, double hi)
{
    double tick = nice_tick(hi - lo);
    double w, h;
    viewport_mm(&w, &h);
    double chars = (double)tick_label_chars(lo, hi, tick_decimals(tick));
    double label = (chars * DIGIT_WIDTH + 1.0) * char_mm();
    double fit = w / label; /* labels that fit */
    if (tick > 0 && fit < (hi - lo) / tick + 1.0)
        tick = nice_tick((hi - lo) * 6.0 / fmax(1.0, fit - 1.0));
    return tick;
}

/* The numbered axis `which` ("x" or "y") with ticks `tick` apart,
 * labelled in full with the decimals they need; `opt` holds the other
 * plbox options of that axis. */
static void sweep_axis(char which, const char *opt, double tick)
{
    int decimals = tick_decimals(tick);
    plslabelfunc(label_plain, &decimals);
    if (which == 'x')
        plot_frame(opt, tick, 0, "", 0.0, 0);
    else
        plot_frame("", 0.0, 0, opt, tick, 0);
    plslabelfunc(NULL, NULL);
}

/* Title (or `fallback` when `title` is NULL) and subtitle `sub` of a
 * sweep chart; user text is escaped here, `sub` is PLplot text. */
static void sweep_titles(const char *title, const char *fallback,
                         const char *sub)
{
    char t[MAX_TEXT], s[MAX_TEXT];
    plot_text(t, sizeof t - 4, title != NULL ? title : fallback);
    snprintf(s, sizeof s - 4, "%s", sub);
    plot_titles(t, sizeof t, s, sizeof s);
}

/* Dashed guide lines at the sweep levels across the window, each
 * labelled "P = 0.9" just right of the frame. */
static void sweep_guides(void)
{
    PLFLT x0, x1, y0, y1;
    plgvpw(&x0, &x1, &y0, &y1);
    plcol0(COL_GUIDE);
    plwidth(1.5);
    pllsty(2);
    for (int k = 0; k < SWEEP_LEVELS; k++)
        pljoin(x0, sweep_level[k], x1, sweep_level[k]);
    pllsty(1);
    plwidth(1.0);
    for (int k = 0; k < SWEEP_LEVELS; k++) {
        char text[16];
        snprintf(text, sizeof text, "P = %.1f", sweep_level[k]);
        side_text("rv", 0.6, (sweep_level[k] - y0) / (y1 - y0), 0.0, 0.85,
                  COL_GUIDE, text);
    }
}

/* Everything of one sweep curve chart. */
typedef struct {
    const double *x, *p; /* lever values; p[k * n_x + i] */
    size_t n_x, n_t;
    const char *const *ids;
    double *row; /* one target's probabilities, clamped */
    char id[SP_PLOT_SWEEP_MAX_TARGETS][4 * SWEEP_ID_CHARS + 8];
    double legend_scale;  /* legend text relative to the chart's */
    double legend_offset; /* legend's distance from the frame (mm) */
} curve_chart;

/* Copies the probabilities of target k into c->row, clamped to [0, 1],
 * NaN where a value is not finite. */
static void curve_row(curve_chart *c, size_t k)
{
    for (size_t i = 0; i < c->n_x; i++) {
        double v = c->p[k * c->n_x + i];
        c->row[i] = isfinite(v) ? fmin(1.0, fmax(0.0, v)) : (double)NAN;
    }
}

/* Draws one target's curve (c->row) in colour `col`: a line through each
 * run of finite values, marker `symbol` on every `stride`-th value from
 * `phase`, and on every value without a finite neighbour. */
static void curve_series(const curve_chart *c, int col, const char *symbol,
                         size_t stride, size_t phase)
{
    const double *x = c->x, *y = c->row;
    size_t n = c->n_x;
    plcol0(col);
    plwidth(2.5);
    for (size_t a = 0, b; a < n; a = b) {
        while (a < n && !isfinite(y[a]))
            a++;
        for (b = a; b < n && isfinite(y[b]); b++)
            ;
        if (b - a >= 2)
            plline((PLINT)(b - a), &x[a], &y[a]);
    }
    plwidth(1.0);
    plschr(0, CHAR_SCALE * 0.75);
    for (size_t i = 0; i < n; i++) {
        bool lone = (i == 0 || !isfinite(y[i - 1])) &&
                    (i + 1 == n || !isfinite(y[i + 1]));
        if (isfinite(y[i]) && (i % stride == phase || lone))
            plstring(1, &x[i], &y[i], symbol);
    }
    plschr(0, CHAR_SCALE);
}

/* Colour and marker of curve k: twelve colours, and markers shifted by
 * one every twelve curves, so that no two of the first 144 look alike. */
static void curve_style(size_t k, int *col, const char **symbol)
{
    *col = COL_SERIES + (int)(k % SERIES_COLOURS);
    *symbol = series_marker[(k + k / SERIES_COLOURS) % SERIES_COLOURS];
}

/* Draws every curve, markers spread so that curves through the same
 * points do not hide each other's markers entirely. */
static void curve_lines(curve_chart *c)
{
    size_t stride = c->n_x <= 25 ? 1 : (c->n_x + 19) / 20;
    for (size_t k = 0; k < c->n_t; k++) {
        int col;
        const char *symbol;
        curve_style(k, &col, &symbol);
        curve_row(c, k);
        curve_series(c, col, symbol, stride, k * stride / c->n_t % stride);
    }
}

/* Fits the legend of `c` beside a viewport `page_w` mm wide: fills c->id
 * (escaped ids, cut at SWEEP_ID_CHARS characters), picks the legend's text
 * scale so that every entry fits the chart's height, and returns the
 * right edge of the viewport (normalised page units) that leaves room
 * for the guide labels and the legend. */
static double curve_layout(curve_chart *c, double page_w, double plot_h)
{
    size_t chars = 0;
    for (size_t k = 0; k < c->n_t; k++) {
        const char *id = c->ids != NULL ? c->ids[k] : NULL;
        plot_text(c->id[k], sizeof c->id[k] - 4, id != NULL ? id : "");
        if (text_chars(c->id[k]) > SWEEP_ID_CHARS)
            cut_text(c->id[k], SWEEP_ID_CHARS - 3);
        size_t n = text_chars(c->id[k]);
        chars = n > chars ? n : chars;
    }
    double ch = char_mm(), rows = (double)(c->n_t > 0 ? c->n_t : 1);
    c->legend_scale = fmax(0.55, fmin(0.85, plot_h / (rows * 2.6 * ch)));
    c->legend_offset = (1.5 + 7.0 * GLYPH_WIDTH * 0.85) * ch;
    double legend = SWEEP_SAMPLE_MM + ((double)chars * ID_GLYPH_WIDTH + 3.0) *
                                          ch * c->legend_scale;
    double right =
        0.985 - (c->legend_offset + (c->n_t > 0 ? legend : 0.0)) / page_w;
    return fmax(0.5, fmin(0.93, right));
}

/* The legend of a sweep curve chart: each target's line and marker with
 * its id, right of the guide labels, from the top of the frame down. */
static void curve_legend(const curve_chart *c)
{
    legend_entries l = {0};
    for (size_t k = 0; k < c->n_t; k++) {
        int col;
        const char *symbol;
        curve_style(k, &col, &symbol);
        legend_add(&l, PL_LEGEND_LINE | PL_LEGEND_SYMBOL, col, 1, 2.5, symbol,
                   c->id[k]);
        l.scale[k] = 0.9 * c->legend_scale; /* markers as on the chart */
        l.nsym[k] = 3; /* at both ends and the middle: centred */
    }
    double w, h, scale = c->legend_scale;
    viewport_mm(&w, &h);
    PLFLT lw, lh;
    plwidth(1.0);
    pllegend(&lw, &lh, PL_LEGEND_BACKGROUND,
             PL_POSITION_LEFT | PL_POSITION_TOP | PL_POSITION_INSIDE |
                 PL_POSITION_VIEWPORT,
             1.0 + c->legend_offset / w, 0.0, SWEEP_SAMPLE_MM / w, COL_BG,
             COL_GRID, 1, 0, 0, l.n, l.opt, 0.8, scale, 2.6 * scale, 0.0, l.ink,
             l.text, l.col, l.pattern, l.scale, l.width, l.col, l.style,
             l.width, l.col, l.scale, l.nsym, l.symbol);
}

/* Titles, axis labels and legend of a sweep curve chart. */
static void curve_labels(const curve_chart *c, const char *title,
                         const char *x_label, double ydisp)
{
    char sub[128];
    snprintf(sub, sizeof sub, "%zu target%s at %zu values of the lever", c->n_t,
             c->n_t == 1 ? "" : "s", c->n_x);
    sweep_titles(title, "Probability that each target is met", sub);
    sweep_axis_label("b", 3.2, x_label);
    side_text("l", ydisp, 0.5, 0.5, 1.0, COL_INK, "probability target met");
    if (c->n_t > 0)
        curve_legend(c);
}

/* Draws the sweep curve chart `c` on the current stream. */
static void curve_draw(curve_chart *c, const char *title, const char *x_label)
{
    double ydisp = 3.0 * DIGIT_WIDTH + 1.8;
    PLFLT px0, px1, py0, py1;
    pladv(0);
    plgspa(&px0, &px1, &py0, &py1);
    double right = curve_layout(c, px1 - px0, 0.75 * (py1 - py0));
    plvpor((ydisp + 2.0) * char_mm() / (px1 - px0), right, 0.11, 0.86);
    double x0 = c->x[0], x1 = c->x[c->n_x - 1], pad = 0.015 * (x1 - x0);
    plwind(x0 - pad, x1 + pad, -0.03, 1.03);
    double xtick = sweep_xtick(x0 - pad, x1 + pad);
    plot_grid("g", xtick, "g", 0.1);
    sweep_guides();
    if (c->n_t > 0)
        curve_lines(c);
    else
        side_text("t", -12.0, 0.5, 0.5, 1.0, COL_MUTED, "no targets to show");
    sweep_axis('x', "bcnsto", xtick);
    int decimals = 1;
    plslabelfunc(label_plain, &decimals);
    plot_frame("", 0.0, 0, "bcnstvo", 0.1, 0);
    plslabelfunc(NULL, NULL);
    curve_labels(c, title, x_label, ydisp);
}

sp_status sp_plot_sweep_curve(const char *path, sp_plot_format fmt,
                              const char *title, const char *x_label,
                              const double *x, size_t n_x,
                              const char *const *target_ids, size_t n_targets,
                              const double *p, sp_error *err)
{
    sp_status st = sweep_grid_check(path, "x", x, n_x, err);
    if (st != SP_OK)
        return st;
    if (n_targets > SP_PLOT_SWEEP_MAX_TARGETS || (n_targets > 0 && p == NULL))
        return sp_error_set(err, SP_ERR_RANGE, path, 0, NULL,
                            "a sweep curve chart shows 0 to %d targets with "
                            "their probabilities, not %zu%s",
                            SP_PLOT_SWEEP_MAX_TARGETS, n_targets,
                            p == NULL ? " without probabilities" : "");
    curve_chart *c = malloc(sizeof *c);
    double *row = malloc(n_x * sizeof *row);
    if (c == NULL || row == NULL) {
        free(c);
        free(row);
        return sp_error_set(err, SP_ERR_NOMEM, path, 0, NULL,
                            "no memory for the sweep curve chart");
    }
    *c = (curve_chart){.x = x,
                       .p = p,
                       .n_x = n_x,
                       .n_t = n_targets,
                       .ids = target_ids,
                       .row = row};
    plot_stream s;
    st = plot_open(&s, path, fmt, err);
    if (st == SP_OK) {
        curve_draw(c, title, x_label);
        st = plot_close(&s, st, err);
    }
    free(row);
    free(c);
    return st;
}

/* The grid of one heat map in the forms PLplot takes. */
typedef struct {
    PLINT nx, ny;
    PLFLT **z;      /* z[i][j]: P at x[i], y[j]; NaN when not finite */
    PLFLT *xg, *yg; /* the grid values, for the contours */
    PLFLT *xe, *ye; /* cell edges: nx + 1 and ny + 1 values */
    bool missing;   /* some value is not finite */
} heat_grid;

/* Cell edges of the n grid values `v` into `e` (n + 1 values): half-way
 * between neighbours, the outer edges on the first and last value, so
 * that the map covers exactly the swept range. */
static void heat_edges(const double *v, size_t n, PLFLT *e)
{
    e[0] = v[0];
    e[n] = v[n - 1];
    for (size_t i = 1; i < n; i++)
        e[i] = 0.5 * (v[i - 1] + v[i]);
}

/* Allocates `g` for the grid x (nx values) by y (ny values) and fills it
 * from the row-major p[ny][nx]; false when memory is short (then nothing
 * is left allocated). heat_free() releases it. */
static bool heat_load(heat_grid *g, const double *x, size_t nx, const double *y,
                      size_t ny, const double *p)
{
    g->z = malloc(nx * sizeof *g->z);
    g->xg = malloc((nx * ny + 2 * (nx + ny + 1)) * sizeof *g->xg);
    if (g->z == NULL || g->xg == NULL) {
        free(g->z);
        free(g->xg);
        return false;
    }
    g->yg = g->xg + nx;
    g->xe = g->yg + ny;
    g->ye = g->xe + nx + 1;
    g->nx = (PLINT)nx;
    g->ny = (PLINT)ny;
    g->missing = false;
    memcpy(g->xg, x, nx * sizeof *x);
    memcpy(g->yg, y, ny * sizeof *y);
    heat_edges(x, nx, g->xe);
    heat_edges(y, ny, g->ye);
    for (size_t i = 0; i < nx; i++) {
        g->z[i] = g->ye + ny + 1 + i * ny;
        for (size_t j = 0; j < ny; j++) {
            double v = p[j * nx + i];
            g->z[i][j] = isfinite(v) ? v : (double)NAN;
            g->missing = g->missing || !isfinite(v);
        }
    }
    return true;
}

/* Releases what heat_load() allocated. */
static void heat_free(heat_grid *g)
{
    free(g->z);
    free(g->xg);
}

/* Loads the heat map's colour scale into cmap1: ColorBrewer's RdYlBu,
 * red at P = 0 through pale yellow at 0.5 to blue at 1. */
static void heat_colours(void)
{
    static const PLFLT pos[5] = {0.0, 0.25, 0.5, 0.75, 1.0};
    static const PLFLT r[5] = {215, 253, 255, 171, 44};
    static const PLFLT g[5] = {25, 174, 255, 217, 123};
    static const PLFLT b[5] = {28, 97, 191, 233, 182};
    PLFLT rr[5], gg[5], bb[5];
    for (int k = 0; k < 5; k++) {
        rr[k] = r[k] / 255.0;
        gg[k] = g[k] / 255.0;
        bb[k] = b[k] / 255.0;
    }
    plscmap1n(256);
    plscmap1l(1, 5, pos, rr, gg, bb, NULL);
}

/* Draws one cell per grid point, coloured by P on cmap1 (values outside
 * [0, 1] take the end colours), over a light grey ground that shows
 * through where a value is missing. */
static void heat_cells(const heat_grid *g)
{
    PLFLT x0 = g->xe[0], x1 = g->xe[g->nx], y0 = g->ye[0], y1 = g->ye[g->ny];
    PLFLT bx[4] = {x0, x1, x1, x0}, by[4] = {y0, y0, y1, y1};
    plcol0(COL_GRID);
    plfill(4, bx, by);
    PLcGrid edges = {g->xe, g->ye, NULL, g->nx + 1, g->ny + 1, 0};
    plimagefr((PLFLT_MATRIX)g->z, g->nx, g->ny, x0, x1, y0, y1, -DBL_MAX,
              DBL_MAX, 0.0, 1.0, pltr1, &edges);
}

/* The crossing of the contour of `level` with the grid edge from point
 * (i, j) to (i2, j2), into (*cx, *cy); false when the edge does not
 * cross it (or a value is missing). */
static bool heat_crossing(const heat_grid *g, double level, PLINT i, PLINT j,
                          PLINT i2, PLINT j2, double *cx, double *cy)
{
    if (i2 >= g->nx || j2 >= g->ny)
        return false;
    double a = g->z[i][j] - level, b = g->z[i2][j2] - level;
    if (!(a * b < 0.0))
        return false;
    double t = a / (a - b);
    *cx = g->xg[i] + t * (g->xg[i2] - g->xg[i]);
    *cy = g->yg[j] + t * (g->yg[j2] - g->yg[j]);
    return true;
}

/* The middle of the contour of `level` in the grid cell whose lower left
 * point is (i, j), into (*cx, *cy): half-way between the two points where
 * it crosses the cell's edges; false unless it crosses exactly two. */
static bool heat_segment(const heat_grid *g, double level, PLINT i, PLINT j,
                         double *cx, double *cy)
{
    static const PLINT edge[4][4] = {
        {0, 0, 1, 0}, {1, 0, 1, 1}, {0, 1, 1, 1}, {0, 0, 0, 1}};
    double sx = 0.0, sy = 0.0, px, py;
    int n = 0;
    for (int k = 0; k < 4; k++)
        if (heat_crossing(g, level, i + edge[k][0], j + edge[k][1],
                          i + edge[k][2], j + edge[k][3], &px, &py)) {
            sx += px;
            sy += py;
            n++;
        }
    *cx = 0.5 * sx;
    *cy = 0.5 * sy;
    return n == 2;
}

/* Finds room on the contour of `level` for a label box `w` by `h` (world
 * units): of the middles of its segments in the grid cells, the one
 * nearest the point at fraction `fx` across the window and half-way up
 * whose box stays inside the window and clear of the `n` boxes in
 * `taken`. Returns the box; false when there
 * is none (the contour is absent, or every place is taken). */
static bool heat_label_box(const heat_grid *g, double level, double fx,
                           double w, double h, const taken_box *taken, size_t n,
                           taken_box *out)
{
    PLFLT x0, x1, y0, y1;
    plgvpw(&x0, &x1, &y0, &y1);
    double best = INFINITY, cx, cy;
    for (PLINT i = 0; i + 1 < g->nx; i++)
        for (PLINT j = 0; j + 1 < g->ny; j++) {
            if (!heat_segment(g, level, i, j, &cx, &cy))
                continue;
            taken_box b = {cx - 0.5 * w, cx + 0.5 * w, cy - 0.5 * h,
                           cy + 0.5 * h};
            double dist = hypot((cx - x0) / (x1 - x0) - fx,
                                (cy - 0.5 * (y0 + y1)) / (y1 - y0));
            if (b.x0 < x0 || b.x1 > x1 || b.y0 < y0 || b.y1 > y1 ||
                dist >= best || box_collides(taken, n, b))
                continue;
            best = dist;
            *out = b;
        }
    return isfinite(best);
}

/* Labels the contour of sweep level k "P = 0.9", or "0.9" where the
 * longer label finds no room, on a translucent white box over the line
 * where heat_label_box() finds room, and adds the box to `taken` (`*n`
 * boxes); higher levels are sought further right so that the labels of
 * parallel contours do not stack. */
static void heat_contour_label(const heat_grid *g, int k, taken_box *taken,
                               size_t *n)
{
    double wx, wy, ch = char_mm();
    world_per_mm(&wx, &wy);
    for (int brief = 0; brief < 2; brief++) {
        char text[16];
        snprintf(text, sizeof text, brief ? "%.1f" : "P = %.1f",
                 sweep_level[k]);
        double w = ((double)text_chars(text) * GLYPH_WIDTH + 0.6) * ch * wx;
        taken_box b;
        if (!heat_label_box(g, sweep_level[k], 0.3 + 0.2 * k, w, 1.5 * ch * wy,
                            taken, *n, &b))
            continue;
        taken[(*n)++] = b;
        PLFLT bx[4] = {b.x0, b.x1, b.x1, b.x0};
        PLFLT by[4] = {b.y0, b.y0, b.y1, b.y1};
        plcol0(COL_HALO);
        plfill(4, bx, by);
        plcol0(COL_INK);
        plptex(0.5 * (b.x0 + b.x1), 0.5 * (b.y0 + b.y1), 1.0, 0.0, 0.5, text);
        return;
    }
}

/* Labels every contour (see heat_contour_label), the highest first. */
static void heat_contour_labels(const heat_grid *g)
{
    taken_box taken[SWEEP_LEVELS];
    size_t n = 0;
    plschr(0, CHAR_SCALE * 0.9);
    for (int k = SWEEP_LEVELS - 1; k >= 0; k--)
        heat_contour_label(g, k, taken, &n);
    plschr(0, CHAR_SCALE);
}

/* Draws the contour lines of the sweep levels in ink, each in its own
 * style, then their labels; a level that P never reaches draws nothing. */
static void heat_contours(const heat_grid *g)
{
    PLcGrid points = {g->xg, g->yg, NULL, g->nx, g->ny, 0};
    plcol0(COL_INK);
    for (int k = 0; k < SWEEP_LEVELS; k++) {
        pllsty(sweep_level_style[k]);
        plwidth(sweep_level_width[k]);
        plcont((PLFLT_MATRIX)g->z, g->nx, g->ny, 1, g->nx, 1, g->ny,
               &sweep_level[k], 1, pltr1, &points);
    }
    pllsty(1);
    plwidth(1.0);
    heat_contour_labels(g);
}

/* Draws the colour bar in the viewport [x0, x1] by [y0, y1] (normalised
 * page units): the colour scale from P = 0 at the bottom to 1 at the top,
 * numbered every 0.1 on its right, the contour levels drawn across it in
 * their styles, and its label. */
static void heat_colorbar(double x0, double x1, double y0, double y1)
{
    plvpor(x0, x1, y0, y1);
    plwind(0.0, 1.0, 0.0, 1.0);
    for (int k = 0; k < 200; k++) { /* overlapping strips: no seams */
        PLFLT bx[4] = {0.0, 1.0, 1.0, 0.0};
        PLFLT by[4] = {k / 200.0, k / 200.0, (k + 2) / 200.0, (k + 2) / 200.0};
        plcol1((k + 0.5) / 200.0);
        plfill(4, bx, by);
    }
    plcol0(COL_INK);
    for (int k = 0; k < SWEEP_LEVELS; k++) {
        pllsty(sweep_level_style[k]);
        plwidth(sweep_level_width[k]);
        pljoin(0.0, sweep_level[k], 1.0, sweep_level[k]);
    }
    pllsty(1);
    int decimals = 1;
    plslabelfunc(label_plain, &decimals);
    plot_frame("bc", 0.0, 0, "bcmstvo", 0.1, 0);
    plslabelfunc(NULL, NULL);
    side_text("r", 4.2, 0.5, 0.5, 1.0, COL_INK, "probability target met");
}

/* Titles and axis labels of a heat map; the y label `ydisp` character
 * heights left of the axis. */
static void heat_labels(const heat_grid *g, const char *title,
                        const char *x_label, const char *y_label, double ydisp)
{
    char sub[192];
    snprintf(sub, sizeof sub,
             "%d × %d grid points; contours at P = 0.5 "
             "(dashed), 0.8 and 0.9 (thick)%s",
             (int)g->nx, (int)g->ny, g->missing ? "; grey: no value" : "");
    sweep_titles(title, "Probability that the target is met", sub);
    sweep_axis_label("b", 3.2, x_label);
    sweep_axis_label("l", ydisp, y_label);
}

/* Draws the heat map of `g` on the current stream. */
static void heat_draw(const heat_grid *g, const char *title,
                      const char *x_label, const char *y_label)
{
    double x0 = g->xe[0], x1 = g->xe[g->nx];
    double y0 = g->ye[0], y1 = g->ye[g->ny];
    int ydec = tick_decimals(nice_tick(y1 - y0));
    double ydisp = (double)tick_label_chars(y0, y1, ydec) * DIGIT_WIDTH + 1.8;
    PLFLT px0, px1, py0, py1;
    pladv(0);
    plgspa(&px0, &px1, &py0, &py1);
    plvpor(fmin(0.3, (ydisp + 2.0) * char_mm() / (px1 - px0)), 0.8, 0.11, 0.86);
    plwind(x0, x1, y0, y1);
    heat_colours();
    heat_cells(g);
    heat_contours(g);
    sweep_axis('x', "bcnsto", sweep_xtick(x0, x1));
    sweep_axis('y', "bcnstvo", nice_tick(y1 - y0));
    heat_labels(g, title, x_label, y_label, ydisp);
    heat_colorbar(0.83, 0.855, 0.11, 0.86);
}

sp_status sp_plot_sweep_heatmap(const char *path, sp_plot_format fmt,
                                const char *title, const char *x_label,
                                const double *x, size_t n_x,
                                const char *y_label, const double *y,
                                size_t n_y, const double *p, sp_error *err)
{
    sp_status st = sweep_grid_check(path, "x", x, n_x, err);
    if (st == SP_OK)
        st = sweep_grid_check(path, "y", y, n_y, err);
    if (st != SP_OK)
        return st;
    if (n_x * n_y > SP_PLOT_SWEEP_MAX_CELLS || p == NULL)
        return sp_error_set(err, SP_ERR_RANGE, path, 0, NULL,
                            "a sweep heat map needs a probability at each of "
                            "at most %d grid points, not %zu × %zu%s",
                            SP_PLOT_SWEEP_MAX_CELLS, n_x, n_y,
                            p == NULL ? " without probabilities" : "");
    heat_grid g;
    if (!heat_load(&g, x, n_x, y, n_y, p))
        return sp_error_set(err, SP_ERR_NOMEM, path, 0, NULL,
                            "no memory for the sweep heat map");
    plot_stream s;
    st = plot_open(&s, path, fmt, err);
    if (st == SP_OK) {
        heat_draw(&g, title, x_label, y_label);
        st = plot_close(&s, st, err);
    }
    heat_free(&g);
    return st;
}

/* ------------------------------------------------------------------ */
/* Back-test charts                                                    */
/* ------------------------------------------------------------------ */

/* Left edge of the viewport (normalised page units) for a y label
 * `ydisp` character heights left of the axis. */
static double bt_left(double ydisp)
{
    PLFLT px0, px1, py0, py1;
    plgspa(&px0, &px1, &py0, &py1);
    return fmin(0.3, (ydisp + 2.0) * char_mm() / (px1 - px0));
}

/* Right edge of the viewport (normalised page units) that leaves room on
 * its right for a legend_draw() legend whose longest text has `chars`
 * characters. */
static double bt_right(size_t chars)
{
    PLFLT px0, px1, py0, py1;
    plgspa(&px0, &px1, &py0, &py1);
    double text = (double)chars * GLYPH_WIDTH * 0.85 * char_mm();
    return fmax(0.5, fmin(0.78, 0.9 - text / (px1 - px0)));
}

/* Longest legend text of a back-test chart, in characters: longer names
 * are cut to it. */
#define BT_LEGEND_CHARS 30

/* The last component of a path (the data file, in subtitles). */
static const char *bt_base_name(const char *path)
{
    const char *slash = path != NULL ? strrchr(path, '/') : NULL;
    return slash != NULL ? slash + 1 : path != NULL ? path : "";
}

/* "NAME on FILE, origins FROM-TO" (PLplot text) into buf. */
static void bt_context(const sp_backtest_report *r, char *buf, size_t size)
{
    char name[MAX_TEXT / 4], file[MAX_TEXT / 4];
    plot_text(name, sizeof name, r->sc->name);
    plot_text(file, sizeof file, bt_base_name(r->data_file));
    snprintf(buf, size, "%s on %s, origins %d-%d", name, file, r->o->from,
             r->o->to);
}

/* The band of the counts a uniform PIT gives a bin, across the chart. */
static void btpit_band(const sp_bt_chart_pit *h)
{
    PLFLT bx[4] = {0.0, 1.0, 1.0, 0.0};
    PLFLT by[4] = {(double)h->lo, (double)h->lo, (double)h->hi, (double)h->hi};
    plcol0(COL_UNIFORM);
    plfill(4, bx, by);
}

/* One bar per bin, red when its count is outside the band, with the
 * count above it; `cy` is a character height in world y. */
static void btpit_bars(const sp_bt_chart_pit *h, double cy)
{
    for (int k = 0; k < SP_BT_PIT_BINS; k++) {
        double x0 = (k + 0.1) / SP_BT_PIT_BINS, x1 = (k + 0.9) / SP_BT_PIT_BINS;
        double c = (double)h->count[k];
        PLFLT bx[4] = {x0, x1, x1, x0}, by[4] = {0.0, 0.0, c, c};
        plcol0(h->count[k] < h->lo || h->count[k] > h->hi ? COL_TARGET
                                                          : COL_SIMPLE);
        if (c > 0)
            plfill(4, bx, by);
        char text[32];
        snprintf(text, sizeof text, "%zu", h->count[k]);
        plcol0(COL_INK);
        plptex(0.5 * (x0 + x1), c + 0.8 * cy, 1.0, 0.0, 0.5, text);
    }
}

/* The band's edges, dashed, and the expected count, over the bars. */
static void btpit_lines(const sp_bt_chart_pit *h)
{
    plcol0(COL_JOINT);
    plwidth(1.5);
    pllsty(2);
    pljoin(0.0, (double)h->lo, 1.0, (double)h->lo);
    pljoin(0.0, (double)h->hi, 1.0, (double)h->hi);
    pllsty(1);
    plwidth(2.5);
    pljoin(0.0, h->expected, 1.0, h->expected);
    plwidth(1.0);
}

/* The legend texts of the PIT histogram that hold numbers (64 bytes
 * each); returns the characters of the longer. */
static size_t btpit_texts(const sp_bt_chart_pit *h, char *expected, char *range)
{
    snprintf(expected, 64, "expected if uniform: %.1f", h->expected);
    snprintf(range, 64, "90 %% range if uniform: %zu-%zu", h->lo, h->hi);
    size_t a = strlen(expected), b = strlen(range);
    return a > b ? a : b;
}

/* Titles, axis labels and legend of the PIT histogram. */
static void btpit_labels(const sp_backtest_report *r, const sp_bt_chart_pit *h,
                         double ydisp)
{
    char title[MAX_TEXT], sub[MAX_TEXT], ctx[MAX_TEXT];
    snprintf(title, sizeof title, "PIT histogram: %zu scored values, %s", h->n,
             h->verdict);
    bt_context(r, ctx, sizeof ctx);
    snprintf(sub, sizeof sub,
             "%s, horizons 1-%d; a U: intervals too narrow, a hump: too "
             "wide",
             ctx, r->o->horizon);
    plot_titles(title, sizeof title, sub, sizeof sub);
    side_text("b", 2.8, 0.5, 0.5, 1.0, COL_INK,
              "PIT: the projection's distribution function at the realised "
              "value");
    side_text("l", ydisp, 0.5, 0.5, 1.0, COL_INK, "scored values in the bin");
    char expected[64], range[64];
    btpit_texts(h, expected, range);
    legend_entries l = {0};
    legend_add(&l, PL_LEGEND_COLOR_BOX, COL_SIMPLE, 1, 1.0, NULL,
               "values in the bin");
    if (h->outside > 0)
        legend_add(&l, PL_LEGEND_COLOR_BOX, COL_TARGET, 1, 1.0, NULL,
                   "outside the range");
    legend_add(&l, PL_LEGEND_LINE, COL_JOINT, 1, 2.5, NULL, expected);
    legend_add(&l, PL_LEGEND_COLOR_BOX, COL_UNIFORM, 1, 1.0, NULL, range);
    legend_draw(&l);
}

/* Draws the PIT histogram `h` on the current stream. */
static void btpit_draw(const sp_backtest_report *r, const sp_bt_chart_pit *h)
{
    size_t top = h->hi;
    for (int k = 0; k < SP_BT_PIT_BINS; k++)
        top = h->count[k] > top ? h->count[k] : top;
    double ymax = 1.12 * (double)top + 1.0;
    double ytick = fmax(1.0, nice_tick(ymax));
    int decimals = 0;
    double ydisp = (double)tick_label_chars(0.0, ymax, 0) * DIGIT_WIDTH + 1.8;
    char expected[64], range[64];
    size_t chars = btpit_texts(h, expected, range);
    pladv(0);
    plvpor(bt_left(ydisp), bt_right(chars), 0.11, 0.86);
    plwind(0.0, 1.0, 0.0, ymax);
    plot_grid("", 0.0, "g", ytick);
    btpit_band(h);
    double wx, wy;
    world_per_mm(&wx, &wy);
    btpit_bars(h, char_mm() * wy);
    btpit_lines(h);
    int xdec = 1;
    plslabelfunc(label_plain, &xdec);
    plot_frame("bcnst", 0.1, 0, "", 0.0, 0);
    plslabelfunc(label_plain, &decimals);
    plot_frame("", 0.0, 0, "bcnstv", ytick, 0);
    plslabelfunc(NULL, NULL);
    btpit_labels(r, h, ydisp);
}

sp_status sp_plot_bt_pit(const char *path, sp_plot_format fmt,
                         const sp_backtest_report *r, sp_error *err)
{
    if (r->b->pooled.n == 0)
        return sp_error_set(err, SP_ERR_RANGE, path, 0, NULL,
                            "no scored value to plot");
    sp_bt_chart_pit h;
    sp_bt_chart_pit_of(&r->b->pooled, &h);
    plot_stream s;
    sp_status st = plot_open(&s, path, fmt, err);
    if (st == SP_OK) {
        btpit_draw(r, &h);
        st = plot_close(&s, st, err);
    }
    return st;
}

/* The 95 % band around the diagonal for curve `c`, from (0, 0) to
 * (1, 1). */
static void btcov_band(const sp_bt_chart_curve *c)
{
    PLFLT x[2 * SP_BT_CHART_LEVELS + 2], y[2 * SP_BT_CHART_LEVELS + 2];
    PLINT m = 0;
    x[m] = 0.0;
    y[m++] = 0.0;
    for (int k = 0; k < SP_BT_CHART_LEVELS; k++) {
        x[m] = c->level[k];
        y[m++] = c->band_hi[k];
    }
    x[m] = 1.0;
    y[m++] = 1.0;
    for (int k = SP_BT_CHART_LEVELS - 1; k >= 0; k--) {
        x[m] = c->level[k];
        y[m++] = c->band_lo[k];
    }
    plcol0(COL_BAND90);
    plfill(m, x, y);
}

/* One coverage curve in colour `col`, `width` wide, marker `symbol`. */
static void btcov_curve(const sp_bt_chart_curve *c, int col, double width,
                        const char *symbol)
{
    PLFLT x[SP_BT_CHART_LEVELS], y[SP_BT_CHART_LEVELS];
    for (int k = 0; k < SP_BT_CHART_LEVELS; k++) {
        x[k] = c->level[k];
        y[k] = c->coverage[k];
    }
    plcol0(col);
    plwidth(width);
    plline(SP_BT_CHART_LEVELS, x, y);
    plwidth(1.0);
    plschr(0, CHAR_SCALE * 0.8);
    plstring(SP_BT_CHART_LEVELS, x, y, symbol);
    plschr(0, CHAR_SCALE);
}

/* Legend texts of the coverage chart: pooled and one per indicator. */
typedef struct {
    char text[LEGEND_MAX][MAX_TEXT / 4];
} btcov_texts;

/* The name of indicator i in the legend (PLplot text), cut so that its
 * entry fits in BT_LEGEND_CHARS. */
static void btcov_name(const sp_backtest_report *r, size_t i, char *name,
                       size_t size)
{
    plot_text(name, size - 4, r->sc->indicators[i].name);
    if (text_chars(name) > BT_LEGEND_CHARS - 14)
        cut_text(name, BT_LEGEND_CHARS - 17);
}

/* Characters of the longest legend text of the coverage chart. */
static size_t btcov_chars(const sp_backtest_report *r)
{
    size_t chars = 22; /* "(below it: too narrow)" */
    for (size_t i = 0; i < r->b->n_indicators; i++)
        if (r->b->by_indicator[i].n > 0) {
            char name[MAX_TEXT / 4], text[MAX_TEXT / 2];
            btcov_name(r, i, name, sizeof name);
            snprintf(text, sizeof text, "%s: %zu values", name,
                     r->b->by_indicator[i].n);
            chars = text_chars(text) > chars ? text_chars(text) : chars;
        }
    return chars;
}

/* Draws the curves of every scored indicator (at most LEGEND_MAX - 4,
 * in scenario order) and then of the pooled scores on top, and adds them
 * to the legend `l`, pooled first. */
static void btcov_curves(const sp_backtest_report *r,
                         const sp_bt_chart_curve *pooled, legend_entries *l,
                         btcov_texts *t)
{
    const sp_backtest *b = r->b;
    snprintf(t->text[0], sizeof t->text[0], "pooled: %zu values", pooled->n);
    legend_add(l, PL_LEGEND_LINE | PL_LEGEND_SYMBOL, COL_MEDIAN, 1, 3.5, "●",
               t->text[0]);
    for (size_t i = 0; i < b->n_indicators && l->n + 3 < LEGEND_MAX; i++) {
        if (b->by_indicator[i].n == 0)
            continue;
        sp_bt_chart_curve c;
        sp_bt_chart_coverage_of(b, i, &c);
        int col;
        const char *symbol;
        curve_style((size_t)l->n, &col, &symbol);
        btcov_curve(&c, col, 2.0, symbol);
        char name[MAX_TEXT / 4];
        btcov_name(r, i, name, sizeof name);
        char *text = t->text[l->n];
        snprintf(text, sizeof t->text[0], "%s: %zu values", name, c.n);
        legend_add(l, PL_LEGEND_LINE | PL_LEGEND_SYMBOL, col, 1, 2.0, symbol,
                   text);
    }
    btcov_curve(pooled, COL_MEDIAN, 3.5, "●");
    for (PLINT k = 0; k < l->n; k++)
        l->scale[k] = 0.7; /* markers about as on the chart */
}

/* Draws the coverage chart on the current stream. */
static void btcov_draw(const sp_backtest_report *r)
{
    sp_bt_chart_curve pooled;
    sp_bt_chart_coverage_of(r->b, SP_BT_CHART_POOLED, &pooled);
    double ydisp = 3.0 * DIGIT_WIDTH + 1.8;
    pladv(0);
    plvpor(bt_left(ydisp), bt_right(btcov_chars(r)), 0.11, 0.86);
    plwind(0.0, 1.0, 0.0, 1.0);
    plot_grid("g", 0.1, "g", 0.1);
    btcov_band(&pooled);
    plcol0(COL_INK);
    pllsty(2);
    plwidth(1.5);
    pljoin(0.0, 0.0, 1.0, 1.0);
    pllsty(1);
    plwidth(1.0);
    legend_entries l = {0};
    btcov_texts t;
    btcov_curves(r, &pooled, &l, &t);
    int decimals = 1;
    plslabelfunc(label_plain, &decimals);
    plot_frame("bcnst", 0.1, 0, "bcnstv", 0.1, 0);
    plslabelfunc(NULL, NULL);
    legend_add(&l, PL_LEGEND_LINE, COL_INK, 2, 1.5, NULL,
               "diagonal: calibrated");
    legend_add(&l, PL_LEGEND_NONE, COL_INK, 1, 1.0, NULL,
               "(below it: too narrow)");
    legend_add(&l, PL_LEGEND_COLOR_BOX, COL_BAND90, 1, 1.0, NULL,
               "95 % band, pooled n");
    legend_draw(&l);
    char title[MAX_TEXT], sub[MAX_TEXT], ctx[MAX_TEXT];
    double se;
    snprintf(title, sizeof title,
             "Coverage of the central intervals: %zu scored values, %s",
             pooled.n, sp_backtest_verdict(&r->b->pooled, &se));
    bt_context(r, ctx, sizeof ctx);
    snprintf(sub, sizeof sub, "%s; a value is inside when |PIT - 0.5| <= a/2",
             ctx);
    plot_titles(title, sizeof title, sub, sizeof sub);
    side_text("b", 2.8, 0.5, 0.5, 1.0, COL_INK,
              "nominal level a of the central interval");
    side_text("l", ydisp, 0.5, 0.5, 1.0, COL_INK,
              "share of realised values inside it");
}

sp_status sp_plot_bt_coverage(const char *path, sp_plot_format fmt,
                              const sp_backtest_report *r, sp_error *err)
{
    if (r->b->pooled.n == 0)
        return sp_error_set(err, SP_ERR_RANGE, path, 0, NULL,
                            "no scored value to plot");
    plot_stream s;
    sp_status st = plot_open(&s, path, fmt, err);
    if (st == SP_OK) {
        btcov_draw(r);
        st = plot_close(&s, st, err);
    }
    return st;
}

/* Width (in years) of the group of projections of one year. */
#define BTPROJ_GROUP 0.8

/* Everything of one projections chart. */
typedef struct {
    const sp_backtest_report *r;
    size_t indicator;
    const char *region;
    size_t n_origins;
    sp_bt_chart_origin *origins; /* [n_origins] */
    int first, last;             /* scored years */
    double *realised;            /* [last - first + 1], NaN: none */
    double lo, hi;               /* y range, percent */
    size_t n, in90;              /* the chart's values, inside 90 % */
    char legend[SERIES_COLOURS][MAX_TEXT / 4];
} btproj_chart;

/* Score j of origin o of the chart. */
static const sp_bt_score *btproj_score(const btproj_chart *c,
                                       const sp_bt_chart_origin *o, size_t j)
{
    return &c->r->b->scores[o->first + j];
}

/* Finds the years, the realised values, the y range and the counts of
 * the chart; false when memory is short. */
static bool btproj_load(btproj_chart *c)
{
    c->first = INT32_MAX;
    c->last = INT32_MIN;
    c->lo = INFINITY;
    c->hi = -INFINITY;
    for (size_t k = 0; k < c->n_origins; k++)
        for (size_t j = 0; j < c->origins[k].n; j++) {
            const sp_bt_score *s = btproj_score(c, &c->origins[k], j);
            c->first = s->year < c->first ? s->year : c->first;
            c->last = s->year > c->last ? s->year : c->last;
            extend(&c->lo, &c->hi, 100.0 * s->p05);
            extend(&c->lo, &c->hi, 100.0 * s->p95);
            extend(&c->lo, &c->hi, 100.0 * s->value);
            c->n++;
            c->in90 += s->in90;
        }
    c->realised = malloc((size_t)(c->last - c->first + 1) * sizeof(double));
    if (c->realised == NULL)
        return false;
    for (int y = c->first; y <= c->last; y++)
        c->realised[y - c->first] = (double)NAN;
    for (size_t k = 0; k < c->n_origins; k++)
        for (size_t j = 0; j < c->origins[k].n; j++) {
            const sp_bt_score *s = btproj_score(c, &c->origins[k], j);
            c->realised[s->year - c->first] = 100.0 * s->value;
        }
    if (!(c->lo <= c->hi)) {
        c->lo = 0.0;
        c->hi = 1.0;
    }
    double pad = c->hi > c->lo ? 0.06 * (c->hi - c->lo) : 1.0;
    c->lo -= pad;
    c->hi += pad;
    return true;
}

/* The end of the run of consecutive years of origin `o` that starts at
 * its score `a`. */
static size_t btproj_run(const btproj_chart *c, const sp_bt_chart_origin *o,
                         size_t a)
{
    size_t b = a + 1;
    while (b < o->n &&
           btproj_score(c, o, b)->year == btproj_score(c, o, b - 1)->year + 1)
        b++;
    return b;
}

/* Where score `s` is drawn along x: its year, moved by its horizon h so
 * that the projections of one year from origins 1 .. H years before it
 * stand side by side, horizon 1 on the left. */
static double btproj_x(const btproj_chart *c, const sp_bt_score *s)
{
    int H = c->r->b->horizon > 0 ? c->r->b->horizon : 1;
    double step = BTPROJ_GROUP / H;
    return s->year + step * ((double)(s->year - s->origin) - 0.5 * (H + 1));
}

/* The 90 % interval (p05-p95) of every scored year of origin `o`, as a
 * bar in colour `col`. */
static void btproj_bars(const btproj_chart *c, const sp_bt_chart_origin *o,
                        int col)
{
    plcol0(col);
    plwidth(2.0);
    for (size_t j = 0; j < o->n; j++) {
        const sp_bt_score *s = btproj_score(c, o, j);
        double x = btproj_x(c, s);
        pljoin(x, 100.0 * s->p05, x, 100.0 * s->p95);
    }
    plwidth(1.0);
}

/* The median of origin `o` in colour `col`: a dot at every scored year,
 * joined over each run of consecutive years. */
static void btproj_median(const btproj_chart *c, const sp_bt_chart_origin *o,
                          int col)
{
    PLFLT x[MAX_YEARS], y[MAX_YEARS];
    plcol0(col);
    for (size_t a = 0, b; a < o->n; a = b) {
        b = btproj_run(c, o, a);
        PLINT m = 0;
        for (size_t j = a; j < b && m < MAX_YEARS; j++, m++) {
            x[m] = btproj_x(c, btproj_score(c, o, j));
            y[m] = 100.0 * btproj_score(c, o, j)->p50;
        }
        plwidth(1.5);
        if (m >= 2)
            plline(m, x, y);
        plwidth(1.0);
        plschr(0, CHAR_SCALE * 0.7);
        plstring(m, x, y, "●");
        plschr(0, CHAR_SCALE);
    }
}

/* The realised values joined by a thin grey line, drawn under the
 * projections, where years are consecutive. */
static void btproj_realised_path(const btproj_chart *c)
{
    int n = c->last - c->first + 1;
    plcol0(COL_GUIDE);
    plwidth(1.0);
    for (int a = 0, b; a < n; a = b) {
        while (a < n && !isfinite(c->realised[a]))
            a++;
        for (b = a; b < n && isfinite(c->realised[b]); b++)
            ;
        PLFLT x[MAX_YEARS];
        PLINT m = 0;
        for (int y = a; y < b && m < MAX_YEARS; y++, m++)
            x[m] = (double)(c->first + y);
        if (m >= 2)
            plline(m, x, &c->realised[a]);
    }
}

/* The realised value of each year as a black line across the year's
 * projections, drawn over them: a bar it crosses holds it. */
static void btproj_realised(const btproj_chart *c)
{
    plcol0(COL_INK);
    plwidth(3.0);
    for (int y = c->first; y <= c->last; y++) {
        double v = c->realised[y - c->first];
        if (isfinite(v))
            pljoin(y - 0.5 * BTPROJ_GROUP, v, y + 0.5 * BTPROJ_GROUP, v);
    }
    plwidth(1.0);
}

/* The legend texts: for each colour used, its origins (cut to fit);
 * returns the characters of the longest. */
static size_t btproj_legend_texts(btproj_chart *c)
{
    size_t colours =
        c->n_origins < SERIES_COLOURS ? c->n_origins : SERIES_COLOURS;
    size_t chars = 8; /* "realised" */
    for (size_t k = 0; k < colours; k++) {
        char *t = c->legend[k];
        size_t size = sizeof c->legend[k];
        size_t used = (size_t)snprintf(
            t, size, "origin%s", c->n_origins > SERIES_COLOURS ? "s" : "");
        for (size_t o = k; o < c->n_origins; o += SERIES_COLOURS) {
            if (used + 11 > BT_LEGEND_CHARS) {
                snprintf(t + used, size - used, ", ...");
                break;
            }
            used += (size_t)snprintf(t + used, size - used, "%s %d",
                                     o == k ? "" : ",", c->origins[o].origin);
        }
        chars = strlen(t) > chars ? strlen(t) : chars;
    }
    return chars;
}

/* The legend (texts from btproj_legend_texts), from the top right of the
 * frame down: one entry per colour used, and the realised values. */
static void btproj_legend(const btproj_chart *c)
{
    legend_entries l = {0};
    size_t colours =
        c->n_origins < SERIES_COLOURS ? c->n_origins : SERIES_COLOURS;
    for (size_t k = 0; k < colours; k++) {
        legend_add(&l, PL_LEGEND_LINE | PL_LEGEND_SYMBOL, COL_SERIES + (int)k,
                   1, 2.0, "●", c->legend[k]);
        l.scale[k] = 0.7;
    }
    legend_add(&l, PL_LEGEND_LINE, COL_INK, 1, 3.0, NULL, "realised");
    double w, h;
    viewport_mm(&w, &h);
    PLFLT lw, lh;
    plwidth(1.0);
    pllegend(&lw, &lh, PL_LEGEND_BACKGROUND,
             PL_POSITION_LEFT | PL_POSITION_TOP | PL_POSITION_INSIDE |
                 PL_POSITION_VIEWPORT,
             1.0 + 2.0 / w, 0.0, 0.06, COL_BG, COL_GRID, 1, 0, 0, l.n, l.opt,
             0.8, 0.75, 2.0, 0.0, l.ink, l.text, l.col, l.pattern, l.scale,
             l.width, l.col, l.style, l.width, l.col, l.scale, l.nsym,
             l.symbol);
}

/* Titles and axis labels of the projections chart; the y label `ydisp`
 * character heights left of the axis. */
static void btproj_labels(const btproj_chart *c, double ydisp)
{
    const sp_indicator_spec *ind = &c->r->sc->indicators[c->indicator];
    char name[MAX_TEXT / 4], region[MAX_TEXT / 4], title[MAX_TEXT];
    char sub[MAX_TEXT], ylabel[MAX_TEXT];
    plot_text(name, sizeof name, ind->name);
    plot_text(region, sizeof region, c->region);
    snprintf(title, sizeof title, "%s: projections from successive origins, %s",
             name, region);
    snprintf(sub, sizeof sub,
             "median (dot) and 90 %% interval (bar) by origin, horizons 1-%d "
             "left to right; %zu of %zu inside",
             c->r->b->horizon, c->in90, c->n);
    plot_titles(title, sizeof title, sub, sizeof sub);
    side_text("b", 2.8, 0.5, 0.5, 1.0, COL_INK, "year");
    if (ind->kind == SP_KIND_SHARE)
        snprintf(ylabel, sizeof ylabel, "%s (%%)", name);
    else
        snprintf(ylabel, sizeof ylabel, "annual growth rate of %s (%%)", name);
    double w, h;
    viewport_mm(&w, &h);
    double scale = fit_text(ylabel, sizeof ylabel, h, 1.0, 0.7);
    side_text("l", ydisp / scale, 0.5, 0.5, scale, COL_INK, ylabel);
}

/* Draws the projections chart `c` on the current stream. */
static void btproj_draw(btproj_chart *c)
{
    double xtick = year_tick(c->last - c->first);
    double ytick = nice_tick(c->hi - c->lo);
    int decimals = tick_decimals(ytick);
    double ydisp =
        (double)tick_label_chars(c->lo, c->hi, decimals) * DIGIT_WIDTH + 1.8;
    double x0 = c->first - 0.5, x1 = c->last + 0.5;
    size_t chars = btproj_legend_texts(c);
    pladv(0);
    plvpor(bt_left(ydisp), bt_right(chars), 0.11, 0.86);
    plwind(x0, x1, c->lo, c->hi);
    plot_grid("", 0.0, "g", ytick);
    plcol0(COL_GRID); /* year boundaries: the groups of projections */
    for (int y = c->first; y < c->last; y++)
        pljoin(y + 0.5, c->lo, y + 0.5, c->hi);
    if (c->lo < 0.0 && c->hi > 0.0) {
        plcol0(COL_GUIDE);
        pljoin(x0, 0.0, x1, 0.0);
    }
    btproj_realised_path(c);
    for (size_t k = 0; k < c->n_origins; k++)
        btproj_bars(c, &c->origins[k], COL_SERIES + (int)(k % SERIES_COLOURS));
    for (size_t k = 0; k < c->n_origins; k++)
        btproj_median(c, &c->origins[k],
                      COL_SERIES + (int)(k % SERIES_COLOURS));
    btproj_realised(c);
    plslabelfunc(label_plain, &decimals);
    plot_frame("bcnst", xtick, xtick >= 5.0 ? (PLINT)xtick : 0, "bcnstv", ytick,
               0);
    plslabelfunc(NULL, NULL);
    btproj_labels(c, ydisp);
    btproj_legend(c);
}

sp_status sp_plot_bt_projections(const char *path, sp_plot_format fmt,
                                 const sp_backtest_report *r, size_t indicator,
                                 sp_error *err)
{
    btproj_chart c = {.r = r, .indicator = indicator};
    if (indicator < r->sc->n_indicators)
        c.n_origins =
            sp_bt_chart_origins_of(r->b, indicator, &c.region, NULL, 0);
    if (c.n_origins == 0)
        return sp_error_set(err, SP_ERR_RANGE, path, 0, NULL,
                            "indicator %zu has no scored value to plot",
                            indicator);
    c.origins = malloc(c.n_origins * sizeof *c.origins);
    if (c.origins != NULL)
        sp_bt_chart_origins_of(r->b, indicator, &c.region, c.origins,
                               c.n_origins);
    sp_status st = SP_OK;
    if (c.origins == NULL || !btproj_load(&c))
        st = sp_error_set(err, SP_ERR_NOMEM, path, 0, NULL,
                          "no memory for the projections chart");
    plot_stream s;
    if (st == SP_OK)
        st = plot_open(&s, path, fmt, err);
    if (st == SP_OK) {
        btproj_draw(&c);
        st = plot_close(&s, st, err);
    }
    free(c.realised);
    free(c.origins);
    return st;
}
