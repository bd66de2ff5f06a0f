/* SchedLab's extension system calls (include/schedlab/extensions.h), for user code. */
#ifndef SCHEDLAB_SYS_H
#define SCHEDLAB_SYS_H

#include <schedlab/extensions.h>
#include <schedlab/trace.h>
#include <sel4/sel4.h>

static inline void schedlab_marker(uint16_t id, uint64_t value)
{
    sel4_plain_call(SchedLab_SysTraceMarker, id, value);
}
/* Nanoseconds of emulated time, on the clock the trace uses. */
static inline uint64_t schedlab_now_ns(void) { return sel4_plain_call(SchedLab_SysClockNow, 0, 0); }
static inline void schedlab_sleep_until(uint64_t deadline_ns)
{
    sel4_plain_call(SchedLab_SysSleepUntil, deadline_ns, 0);
}
static inline void schedlab_sleep_ns(uint64_t ns) { schedlab_sleep_until(schedlab_now_ns() + ns); }
_Noreturn void schedlab_halt(int status);
/* The thread of `tcb` may run only on the harts of `mask` (bit per hart). -> seL4 error. */
static inline seL4_Error schedlab_set_affinity_mask(seL4_CPtr tcb, uint64_t mask)
{
    return (seL4_Error)sel4_plain_call(SchedLab_SysSetAffinityMask, tcb, mask);
}
/* The calling thread's working set in bytes, for the kernel's cache-warmth model. */
static inline void schedlab_set_working_set(uint64_t bytes)
{
    sel4_plain_call(SchedLab_SysSetWorkingSet, bytes, 0);
}
/* The hart (kernel index, 0 = boot hart) the calling thread runs on right now. */
static inline unsigned schedlab_hart_id(void)
{
    return (unsigned)sel4_plain_call(SchedLab_SysHartId, 0, 0);
}

/* Exactly `iterations` rounds of a fixed instruction sequence: CPU work that takes the same
 * number of instructions on every run (so, under icount, the same emulated time). */
void schedlab_burn(uint64_t iterations);
/* Instructions one schedlab_burn iteration executes. */
#define SCHEDLAB_BURN_INSTRUCTIONS_PER_ITERATION 4
/* The workload engine drew from a distribution of kind `kind`: the simulator keys the user time
 * it does not run by it (sim/include/schedlab/sys.h); here nothing, not one instruction. */
static inline void schedlab_note_draw(unsigned kind) { (void)kind; }
/* Busy-wait in user mode while *word == old: look at it, then burn `check_iterations`, up to
 * `checks` times, and look a last time. -> true if it changed. No system call (not even a clock
 * read): many harts spinning never take the kernel lock. */
bool schedlab_spin_while_equal(const uint32_t *word, uint32_t old, uint64_t checks,
                               uint64_t check_iterations);

#endif
