/*
 * The watchdog: a thread beside the supervisor on hart 0, at the top priority. It wakes
 * every WATCHDOG_PERIOD_NS and fails the run if
 *  - the supervisor's heartbeat stopped (a check that never returns, an IPC that never
 *    completes: a hang), or
 *  - it woke much later than asked: nothing a worker does may keep the kernel from running the
 *    highest-priority thread for long (DESIGN §3.5 bounds every kernel entry to 100 us).
 * Both bounds are in emulated time and far above what a working kernel needs.
 */
#include "supervisor.h"

#define WATCHDOG_PERIOD_NS (2 * MS)
#define HANG_NS            (500 * MS)
#define PACER_PERIOD_NS    (250 * US)
#define LATENESS_MS        5
#define LATENESS_SMP_MS    25

static struct sup_thread watchdog_thread, pacers[FUZZ_MAX_WORKERS];
static uint64_t lateness_bound_ns;
static volatile uint64_t max_lateness_ns;

uint64_t watchdog_max_lateness_ns(void) { return max_lateness_ns; }

static void watchdog(seL4_Word arg)
{
    (void)arg;
    uint64_t wake = schedlab_now_ns() + WATCHDOG_PERIOD_NS;
    for (;;) {
        schedlab_sleep_until(wake);
        uint64_t now = schedlab_now_ns(), late = now - wake;
        if (late > max_lateness_ns) max_lateness_ns = late;
        REQUIRE(late <= lateness_bound_ns, "bounded kernel time",
                "the watchdog (top priority, hart 0) woke %llu us late (bound %llu us): the kernel "
                "did not run it for that long",
                (unsigned long long)(late / US), (unsigned long long)(lateness_bound_ns / US));
        uint64_t beat = supervisor_heartbeat_ns;
        REQUIRE(beat >= now || now - beat <= HANG_NS, "hang",
                "the supervisor made no progress for %llu ms of emulated time, while: %s",
                (unsigned long long)((now - beat) / MS), supervisor_phase);
        wake = now + WATCHDOG_PERIOD_NS;
    }
}

/*
 * A pacer per hart keeps a timer deadline near (SMP only). Under -icount QEMU runs the harts in
 * turns, each up to the next timer deadline of any hart; with none near, a hart that waits (for
 * the kernel lock, or for its next turn after sending an IPI) waits out the other harts' long
 * turns, and with threads spinning on the other harts a single system call could take
 * milliseconds of emulated time. The pacer sleeps to the next slot of a fixed schedule, so a
 * late pacer never spins to catch up. It also preempts the workers often, which a fuzzer wants.
 */
static void pace(seL4_Word arg)
{
    (void)arg;
    uint64_t next = schedlab_now_ns();
    for (;;) {
        uint64_t now = schedlab_now_ns();
        while (next <= now) next += PACER_PERIOD_NS;
        schedlab_sleep_until(next);
    }
}

void watchdog_init(void)
{
    for (unsigned h = 0; params.nharts > 1 && h < params.nharts; h++)
        REQUIRE(sup_thread_start(&pacers[h], "pacer", pace, 0, PACER_PRIO, h, 0), "setup",
                "cannot start the pacer of hart %u", h);
    /* measured: under 0.4 ms on one hart, under 3 ms on four (QEMU's turns) */
    uint64_t bound_ms = params.nharts > 1 ? LATENESS_SMP_MS : LATENESS_MS;
    lateness_bound_ns = schedlab_param("fuzz.lateness_ms", bound_ms) * MS;
    REQUIRE(sup_thread_start(&watchdog_thread, "watchdog", watchdog, 0, WATCHDOG_PRIO, 0, 0),
            "setup", "cannot start the watchdog");
}
