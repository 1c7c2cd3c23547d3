/* minet — the command.  Subcommands, options and exit statuses:
 * 0 success, 1 run-time failure (I/O), 2 bad usage or bad input. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/heap.h"
#include "core/sim.h"
#include "core/units.h"
#include "core/util.h"
#include "gui/gui.h"
#include "io/chart.h"
#include "io/outfile.h"
#include "io/pcap.h"
#include "io/scenario.h"
#include "io/trace_out.h"
#include "net/net.h"
#include "proto/agents.h"
#include "proto/dissect.h"
#include "apps/shell.h"

#ifndef MINET_VERSION
#define MINET_VERSION "0.0.0"
#endif
#ifndef MINET_DATADIR
#define MINET_DATADIR "/usr/local/share/minet"
#endif

#define DEFAULT_SCENARIO "scenarios/dns_lecture.json"

static const char usage_text[] =
    "Usage:\n"
    "  minet [SCENARIO] [--step N [--field TEXT]] [--theme light|dark] [--text-scale F]\n"
    "        [--pace read|hops]\n"
    "                                   open the classroom view (default: the built-in lecture)\n"
    "  minet run SCENARIO [options]     run without a window; print the trace\n"
    "  minet check [--strict] SCENARIO...\n"
    "                                   validate scenarios; print every problem and warning\n"
    "  minet shot SCENARIO --step N -o FILE.png [--size WxH] [--theme light|dark]\n"
    "             [--inspect NODE [--row KEY]] [--packet] [--field TEXT] [--filter PROTO|all]\n"
    "             [--hops] [--no-panels] [--help-overlay] [--text-scale F] [--type COMMAND]\n"
    "             [--chart | --chart-only]\n"
    "                                   picture of the classroom view at step N (0: as it\n"
    "                                   opens), no window\n"
    "  minet chart SCENARIO -o FILE.svg|FILE.png [--steps A-B] [--nodes NODE,...]\n"
    "             [--proto dns|smtp|...] [--routers] [--blank-labels] [--theme light|dark]\n"
    "                                   the message sequence chart, for handouts\n"
    "  minet layout SCENARIO [--size WxH] [--step N] [--chart | --chart-only]\n"
    "                                   what the window draws where, as JSON (for checks)\n"
    "  minet --help | --version\n"
    "\n"
    "Options for run:\n"
    "  --trace FILE       also write the trace to FILE (.txt, .jsonl or .csv; one of each)\n"
    "  --pcap FILE        also write a capture for Wireshark (.pcapng, or .pcap for one\n"
    "                     interface): every link, or with --capture what those nodes see\n"
    "  --capture NODE,... capture on these nodes' interfaces instead of on every link\n"
    "  --quiet            print only what the commands printed (the console transcript)\n"
    "  --seed N           use seed N instead of the scenario's\n"
    "  --until T          stop at simulated time T (e.g. 30s, 500ms)\n"
    "  --until-step N     stop after step N (the Nth caption)\n"
    "\n"
    "\n"
    "A SCENARIO that is not a file here is looked for among the bundled scenarios by name\n"
    "(minet dns_cache.json).\n"
    "Exit status: 0 success, 1 run-time failure (e.g. an unwritable file), 2 bad usage or input.\n"
    "See minet(1) and docs/ for the scenario format and the trace formats.\n";

static int usage_error(const char *fmt, const char *arg)
{
    /* What the user typed, with its control characters as cat -v shows
     * them: an escape sequence in an argument must not act on the
     * terminal. */
    Buf shown;
    buf_init(&shown);
    trace_put_visible(&shown, arg ? arg : "", arg ? strlen(arg) : 0, false);
    fprintf(stderr, "minet: ");
    fprintf(stderr, fmt, shown.data ? shown.data : "");
    fprintf(stderr, "\nTry 'minet --help'.\n");
    buf_fini(&shown);
    return 2;
}

/* ---- finding bundled files --------------------------------------------- */

static bool readable(const char *path)
{
    return access(path, R_OK) == 0;
}

/* A bundled file: next to the binary (a build tree), under the installed
 * data folder, or under $MINET_DATA. */
static char *find_data(const char *rel)
{
    const char *env = getenv("MINET_DATA");
    if (env && *env) {
        char *p = xasprintf("%s/%s", env, rel);
        if (readable(p))
            return p;
        free(p);
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        /* ./minet, build/minet, build/test/minet, PREFIX/bin/minet */
        const char *up[] = {"%s/%s", "%s/../%s", "%s/../../%s", "%s/../share/minet/%s"};
        for (size_t i = 0; i < MN_ARRAY_LEN(up); i++) {
            char *p = xasprintf(up[i], exe, rel);
            if (readable(p))
                return p;
            free(p);
        }
    }
    char *p = xasprintf("%s/%s", MINET_DATADIR, rel);
    if (readable(p))
        return p;
    free(p);
    return NULL;
}

