/*
 * Slice accounting and the timer preemption: how much of a thread's timeslice the kernel uses
 * (sched.h, policy_charge) and what a switch by slice expiry costs. Two CPU-bound threads of
 * equal priority alternate by slice expiry; each spins reading the cycle counter (the kernel's
 * clock under icount: one instruction per ns) and notes each stretch it ran without a gap, from
 * its first read in a slice to its last. A stretch misses what ran before its first read and
 * after its last, but those two parts are of the one loop turn interrupted at the stretch's
 * start and the one interrupted at its end; over many stretches the parts cancel but for one
 * whole turn per stretch (`turn`: the shortest gap between two reads, the loop's common path,
 * exact). So, as means over the slices, exact but for rounding wherever the interrupt lands:
 *   bench slice_user_ns <user time per slice: a stretch and a turn>
 *   bench slice_kernel_ns <timeslice - that: the kernel time a slice pays, per switch>
 *   bench slice_switch_gap_ns <from the last user instruction of a slice to the next user
 *                               instruction of either thread: the whole kernel path of the
 *                               expiry interrupt>
 *   bench timer_preempt <the same, where the next thread is the other one: a preemption>
 *   bench boost_gap_ns <mlfq only: the same across a rule-4 boost, an interrupt that does not
 *                       end the slice (the thread runs on): the boost's whole kernel path>
 *   bench slice_loop_turn <turn, the instructions of the loop taken out of the figures above>
 * On one hart. slice_kernel_ns is printed only for a fixed-slice policy (rr, affinity); the other
 * figures hold for every policy (mlfq may run the same thread again at a slice's end).
 * The gaps are exact. The split of a slice between user and kernel time is not an instruction
 * count: QEMU virt's timer ticks every 100 ns, a slice ends on the first tick at or after its
 * end, and where in a tick that end falls follows the length of the kernel path before the
 * decision reads the clock, modulo 100 (the same at every switch). So slice_user_ns and
 * slice_kernel_ns move by up to 100 ns when the code's layout changes, and the bench compares
 * them with nothing (analysis/bench_table.py TICK_PHASE_DEPENDENT).
 */
#include <sched_config.h>
#include <schedlab/alloc.h>
#include <schedlab/runtime.h>
#include <schedlab/sys.h>
#include <schedlab/thread.h>

#define SLICES 34  /* stretches noted per thread; the first (a partial slice) is not counted */
#define GAP_NS 200 /* a longer jump between two reads: the thread was off the hart */

static seL4_CPtr done;
static uint64_t starts[2][SLICES], ends[2][SLICES];
/* when the first spinner had noted all its stretches: after that it only yields, so the other's
 * later stretches are not slices against a spinning peer and are not counted */
static volatile uint64_t first_done;
static volatile unsigned noted[2]; /* stretches each spinner has noted so far */

static inline uint64_t cycles(void)
{
    uint64_t v;
    __asm__ volatile("rdcycle %0" : "=r"(v));
    return v;
}

static volatile uint64_t turns[2]; /* each spinner's shortest gap between two of its reads */

static void spinner(void *arg)
{
    unsigned me = (unsigned)(uintptr_t)arg, n = 0;
    uint64_t start = cycles(), last = start, turn = UINT64_MAX;
    while (n < SLICES) {
        uint64_t now = cycles();
        if (now - last > GAP_NS) {
            starts[me][n] = start;
            ends[me][n++] = last;
            noted[me] = n;
            start = now;
        } else if (now - last < turn) {
            turn = now - last;
            turns[me] = turn; /* at once: the root task reads both when the first is done */
        }
        last = now;
    }
    if (!first_done) first_done = last;
    seL4_Send(done, seL4_MessageInfo_new(0, 0, 0, 0));
    for (;;) seL4_Yield(); /* until the root task has read the results */
}

/* Does the gap from `end` to `next` hold a boost of mlfq's (rule 4: at k * SCHED_MLFQ_BOOST_US
 * since boot, the cycle counter's zero under icount)? Its interrupt comes on the first timer tick
 * at or after the instant, so the spinner may read the clock once more in between: a boost up to a
 * tick before `end` counts. A boost is not a slice's end, and its gap is reported apart. */
