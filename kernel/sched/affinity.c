/*
 * affinity: affinity-aware SMP scheduling.
 *
 * Each hart has its own queues: 256 strict seL4 priorities, FIFO within a priority, a fixed
 * timeslice (SCHED_TIMESLICE_NS); a higher priority preempts, a preempted thread keeps the head
 * of its queue, slice expiry and yield go to the tail. What this policy adds is *where* threads
 * run. A thread's allowed harts are its affinity mask (t->affinity), narrowed by the reserved
 * harts if configured; a thread is never placed on or moved to a hart outside its mask.
 *  1. Reserved harts (asymmetric multiprocessing; SCHED_AFFINITY_RESERVED_HARTS != 0): threads
 *     of priority >= SCHED_AFFINITY_RESERVED_PRIO run only on reserved harts, other threads never
 *     do. Where that would leave a thread no hart of its mask, the mask alone decides.
 *  2. Wake placement: the hart the thread last ran on, if allowed and still cache-warm (see 5)
 *     unless it is much busier (more than SCHED_AFFINITY_MIGRATE_THRESHOLD runnable threads above
 *     the least loaded allowed hart); else an idle allowed hart (its last hart, then the
 *     waker's, then the lowest); else the least loaded allowed hart.
 *  3. Idle pulling: a hart with nothing runnable takes the best queued thread (highest priority,
 *     first in FIFO) allowed on it from the busiest hart that has one.
 *  4. Balancing: every SCHED_AFFINITY_BALANCE_US a hart compares its load (runnable threads:
 *     queued + running) with the busiest other hart's; while the difference exceeds
 *     SCHED_AFFINITY_MIGRATE_THRESHOLD it pulls the best queued thread allowed on it. It asks
 *     itself for a new decision if what it pulled outranks what it runs.
 *  5. Warmth: a hart's cache is disturbed only by what runs on it, so each hart counts the CPU
 *     time run on it (from policy_charge) and each thread notes that count when it last ran;
 *     the thread is warm there while the others have run less than SCHED_AFFINITY_WARM_US since.
 *     (An idle hart keeps a thread warm; the wall clock from policy_tick only paces 4.)
 * Every move (wake placement on another hart is the core's; pulls and balancing are ours) goes
 * through sched_migrate, so it is traced. Pulling and balancing scan queues (O(threads)); they
 * run only on idle harts and once per period, never on the pick path of a busy hart.
 * The thread woken last is the hart's candidate until the queues are next used (candidate.h): it
 * stands for the tail of its queue, counts in the hart's load, and may be pulled.
 */
#include <sched/candidate.h>
#include <sched/runqueue.h>

#include "affinity_trace.h"

enum policy_trace_kind { POLICY_TRACE_EVENTS(POLICY_TRACE_KIND_ENUM) };

#define NPRIO      256
#define WARM_NS    ((uint64_t)SCHED_AFFINITY_WARM_US * 1000)
#define BALANCE_NS ((uint64_t)SCHED_AFFINITY_BALANCE_US * 1000)
#define THRESHOLD  SCHED_AFFINITY_MIGRATE_THRESHOLD
#define RESERVED   ((uint64_t)SCHED_AFFINITY_RESERVED_HARTS) /* harts 0..63 (a word) */
#define NO_HART    (~0u)

/* per-thread state in sched_thread.policy[] */
#define LAST_HART 0 /* hart + 1 where the thread last ran; 0: never ran */
#define RAN_AT    1 /* that hart's CPU-time count when the thread last ran there */

/* the fields every decision reads first: their offsets fit an instruction's immediate */
struct affinity_hart {
    struct sched_thread *candidate; /* woken last, not queued yet (candidate.h) */
    struct prio_bitmap ready;
    unsigned nr_queued;
    struct sched_thread *current;
    uint64_t cpu_ns;       /* CPU time run on this hart */
    uint64_t next_balance; /* wall-clock time of the next balancing */
    struct runqueue queue[NPRIO];
};

SCHED_PER_HART(struct affinity_hart, harts);
static unsigned nr_harts;
/* nr_harts > 1, as a byte: the checks on every decision's path load it and branch, no compare */
static bool several_harts;