/* find_data, tidied for messages: "/usr/share/minet/…", not "bin/../share". */
static char *find_data_clean(const char *rel)
{
    char *p = find_data(rel);
    char real[PATH_MAX];
    if (p && realpath(p, real)) {
        free(p);
        p = xstrdup(real);
    }
    return p;
}

/* A scenario as the user named it: the file if there is one here, else a
 * bundled scenario of that name (`minet dns_cache.json` once installed:
 * PREFIX/share/minet/scenarios/dns_cache.json).  A name with a folder in
 * it is taken as given.  Returns a path to free, or NULL when path is the
 * one to use. */
static char *find_scenario(const char *path)
{
    if (readable(path) || strchr(path, '/'))
        return NULL;
    char *rel = xasprintf("scenarios/%s", path);
    char *found = find_data_clean(rel);
    free(rel);
    return found;
}

/* ---- loading ----------------------------------------------------------- */

/* Loads the scenario file at path, as found (find_scenario); problems are
 * printed. */
static World *load_found(const char *path)
{
    Errors errs;
    errors_init(&errs);
    World *w = scenario_load(path, &errs);
    errors_print(&errs, stderr);
    errors_fini(&errs);
    return w;
}

static World *load(const char *path)
{
    char *found = find_scenario(path);
    World *w = load_found(found ? found : path);
    free(found);
    return w;
}

/* `minet check [--strict] SCENARIO...`: problems are errors (exit 2);
 * warnings (a scenario that loads but will surprise a class) print and
 * exit 0, or 2 with --strict. */
static int cmd_check(int argc, char **argv)
{
    bool strict = false;
    int n_files = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--strict") == 0)
            strict = true;
        else if (argv[i][0] == '-' && argv[i][1])
            return usage_error("check: unknown option %s (check has --strict)", argv[i]);
        else
            n_files++;
    }
    if (n_files < 1)
        return usage_error("%s", "check needs a scenario file");
    int status = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--strict") == 0)
            continue;
        char *found = find_scenario(argv[i]);
        const char *path = found ? found : argv[i];
        Errors errs, warns;
        errors_init(&errs);
        errors_init(&warns);
        World *w = scenario_load_warn(path, &errs, &warns);
        errors_print(&errs, stderr);
        errors_print(&warns, stderr);
        size_t n_warn = warns.n;
        errors_fini(&errs);
        errors_fini(&warns);
        if (!w) {
            status = 2;
        } else {
            if (n_warn && strict)
                status = 2;
            printf("%s: %s (%zu nodes, %zu links, %zu script lines", path,
                   n_warn ? (strict ? "warnings are errors with --strict" : "ok, with warnings")
                          : "ok",
                   w->n_nodes, w->n_links, w->n_script);
            if (n_warn)
                printf(", %zu warning%s", n_warn, n_warn == 1 ? "" : "s");
            printf(")\n");
            world_free(w);
        }
        free(found);
    }
    return status;
}

/* ---- running ----------------------------------------------------------- */

typedef struct RunOpts {
    const char *scenario;
    const char *trace_paths[3]; /* at most one of each format */
    size_t n_traces;
    const char *pcap_path;
    const char *capture; /* node ids, comma-separated; NULL: every link */
    bool quiet;
    bool has_seed;
    uint64_t seed;
    SimTime until;
    uint32_t until_step;
} RunOpts;

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- signals ------------------------------------------------------------ */

/* A run writes its files to temporaries that only a complete run renames
 * into place.  ^C, kill, or `| head` closing the pipe (SIGINT, SIGTERM,
 * SIGHUP, SIGPIPE) only set this flag; the run loop sees it, removes the
 * temporaries and ends by the same signal.  A crash (SIGABRT, SIGSEGV,
 * SIGBUS, SIGFPE) cannot go back to the loop: its handler unlinks the
 * temporaries itself (unlink is async-signal-safe) and dies as it would
 * have.  These are the only mutable globals: a signal handler has no
 * other way in. */
static volatile sig_atomic_t caught_signal;
static const char *volatile temp_paths[4];

static void on_stop_signal(int sig)
{
    caught_signal = sig;
}

