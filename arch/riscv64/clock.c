/*
 * Time and the one-shot timer, correct on any QEMU without being told how it runs.
 *
 * `time` (rdtime) is the platform's timer clock, at the device tree's timebase-frequency: it is
 * QEMU's virtual clock with or without -icount, and the timer (stimecmp / SBI set_timer) counts
 * in its ticks, so it is the clock everywhere. Its tick (100 ns on QEMU virt) is coarse; under
 * -icount the cycle counter reads the same virtual clock in whole nanoseconds (QEMU 7.2 returns
 * icount_get() for mcycle), and only there is it used, as the fine source. Without -icount the
 * cycle counter is the host's tick counter, unrelated to `time` (a timer deadline derived from it
 * never expires), so icount is detected at boot, never assumed (arch_clock_init).
 */
#include <arch/arch.h>
#include <arch/csr.h>
#include "sbi.h"

#define NS_PER_S 1000000000ull

enum arch_clock arch_clock_source = ARCH_CLOCK_REALTIME;
uint64_t arch_tick_ns_mult;
static uint64_t timebase_hz;
static uint64_t ns_per_tick; /* when a tick is a whole number of ns (100 on QEMU virt), else 0 */
static bool have_sstc;

static uint64_t read_time(void)
{
    uint64_t v;
    __asm__ volatile("rdtime %0" : "=r"(v));
    return v;
}

static uint64_t read_cycle(void)
{
    uint64_t v;
    __asm__ volatile("rdcycle %0" : "=r"(v));
    return v;
}

static uint64_t ticks_to_ns(uint64_t ticks)
{
    return (uint64_t)(((unsigned __int128)ticks * arch_tick_ns_mult) >> ARCH_TICK_NS_SHIFT);
}

/* The first tick at or after `ns`; with the multiplier rounded up, ticks_to_ns of it is >= ns,
 * so a timer that fires always finds its deadline reached. */
static uint64_t ns_to_ticks_up(uint64_t ns)
{
    /* (every switch arms the timer: a whole tick takes one division, not two and two products) */
    if (ns_per_tick) return ns / ns_per_tick + (ns % ns_per_tick != 0);
    uint64_t s = ns / NS_PER_S, rest = ns % NS_PER_S;
    return s * timebase_hz + (rest * timebase_hz + NS_PER_S - 1) / NS_PER_S;
}

/* Cycle-counter advance over `n` turns of a two-instruction loop. */
static uint64_t cycles_over_loop(uint64_t n)
{
    uint64_t c0, c1;
    __asm__ volatile("rdcycle %0\n"
                     "1: addi %2, %2, -1\n"
                     "bnez %2, 1b\n"
                     "rdcycle %1"
                     : "=&r"(c0), "=&r"(c1), "+r"(n));
    return c1 - c0;
}

/* Does the cycle counter, read just after rdtime, fall inside that tick (plus the few
 * instructions between the two reads)? Then it reads nanoseconds of the same clock. */
static bool cycle_inside_current_tick(void)
{
    uint64_t t = read_time(), c = read_cycle();
    uint64_t ns = ticks_to_ns(t), next = ticks_to_ns(t + 1);
    return c >= ns && c < next + 64;
}

#define PROBE_TURNS 5000 /* 40000 instructions in all: 40 us under icount, 400 ticks of time */

/* The cycle counter is the fine clock only if all of these hold, none of which a host counter
 * meets but by coincidence, and not all together:
 *  - it reads what `time` reads, in ns, at two instants 400 ticks apart (same origin and rate:
 *    a host counter starts at the host's boot, not at the machine's reset);
 *  - it advances by exactly the same amount over the same instructions, twice (a host counter
 *    jitters with the host);
 *  - twice the turns cost exactly a whole power-of-two number of ns more per instruction (icount's
 *    shift: each instruction is 2^shift ns of virtual time).
 * The kernel runs this with interrupts off and its timer disarmed, so nothing else is counted.
 * A host whose clock passes would still be read correctly: `time` is the fallback either way. */
static bool cycle_counts_virtual_ns(void)
{
    if (!cycle_inside_current_tick()) return false;
    uint64_t once = cycles_over_loop(PROBE_TURNS);
    uint64_t again = cycles_over_loop(PROBE_TURNS);
    uint64_t twice = cycles_over_loop(2 * PROBE_TURNS);
    if (!cycle_inside_current_tick() || once != again || twice <= once) return false;
    uint64_t extra = twice - once, per_instruction = extra / (2 * PROBE_TURNS);
    return extra % (2 * PROBE_TURNS) == 0 && per_instruction <= 1024 &&
           (per_instruction & (per_instruction - 1)) == 0;
}

void arch_clock_init(uint64_t hz, bool sstc)
{
    timebase_hz = hz;
    ns_per_tick = NS_PER_S % hz == 0 ? NS_PER_S / hz : 0;
    have_sstc = sstc;
    arch_set_timer(UINT64_MAX); /* nothing may fire during the probe */
    /* ns per tick in 32.32 fixed point, rounded up: exact for 10 MHz (100 << 32) */
    arch_tick_ns_mult =
        (uint64_t)((((unsigned __int128)NS_PER_S << ARCH_TICK_NS_SHIFT) + hz - 1) / hz);
    arch_clock_source = ARCH_CLOCK_REALTIME;
    if (cycle_counts_virtual_ns()) arch_clock_source = ARCH_CLOCK_ICOUNT;
}

uint64_t arch_timebase_hz(void) { return timebase_hz; }

void arch_set_timer(uint64_t deadline_ns)
{
    uint64_t ticks = deadline_ns == UINT64_MAX ? UINT64_MAX : ns_to_ticks_up(deadline_ns);
    if (have_sstc)
        __asm__ volatile("csrw %0, %1" ::"i"(CSR_STIMECMP), "r"(ticks));
    else
        sbi_call(SBI_EXT_TIME, 0, (long)ticks, 0, 0);
}
