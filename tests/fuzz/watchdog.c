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
#define TICKER_PERIOD_NS   (500 * US)

static struct sup_thread watchdog_thread, tickers[FUZZ_MAX_WORKERS];
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
 * A ticker per hart keeps a timer deadline near. Under -icount QEMU runs the harts in turn, each
 * until the next timer deadline of any hart; a hart that waits (for the kernel lock, for another
 * hart to stop) waits for the others' turns, so with no deadline near a wait would last as long
 * as the slices of busy threads elsewhere (10 ms). Tickers bound that to about their period, so
 * the watchdog's lateness bound measures the kernel, not QEMU's turns. They also preempt the
 * workers often, which is what a fuzzer wants anyway.
 */
static void ticker(seL4_Word arg)
{
    (void)arg;
    for (;;) schedlab_sleep_ns(TICKER_PERIOD_NS);
}

void watchdog_init(void)
{
    for (unsigned h = 0; h < params.nharts; h++)
        REQUIRE(sup_thread_start(&tickers[h], "ticker", ticker, 0, TICKER_PRIO, h, 0), "setup",
                "cannot start the ticker of hart %u", h);
    lateness_bound_ns = schedlab_param("fuzz.lateness_ms", 50) * MS;
    REQUIRE(sup_thread_start(&watchdog_thread, "watchdog", watchdog, 0, WATCHDOG_PRIO, 0, 0),
            "setup", "cannot start the watchdog");
}