static void on_crash_signal(int sig)
{
    for (size_t i = 0; i < MN_ARRAY_LEN(temp_paths); i++)
        if (temp_paths[i])
            unlink(temp_paths[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void catch_signals(void)
{
    static const int stop[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    static const int crash[] = {SIGABRT, SIGSEGV, SIGBUS, SIGFPE};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop_signal;
    for (size_t i = 0; i < MN_ARRAY_LEN(stop); i++)
        sigaction(stop[i], &sa, NULL);
    sa.sa_handler = on_crash_signal;
    for (size_t i = 0; i < MN_ARRAY_LEN(crash); i++)
        sigaction(crash[i], &sa, NULL);
}

/* After the temporaries are gone: end as the signal would have ended us,
 * so a shell sees 130 for ^C and a pipe's writer stops quietly. */
static void die_by_caught_signal(void)
{
    int sig = caught_signal;
    signal(sig, SIG_DFL);
    raise(sig);
    exit(128 + sig); /* not reached for these signals */
}

/* Events run between two looks at caught_signal: a few milliseconds. */
#define RUN_BATCH 4096

/* Runs to the end, showing progress on a terminal for long runs.  Batches
 * end where sim->events is a multiple of RUN_BATCH, so every multiple of
 * 0x10000 is seen. */
static void run_loop(Sim *sim, SimTime until)
{
    bool tty = isatty(STDERR_FILENO);
    double start = tty ? wall_seconds() : 0, last = start;
    bool shown = false;
    while (!caught_signal &&
           sim_run_some(sim, until, RUN_BATCH - (sim->events & (RUN_BATCH - 1))) > 0) {
        if (tty && (sim->events & 0xffff) == 0) {
            double now = wall_seconds();
            if (now - last >= 0.5) {
                char t[32];
                units_format_time(sim->now, t, sizeof t);
                fprintf(stderr, "\rminet: simulated %s, %" PRIu64 " events, %zu pending   ", t,
                        sim->events, evq_len(&sim->q));
                last = now;
                shown = true;
            }
        }
    }
    if (shown)
        fprintf(stderr, "\r%60s\r", "");
}

/* Writes the capture and renames it into place; on failure says why and
 * leaves nothing behind. */
static bool write_capture(PcapWriter *pcap, OutFile *out, const char *path, SimTime end)
{
    char why[512];
    if (!pcap_writer_write(pcap, out->f, end, why, sizeof why)) {
        fprintf(stderr, "minet: %s: %s\n", path, why);
        outfile_abort(out);
        return false;
    }
    if (!outfile_commit(out, why, sizeof why)) {
        fprintf(stderr, "minet: %s\n", why);
        return false;
    }
    return true;
}

/* A run's memory grows with its scenario: about 12 bytes for each byte of
 * JSON (76 MB for the 2.9 MB of 10,000 hosts looking names up). */
static void prepare_heap(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
        heap_prepare((size_t)st.st_size * 16);
}

static int run(const RunOpts *o)
{
    catch_signals();
    char *found = find_scenario(o->scenario);
    const char *in = found ? found : o->scenario;
    for (size_t i = 0; i <= o->n_traces; i++) {
        const char *out = i < o->n_traces ? o->trace_paths[i] : o->pcap_path;
        if (out && outfile_same(out, in)) {
            free(found);
            return usage_error("%s: is the scenario this run reads (expected another file "
                               "name for the output)",
                               out);
        }
    }
    prepare_heap(in);
    World *w = load_found(in);
    free(found);
    if (!w)
        return 2;
    /* A run saves no session: the scenario's text, kept for that, goes now
     * and the run's memory takes its place (3 MB at 10,000 hosts). */
    free(w->source);
    w->source = NULL;
    w->source_len = 0;
    TraceFormat fmts[3];
    for (size_t i = 0; i < o->n_traces; i++)
        (void)trace_format_for(o->trace_paths[i], &fmts[i]); /* checked by cmd_run */
    char why[512];
    PcapWriter *pcap = NULL;
    if (o->pcap_path) {
        pcap = pcap_writer_new(w, o->pcap_path, o->capture, why, sizeof why);
        if (!pcap) {
            world_free(w);
            return usage_error("%s", why);
        }
    }
    OutFile out[3] = {{0}}, pcap_out = {0};
    bool opened = true;
    for (size_t i = 0; opened && i < o->n_traces; i++)
        opened = outfile_open(&out[i], o->trace_paths[i], why, sizeof why);
    if (opened && pcap)
        opened = outfile_open(&pcap_out, o->pcap_path, why, sizeof why);
    for (size_t i = 0; opened && i < o->n_traces; i++)
        temp_paths[i] = out[i].tmp;
    if (opened && pcap)
        temp_paths[3] = pcap_out.tmp;
    if (!opened) {
        fprintf(stderr, "minet: %s\n", why);
        for (size_t i = 0; i < o->n_traces; i++)
            outfile_abort(&out[i]);
        pcap_writer_free(pcap);
        world_free(w);
        return 1;
    }
    Sim sim;
    sim_init(&sim, o->has_seed ? o->seed : w->seed, w, false);
    agents_start(&sim);
    TraceSink to_stdout = trace_writer_new(o->quiet ? TRACE_CONSOLE : TRACE_TEXT, stdout);
    trace_add_sink(&sim.trace, to_stdout);
    TraceSink to_file[3] = {{0}};
    for (size_t i = 0; i < o->n_traces; i++) {
        to_file[i] = trace_writer_new(fmts[i], out[i].f);
        trace_add_sink(&sim.trace, to_file[i]);
    }
    if (pcap) {
        /* Streamed into its own file; a FIFO or a device (written in
         * place) cannot be read back to rewrite a late comment, so the
         * writer keeps its own temporary file and copies it at the end. */
        if (pcap_out.tmp)
            pcap_writer_stream(pcap, pcap_out.f);
        trace_add_sink(&sim.trace, pcap_writer_sink(pcap));
    }
    shell_schedule_script(&sim);
    sim.stop_after_step = o->until_step;
    run_loop(&sim, o->until);
    if (caught_signal) {
        for (size_t i = 0; i < MN_ARRAY_LEN(temp_paths); i++)
            temp_paths[i] = NULL;
        for (size_t i = 0; i < o->n_traces; i++)
            outfile_abort(&out[i]);
        if (pcap)
            outfile_abort(&pcap_out);
        die_by_caught_signal();
    }
    trace_end(&sim.trace);
    int status = 0;
    if (sim.stuck) {
        char t[32];
        units_format_time(sim.now, t, sizeof t);
        fprintf(stderr,
                "minet: %s: the run stopped at %s: %d events happened at that one instant and "
                "time did not move on (a loop in the scenario with no delay in it?); what ran "
                "before is written\n",
                o->scenario, t, SIM_MAX_EVENTS_AT_ONCE);
        status = 1;
    }
    for (size_t i = 0; i < o->n_traces; i++) {
        temp_paths[i] = NULL; /* committed or removed below */
        if (ferror(out[i].f)) {
            fprintf(stderr, "minet: %s: cannot write: %s\n", o->trace_paths[i],
                    strerror(outfile_errno(&out[i])));
            outfile_abort(&out[i]);
            status = 1;
        } else if (!outfile_commit(&out[i], why, sizeof why)) {
            fprintf(stderr, "minet: %s\n", why);
            status = 1;
        }
    }
    temp_paths[3] = NULL;
    if (pcap && !write_capture(pcap, &pcap_out, o->pcap_path, sim.now))
        status = 1;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "minet: standard output: cannot write: %s\n",
                strerror(errno ? errno : EIO));
        status = 1;
    }
    trace_writer_free(to_stdout);
    for (size_t i = 0; i < o->n_traces; i++)
        trace_writer_free(to_file[i]);
    pcap_writer_free(pcap);
    /* The process ends now, and the system takes back its memory at once:
     * freeing the run's hundreds of thousands of blocks one by one would
     * read each of them again, long out of the caches (a few percent of a
     * run of 10,000 hosts).  Everything is written by now.  A sanitizer,
     * which reports what is not freed, gets it all freed. */
    if (heap_checked()) {
        agents_stop(&sim);
        sim_fini(&sim);
        world_free(w);
    }
    return status;
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

/* --trace FILE: one file of each format; the same format twice is a
 * mistake (the first would be silently lost), two formats are both written. */
static int add_trace(RunOpts *o, const char *path)
{
    TraceFormat fmt;
    if (!trace_format_for(path, &fmt))
        return usage_error("--trace %s: unknown format (expected a name ending in .txt, .jsonl "
                           "or .csv)",
                           path);
    for (size_t i = 0; i < o->n_traces; i++) {
        TraceFormat other;
        (void)trace_format_for(o->trace_paths[i], &other);
        if (other == fmt) {
            fprintf(stderr,
                    "minet: --trace %s: a trace of this format is already written to %s (one "
                    "file per format: .txt, .jsonl, .csv)\nTry 'minet --help'.\n",
                    path, o->trace_paths[i]);
            return 2;
        }
    }
    assert(o->n_traces < MN_ARRAY_LEN(o->trace_paths));
    o->trace_paths[o->n_traces++] = path;
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    RunOpts o = {0};
    o.until = SIM_TIME_MAX;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = strcmp(a, "--trace") == 0 || strcmp(a, "--seed") == 0 ||
                     strcmp(a, "--until") == 0 || strcmp(a, "--until-step") == 0 ||
                     strcmp(a, "--pcap") == 0 || strcmp(a, "--capture") == 0;
        if (takes && !val)
            return usage_error("%s needs a value", a);
        if (strcmp(a, "--trace") == 0) {
            int st = add_trace(&o, val);
            if (st)
                return st;
        } else if (strcmp(a, "--pcap") == 0) {
            if (o.pcap_path)
                return usage_error("--pcap %s: one capture per run (--pcap was given twice)", val);
            o.pcap_path = val;
        } else if (strcmp(a, "--capture") == 0) {
            o.capture = val;
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_u64(val, (1ULL << 53) - 1, &o.seed))
                return usage_error("--seed %s: expected a whole number from 0 to 2^53 - 1", val);
            o.has_seed = true;
        } else if (strcmp(a, "--until") == 0) {
            const char *why;
            if (!units_parse_time(val, &o.until, &why)) {
                char msg[200];
                snprintf(msg, sizeof msg, "%s %s (expected a time such as 30s or 500ms)", val, why);
                return usage_error("--until %s", msg);
            }
        } else if (strcmp(a, "--until-step") == 0) {
            uint64_t n;
            if (!parse_u64(val, UINT32_MAX, &n) || n == 0)
                return usage_error("--until-step %s: expected a step number from 1", val);
            o.until_step = (uint32_t)n;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o.quiet = true;
            continue;
        } else if (strcmp(a, "--step") == 0) {
            return usage_error("%s", "run: unknown option --step (the window and shot take --step; "
                                     "run stops after a step with --until-step N)");
        } else if (a[0] == '-' && a[1]) {
            return usage_error("run: unknown option %s", a);
        } else if (!o.scenario) {
            o.scenario = a;
            continue;
        } else {
            return usage_error("one scenario at a time (extra argument %s)", a);
        }
        i++;
    }
    if (!o.scenario)
        return usage_error("%s", "run needs a scenario file");
    if (o.capture && !o.pcap_path)
        return usage_error("--capture %s: needs --pcap FILE to write the capture to", o.capture);
    return run(&o);
}

/* The DejaVu fonts' folder, or NULL (with a message) if they are missing. */
static char *find_fonts(void)
{
    char *font = find_data_clean("assets/fonts/DejaVuSans.ttf");
    if (!font) {
        fprintf(stderr, "minet: cannot find the fonts (assets/fonts/DejaVuSans.ttf); set "
                        "MINET_DATA to the folder that holds assets/\n");
        return NULL;
    }
    *strrchr(font, '/') = '\0';
    return font;
}

/* `minet [SCENARIO]`: the classroom window; without a display, says so and
 * runs headless as `minet run` does (the whole run: --step, --theme and
 * --text-scale are the window's). */
static int cmd_view(const char *scenario, const GuiOpen *open)
{
    char *found = NULL;
    if (scenario && (found = find_scenario(scenario)))
        scenario = found;
    if (!scenario) {
        found = find_data_clean(DEFAULT_SCENARIO);
        if (!found) {
            fprintf(stderr,
                    "minet: cannot find the default scenario %s (set MINET_DATA to the "
                    "folder that holds scenarios/)\n",
                    DEFAULT_SCENARIO);
            return 1;
        }
        scenario = found;
    }
    char *fonts = find_fonts();
    int status = fonts ? gui_run(scenario, fonts, open) : GUI_NO_DISPLAY;
    if (status == GUI_NO_DISPLAY) {
        if (fonts)
            fprintf(stderr,
                    "minet: no display to open the classroom window on (DISPLAY is not set, or "
                    "SDL found no video driver); running %s headless, as 'minet run' does. For "
                    "pictures of the view without a window: minet shot %s --step N -o FILE.png\n",
                    scenario, scenario);
        else
            fprintf(stderr,
                    "minet: without its fonts the window cannot open; running %s "
                    "headless, as 'minet run' does\n",
                    scenario);
        RunOpts o = {0};
        o.scenario = scenario;
        o.until = SIM_TIME_MAX;
        status = run(&o);
    }
    free(fonts);
    free(found);
    return status;
}

/* "1280x720"; both from 16 to 8192. */
static bool parse_size(const char *s, int *w, int *h)
{
    char *end;
    errno = 0;
    long a = strtol(s, &end, 10);
    if (end == s || errno)
        return false;
    if (*end != 'x' && *end != 'X')
        return false;
    end++;
    const char *t = end;
    long b = strtol(t, &end, 10);
    if (end == t || *end || errno || a < 16 || b < 16 || a > 8192 || b > 8192)
        return false;
    *w = (int)a;
    *h = (int)b;
    return true;
}

/* --text-scale F, as the window and shot take it. */
static int parse_text_scale(const char *val, double *out)
{
    char *end;
    *out = strtod(val, &end);
    if (end == val || *end || !(*out >= 0.5 && *out <= 2.5))
        return usage_error("--text-scale %s: expected a number from 0.5 to 2.5", val);
    return 0;
}

static int parse_theme(const char *val, bool *dark)
{
    if (strcmp(val, "light") != 0 && strcmp(val, "dark") != 0)
        return usage_error("--theme %s: expected light or dark", val);
    *dark = strcmp(val, "dark") == 0;
    return 0;
}

/* `minet [SCENARIO] [--step N] [--theme light|dark] [--text-scale F]`, the
 * options before or after the scenario.  An option that belongs to another
 * subcommand is named as such: the mistake is the option, not the file. */
static int cmd_window(int argc, char **argv)
{
    GuiOpen open = {0};
    const char *scenario = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool takes = strcmp(a, "--step") == 0 || strcmp(a, "--theme") == 0 ||
                     strcmp(a, "--text-scale") == 0 || strcmp(a, "--pace") == 0 ||
                     strcmp(a, "--field") == 0;
        if (takes && i + 1 >= argc)
            return usage_error("%s needs a value", a);
        const char *val = takes ? argv[++i] : NULL;
        int st = 0;
        if (strcmp(a, "--pace") == 0) {
            if (strcmp(val, "hops") != 0 && strcmp(val, "read") != 0)
                return usage_error("--pace %s: expected read (the default: each caption long "
                                   "enough to read) or hops (as long as the packets take)",
                                   val);
            open.pace_hops = strcmp(val, "hops") == 0;
            continue;
        }
        if (strcmp(a, "--field") == 0) {
            open.field = val;
            continue;
        }
        if (strcmp(a, "--step") == 0) {
            uint64_t n;
            if (!parse_u64(val, UINT32_MAX, &n) || n == 0)
                return usage_error("--step %s: expected a step number from 1", val);
            open.step = (uint32_t)n;
        } else if (strcmp(a, "--theme") == 0) {
            st = parse_theme(val, &open.dark);
        } else if (strcmp(a, "--text-scale") == 0) {
            st = parse_text_scale(val, &open.text_scale);
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option %s (the window takes --step N, --field TEXT, "
                               "--theme light|dark, --text-scale F and --pace read|hops; see "
                               "minet --help)",
                               a);
        } else if (!scenario) {
            scenario = a;
        } else if (strcmp(a, "run") == 0 || strcmp(a, "check") == 0 || strcmp(a, "shot") == 0) {
            fprintf(stderr,
                    "minet: %s: the subcommand comes first (minet %s %s)\nTry 'minet "
                    "--help'.\n",
                    a, a, scenario);
            return 2;
        } else {
            return usage_error("one scenario at a time (extra argument %s)", a);
        }
        if (st)
            return st;
    }
    if (open.field && !open.step)
        return usage_error("--field %s: needs --step N (the field of that step's packet)",
                           open.field);
    return cmd_view(scenario, &open);
}

