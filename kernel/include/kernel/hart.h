/* Per-hart kernel state. The trap entry sets tp to this hart's struct hart. */
#ifndef KERNEL_HART_H
#define KERNEL_HART_H

#include <arch/arch.h>
#include <kernel/types.h>

struct tcb;
struct trace_buffer;

struct sched_hart;

struct hart {
    /* the fastpaths the trap entry jumps to (ARCH_HART_FASTPATH_*, kernel/fastpath.h): for one
     * hart or for several, set at boot */
    void (*fastpath_call)(struct arch_context *ctx);
    void (*fastpath_reply_recv)(struct arch_context *ctx);
    /* the kernel's index: 0 = the boot hart, then device-tree order (16 bits: loaded, it is the
     * same value sign- or zero-extended, so indexing by it and comparing it cost no extension) */
    uint16_t id;
    /* the clock is the cycle counter (arch_clock_source is ARCH_CLOCK_ICOUNT): clock_now */
    bool clock_is_cycles;
    /* this hart's scheduler state, &sched_harts[id] (kernel/sched/core.h): one load from tp */
    struct sched_hart *sched;
    /* the kernel runs on more than one hart (nharts > 1), so kernel entries take the lock: a byte
     * next to tp, read by every entry and exit, where nharts is an address and a load away */
    bool many_harts;
    uint64_t hw_id;          /* the hardware's hart id (SBI, device tree) */
    uint64_t kernel_sp;      /* top of this hart's kernel stack */
    uint64_t timer_deadline; /* what the one-shot timer is set to (UINT64_MAX: off) */
    arch_pte_t *vspace;      /* the address space the hart is in (NULL: the kernel's own) */
    bool vspace_stale;       /* page tables changed: reload it (and flush) before user code */
    /* the VSpace cap (its words) whose address space the hart is in and may stay in; while that
     * is the kernel's or stale, words no cap has (hart_vspace_unknown) */
    uint64_t vspace_cap[2];
    /* this hart's trace buffer (kernel/trace.c) */
    struct trace_buffer *trace;
    /* SMP (kernel/smp.c): written by other harts, hence volatile */
    volatile bool in_user; /* running a thread in user mode: its registers are live (kept with more
                            * than one hart only: only the others read it) */
    volatile unsigned stall_requester; /* 1 + the hart waiting for this one to enter the kernel */
    bool stalled; /* another hart changed things here while this one waited for the lock */
    unsigned work_since_check; /* preemption points passed since the last look (entry.c) */
    /* FPU (kernel/fpu.c): the thread whose FP state is in this hart's FP registers (NULL: none),
     * and 1 + the hart waiting, holding the lock, for this one to save that state to memory */
    struct tcb *fpu_owner;
    volatile unsigned fpu_release_requester;
};

_Static_assert(__builtin_offsetof(struct hart, fastpath_call) == ARCH_HART_FASTPATH_CALL &&
                   __builtin_offsetof(struct hart, fastpath_reply_recv) ==
                       ARCH_HART_FASTPATH_REPLY_RECV,
               "the trap entry finds the fastpaths at tp + ARCH_HART_FASTPATH_*");

extern struct hart harts_state[ARCH_MAX_HARTS];
extern unsigned nharts;

/* No VSpace cap names where hart h is (it is in the kernel's address space, or its page tables
 * changed): the next exit looks its thread's VSpace up (vspace_loaded_for). A cap's second word
 * holds its type, and no type is 31. */
static inline void hart_vspace_unknown(struct hart *h) { h->vspace_cap[1] = UINT64_MAX; }

static inline struct hart *this_hart(void) { return (struct hart *)arch_hart_local(); }
static inline unsigned this_hart_id(void) { return this_hart()->id; }
static inline bool many_harts(void) { return this_hart()->many_harts; }
/* The scheduler core's state of this hart (the simulator's kernel/hart.h indexes sched_harts). */
static inline struct sched_hart *this_sched_hart(void) { return this_hart()->sched; }
/* icount, the deterministic runs', laid out as the fall-through */
static ALWAYS_INLINE uint64_t clock_now(void)
{
    return __builtin_expect(this_hart()->clock_is_cycles, 1) ? arch_cycles_ns() : arch_time_ns();
}

#endif