/* t, not queued, into its queue (inlined where a decision queues: policy_pick calls nothing on
 * its common path, and so saves no registers) */
static SCHED_ALWAYS_INLINE void push(struct affinity_hart *h, struct sched_thread *t, bool at_head)
{
    runqueue_push(&h->queue[t->prio], t, at_head);
    prio_bitmap_set(&h->ready, t->prio);
    h->nr_queued++;
}

static void enqueue(struct affinity_hart *h, struct sched_thread *t, bool at_head)
{
    if (!t->queued) push(h, t, at_head);
}

/* (the bitmap and the count after a thread left priority p's queue) */
static SCHED_ALWAYS_INLINE void dequeued(struct affinity_hart *h, unsigned p, bool emptied)
{
    if (emptied) prio_bitmap_clear(&h->ready, p);
    h->nr_queued--;
}

static void dequeue(struct affinity_hart *h, struct sched_thread *t)
{
    runqueue_remove(&h->queue[t->prio], t);
    dequeued(h, t->prio, !h->queue[t->prio].head);
}

SCHED_CANDIDATE_OPS(struct affinity_hart)
SCHED_PRIO_QUEUE_PICK(struct affinity_hart)

static unsigned load(unsigned hart)
{
    const struct affinity_hart *h = &harts[hart].h;
    return h->nr_queued + !!h->current + !!h->candidate;
}

/* Rule 1: the harts t may be placed on or moved to. */
static struct hartmask allowed_harts(const struct sched_thread *t)
{
    struct hartmask mask = hartmask_and(t->affinity, hartmask_first_n(nr_harts));
    if (RESERVED) {
        struct hartmask reserved = hartmask_from_word(RESERVED);
        struct hartmask class = t->prio >= SCHED_AFFINITY_RESERVED_PRIO
                                    ? hartmask_and(mask, reserved)
                                    : hartmask_and_not(mask, reserved);
        if (!hartmask_empty(&class)) mask = class;
    }
    return mask;
}

/* The warmth counts (rule 5) serve wake placement only, which a one-hart machine never asks for
 * (sched.h): only a machine of several harts keeps them. */
static bool keeps_warmth(void) { return several_harts; }

static bool allowed_on(const struct sched_thread *t, unsigned hart)
{
    struct hartmask allowed = allowed_harts(t);
    return hartmask_has(&allowed, hart);
}

static unsigned last_hart(const struct sched_thread *t)
{
    return t->policy[LAST_HART] ? (unsigned)t->policy[LAST_HART] - 1 : NO_HART;
}

/* Rule 5. */
static bool warm_on(const struct sched_thread *t, unsigned hart)
{
    return last_hart(t) == hart && harts[hart].h.cpu_ns - t->policy[RAN_AT] <= WARM_NS;
}

/* The best queued thread of `src` allowed on `hart`: highest priority, first in FIFO. */
static struct sched_thread *movable(unsigned src, unsigned hart)
{
    struct affinity_hart *s = &harts[src].h;
    for (int p = prio_bitmap_highest(&s->ready); p >= 0; p--)
        for (struct sched_thread *t = s->queue[p].head; t; t = t->next)
            if (allowed_on(t, hart)) return t;
    return NULL;
}

/* The busiest other hart with a queued thread allowed on `hart`, and that thread. */
static struct sched_thread *find_pullable(unsigned hart, unsigned *from)
{
    struct sched_thread *best = NULL;
    unsigned best_load = 0;
    for (unsigned i = 0; i < nr_harts; i++) {
        if (i == hart) continue;
        settle_candidate(&harts[i].h); /* it may be pulled too */
        if (!harts[i].h.nr_queued || load(i) <= best_load) continue;
        struct sched_thread *t = movable(i, hart);
        if (t) best = t, best_load = load(i), *from = i;
    }
    return best;
}

static void move_here(unsigned from, unsigned hart, struct sched_thread *t,
                      enum trace_migrate_reason why)
{
    dequeue(&harts[from].h, t);
    sched_migrate(t, hart, why);
}