static int cmd_shot(int argc, char **argv)
{
    GuiShot o = {0};
    o.width = 1280;
    o.height = 720;
    bool has_step = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool takes =
            strcmp(a, "--step") == 0 || strcmp(a, "--size") == 0 || strcmp(a, "--theme") == 0 ||
            strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 || strcmp(a, "--inspect") == 0 ||
            strcmp(a, "--row") == 0 || strcmp(a, "--field") == 0 || strcmp(a, "--filter") == 0 ||
            strcmp(a, "--text-scale") == 0 || strcmp(a, "--type") == 0;
        if (takes && i + 1 >= argc)
            return usage_error("%s needs a value", a);
        const char *val = takes ? argv[++i] : NULL;
        if (strcmp(a, "--step") == 0) {
            uint64_t n;
            if (!parse_u64(val, UINT32_MAX, &n))
                return usage_error("--step %s: expected a step number from 1 (0: the opening "
                                   "view, before the first step)",
                                   val);
            o.step = (uint32_t)n;
            has_step = true;
        } else if (strcmp(a, "--size") == 0) {
            if (!parse_size(val, &o.width, &o.height))
                return usage_error("--size %s: expected WIDTHxHEIGHT in pixels, e.g. 1280x720 "
                                   "(16 to 8192 each)",
                                   val);
        } else if (strcmp(a, "--theme") == 0) {
            if (parse_theme(val, &o.dark))
                return 2;
        } else if (strcmp(a, "--inspect") == 0) {
            o.inspect = val;
        } else if (strcmp(a, "--row") == 0) {
            o.row = val;
        } else if (strcmp(a, "--field") == 0) {
            o.field = val;
        } else if (strcmp(a, "--type") == 0) {
            o.type = val;
        } else if (strcmp(a, "--filter") == 0) {
            o.filter = val;
        } else if (strcmp(a, "--text-scale") == 0) {
            if (parse_text_scale(val, &o.text_scale))
                return 2;
        } else if (strcmp(a, "--packet") == 0) {
            o.packet = true;
        } else if (strcmp(a, "--hops") == 0) {
            o.hops = true;
        } else if (strcmp(a, "--no-panels") == 0) {
            o.no_panels = true;
        } else if (strcmp(a, "--help-overlay") == 0) {
            o.help = true;
        } else if (strcmp(a, "--chart") == 0) {
            o.chart = 1;
        } else if (strcmp(a, "--chart-only") == 0) {
            o.chart = 2;
        } else if (takes) {
            o.out = val;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option %s", a);
        } else if (!o.scenario) {
            o.scenario = a;
        } else {
            return usage_error("one scenario at a time (extra argument %s)", a);
        }
    }
    if (!o.scenario)
        return usage_error("%s", "shot needs a scenario file");
    if (!has_step)
        return usage_error("%s", "shot needs --step N (the Nth caption, from 1; 0 for the "
                                 "opening view)");
    if (!o.out)
        return usage_error("%s", "shot needs -o FILE.png");
    size_t n = strlen(o.out);
    if (n < 4 || strcasecmp(o.out + n - 4, ".png") != 0)
        return usage_error("-o %s: expected a file name ending in .png", o.out);
    char *fonts = find_fonts();
    if (!fonts)
        return 1;
    char *found = find_scenario(o.scenario);
    if (found)
        o.scenario = found;
    o.font_dir = fonts;
    int status = gui_shot(&o);
    free(found);
    free(fonts);
    return status;
}

