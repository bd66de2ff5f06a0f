/*
 * The scheduling-policy interface (DESIGN §4.1).
 *
 * The kernel core (core.c) owns *when* a decision is needed; a policy owns *what* is decided.
 * Exactly one policy is compiled into a kernel (configs/<name>.cmake names it); its parameters
 * arrive as constants in the generated <sched_config.h>; the core calls the policy_* functions
 * below directly, so there is no indirect call on the hot path. A policy sees threads only as
 * struct sched_thread: it never touches arch code, IPC or capabilities, and it compiles on the
 * host, where its decisions are unit-tested.
 *
 * Protocol. A thread is "running" on a hart (the core's current thread), "queued" (held by the
 * policy), or neither (blocked). The thread a policy returns from policy_pick is running and
 * not queued. When the running thread stops running but stays runnable, the policy keeps it:
 * policy_yield and policy_slice_expired re-queue it themselves; otherwise policy_pick is told
 * the previous thread is still runnable and must queue it unless it picks it again.
 */
#ifndef SCHED_SCHED_H
#define SCHED_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include "hartmask.h"
#include <sched_config.h>
#include <schedlab/trace.h>

/* For the few helpers on every decision's path that must be inlined whatever the compiler
 * weighs (the host builds, which compile a policy alone, included). */
#define SCHED_ALWAYS_INLINE inline __attribute__((always_inline))
/* Hides where the pointer p came from: the compiler then keeps it in a register rather than
 * working a per-hart record's field out again from the array's base and the hart's index at
 * every use (which it does when the index is live anyway), at no cost. */
#define SCHED_OPAQUE(p) __asm__("" : "+r"(p))

#define SCHED_POLICY_WORDS 6

struct sched_thread {
    struct sched_thread *next, *prev;    /* run-queue links: the policy's */
    uint32_t tid;                        /* trace id, for diagnostics only */
    uint8_t prio;                        /* seL4 priority 0..255, set by the core */
    uint16_t hart;                       /* hart the thread runs on or is queued for */
    bool queued;                         /* held in a policy run queue */
    bool with_policy;                    /* the core handed it to the policy (woken, yielded,
                                          * expired, or runnable at a decision) and the policy
                                          * has not returned it from policy_pick: the core's,
                                          * policies must not touch it */
    int64_t slice_left_ns;               /* remaining timeslice, charged by policy_charge
                                          * (kernel time included: see policy_charge), for a
                                          * policy that keeps one (the core asks only
                                          * policy_slice_ns) */
    struct hartmask affinity;            /* harts the thread may run on */
    uint64_t working_set_bytes;          /* for the cache-warmth model (cache_model.h) */
    uint64_t policy[SCHED_POLICY_WORDS]; /* further per-thread state a policy may keep */
};

/* Called once at boot, before any thread exists. `switch_cost_ns` is what one context switch
 * costs on this machine, measured by the kernel at boot (policies that size slices use it). */
void policy_init(unsigned nharts, uint64_t switch_cost_ns);
/* A new thread (not runnable yet): set up the policy's per-thread state. */
void policy_thread_init(struct sched_thread *t);
/* Where should a thread that becomes runnable go? `waker_hart` is the hart doing the waking.
 * The answer must be a hart in t->affinity; if it differs from t->hart the core records a
 * migration (TRACE_MIGRATE_WAKE) and sets t->hart before policy_wakeup. Asked only with more
 * than one hart: with one, every thread stays on hart 0. */
unsigned policy_select_hart(struct sched_thread *t, unsigned waker_hart);
/* t became runnable on `hart`, where `running` runs (NULL: idle). Take t into the policy.
 * Return true if the hart must ask policy_pick for a new decision now. */
bool policy_wakeup(unsigned hart, struct sched_thread *t, struct sched_thread *running);
/*
 * The IPC fastpath, in two steps. The running thread `from` blocks on `hart` and wakes `to`
 * (blocked, on `hart`, which its affinity allows).
 *
 * policy_may_switch_directly: would policy_select_hart(to) keep it on `hart`, policy_wakeup(hart,
 * to, from) followed by policy_pick(hart, from, false) return `to`, and can the policy leave its
 * state exactly as those calls would? It changes nothing. If it says no, the core calls them (the
 * slow path). It is asked only while no decision is due on `hart`: nothing the policy holds there
 * would preempt `from` (its wakeup would have asked for a decision). `one_hart`: the machine has
 * only this hart (the kernel's one-hart fastpath knows it as a constant); a policy that places
 * threads among harts (policy_select_hart) can say yes only then.
 *
 * policy_switched_directly: after a yes, charge `from` with the `ns` it ran since its last charge
 * (what policy_charge(from, ns) does before policy_pick on the slow path, where `to` is queued
 * meanwhile) and do what those calls would have left (policy_pick's bookkeeping and its trace
 * records); the core then runs `to` without calling them. The charge is the policy's so that
 * it computes what depends on `to` being queued once, not once without it and again with it.
 * It returns `to`'s slice, policy_slice_ns(to) as it is then: the policy may know it more
 * cheaply here, where nothing of `to`'s priority or above is queued.
 *
 * Both are small: they are on the fastpath of every Call and ReplyRecv. A policy defines
 * policy_may_switch_directly SCHED_ALWAYS_INLINE: else gcc may split it and call its second half
 * out of line from the fastpath (4 instructions and a call that saves registers).
 */
bool policy_may_switch_directly(unsigned hart, const struct sched_thread *from,
                                const struct sched_thread *to, bool one_hart);