#define TIMER_TICK_NS 100
static bool holds_boost(uint64_t end, uint64_t next)
{
#ifdef SCHED_MLFQ_BOOST_US
    const uint64_t period = (uint64_t)SCHED_MLFQ_BOOST_US * 1000;
    return next / period > (end - TIMER_TICK_NS) / period;
#else
    (void)end, (void)next;
    return false;
#endif
}

/* When a user instruction next ran after `end`: the earliest stretch of either thread that starts
 * after it, and whose it is (*who). The threads need not alternate one for one (mlfq runs the
 * thread at the higher level again, and slices differ in length), so it is found by time, not
 * by index. 0: none was noted. */
static uint64_t next_start_after(uint64_t end, unsigned *who)
{
    uint64_t next = 0;
    for (unsigned i = 0; i < 2; i++)
        for (unsigned s = 0; s < SLICES; s++)
            if (s < noted[i] && starts[i][s] > end && (!next || starts[i][s] < next))
                next = starts[i][s], *who = i;
    return next;
}

/* sum / n less `less` per item, rounded to the nearest */
static uint64_t mean_less(uint64_t sum, uint64_t n, uint64_t less)
{
    return (sum - n * less + n / 2) / n;
}

int main(const seL4_BootInfo *bi)
{
    (void)bi;
    static struct thread t[2];
    done = alloc_object(seL4_EndpointObject, 0);
    if (thread_start(&t[0], "spin-a", 100, spinner, (void *)0) ||
        thread_start(&t[1], "spin-b", 100, spinner, (void *)1))
        return 1;
    seL4_Word badge;
    seL4_Recv(done, &badge);
    /* stretches 1..SLICES-3 of both that ended while both spun are whole slices (the first may be
     * partial) */
    uint64_t turn = turns[0] && turns[0] < turns[1] ? turns[0] : turns[1];
    uint64_t user = 0, gap = 0, n = 0, gaps = 0, switch_gap = 0, switches = 0, longest = 0;
    uint64_t boost_gap = 0, boosts = 0;
    for (unsigned s = 1; s + 2 < SLICES; s++)
        for (unsigned i = 0; i < 2; i++) {
            if (s >= noted[i] || ends[i][s] >= first_done) continue;
            uint64_t stretch = ends[i][s] - starts[i][s];
            user += stretch;
            if (stretch > longest) longest = stretch;
            n++;
            unsigned who = i;
            uint64_t next = next_start_after(ends[i][s], &who);
            if (!next) continue;
            if (holds_boost(ends[i][s], next)) {
                boost_gap += next - ends[i][s], boosts++;
                continue;
            }
            gap += next - ends[i][s], gaps++;
            if (who != i) switch_gap += next - ends[i][s], switches++;
        }
    if (!n || !turn || turn > GAP_NS) return 1;
    uint64_t slice_user = (user + n / 2) / n + turn;
    printf("bench slice_user_ns %lu\n", slice_user);
    /* Only a fixed slice says how long a slice was: a policy whose slices vary (mlfq's levels,
     * tstune's tuning) ran stretches longer than SCHED_TIMESLICE_NS, and the difference would be
     * meaningless (it wrapped below zero), so the figure is left out for it. */
    if (SCHED_TIMESLICE_NS > 0 && longest + turn <= SCHED_TIMESLICE_NS)
        printf("bench slice_kernel_ns %lu\n", SCHED_TIMESLICE_NS - slice_user);
    if (gaps) printf("bench slice_switch_gap_ns %lu\n", mean_less(gap, gaps, turn));
    if (switches) printf("bench timer_preempt %lu\n", mean_less(switch_gap, switches, turn));
    if (boosts) printf("bench boost_gap_ns %lu\n", mean_less(boost_gap, boosts, turn));
    printf("bench slice_loop_turn %lu\n", turn);
    return 0;
}
