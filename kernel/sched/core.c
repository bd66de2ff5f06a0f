#include <kernel/hart.h>
#include <kernel/invariants.h>
#include <kernel/smp.h>
#include <kernel/trace.h>
#include <sched/cache_model.h>
#include <sched/core.h>

struct sched_hart sched_harts[SCHED_MAX_HARTS];
/* measure_switch_cost runs the policy on dummy threads: what it would trace is not the run's */
static bool calibrating;

static unsigned me(void) { return this_hart_id(); }
static struct sched_hart *here(void) { return this_sched_hart(); }

#define CALIBRATION_ROUNDS 64

/*
 * What a context switch costs on this machine, measured at boot before any thread exists: the
 * policy's decision for a yield between two threads, saving and restoring a register context
 * and switching address space, as kernel_exit does. (Trap entry and exit, ~70 instructions
 * each, are not in it; bench/microbench measures the whole path from user mode.)
 */
static uint64_t measure_switch_cost(void)
{
    static struct sched_thread a, b;
    static struct arch_context saved, live;
    calibrating = true;
    policy_init(nharts, 0);
    sched_thread_init(&a, 0, 0, me());
    sched_thread_init(&b, 0, 0, me());
    policy_wakeup(me(), &a, NULL);
    policy_wakeup(me(), &b, NULL);
    struct sched_thread *run = policy_pick(me(), NULL, false);
    uint64_t start = clock_now();
    for (unsigned i = 0; i < CALIBRATION_ROUNDS; i++) {
        policy_yield(me(), run);
        run = policy_pick(me(), run, true);
        saved = live;
        live = saved;
        arch_activate_kernel_vspace();
    }
    uint64_t cost = (clock_now() - start) / CALIBRATION_ROUNDS;
    calibrating = false;
    return cost;
}

uint64_t sched_init(void)
{
    for (unsigned i = 0; i < SCHED_MAX_HARTS; i++)
        sched_harts[i] = (struct sched_hart){.slice_end = UINT64_MAX};
    cache_model_init(nharts);
    uint64_t switch_cost_ns = measure_switch_cost();
    policy_init(nharts, switch_cost_ns);
    return switch_cost_ns;
}

void sched_thread_init(struct sched_thread *t, uint32_t tid, uint8_t prio, unsigned hart)
{
    *t = (struct sched_thread){.tid = tid, .prio = prio, .hart = (uint16_t)hart};
    t->affinity = hartmask_one(hart);
    policy_thread_init(t);
}

struct sched_thread *sched_current(void) { return here()->running; }
struct sched_thread *sched_running_on(unsigned hart) { return sched_harts[hart].running; }

void sched_migrate(struct sched_thread *t, unsigned to, enum trace_migrate_reason why)
{
    trace_emit(TRACE_MIGRATE, why, t->tid, t->hart, to, 0);
    t->hart = (uint16_t)to;
}

void sched_trace_policy(uint16_t kind, uint32_t tid, uint32_t a, uint32_t b, uint64_t value)
{
    if (!calibrating) trace_emit(TRACE_POLICY, kind, tid, a, b, value);
}

/* (sched_switch_directly has made the switch's instant this hart's charged_at; a direct switch
 * is a user thread's IPC, which no calibration at boot makes) */
void sched_trace_policy_at_switch(uint16_t kind, uint32_t tid, uint32_t a, uint32_t b,
                                  uint64_t value)
{
    INVARIANT(!calibrating, "a direct switch while calibrating");
    trace_emit_reserved_at(here()->charged_at, TRACE_POLICY, kind, tid, a, b, value);
}

static void request_decision(unsigned hart, enum trace_switch_reason why)
{
    struct sched_hart *h = &sched_harts[hart];
    h->decide = true;
    if (!h->why_set) {
        h->why = why;
        h->why_set = true;
    }
    smp_request_reschedule(hart);
}

/* Out of line: the common tick asks for none (sched_timer), and saves no registers for the loop. */
static __attribute__((noinline)) void request_decisions(struct hartmask mask)
{
    /* the common case (a policy's timed work changed this hart's running thread): no loop */
    if (hartmask_equal(mask, hartmask_one(me()))) {
        request_decision(me(), TRACE_SWITCH_PREEMPTED);
        return;
    }
    HARTMASK_FOR_EACH(i, &mask)
    {
        if (i >= nharts) break;
        request_decision(i, TRACE_SWITCH_PREEMPTED);
    }
}

static void charge_running(struct sched_hart *h, uint64_t now)
{
    if (!h->running) return;
    policy_charge(h->running, now - h->charged_at);
    h->charged_at = now;
}

/* The lowest hart t may run on. */
static unsigned first_allowed(const struct sched_thread *t)
{
    return hartmask_next(&t->affinity, 0);
}