void policy_init(unsigned nharts, uint64_t switch_cost_ns)
{
    (void)switch_cost_ns;
    nr_harts = nharts < SCHED_MAX_HARTS ? nharts : SCHED_MAX_HARTS;
    several_harts = nr_harts > 1;
    for (unsigned i = 0; i < nr_harts; i++)
        harts[i].h = (struct affinity_hart){.next_balance = BALANCE_NS};
}

void policy_thread_init(struct sched_thread *t)
{
    /* seL4 pins a new thread to its creator's hart; this policy places threads itself, so a new
     * thread may run on every hart until TCB_SetAffinity or the mask extension narrows it */
    t->affinity = hartmask_first_n(nr_harts);
    t->queued = false;
    t->next = t->prev = NULL;
    t->slice_left_ns = SCHED_TIMESLICE_NS;
    t->policy[LAST_HART] = 0;
    t->policy[RAN_AT] = 0;
}

/* Rule 2. */
unsigned policy_select_hart(struct sched_thread *t, unsigned waker_hart)
{
    struct hartmask allowed = allowed_harts(t);
    if (hartmask_empty(&allowed)) {
        unsigned first = hartmask_next(&t->affinity, 0);
        return first < SCHED_MAX_HARTS ? first : t->hart;
    }
    unsigned last = last_hart(t), best = NO_HART, best_load = ~0u;
    HARTMASK_FOR_EACH(i, &allowed)
    {
        unsigned l = load(i);
        /* ties: the last hart, then the waker's, then the lowest */
        bool better =
            l < best_load || (l == best_load && best != last && (i == last || i == waker_hart));
        if (better) best = i, best_load = l;
    }
    if (last != NO_HART && hartmask_has(&allowed, last) && warm_on(t, last) &&
        load(last) <= best_load + THRESHOLD)
        return last;
    return best;
}

bool policy_wakeup(unsigned hart, struct sched_thread *t, struct sched_thread *running)
{
    struct affinity_hart *h = harts_record(hart);
    append_as_candidate(h, t); /* after the one woken before it */
    return !running || t->prio > running->prio;
}

/* policy_pick takes the head of the highest queue: `to`, appended at its priority, exactly when
 * nothing of its priority or above is queued. With more than one hart, policy_select_hart weighs
 * loads and warmth: the slow path decides. */
SCHED_ALWAYS_INLINE bool policy_may_switch_directly(unsigned hart, const struct sched_thread *from,
                                                    const struct sched_thread *to, bool one_hart)
{
    (void)hart; /* to->hart is `hart`: as an index it needs no zero-extension */
    if (!one_hart) return false;
    const struct affinity_hart *h = &harts[to->hart].h;
    const struct sched_thread *c = h->candidate; /* as if appended: first if of to's priority */
    /* nothing held is of a priority above from's: from runs with no decision due, and a wakeup
     * above the running thread's priority asks for one */
    if (to->prio > from->prio) return true;
    if (to->prio == from->prio)
        return !(c && c->prio == to->prio) && !prio_bitmap_has(&h->ready, to->prio);
    return !(c && c->prio >= to->prio) && !prio_bitmap_any_at_or_above(&h->ready, to->prio);
}

/* t, running on h's hart, used ns more */
static void charge(struct affinity_hart *h, struct sched_thread *t, uint64_t ns)
{
    t->slice_left_ns -= (int64_t)ns;
    if (!keeps_warmth()) return;
    h->cpu_ns += ns;
    t->policy[RAN_AT] = h->cpu_ns;
}

/* the charge and what policy_pick records for the thread it returns (the enqueue and dequeue
 * cancel out) */
uint64_t policy_switched_directly(unsigned hart, struct sched_thread *from, struct sched_thread *to,
                                  uint64_t ns)
{
    struct affinity_hart *h = &harts[hart].h; /* from's hart too */
    charge(h, from, ns);
    if (keeps_warmth()) {
        to->policy[LAST_HART] = hart + 1;
        to->policy[RAN_AT] = h->cpu_ns;
    }
    h->current = to;
    return policy_slice_ns(to);
}

void policy_remove(struct sched_thread *t) { take_out(&harts[t->hart].h, t); }

