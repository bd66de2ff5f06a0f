/* SchedLab's extension system calls as the simulator provides them (lib/include/schedlab/sys.h
 * is the kernel's): the same functions, entering the simulated kernel. */
#ifndef SIM_SCHEDLAB_SYS_H
#define SIM_SCHEDLAB_SYS_H

#include <schedlab/trace.h>
#include <sel4/sel4.h>

static inline void schedlab_marker(uint16_t id, uint64_t value)
{
    sim_syscall(SIM_SYS_MARKER, id, value, 0);
}
/* A clock read names the engine function that reads (a0): the user code before a sleep's read
 * draws its length, before a request's end nothing, and the simulator's user time before the
 * read (sim/src/sim.h, user chains) tells them apart by it. */
static inline uint64_t sim_now_ns(const char *site)
{
    return sim_syscall(SIM_SYS_CLOCK_NOW, (seL4_Word)site, 0, 0);
}
#define schedlab_now_ns() sim_now_ns(__func__)
static inline void schedlab_sleep_until(uint64_t deadline_ns)
{
    sim_syscall(SIM_SYS_SLEEP_UNTIL, deadline_ns, 0, 0);
}
static inline seL4_Error schedlab_set_affinity_mask(seL4_CPtr tcb, uint64_t mask)
{
    return (seL4_Error)sim_syscall(SIM_SYS_SET_AFFINITY_MASK, tcb, mask, 0);
}
static inline void schedlab_set_working_set(uint64_t bytes)
{
    sim_syscall(SIM_SYS_SET_WORKING_SET, bytes, 0, 0);
}
static inline unsigned schedlab_hart_id(void)
{
    return (unsigned)sim_syscall(SIM_SYS_HART_ID, 0, 0, 0);
}

/* CPU work: `iterations` of the kernel build's burn loop, each SCHEDLAB_BURN_INSTRUCTIONS_PER_
 * ITERATION instructions, so as many ns of the calling thread's hart (one instruction is one ns
 * under icount, the clock the costs are measured on). */
void schedlab_burn(uint64_t iterations);
#define SCHEDLAB_BURN_INSTRUCTIONS_PER_ITERATION 4
/* The engine drew from a distribution of kind `kind` (enum wl_dist_kind): the user time up to the
 * thread's next system call is keyed by it (sim/src/sim.h SIM_USER_DRAW). */
void schedlab_note_draw(unsigned kind);
/* As the kernel build's (lib/src/runtime.c), timed the same, without resuming the thread for
 * every look: the machine ends its spin at the first look after another thread's write. */
bool schedlab_spin_while_equal(const uint32_t *word, uint32_t old, uint64_t checks,
                               uint64_t check_iterations);

#endif