/* ---- minet layout ------------------------------------------------------ */

static int cmd_layout(int argc, char **argv)
{
    const char *scenario = NULL;
    int w = 1280, h = 720, chart = 0;
    uint32_t step = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool takes = strcmp(a, "--size") == 0 || strcmp(a, "--step") == 0;
        if (takes && i + 1 >= argc)
            return usage_error("%s needs a value", a);
        const char *val = takes ? argv[++i] : NULL;
        if (strcmp(a, "--size") == 0) {
            if (!parse_size(val, &w, &h))
                return usage_error("--size %s: expected WIDTHxHEIGHT in pixels, e.g. 1280x720 "
                                   "(16 to 8192 each)",
                                   val);
        } else if (strcmp(a, "--step") == 0) {
            uint64_t n;
            if (!parse_u64(val, UINT32_MAX, &n) || n == 0)
                return usage_error("--step %s: expected a step number from 1", val);
            step = (uint32_t)n;
        } else if (strcmp(a, "--chart") == 0) {
            chart = 1;
        } else if (strcmp(a, "--chart-only") == 0) {
            chart = 2;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("layout: unknown option %s", a);
        } else if (!scenario) {
            scenario = a;
        } else {
            return usage_error("one scenario at a time (extra argument %s)", a);
        }
    }
    if (!scenario)
        return usage_error("%s", "layout needs a scenario file");
    char *fonts = find_fonts();
    if (!fonts)
        return 1;
    char *found = find_scenario(scenario);
    int status = gui_layout(found ? found : scenario, fonts, w, h, step, chart, stdout);
    free(found);
    free(fonts);
    if (status == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
        fprintf(stderr, "minet: cannot write the layout: %s\n", strerror(errno));
        status = 1;
    }
    return status;
}