/*
 * Which threads the policy holds is the core's record (sched_thread.with_policy): a thread is
 * handed over when it is woken, yields, exhausts its slice or stays runnable at a decision, and
 * comes back when policy_pick returns it or the core takes it back. A thread may be running and
 * held at once (it yielded; the decision is due), and everything that stops it, moves it or
 * destroys it must take it back first, or the policy would hand it out again.
 */
static void hand_to_policy(struct sched_thread *t) { t->with_policy = true; }

static void take_back(struct sched_thread *t)
{
    if (!t->with_policy) return;
    policy_remove(t);
    t->with_policy = false;
}

static struct sched_thread *pick(struct sched_thread *prev, bool prev_runnable)
{
    if (prev_runnable) hand_to_policy(prev);
    struct sched_thread *next = policy_pick(me(), prev, prev_runnable);
    if (next) {
        INVARIANT(next->with_policy, "policy_pick returned tid %u, which it does not hold",
                  next->tid);
        next->with_policy = false;
    }
    return next;
}

static bool running_anywhere(const struct sched_thread *t)
{
    for (unsigned i = 0; i < nharts; i++)
        if (sched_harts[i].running == t) return true;
    return false;
}

/* Hand a thread that is runnable but neither running nor held by the policy to the policy: a
 * wakeup, or a thread that must leave a hart outside its affinity. */
void sched_wake(struct sched_thread *t, struct sched_thread *waker, enum trace_wake_reason why)
{
    if (here()->running == t) {
        /* it stopped and restarted within this kernel entry (CopyRegisters suspending and
         * resuming itself): it never left its hart, whose decision is due and finds it runnable */
        trace_emit(TRACE_WAKEUP, (uint16_t)me(), t->tid, waker ? waker->tid : TRACE_TID_NONE, why,
                   0);
        return;
    }
    INVARIANT(!t->with_policy && !running_anywhere(t), "tid %u woken while %s", t->tid,
              t->with_policy ? "held by the policy" : "running");
    if (!hartmask_has(&t->affinity, t->hart))
        sched_migrate(t, first_allowed(t), TRACE_MIGRATE_AFFINITY);
    unsigned hart = t->hart;
    if (nharts > 1) { /* with one hart there is no choice to ask for */
        hart = policy_select_hart(t, me());
        if (hart != t->hart) sched_migrate(t, hart, TRACE_MIGRATE_WAKE);
    }
    trace_emit(TRACE_WAKEUP, (uint16_t)hart, t->tid, waker ? waker->tid : TRACE_TID_NONE, why, 0);
    hand_to_policy(t);
    if (policy_wakeup(hart, t, sched_harts[hart].running))
        request_decision(hart, TRACE_SWITCH_PREEMPTED);
}

static bool is_running(const struct sched_thread *t) { return sched_harts[t->hart].running == t; }

/* t, running on another hart that has been stalled (it is in the kernel, waiting for the lock),
 * stops running there now: that hart's trace says so, as it would have, and it decides afresh.
 * Nothing then names t as running, so t can be woken, moved or destroyed at once. */
static void evict_remote(struct sched_thread *t, enum trace_switch_reason why)
{
    for (unsigned i = 0; i < nharts; i++) {
        if (i == me() || sched_harts[i].running != t) continue;
        trace_emit_for(i, TRACE_SWITCH, why, t->tid, TRACE_TID_NONE, 0, 0);
        trace_emit_for(i, TRACE_IDLE_ENTER, 0, 0, 0, 0, 0);
        sched_harts[i].running = NULL;
        request_decision(i, why);
    }
}

void sched_block(struct sched_thread *t, enum trace_block_reason why)
{
    trace_emit(TRACE_BLOCK, why, t->tid, 0, 0, 0);
    /* a running thread may also be held (it yielded, its decision is not made yet) */
    take_back(t);
    enum trace_switch_reason switch_why =
        why == TRACE_BLOCK_SUSPEND ? TRACE_SWITCH_SUSPENDED : TRACE_SWITCH_BLOCK;
    if (!is_running(t)) return;
    if (t->hart == me())
        request_decision(t->hart, switch_why);
    else
        evict_remote(t, switch_why);
}

void sched_yield(void)
{
    struct sched_hart *h = here();
    struct sched_thread *t = h->running;
    trace_emit(TRACE_YIELD, 0, t->tid, 0, 0, 0);
    charge_running(h, clock_now());
    if (!t->with_policy) { /* else it yielded already: its decision is due */
        hand_to_policy(t);
        policy_yield(me(), t);
    }
    request_decision(me(), TRACE_SWITCH_YIELD); /* last: a tail call */
}

