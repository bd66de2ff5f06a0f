/*
 * rr: seL4's round robin (non-MCS).
 *
 * 256 priorities; the highest non-empty priority runs, FIFO within a priority; a fixed
 * timeslice (SCHED_TIMESLICE_NS), refilled when it runs out and the thread goes to the tail.
 * The details follow seL4's kernel exactly, so rr is the baseline other policies compare with:
 *  - a woken thread becomes the hart's "candidate" (seL4's SchedulerAction) if there is none;
 *    any further woken thread, and a displaced candidate, go to the *head* of their queue;
 *  - at the decision, a running thread that stays runnable goes back to the head of its queue;
 *    a candidate runs at once if it is at least as important as the running thread (or the
 *    hart is idle and no queued thread beats it); with equal priority and a still-runnable
 *    running thread, the candidate goes to the tail and the running thread continues;
 *  - yield and slice expiry put the thread at the tail; yield keeps the remaining slice.
 */
#include <sched/runqueue.h>

#define NPRIO 256

/* the fields every decision reads first: their offsets fit an instruction's immediate */
struct rr_hart {
    struct sched_thread *candidate;
    bool choose_new;
    struct prio_bitmap ready; /* priorities whose queue is not empty */
    struct runqueue queue[NPRIO];
};

SCHED_PER_HART(struct rr_hart, harts);

static int highest_prio(const struct rr_hart *h) { return prio_bitmap_highest(&h->ready); }

/* t, not queued, into its queue (inlined in policy_pick, which so calls nothing and saves no
 * registers) */
static SCHED_ALWAYS_INLINE void push(struct rr_hart *h, struct sched_thread *t, bool at_head)
{
    runqueue_push(&h->queue[t->prio], t, at_head);
    prio_bitmap_set(&h->ready, t->prio);
}

static void enqueue(struct rr_hart *h, struct sched_thread *t, bool at_head)
{
    if (!t->queued) push(h, t, at_head);
}

static void enqueue_head(struct rr_hart *h, struct sched_thread *t) { enqueue(h, t, true); }
static void enqueue_tail(struct rr_hart *h, struct sched_thread *t) { enqueue(h, t, false); }

static void dequeue(struct rr_hart *h, struct sched_thread *t)
{
    runqueue_remove(&h->queue[t->prio], t);
    if (!h->queue[t->prio].head) prio_bitmap_clear(&h->ready, t->prio);
}

/* seL4's rescheduleRequired: a pending candidate gives way to a full decision. */
static void reschedule_required(struct rr_hart *h)
{
    if (h->candidate) enqueue_head(h, h->candidate);
    h->candidate = NULL;
    h->choose_new = true;
}

void policy_init(unsigned nharts, uint64_t switch_cost_ns)
{
    (void)switch_cost_ns;
    for (unsigned i = 0; i < nharts && i < SCHED_MAX_HARTS; i++) harts[i].h = (struct rr_hart){0};
}

void policy_thread_init(struct sched_thread *t)
{
    t->slice_left_ns = SCHED_TIMESLICE_NS;
    t->queued = false;
    t->next = t->prev = NULL;
}

unsigned policy_select_hart(struct sched_thread *t, unsigned waker_hart)
{
    (void)waker_hart;
    return t->hart; /* seL4: a thread runs on the hart of its affinity */
}

bool policy_wakeup(unsigned hart, struct sched_thread *t, struct sched_thread *running)
{
    struct rr_hart *h = harts_record(hart);
    (void)running;
    if (!h->candidate && !h->choose_new) {
        h->candidate = t;
    } else {
        reschedule_required(h);
        enqueue_head(h, t);
    }
    return true;
}

/* policy_wakeup would make `to` the candidate and policy_pick run it (and both leave nothing
 * else changed) exactly when no candidate or full decision is pending and `to` passes pick's
 * test against the blocked `from` and the queues. Neither is pending: rr holds one only after a
 * wakeup, a slice's end or a priority change, each of which asks for the decision (policy_wakeup
 * always does) that clears it, and the core asks only while none is due. */
SCHED_ALWAYS_INLINE bool policy_may_switch_directly(unsigned hart, const struct sched_thread *from,
                                                    const struct sched_thread *to, bool one_hart)
{
    (void)one_hart; /* threads stay on their hart (seL4) */
    return to->prio >= from->prio || !prio_bitmap_any_above(&harts[hart].h.ready, to->prio);
}

/* the candidate came and went: only the charge is left */
uint64_t policy_switched_directly(unsigned hart, struct sched_thread *from, struct sched_thread *to,
                                  uint64_t ns)
{
    (void)hart;
    policy_charge(from, ns);
    return policy_slice_ns(to);
}

void policy_remove(struct sched_thread *t)
{
    struct rr_hart *h = &harts[t->hart].h;
    if (h->candidate == t) h->candidate = NULL;
    if (t->queued) dequeue(h, t);
}

static SCHED_ALWAYS_INLINE struct sched_thread *choose_new(struct rr_hart *h)
{
    int p = highest_prio(h);
    if (p < 0) return NULL;
    struct sched_thread *t = runqueue_pop_head(&h->queue[p]);
    if (!h->queue[p].head) prio_bitmap_clear(&h->ready, (unsigned)p);
    return t;
}

struct sched_thread *policy_pick(unsigned hart, struct sched_thread *prev, bool prev_runnable)
{
    struct rr_hart *h = harts_record(hart);
    struct sched_thread *c = h->candidate, *next;
    h->candidate = NULL;
    h->choose_new = false;
    if (prev_runnable && !prev->queued) push(h, prev, true);
    if (!c) return choose_new(h);

    bool fastfail = !prev || c->prio < prev->prio;
    if (fastfail && highest_prio(h) >= 0 && c->prio < highest_prio(h)) {
        if (!c->queued) push(h, c, true); /* (c may be prev, queued just now) */
        next = choose_new(h);
    } else if (prev_runnable && c->prio == prev->prio) {
        if (!c->queued) push(h, c, false);
        next = choose_new(h);
    } else {
        next = c;
    }
    return next;
}

void policy_charge(struct sched_thread *t, uint64_t ns) { t->slice_left_ns -= (int64_t)ns; }

void policy_slice_expired(unsigned hart, struct sched_thread *t)
{
    struct rr_hart *h = harts_record(hart);
    t->slice_left_ns = SCHED_TIMESLICE_NS;
    enqueue_tail(h, t);
    reschedule_required(h);
}

void policy_yield(unsigned hart, struct sched_thread *t)
{
    struct rr_hart *h = harts_record(hart);
    enqueue_tail(h, t);
    reschedule_required(h);
}

void policy_reschedule(unsigned hart) { reschedule_required(&harts[hart].h); }

uint64_t policy_slice_ns(const struct sched_thread *t) { return at_least_zero(t->slice_left_ns); }

/* Nothing to balance: threads stay on the hart their affinity names (seL4). */
#include <sched/no_tick.h>