/* ---- minet chart ------------------------------------------------------- */

typedef struct ChartCmdOpts {
    const char *scenario, *out, *steps, *nodes, *proto;
    bool routers, blank, dark;
} ChartCmdOpts;

/* "A-B", "A-" (to the end), "-B", or "N". */
static bool parse_steps(const char *s, uint32_t *first, uint32_t *last)
{
    const char *dash = strchr(s, '-');
    uint64_t a = 0, b = 0;
    if (!dash)
        return parse_u64(s, UINT32_MAX, &a) && a > 0 && (*first = *last = (uint32_t)a, true);
    char left[32];
    size_t n = (size_t)(dash - s);
    if (n >= sizeof left)
        return false;
    memcpy(left, s, n);
    left[n] = '\0';
    if ((n && (!parse_u64(left, UINT32_MAX, &a) || a == 0)) ||
        (dash[1] && (!parse_u64(dash + 1, UINT32_MAX, &b) || b == 0)) || (!n && !dash[1]))
        return false;
    if (b && a > b)
        return false;
    *first = (uint32_t)a;
    *last = (uint32_t)b;
    return true;
}

/* The run's protocols, for --proto's message: "DNS, ICMP or TCP". */
static bool chart_proto_known(const Trace *t, const char *want, Buf *offer)
{
    bool found = false;
    DissectCtx *dc = dissect_ctx_new();
    for (size_t i = 0; i < t->n; i++) {
        const TraceRec *r = &t->recs[i];
        if (r->kind != TR_HOP)
            continue;
        const char *p = dissect_protocol(dc, r->bytes, r->len);
        found |= strcasecmp(p, want) == 0;
        char key[40];
        snprintf(key, sizeof key, "|%s|", p);
        if (!offer->len)
            buf_putc(offer, '|');
        if (!strstr(offer->data, key))
            buf_printf(offer, "%s|", p);
    }
    dissect_ctx_free(dc);
    return found;
}