void sched_set_priority(struct sched_thread *t, uint8_t prio)
{
    trace_emit(TRACE_PRIO_CHANGE, 0, t->tid, 0, prio, 0);
    bool running = is_running(t);
    if (t->with_policy) {
        /* re-queued at its new priority; a running (yielded) thread as if its hart were idle */
        take_back(t);
        t->prio = prio;
        hand_to_policy(t);
        struct sched_thread *other = running ? NULL : sched_harts[t->hart].running;
        if (policy_wakeup(t->hart, t, other) || running)
            request_decision(t->hart, TRACE_SWITCH_PREEMPTED);
    } else if (running) {
        t->prio = prio;
        policy_reschedule(t->hart);
        request_decision(t->hart, TRACE_SWITCH_PREEMPTED);
    } else {
        t->prio = prio;
    }
}

void sched_set_affinity(struct sched_thread *t, struct hartmask harts_mask)
{
    t->affinity = harts_mask;
    if (hartmask_has(&harts_mask, t->hart)) return;
    if (is_running(t)) {
        /* it leaves at its hart's next decision (sched_schedule moves it) */
        request_decision(t->hart, TRACE_SWITCH_PREEMPTED);
    } else if (t->with_policy) {
        take_back(t);
        sched_wake(t, NULL, TRACE_WAKE_RESUME);
    } else {
        sched_migrate(t, first_allowed(t), TRACE_MIGRATE_AFFINITY);
    }
}

/* The running thread's slice, if it has ended: back to the policy, and a decision. */
static SCHED_ALWAYS_INLINE void expire_slice_if_over(struct sched_hart *h, uint64_t now)
{
    /* a running thread another hart stopped meanwhile (suspended, say) waits for the decision
     * already due: re-queueing it would run it again */
    if (!h->running || now < h->slice_end || !thread_is_runnable(h->running)) return;
    /* it yielded already: its decision is due */
    if (h->running->with_policy) return;
    trace_emit(TRACE_PREEMPT, TRACE_PREEMPT_EXPIRED, h->running->tid, 0, 0, 0);
    hand_to_policy(h->running);
    policy_slice_expired(me(), h->running);
    request_decision(me(), TRACE_SWITCH_EXPIRED); /* last: a tail call */
}

/* sched_timer when the policy's timed work is due: out of line and reached by a tail call, so
 * that the common interrupt (a slice's end) saves no registers for the tick's calls. */
static __attribute__((noinline)) void timer_with_tick(struct sched_hart *h, uint64_t now)
{
    struct hartmask tick = policy_tick(me(), now, h->running);
    if (!hartmask_empty(&tick)) request_decisions(tick);
    expire_slice_if_over(h, now);
}

void sched_timer(uint64_t now)
{
    struct sched_hart *h = here();
    /* charged up to now first: what the policy does at `now` (a boost's fresh allotment, say)
     * counts from this instant, not from the thread's last charge */
    charge_running(h, now);
    /* policy_tick only from the instant the policy asked for (sched.h); where the policy's
     * answer is the constant "never" (no_tick.h, seen in this translation unit) no test at all */
    uint64_t tick_at = policy_next_tick(me());
    bool never = __builtin_constant_p(tick_at) && tick_at == UINT64_MAX;
    if (!never && now >= tick_at) {
        timer_with_tick(h, now);
        return;
    }
    expire_slice_if_over(h, now);
}

static void trace_switch(struct sched_hart *h, struct sched_thread *prev, bool prev_runnable,
                         struct sched_thread *next)
{
    enum trace_switch_reason why = !prev ? TRACE_SWITCH_FROM_IDLE : h->why;
    if (prev && !prev_runnable && why != TRACE_SWITCH_SUSPENDED) why = TRACE_SWITCH_BLOCK;
    if (prev && prev_runnable && why == TRACE_SWITCH_PREEMPTED)
        trace_emit(TRACE_PREEMPT, TRACE_PREEMPT_WAKEUP, prev->tid, next ? next->tid : 0, 0, 0);
    if (!prev) trace_emit(TRACE_IDLE_EXIT, 0, 0, 0, 0, 0);
    trace_emit(TRACE_SWITCH, why, prev ? prev->tid : TRACE_TID_NONE,
               next ? next->tid : TRACE_TID_NONE, 0, 0);
    if (!next) trace_emit(TRACE_IDLE_ENTER, 0, 0, 0, 0, 0);
}

/* Busy until `until` on this hart's clock. The simulator (sim/include/kernel/hart.h) defines its
 * own, which advances its simulated clock instead of spinning on it. */
#ifndef clock_wait_until
static void clock_wait_until(uint64_t until)
{
    while (clock_now() < until) {
    }
}
#endif

/* The cache-warmth model (off unless configured): a thread switched in where its working set is
 * cold spends the modelled refill time on this hart before it runs, charged to it like any CPU
 * time (the hart really is busy: under icount the wait is that many instructions). */