uint64_t policy_switched_directly(unsigned hart, struct sched_thread *from, struct sched_thread *to,
                                  uint64_t ns);
/* t, queued and not running, stopped being runnable (suspended, or its priority changes). */
void policy_remove(struct sched_thread *t);
/* Choose the thread `hart` runs next, or NULL to idle. `prev` ran until now (NULL: idle);
 * if prev_runnable, prev must stay with the policy (returned again or queued). */
struct sched_thread *policy_pick(unsigned hart, struct sched_thread *prev, bool prev_runnable);
/*
 * The running thread used `ns` of CPU time since it was last charged.
 *
 * What is charged (as in seL4 and Linux, kernel time counts): all the time from the instant its
 * hart's decision chose it (the clock read at the start of kernel exit) until the instant a
 * kernel entry takes it off the hart (the clock read by the timer handler, yield or the next
 * decision), without a gap. So a slice (slice_left_ns, policy_slice_ns) pays for the kernel's
 * part of the switch that brought the thread in (policy_pick, trace records, the cache model's
 * refill if on, programming the timer, restoring the context and address space, trap return),
 * for every kernel entry while it runs (its own system calls, interrupts for other threads'
 * timers, IPIs), and for the trap entry of the interrupt that ends it (charged past the slice's
 * end: rr and affinity refill without carrying it over; mlfq counts it at the level).
 * Measured by bench/slice (./schedlab bench) under icount, rr, one hart, two CPU-bound threads:
 * a switch by slice expiry takes 476 ns from the thread's last user instruction to the next
 * thread's first (407 ns with tracing compiled out), of which 302 ns (231 ns) is charged to the
 * incoming thread's slice: a 10 ms slice gives 9,999,698 ns of user time (the split moves by up
 * to 100 ns with code layout: a slice ends on a 100 ns timer tick). A job of exactly N slices of
 * user work therefore needs an extra turn.
 */
void policy_charge(struct sched_thread *t, uint64_t ns);
/* The running thread's slice ran out (policy_slice_ns was 0): refill and re-queue it. */
void policy_slice_expired(unsigned hart, struct sched_thread *t);
/* The running thread yielded: re-queue it. */
void policy_yield(unsigned hart, struct sched_thread *t);
/* The core needs a fresh decision on `hart` although nothing was queued or yielded (e.g. the
 * running thread's priority changed). */
void policy_reschedule(unsigned hart);
/* How long t may run from now before policy_slice_expired (ns). The kernel's core asks it once
 * per decision, for the thread the decision runs, just after policy_pick and the SWITCH record
 * (a policy may record the slice there); tests ask it at any time. */
uint64_t policy_slice_ns(const struct sched_thread *t);
/* The policy's own timed work on `hart` at time `now` (balancing, mlfq's boost): called on a
 * timer interrupt of the hart once the instant policy_next_tick named has come (not before: the
 * common interrupt, a slice's end, asks nothing more), and whenever the hart is about to idle
 * (running = NULL), with the running thread charged up to `now`. `running` is what the hart runs
 * (NULL: idle); it may be held by the policy already (it yielded; its decision is due). A policy
 * may move queued threads between harts (through sched_migrate) or change the running thread's
 * slice. Returns the harts that must make a new decision because of what it did; a decision on the
 * hart whose running thread's slice changed re-evaluates that slice. */
struct hartmask policy_tick(unsigned hart, uint64_t now, struct sched_thread *running);
/* When `hart` wants its next policy_tick (ns of emulated time since boot; UINT64_MAX: no need).
 * The core arms the hart's one-shot timer for it, so timed work happens at its instant even
 * while long slices run or the hart idles. */
uint64_t policy_next_tick(unsigned hart);

/*
 * Provided by the core for policies (the host tests provide their own). Every move of a thread
 * to another hart that a policy decides goes through it, so each migration is traced: it sets
 * t->hart to `to`. The thread must not be queued on any hart when it is called.
 */
void sched_migrate(struct sched_thread *t, unsigned to, enum trace_migrate_reason why);

/*
 * Provided by the core for policies (the host tests provide their own): record a policy trace
 * record (TRACE_POLICY) on this hart. `kind` and what tid, a, b and value mean are the policy's
 * own, defined in its POLICY_TRACE_EVENTS table (kernel/sched/<policy>_trace.h), which the
 * decoder reads. Records made while the core calibrates the switch cost at boot are dropped.
 */
void sched_trace_policy(uint16_t kind, uint32_t tid, uint32_t a, uint32_t b, uint64_t value);
/* The same, from policy_switched_directly only: the record goes in the room the fastpath reserved
 * for one policy record (kernel/fastpath.c FASTPATH_RECORDS), at the switch's instant, so that it
 * costs no room check and no clock read. */
void sched_trace_policy_at_switch(uint16_t kind, uint32_t tid, uint32_t a, uint32_t b,
                                  uint64_t value);
/* Whether policy trace records are kept: not in a kernel built with tracing compiled out
 * (SCHEDLAB_TRACE 0), where work that only feeds a record is skipped; always on the host. */
#if defined(SCHEDLAB_TRACE) && !SCHEDLAB_TRACE
#define SCHED_TRACING 0
#else
#define SCHED_TRACING 1
#endif
/* A policy's kinds as C constants, from its table:
 *   enum policy_trace_kind { POLICY_TRACE_EVENTS(POLICY_TRACE_KIND_ENUM) };
 * gives POLICY_TRACE_<NAME> = kind. */
#define POLICY_TRACE_KIND_ENUM(name, kind, tid, a, b, value) POLICY_TRACE_##name = kind,

#endif
