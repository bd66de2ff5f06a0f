/*
 * The fuzzer's root task: the supervisor. Boot arguments: seed=K (every random choice follows
 * from it), fuzz.calls=M (stop after M system calls of the workers), fuzz.workers=W,
 * fuzz.lateness_ms (the watchdog's bound). Output: one "FUZZ SUMMARY" line and exit status 0,
 * or a "FUZZ FAIL" line and exit status FUZZ_STATUS_FAILED.
 */
#include "probes.h"

#include <fdt.h>
#include <format.h>
#include <stdarg.h>

/* How often each check runs, in emulated time; the supervisor looks at the workers every tick. */
#define TICK_NS           (250 * US)
#define IPC_EVERY_NS      (2 * MS)
#define REVOKE_EVERY_NS   (4 * MS)
#define FRAMES_EVERY_NS   (10 * MS)
#define UNMAP_EVERY_NS    (20 * MS)
#define CENSUS_EVERY_NS   (50 * MS)
#define STOP_EVERY_NS     (10 * MS)
#define AFFINITY_EVERY_NS (2 * MS)
/* No worker issued a single system call for this long, rebuilds and all: the kernel is stuck. */
#define NO_PROGRESS_NS (1000 * MS)

struct fuzz_params params;
uint64_t supervisor_rng;
struct check_counts checks_passed;
volatile const char *supervisor_phase = "starting";
volatile uint64_t supervisor_heartbeat_ns;

static void console_sink(char c, void *ctx)
{
    (void)ctx;
    seL4_DebugPutChar(c);
}

_Noreturn void fuzz_fail(const char *check, const char *fmt, ...)
{
    static volatile bool failing; /* the watchdog and the supervisor may both get here */
    if (failing) schedlab_halt(FUZZ_STATUS_FAILED);
    failing = true;
    va_list ap;
    printf("\nFUZZ FAIL [%s]: ", check);
    va_start(ap, fmt);
    format_v(console_sink, 0, fmt, ap);
    va_end(ap);
    printf("\nfuzz: failed after %lu worker system calls (seed %lu, %u harts, %u workers), "
           "at %lu ms\n",
           (unsigned long)workers_calls(), (unsigned long)params.seed, params.nharts,
           params.nworkers, (unsigned long)(schedlab_now_ns() / MS));
    workers_diagnose();
    seL4_DebugDumpScheduler();
    schedlab_halt(FUZZ_STATUS_FAILED);
}

struct periodic {
    const char *name;
    void (*check)(void);
    uint64_t every_ns, next_ns;
    bool skipped;
};

// clang-format off
static struct periodic schedule[] = {
    {"ipc",      check_ipc,      IPC_EVERY_NS,      0, false},
    {"revoke",   check_revoke,   REVOKE_EVERY_NS,   0, false},
    {"frames",   check_frames,   FRAMES_EVERY_NS,   0, false},
    {"unmap",    check_unmap,    UNMAP_EVERY_NS,    0, false},
    {"census",   check_census,   CENSUS_EVERY_NS,   0, false},
    {"stop",     check_stop,     STOP_EVERY_NS,     0, false},
    {"affinity", check_affinity, AFFINITY_EVERY_NS, 0, false},
};
// clang-format on
#define NSCHEDULE (sizeof schedule / sizeof schedule[0])

/* fuzz.skip=name,name: leave some periodic checks out, to look past a failure already known
 * (the run says so in its summary). */
static void skip_checks(void)
{
    char list[128];
    if (!bootarg_get(schedlab_bootargs(), "fuzz.skip", list, sizeof list)) return;
    for (unsigned i = 0; i < NSCHEDULE; i++) {
        const char *p = list, *name = schedule[i].name;
        while (*p) {
            unsigned n = 0;
            while (name[n] && p[n] == name[n]) n++;
            if (!name[n] && (p[n] == ',' || !p[n])) schedule[i].skipped = true;
            while (*p && *p != ',') p++;
            if (*p) p++;
        }
        if (schedule[i].skipped) printf("fuzz: skipping the %s check\n", schedule[i].name);
    }
}

static void heartbeat(const char *phase)
{
    supervisor_phase = phase;
    supervisor_heartbeat_ns = schedlab_now_ns();
}