/* Marks the nodes of "a,b,c"; 2 with a message naming one that is not there. */
static int chart_nodes(const World *w, const char *scenario, const char *list, bool *mark)
{
    char *copy = xstrdup(list);
    int status = 0;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && !status;
         tok = strtok_r(NULL, ",", &save)) {
        int n = world_find_node(w, tok);
        if (n < 0) {
            fprintf(stderr, "minet: --nodes %s: %s has no node %s\n", list, scenario, tok);
            status = 2;
        } else {
            mark[n] = true;
        }
    }
    free(copy);
    return status;
}

static void offer_list(const char *bars, Buf *out)
{
    /* "|DNS|ICMP|TCP|" → "dns, icmp or tcp" */
    size_t count = 0;
    for (const char *p = bars; *p; p++)
        count += *p == '|';
    size_t k = 0;
    for (const char *p = bars + 1; *p; p++) {
        if (*p == '|') {
            k++;
            if (k + 1 < count - 1)
                buf_puts(out, ", ");
            else if (k + 1 == count - 1)
                buf_puts(out, " or ");
        } else {
            buf_putc(out, (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p));
        }
    }
}

static int chart_write(const Chart *c, const ChartCmdOpts *o, bool png)
{
    if (png) {
        char *fonts = find_fonts();
        if (!fonts)
            return 1;
        int st = gui_chart_png(c, fonts, o->out, o->dark);
        free(fonts);
        return st;
    }
    OutFile out = {0};
    char why[512];
    if (!outfile_open(&out, o->out, why, sizeof why)) {
        fprintf(stderr, "minet: %s\n", why);
        return 1;
    }
    if (!chart_write_svg(c, out.f)) {
        fprintf(stderr, "minet: %s: cannot write the chart\n", o->out);
        outfile_abort(&out);
        return 1;
    }
    if (!outfile_commit(&out, why, sizeof why)) {
        fprintf(stderr, "minet: %s\n", why);
        return 1;
    }
    return 0;
}