static void pay_cache_refill(struct sched_thread *t)
{
    uint64_t cost = cache_model_switch_in(me(), t->tid, t->working_set_bytes);
    if (!cost) return;
    trace_emit(TRACE_CACHE_REFILL, 0, t->tid, 0, 0, cost);
    clock_wait_until(clock_now() + cost);
}

/* Kept out of line so that the common exit (no decision due) pays for no register saves. */
static __attribute__((noinline)) struct sched_thread *
decide(struct sched_hart *h, struct sched_thread *prev, uint64_t now)
{
    bool prev_runnable = prev && thread_is_runnable(prev);
    /* a running thread whose affinity no longer includes this hart goes elsewhere */
    bool prev_leaves = prev_runnable && !hartmask_has(&prev->affinity, me());
    /* held since it yielded or its slice ran out: the policy must not hand it out here */
    if (prev_leaves) take_back(prev);
    charge_running(h, now);
    struct sched_thread *next = prev;
    if (h->decide || !prev) {
        next = pick(prev, prev_runnable && !prev_leaves);
        /* about to idle: the policy may pull work here */
        if (!next) {
            struct hartmask decide = policy_tick(me(), now, NULL);
            if (hartmask_has(&decide, me())) next = pick(NULL, false);
        }
    }
    if (next != prev) {
        trace_switch(h, prev, prev_runnable, next);
        if (next) pay_cache_refill(next);
    }
    h->running = next;
    h->decide = false;
    h->why_set = false;
    h->charged_at = now;
    h->slice_end = next ? now + policy_slice_ns(next) : UINT64_MAX;
    if (prev_leaves) sched_wake(prev, NULL, TRACE_WAKE_RESUME);
    return next;
}

struct sched_thread *sched_schedule(uint64_t now)
{
    struct sched_hart *h = here();
    struct sched_thread *prev = h->running;
    if (!h->decide && prev) return prev;
    return decide(h, prev, now);
}

uint64_t sched_switch_directly(unsigned hart, struct sched_thread *from, struct sched_thread *to,
                               uint64_t now)
{
    INVARIANT(hart == me(), "direct switch on hart %u from hart %u", hart, me());
    INVARIANT(!from->with_policy && !to->with_policy,
              "direct switch from tid %u to tid %u, held by the policy", from->tid, to->tid);
    /* what sched_may_switch_directly takes for granted */
    struct sched_hart *h = &sched_harts[hart];
    INVARIANT(h->running == from, "direct switch from tid %u, which hart %u does not run",
              from->tid, hart);
    INVARIANT(hartmask_has(&to->affinity, hart),
              "direct switch to tid %u on hart %u, outside its affinity", to->tid, hart);
    uint64_t ran = now - h->charged_at;
    h->charged_at = now; /* before the policy's part: its record's instant too */
    uint64_t slice = policy_switched_directly(hart, from, to, ran);
    h->running = to;
    h->slice_end = now + slice;
    /* at its own instant: the trace's switch path (analysis/switch_cost.py, BLOCK to SWITCH) is
     * this switch's bookkeeping */
    trace_switched_directly(from->tid, to->tid);
    pay_cache_refill(to);
    return h->slice_end;
}

void sched_forget(struct sched_thread *t)
{
    take_back(t);
    cache_model_forget(t->tid);
    /* on this hart it may be the thread that deleted itself: its hart's decision is due */
    evict_remote(t, TRACE_SWITCH_SUSPENDED);
}

bool sched_decisions_pending(void)
{
    for (unsigned i = 0; i < nharts; i++)
        if (sched_harts[i].decide) return true;
    return false;
}

uint64_t sched_next_deadline(void)
{
    unsigned hart = me();
    uint64_t tick = policy_next_tick(hart), slice_end = here()->slice_end;
    return slice_end < tick ? slice_end : tick;
}

void sched_check_invariants(void)
{
    for (unsigned i = 0; i < nharts; i++) {
        struct sched_thread *r = sched_harts[i].running;
        if (!r) continue;
        INVARIANT(r->hart == i, "tid %u runs on hart %u but belongs to hart %u", r->tid, i,
                  r->hart);
        for (unsigned j = i + 1; j < nharts; j++)
            INVARIANT(sched_harts[j].running != r, "tid %u runs on harts %u and %u at once", r->tid,
                      i, j);
        /* until its hart decides, a running thread may have blocked or yielded */
        if (sched_harts[i].decide) continue;
        INVARIANT(thread_is_runnable(r), "hart %u runs tid %u, which is not runnable", i, r->tid);
        INVARIANT(!r->with_policy, "hart %u runs tid %u while the policy holds it", i, r->tid);
    }
}

bool sched_is_running(const struct sched_thread *t) { return running_anywhere(t); }