static void set_up(const seL4_BootInfo *bi)
{
    params.seed = schedlab_param("seed", 1);
    params.calls = schedlab_param("fuzz.calls", 100000);
    params.nharts = (unsigned)bi->numNodes;
    unsigned nworkers = 2 * params.nharts < 4 ? 4 : 2 * params.nharts;
    params.nworkers = (unsigned)schedlab_param("fuzz.workers", nworkers);
    if (params.nworkers < 2) params.nworkers = 2;
    if (params.nworkers > FUZZ_MAX_WORKERS) params.nworkers = FUZZ_MAX_WORKERS;
    supervisor_rng = rng_stream(params.seed, 0, 0);
    skip_checks();
    printf("fuzz: seed %lu, %lu calls, %u workers on %u harts\n", (unsigned long)params.seed,
           (unsigned long)params.calls, params.nworkers, params.nharts);

    heartbeat("setting up");
    MUST(schedlab_set_affinity_mask(seL4_CapInitThreadTCB, 1));
    MUST(seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, SUPERVISOR_PRIO));
    watchdog_init();
    check_frames_init();
    check_frames_image(bi);
    check_ipc_init();
    check_revoke_init();
    probes_init();
    check_stop_init();
    check_affinity_init();
    workers_init(bi);
    for (unsigned i = 0; i < params.nworkers; i++) worker_build(&workers[i]);
}

/* Run until the workers issued params.calls system calls, checking on the way. */
static void fuzz(void)
{
    uint64_t last_calls = 0, last_progress = schedlab_now_ns();
    for (;;) {
        heartbeat("sleeping between ticks");
        schedlab_sleep_ns(TICK_NS);
        uint64_t now = schedlab_now_ns();
        heartbeat("supervising the workers");
        workers_supervise(now);
        uint64_t calls = workers_calls();
        if (calls >= params.calls) return;
        if (calls != last_calls) last_calls = calls, last_progress = now;
        REQUIRE(now - last_progress <= NO_PROGRESS_NS, "progress",
                "no worker issued a system call for %llu ms of emulated time, rebuilds and all",
                NO_PROGRESS_NS / MS);
        for (unsigned i = 0; i < NSCHEDULE; i++) {
            if (schedule[i].skipped || now < schedule[i].next_ns) continue;
            schedule[i].check();
            heartbeat("between checks");
            schedule[i].next_ns = now + schedule[i].every_ns;
        }
    }
}

/* The last checks: with the workers still running, then once all of them are destroyed. */
static void run_check(void (*check)(void))
{
    for (unsigned i = 0; i < NSCHEDULE; i++)
        if (!schedule[i].skipped && schedule[i].check == check) check();
}

static void finish(void)
{
    heartbeat("final checks");
    run_check(check_census);
    run_check(check_frames);
    heartbeat("destroying the workers");
    workers_destroy();
    heartbeat("final checks after the workers");
    for (unsigned h = 0; h < params.nharts; h++) run_check(check_ipc);
    run_check(check_revoke);
    run_check(check_unmap);
    run_check(check_stop);
    run_check(check_affinity);
    run_check(check_frames);
}

static void print_summary(void)
{
    static const char *const errors[FUZZ_ERROR_KINDS] = {
        "NoError",     "InvalidArgument", "InvalidCapability", "IllegalOperation",
        "RangeError",  "AlignmentError",  "FailedLookup",      "TruncatedMessage",
        "DeleteFirst", "RevokeFirst",     "NotEnoughMemory",   "other"};
    static const char *const faults[FUZZ_FAULT_KINDS] = {
        "not-a-fault", "CapFault", "UnknownSyscall", "UserException", "-", "VMFault"};
    printf("FUZZ SUMMARY seed=%lu harts=%u workers=%u calls=%lu emulated_ms=%lu replies:",
           (unsigned long)params.seed, params.nharts, params.nworkers, (unsigned long)totals.calls,
           (unsigned long)(schedlab_now_ns() / MS));
    for (unsigned i = 0; i < FUZZ_ERROR_KINDS; i++)
        printf(" %s=%lu", errors[i], (unsigned long)totals.replies[i]);
    printf(" faults:");
    for (unsigned i = 0; i < FUZZ_FAULT_KINDS; i++)
        if (i != 4) printf(" %s=%lu", faults[i], (unsigned long)totals.faults[i]);
    printf(" restarts=%lu pokes=%lu restart_failures=%lu rebuilds: stalled=%lu generation=%lu "
           "reported=%lu"
           " corrupt_pages=%lu checks_passed: ipc=%lu revoke=%lu frames=%lu census=%lu unmap=%lu"
           " stop=%lu affinity=%lu"
           " watchdog_max_late_us=%lu\n",
           (unsigned long)totals.restarts, (unsigned long)totals.pokes,
           (unsigned long)totals.restart_failures, (unsigned long)totals.rebuilds_stalled,
           (unsigned long)totals.rebuilds_scheduled, (unsigned long)totals.rebuilds_reported,
           (unsigned long)totals.corrupt_pages, (unsigned long)checks_passed.ping,
           (unsigned long)checks_passed.revoke, (unsigned long)checks_passed.frames,
           (unsigned long)checks_passed.census, (unsigned long)checks_passed.unmap,
           (unsigned long)checks_passed.stop, (unsigned long)checks_passed.affinity,
           (unsigned long)(watchdog_max_lateness_ns() / US));
}

int main(const seL4_BootInfo *bi)
{
    set_up(bi);
    fuzz();
    finish();
    print_summary();
    return 0;
}