/* t (NULL: none) runs next on h's hart */
static SCHED_ALWAYS_INLINE struct sched_thread *runs_next(struct affinity_hart *h, unsigned hart,
                                                          struct sched_thread *t)
{
    if (t && keeps_warmth()) {
        t->policy[LAST_HART] = (uint64_t)hart + 1;
        t->policy[RAN_AT] = h->cpu_ns;
    }
    h->current = t;
    return t;
}

/* Rule 3, with nothing queued here: a thread pulled from another hart, or none. Out of line and
 * called last, so that policy_pick's common path calls nothing. */
static __attribute__((noinline)) struct sched_thread *pick_pulled(unsigned hart)
{
    unsigned from;
    struct sched_thread *t = find_pullable(hart, &from);
    if (t) move_here(from, hart, t, TRACE_MIGRATE_PULL);
    return runs_next(&harts[hart].h, hart, t);
}

struct sched_thread *policy_pick(unsigned hart, struct sched_thread *prev, bool prev_runnable)
{
    struct affinity_hart *h = harts_record(hart);
    struct sched_thread *t = h->candidate; /* taken if nothing queued comes before it */
    h->candidate = NULL; /* (a head insertion and a tail one commute: t may wait for prev's) */
    /* prev == t: a yielded thread whose priority changed, woken again at the tail (core.c) */
    if (prev_runnable && prev != t && !prev->queued) push(h, prev, true);
    t = take_in_prio_order(h, t);
    if (!t) return pick_pulled(hart);
    return runs_next(h, hart, t);
}

void policy_charge(struct sched_thread *t, uint64_t ns) { charge(&harts[t->hart].h, t, ns); }

/* The running thread goes to the tail as the candidate: alone at its priority, the decision that
 * follows runs it again without touching a queue; else policy_pick appends it there. */
void policy_slice_expired(unsigned hart, struct sched_thread *t)
{
    struct affinity_hart *h = harts_record(hart);
    t->slice_left_ns = SCHED_TIMESLICE_NS;
    append_as_candidate(h, t);
}

void policy_yield(unsigned hart, struct sched_thread *t)
{
    struct affinity_hart *h = harts_record(hart);
    append_as_candidate(h, t);
}

void policy_reschedule(unsigned hart) { (void)hart; }

uint64_t policy_slice_ns(const struct sched_thread *t) { return at_least_zero(t->slice_left_ns); }

/* The busiest hart other than `hart` (NO_HART if there is no other). */
static unsigned busiest_other(unsigned hart)
{
    unsigned busiest = NO_HART;
    for (unsigned i = 0; i < nr_harts; i++)
        if (i != hart && (busiest == NO_HART || load(i) > load(busiest))) busiest = i;
    return busiest;
}

/* Rule 4 (policy_tick, below), when balancing is due: a function of its own, reached by a tail
 * call, so that the common tick (none due) saves no registers. */
static __attribute__((noinline)) struct hartmask balance_due(unsigned hart, uint64_t now)
{
    struct affinity_hart *h = &harts[hart].h;
    h->next_balance = now + BALANCE_NS;
    unsigned busiest = busiest_other(hart), seen = load(hart);
    unsigned busiest_load = load(busiest);
    int top = -1; /* highest priority pulled */
    unsigned from, moved = 0;
    struct sched_thread *t;
    while ((t = find_pullable(hart, &from)) && load(from) > load(hart) + THRESHOLD) {
        move_here(from, hart, t, TRACE_MIGRATE_BALANCE);
        enqueue_tail(h, t);
        moved++;
        if (t->prio > top) top = t->prio;
    }
    sched_trace_policy(POLICY_TRACE_BALANCE, busiest, seen, busiest_load, moved);
    if (top < 0 || (h->current && top <= h->current->prio)) return hartmask_none();
    return hartmask_one(hart);
}

/* Rule 4. */
struct hartmask policy_tick(unsigned hart, uint64_t now, struct sched_thread *running)
{
    (void)running; /* h->current: the policy's own record of it */
    if (!several_harts || now < harts[hart].h.next_balance) return hartmask_none();
    return balance_due(hart, now);
}

/* Only a hart with work balances on a period; an idle one pulls when it goes idle. */
uint64_t policy_next_tick(unsigned hart)
{
    const struct affinity_hart *h = &harts[hart].h;
    return several_harts && h->current ? h->next_balance : UINT64_MAX;
}
