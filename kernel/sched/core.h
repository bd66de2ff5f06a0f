/*
 * The scheduler core: the kernel's only entry to scheduling. It tracks what runs on each hart,
 * calls the policy (sched.h) when a decision is due, charges CPU time, and records the
 * scheduling events of the trace.
 */
#ifndef SCHED_CORE_H
#define SCHED_CORE_H

#include <kernel/hart.h>
#include <sched/sched.h>
#include <schedlab/trace.h>

/* For the harts the kernel runs on (nharts): measures what a context switch costs here, tells
 * the policy, and returns it (ns). */
uint64_t sched_init(void);
void sched_thread_init(struct sched_thread *t, uint32_t tid, uint8_t prio, unsigned hart);
/* The thread running on this hart (NULL when idle). */
struct sched_thread *sched_current(void);
/* The thread running on `hart` (NULL when idle). */
struct sched_thread *sched_running_on(unsigned hart);
/* t became runnable; `waker` (may be NULL) made it so. */
void sched_wake(struct sched_thread *t, struct sched_thread *waker, enum trace_wake_reason why);
/* t stopped being runnable. It may be this hart's running thread, or another hart's if that hart
 * has been stalled (smp_stall_thread): that hart stops running it at once. */
void sched_block(struct sched_thread *t, enum trace_block_reason why);
/* The running thread calls seL4_Yield. */
void sched_yield(void);
void sched_set_priority(struct sched_thread *t, uint8_t prio);
/* t may run only on the harts of `harts_mask` from now on. A thread on a hart outside the mask
 * moves to an allowed one. */
void sched_set_affinity(struct sched_thread *t, struct hartmask harts_mask);
/* Timer interrupt on this hart at time `now`. */
void sched_timer(uint64_t now);
/* What the core keeps per hart. Only core.c changes it; the fastpath's check below reads it. */
struct sched_hart {
    struct sched_thread *running;
    bool decide;                  /* policy_pick is due at the next kernel exit */
    enum trace_switch_reason why; /* why the running thread will be switched away */
    bool why_set;
    uint64_t charged_at; /* running thread is charged up to this time */
    uint64_t slice_end;
};
extern struct sched_hart sched_harts[SCHED_MAX_HARTS];

/* The IPC fastpath, in two steps. `from`, running on `hart` (this hart), is about to block and wake
 * `to` (blocked). May `to` run at once, without a decision, with the slow path's outcome? Its hart
 * is this one, no decision is due here, `from` is still the hart's running thread, and the policy
 * agrees (policy_may_switch_directly, told whether `hart` is the only one). (A blocked thread's
 * hart is always in its affinity: sched_set_affinity moves it at once. On the only hart the thread
 * in a trap is the running one while no decision is due: the exit returned to the thread
 * sched_schedule chose, and nothing else changes it; with more, another hart may have stopped
 * it meanwhile. sched_switch_directly checks both.) It changes nothing; inlined, since every Call
 * and ReplyRecv asks. After a yes the caller makes `from` blocked and `to` runnable, traces both
 * as the slow path does, and calls sched_switch_directly. */
static SCHED_ALWAYS_INLINE bool sched_may_switch_directly(unsigned hart,
                                                          const struct sched_thread *from,
                                                          const struct sched_thread *to,
                                                          bool one_hart)
{
    if (hart >= SCHED_MAX_HARTS) __builtin_unreachable(); /* this hart's index: no bound check */
    const struct sched_hart *h = &sched_harts[hart];
    /* neither is held by the policy: a running thread is only while a decision is due, a blocked
     * one never (sched_check_invariants; sched_switch_directly checks) */
    return (one_hart || h->running == from) && !h->decide && to->hart == hart &&
           policy_may_switch_directly(hart, from, to, one_hart);
}
/* This hart (`hart`, as asked) switches from `from` to `to` at `now` (the caller's clock read,
 * which its own records of the switch share): `from` charged up to now, the policy's part
 * (policy_switched_directly, whose record goes in the room the caller reserved), `to` running
 * with a fresh slice end, the switch's instant in the trace (trace_switched_directly: the
 * kernel's fastpath record completed, the simulator's SWITCH) and the cache model's refill, in
 * the slow path's order. Returns the slice end (the only input of the timer's
 * deadline a direct switch changes). */
uint64_t sched_switch_directly(unsigned hart, struct sched_thread *from, struct sched_thread *to,
                               uint64_t now);
/* Kernel exit: settle what this hart runs now (NULL = idle). */
struct sched_thread *sched_schedule(uint64_t now);
/* t is being destroyed: no other hart may keep it as its running thread. */
void sched_forget(struct sched_thread *t);
/* Does any hart have a decision due (work it has not looked at yet)? */
bool sched_decisions_pending(void);
/* When this hart's timer must fire for the scheduler: the running thread's slice end or the
 * policy's next timed work (policy_next_tick), whichever is first (UINT64_MAX: neither). */
uint64_t sched_next_deadline(void);

/* Does any hart run t? */
bool sched_is_running(const struct sched_thread *t);
/* Panics (in a kernel built with invariant checks) unless every hart runs a different thread,
 * of its own, runnable and not held by the policy, or has a decision due. */
void sched_check_invariants(void);

/* Provided by the kernel's thread code: may t run (seL4's Running or Restart state)? */
bool thread_is_runnable(struct sched_thread *t);

#endif
