#include <kernel/hart.h>
#include <kernel/trace.h>
#include <sched/core.h>

struct sched_hart {
    struct sched_thread *running;
    bool decide;                  /* policy_pick is due at the next kernel exit */
    enum trace_switch_reason why; /* why the running thread will be switched away */
    bool why_set;
    uint64_t charged_at; /* running thread is charged up to this time */
    uint64_t slice_end;
};

static struct sched_hart harts[SCHED_MAX_HARTS];

static struct sched_hart *here(void) { return &harts[this_hart_id()]; }

void sched_init(unsigned nharts)
{
    policy_init(nharts, 0);
    for (unsigned i = 0; i < SCHED_MAX_HARTS; i++)
        harts[i] = (struct sched_hart){.slice_end = UINT64_MAX};
}

void sched_thread_init(struct sched_thread *t, uint32_t tid, uint8_t prio, unsigned hart)
{
    *t = (struct sched_thread){.tid = tid, .prio = prio, .hart = (uint8_t)hart};
    t->affinity = 1ull << hart;
    policy_thread_init(t);
}

void sched_migrate(struct sched_thread *t, unsigned to, enum trace_migrate_reason why)
{
    trace_emit(TRACE_MIGRATE, why, t->tid, t->hart, to, 0);
    t->hart = (uint8_t)to;
}

struct sched_thread *sched_current(void) { return here()->running; }

static void request_decision(struct sched_hart *h, enum trace_switch_reason why)
{
    h->decide = true;
    if (!h->why_set) {
        h->why = why;
        h->why_set = true;
    }
}

static void charge_running(struct sched_hart *h, uint64_t now)
{
    if (!h->running) return;
    policy_charge(h->running, now - h->charged_at);
    h->charged_at = now;
}

void sched_wake(struct sched_thread *t, struct sched_thread *waker, enum trace_wake_reason why)
{
    unsigned hart = policy_select_hart(t, this_hart_id());
    struct sched_hart *h = &harts[hart];
    t->hart = (uint8_t)hart;
    trace_emit(TRACE_WAKEUP, (uint16_t)hart, t->tid, waker ? waker->tid : TRACE_TID_NONE, why, 0);
    if (policy_wakeup(hart, t, h->running)) request_decision(h, TRACE_SWITCH_PREEMPTED);
}

void sched_block(struct sched_thread *t, enum trace_block_reason why)
{
    trace_emit(TRACE_BLOCK, why, t->tid, 0, 0, 0);
    struct sched_hart *h = &harts[t->hart];
    if (h->running == t)
        request_decision(h,
                         why == TRACE_BLOCK_SUSPEND ? TRACE_SWITCH_SUSPENDED : TRACE_SWITCH_BLOCK);
    else
        policy_remove(t);
}

void sched_yield(void)
{
    struct sched_hart *h = here();
    struct sched_thread *t = h->running;
    trace_emit(TRACE_YIELD, 0, t->tid, 0, 0, 0);
    charge_running(h, clock_now());
    policy_yield(this_hart_id(), t);
    request_decision(h, TRACE_SWITCH_YIELD);
}

void sched_set_priority(struct sched_thread *t, uint8_t prio)
{
    struct sched_hart *h = &harts[t->hart];
    trace_emit(TRACE_PRIO_CHANGE, 0, t->tid, 0, prio, 0);
    if (h->running == t) {
        t->prio = prio;
        policy_reschedule(t->hart);
        request_decision(h, TRACE_SWITCH_PREEMPTED);
    } else if (t->queued) {
        policy_remove(t);
        t->prio = prio;
        if (policy_wakeup(t->hart, t, h->running)) request_decision(h, TRACE_SWITCH_PREEMPTED);
    } else {
        t->prio = prio;
    }
}

void sched_timer(uint64_t now)
{
    struct sched_hart *h = here();
    if (!h->running || now < h->slice_end) return;
    charge_running(h, now);
    trace_emit(TRACE_PREEMPT, TRACE_PREEMPT_EXPIRED, h->running->tid, 0, 0, 0);
    policy_slice_expired(this_hart_id(), h->running);
    request_decision(h, TRACE_SWITCH_EXPIRED);
}

struct sched_thread *sched_schedule(uint64_t now)
{
    struct sched_hart *h = here();
    struct sched_thread *prev = h->running;
    if (!h->decide && prev) return prev;

    bool prev_runnable = prev && thread_is_runnable(prev);
    charge_running(h, now);
    struct sched_thread *next =
        h->decide || !prev ? policy_pick(this_hart_id(), prev, prev_runnable) : prev;
    if (next != prev) {
        enum trace_switch_reason why = !prev ? TRACE_SWITCH_FROM_IDLE : h->why;
        if (prev && !prev_runnable && why != TRACE_SWITCH_SUSPENDED) why = TRACE_SWITCH_BLOCK;
        if (prev && prev_runnable && why == TRACE_SWITCH_PREEMPTED)
            trace_emit(TRACE_PREEMPT, TRACE_PREEMPT_WAKEUP, prev->tid, next ? next->tid : 0, 0, 0);
        if (!prev) trace_emit(TRACE_IDLE_EXIT, 0, 0, 0, 0, 0);
        trace_emit(TRACE_SWITCH, why, prev ? prev->tid : TRACE_TID_NONE,
                   next ? next->tid : TRACE_TID_NONE, 0, 0);
        if (!next) trace_emit(TRACE_IDLE_ENTER, 0, 0, 0, 0, 0);
    }
    h->running = next;
    h->decide = false;
    h->why_set = false;
    h->charged_at = now;
    h->slice_end = next ? now + policy_slice_ns(next) : UINT64_MAX;
    return next;
}

uint64_t sched_slice_end(void) { return here()->slice_end; }