static int chart_run(const ChartCmdOpts *o, World *w, bool png)
{
    ChartOpts co = {0};
    if (o->steps && !parse_steps(o->steps, &co.first, &co.last))
        return usage_error("--steps %s: expected A-B, A-, -B or N (step numbers from 1)", o->steps);
    Sim sim;
    sim_init(&sim, w->seed, w, true);
    agents_start(&sim);
    shell_schedule_script(&sim);
    sim_run_until(&sim, SIM_TIME_MAX);
    agents_stop(&sim);
    int status = 0;
    uint32_t notes = sim.trace.notes;
    if ((co.first && co.first > notes) || (co.last && co.last > notes)) {
        fprintf(stderr, "minet: --steps %s: %s has %u steps (1 to %u)\n", o->steps, o->scenario,
                notes, notes);
        status = 2;
    }
    bool *mark = xcalloc(w->n_nodes + 1, sizeof *mark);
    if (!status && o->nodes) {
        status = chart_nodes(w, o->scenario, o->nodes, mark);
        co.nodes = mark;
    }
    Buf offer;
    buf_init(&offer);
    if (!status && o->proto && !chart_proto_known(&sim.trace, o->proto, &offer)) {
        Buf words;
        buf_init(&words);
        offer_list(offer.len ? offer.data : "|", &words);
        fprintf(stderr, "minet: --proto %s: %s carries %s\n", o->proto, o->scenario,
                words.len ? words.data : "no packets");
        buf_fini(&words);
        status = 2;
    }
    buf_fini(&offer);
    if (!status) {
        co.proto = o->proto;
        co.routers = o->routers;
        co.blank_labels = o->blank;
        const char *base = strrchr(o->scenario, '/');
        base = base ? base + 1 : o->scenario;
        char title[256];
        if (co.first || co.last)
            snprintf(title, sizeof title, "%s, steps %u to %u", base, co.first ? co.first : 1,
                     co.last ? co.last : notes);
        else
            snprintf(title, sizeof title, "%s, steps 1 to %u", base, notes);
        co.title = title;
        Chart *c = chart_build(&sim.trace, w, &co);
        status = chart_write(c, o, png);
        chart_free(c);
    }
    free(mark);
    sim_fini(&sim);
    return status;
}

static int cmd_chart(int argc, char **argv)
{
    ChartCmdOpts o = {0};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool takes = strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 ||
                     strcmp(a, "--steps") == 0 || strcmp(a, "--nodes") == 0 ||
                     strcmp(a, "--proto") == 0 || strcmp(a, "--theme") == 0;
        if (takes && i + 1 >= argc)
            return usage_error("%s needs a value", a);
        const char *val = takes ? argv[++i] : NULL;
        if (strcmp(a, "--steps") == 0)
            o.steps = val;
        else if (strcmp(a, "--nodes") == 0)
            o.nodes = val;
        else if (strcmp(a, "--proto") == 0)
            o.proto = val;
        else if (strcmp(a, "--theme") == 0) {
            if (parse_theme(val, &o.dark))
                return 2;
        } else if (takes)
            o.out = val;
        else if (strcmp(a, "--routers") == 0)
            o.routers = true;
        else if (strcmp(a, "--blank-labels") == 0)
            o.blank = true;
        else if (a[0] == '-' && a[1])
            return usage_error("chart: unknown option %s", a);
        else if (!o.scenario)
            o.scenario = a;
        else
            return usage_error("one scenario at a time (extra argument %s)", a);
    }
    if (!o.scenario)
        return usage_error("%s", "chart needs a scenario file");
    if (!o.out)
        return usage_error("%s", "chart needs -o FILE.svg (or FILE.png)");
    size_t n = strlen(o.out);
    bool svg = n >= 4 && strcasecmp(o.out + n - 4, ".svg") == 0;
    bool png = n >= 4 && strcasecmp(o.out + n - 4, ".png") == 0;
    if (!svg && !png)
        return usage_error("-o %s: expected a file name ending in .svg or .png", o.out);
    if (svg && o.dark)
        return usage_error("%s",
                           "--theme: the SVG is for paper, always light (--theme is for .png)");
    World *w = load(o.scenario);
    if (!w)
        return 2;
    int status = chart_run(&o, w, png);
    world_free(w);
    return status;
}

int main(int argc, char **argv)
{
    /* `minet --help`, and `minet run --help`, `minet chart x.json --help`:
     * the same help, which lists every command's options, and nothing run. */
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 ||
            (i == 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0))) {
            fputs(usage_text, stdout);
            return 0;
        }
    if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
        printf("minet %s\n", MINET_VERSION);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "run") == 0)
        return cmd_run(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "check") == 0)
        return cmd_check(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "shot") == 0)
        return cmd_shot(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "layout") == 0)
        return cmd_layout(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "chart") == 0)
        return cmd_chart(argc - 2, argv + 2);
    return cmd_window(argc - 1, argv + 1);
}
