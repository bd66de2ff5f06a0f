/*
 * tstune: timeslice-tuned. Scheduling *order* is seL4's (256 strict priorities, FIFO within a
 * priority, per-hart queues); what is tuned is the *length* of each slice.
 *
 * For the thread t about to run on its hart, with
 *   nr        = runnable threads of t's priority on the hart (queued ones + t),
 *   fair      = TARGET_LATENCY / nr               (all nr run once per target latency),
 *   burst     = max(avg_burst(t), cpu used by t since it last woke),
 *   floor     = max(MIN_GRANULARITY, switch_cost * 1000 / MAX_OVERHEAD_PERMILLE),
 * its slice is
 *   slice     = max(floor, min(fair, 2 * burst)).
 * Why each term:
 *  - fair: slices shrink as load grows, so a runnable thread waits at most about one target
 *    latency for its turn (latency bounded);
 *  - floor: however high the load, a slice is never so short that switching dominates: with
 *    slice >= cost / fraction, switching costs at most that fraction of the CPU (the switch cost
 *    is measured by the kernel at boot; SCHED_TSTUNE_SWITCH_COST_NS stands in if it measured
 *    none). The floor wins over fair: overhead is a hard bound, latency a target;
 *  - 2 * burst: a thread that usually blocks after b ns needs no more than b; twice its average
 *    lets a typical burst finish in one slice (an interactive thread is never cut short of what
 *    it usually needs, and pays no extra queueing for it), while one that turns CPU-bound is
 *    cut early. Since the burst in progress counts, such a thread doubles its cap every slice
 *    until fair caps it. A new thread has no history: its average starts at the target latency.
 * avg_burst is an exponentially weighted average of the CPU time between waking and blocking:
 *   avg' = (w * burst + (1000 - w) * avg) / 1000,  w = SCHED_TSTUNE_BURST_WEIGHT_PERMILLE.
 * Slices follow the load as it changes: the slice is recomputed at every decision and a thread
 * has used up its slice when its CPU time since the slice began reaches the current value. A
 * wakeup at the running thread's priority therefore asks for a new decision: the running
 * thread continues (from the head) if its shrunken slice is not used up, else it goes to the
 * tail. A higher priority preempts; a preempted thread keeps the head of its queue.
 * Slice expiry and yield put the thread at the tail with a fresh slice; a blocked thread starts
 * a fresh slice when it wakes. Yielding does not end a burst; only blocking does.
 * Wake placement: the thread's last hart if its affinity allows it and no allowed hart is idle;
 * else an idle allowed hart (the waker's first); else the least loaded allowed hart. There is
 * no balancing of queued threads (see the affinity policy for that).
 * The thread woken last is the hart's candidate until the queues are next used (candidate.h): it
 * stands for the tail of its queue, and counts in the hart's load and, at a decision, in its
 * priority's share of the target latency.
 */
#include <sched/candidate.h>
#include <sched/runqueue.h>

#include "tstune_trace.h"

enum policy_trace_kind { POLICY_TRACE_EVENTS(POLICY_TRACE_KIND_ENUM) };

#define NPRIO              256
#define TARGET_LATENCY_NS  ((uint64_t)SCHED_TSTUNE_TARGET_LATENCY_US * 1000)
#define MIN_GRANULARITY_NS ((uint64_t)SCHED_TSTUNE_MIN_GRANULARITY_US * 1000)
#define BURST_WEIGHT       SCHED_TSTUNE_BURST_WEIGHT_PERMILLE

/* The average's weights w / 1000 and (1000 - w) / 1000 in lowest terms: the same average, which
 * every block computes (the default 250 makes it (burst + 3 * avg) / 4, a shift and two adds,
 * not two multiplications and a division). 1000 is 2^3 * 5^3, so the weights' greatest common
 * divisor is the powers of 2 and 5 that w shares with it. */
#define SHARED_TWOS(w)  ((w) % 8 == 0 ? 8 : (w) % 4 == 0 ? 4 : (w) % 2 == 0 ? 2 : 1)
#define SHARED_FIVES(w) ((w) % 125 == 0 ? 125 : (w) % 25 == 0 ? 25 : (w) % 5 == 0 ? 5 : 1)
#define WEIGHTS_GCD     (SHARED_TWOS(BURST_WEIGHT) * SHARED_FIVES(BURST_WEIGHT))
#define NEW_WEIGHT      ((uint64_t)BURST_WEIGHT / WEIGHTS_GCD)
#define OLD_WEIGHT      ((uint64_t)(1000 - BURST_WEIGHT) / WEIGHTS_GCD)
#define WEIGHTS_SUM     ((uint64_t)1000 / WEIGHTS_GCD)

/* per-thread state in sched_thread.policy[]; SLICE_AT is BURST_NS when the current slice began
 * (the slice's CPU time is the difference, so a charge adds to one count) */
#define SLICE_AT  0
#define BURST_NS  1 /* CPU time since the thread last woke */
#define AVG_BURST 2 /* average CPU burst between waking and blocking, ns */

/* the fields every decision reads first: their offsets fit an instruction's immediate */
struct tstune_hart {
    struct sched_thread *candidate; /* woken last, not queued yet (candidate.h) */
    struct prio_bitmap ready;
    struct sched_thread *current;
    uint32_t nr_queued[NPRIO];
    struct runqueue queue[NPRIO];
};

SCHED_PER_HART(struct tstune_hart, harts);
static struct hartmask online;  /* harts that exist */
static uint64_t slice_floor_ns; /* max(min granularity, switch-overhead bound) */

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* t, not queued, into its queue (inlined where t is known not to be queued: a yield's, and
 * policy_pick's, which so calls nothing and saves no registers) */
static SCHED_ALWAYS_INLINE void push(struct tstune_hart *h, struct sched_thread *t, bool at_head)
{
    size_t p = t->prio; /* (a full-width index: gcc neither sign- nor zero-extends it) */
    runqueue_push(&h->queue[p], t, at_head);
    prio_bitmap_set(&h->ready, p);
    h->nr_queued[p]++;
}

static void enqueue(struct tstune_hart *h, struct sched_thread *t, bool at_head)
{
    if (!t->queued) push(h, t, at_head);
}

/* (the counts and the bitmap after t left priority p's queue) */
static SCHED_ALWAYS_INLINE void dequeued(struct tstune_hart *h, unsigned p, bool emptied)
{
    if (emptied) prio_bitmap_clear(&h->ready, p);
    h->nr_queued[p]--;
}

static void dequeue(struct tstune_hart *h, struct sched_thread *t)
{
    runqueue_remove(&h->queue[t->prio], t);
    dequeued(h, t->prio, !h->queue[t->prio].head);
}

SCHED_CANDIDATE_OPS(struct tstune_hart)
SCHED_PRIO_QUEUE_PICK(struct tstune_hart)

/* The burst a slice is sized for: the average, or the burst in progress if longer. */
static uint64_t burst_of(const struct sched_thread *t)
{
    return max_u64(t->policy[AVG_BURST], t->policy[BURST_NS]);
}

/* The formula at the top of this file for a thread of `burst` among nr runnable threads of its
 * priority; *bound_out (if not NULL) says which term decided (enum tstune_slice_bound). */
static SCHED_ALWAYS_INLINE uint64_t slice_among(uint64_t burst, uint64_t nr,
                                                enum tstune_slice_bound *bound_out)
{
    uint64_t fair = TARGET_LATENCY_NS / nr;
    uint64_t capped = min_u64(fair, 2 * burst);
    if (bound_out)
        *bound_out = slice_floor_ns >= capped ? TSTUNE_SLICE_FLOOR
                     : 2 * burst < fair       ? TSTUNE_SLICE_BURST
                                              : TSTUNE_SLICE_FAIR;
    return max_u64(slice_floor_ns, capped);
}

/* The runnable threads of t's priority on its hart, t included. */
static uint64_t runnable_at_prio(const struct sched_thread *t)
{
    return (uint64_t)harts[t->hart].h.nr_queued[t->prio] + (t->queued ? 0 : 1);
}

static uint64_t slice_for(const struct sched_thread *t)
{
    return slice_among(burst_of(t), runnable_at_prio(t), NULL);
}

/* CPU time since t's current slice began. */
static uint64_t used_ns(const struct sched_thread *t)
{
    return t->policy[BURST_NS] - t->policy[SLICE_AT];
}

/* t's slice begins afresh. */
static void restart_slice(struct sched_thread *t) { t->policy[SLICE_AT] = t->policy[BURST_NS]; }

/* What is left of `slice` for t. */
static uint64_t slice_left(const struct sched_thread *t, uint64_t slice)
{
    return at_least_zero((int64_t)(slice - used_ns(t))); /* (both far below 2^63 ns) */
}

/* The threads queued on h: summed over its non-empty priorities when a wakeup weighs harts, rather
 * than counted at every queue operation on every decision's path. */
static unsigned queued_on(const struct tstune_hart *h)
{
    unsigned n = 0;
    for (unsigned w = 0; w < PRIO_WORDS; w++)
        for (uint64_t bits = h->ready.words[w]; bits; bits &= bits - 1)
            n += h->nr_queued[w * 64 + lowest_bit(bits)];
    return n;
}

static unsigned load(unsigned hart)
{
    const struct tstune_hart *h = &harts[hart].h;
    return queued_on(h) + (h->current ? 1 : 0) + (h->candidate ? 1 : 0);
}

void policy_init(unsigned nharts, uint64_t switch_cost_ns)
{
    online = hartmask_first_n(nharts);
    if (!switch_cost_ns) switch_cost_ns = SCHED_TSTUNE_SWITCH_COST_NS;
    slice_floor_ns =
        max_u64(MIN_GRANULARITY_NS, switch_cost_ns * 1000 / SCHED_TSTUNE_MAX_OVERHEAD_PERMILLE);
    for (unsigned i = 0; i < nharts && i < SCHED_MAX_HARTS; i++)
        harts[i].h = (struct tstune_hart){0};
}

void policy_thread_init(struct sched_thread *t)
{
    /* seL4 pins a new thread to its creator's hart; this policy places threads itself, so a new
     * thread may run on every hart until TCB_SetAffinity or the mask extension narrows it */
    t->affinity = online;
    t->queued = false;
    t->next = t->prev = NULL;
    t->policy[SLICE_AT] = 0;
    t->policy[BURST_NS] = 0;
    t->policy[AVG_BURST] = TARGET_LATENCY_NS;
    t->slice_left_ns = 0; /* not kept (charge) */
}

unsigned policy_select_hart(struct sched_thread *t, unsigned waker_hart)
{
    struct hartmask allowed = hartmask_and(t->affinity, online);
    if (hartmask_empty(&allowed)) return t->hart; /* the core guarantees an existing hart */
    unsigned best = SCHED_MAX_HARTS, best_load = ~0u;
    HARTMASK_FOR_EACH(i, &allowed)
    {
        unsigned l = load(i);
        if (l < best_load || (l == best_load && i == waker_hart)) best = i, best_load = l;
    }
    bool home_allowed = hartmask_has(&allowed, t->hart);
    if (home_allowed && (best_load > 0 || load(t->hart) == 0)) return t->hart;
    return best;
}

bool policy_wakeup(unsigned hart, struct sched_thread *t, struct sched_thread *running)
{
    struct tstune_hart *h = harts_record(hart);
    append_as_candidate(h, t); /* after the one woken before it */
    /* equal priority: the running thread's slice shrinks with the load, so decide again */
    return !running || t->prio >= running->prio;
}

/* policy_pick takes the head of the highest queue: `to`, appended at its priority, exactly when
 * nothing of its priority or above is queued. With more than one hart, policy_select_hart weighs
 * loads: the slow path decides. */
SCHED_ALWAYS_INLINE bool policy_may_switch_directly(unsigned hart, const struct sched_thread *from,
                                                    const struct sched_thread *to, bool one_hart)
{
    (void)hart; /* to->hart is `hart`: as an index it needs no zero-extension */
    if (!one_hart) return false;
    const struct tstune_hart *h = &harts[to->hart].h;
    /* nothing held is of a priority above from's, nor is the candidate of from's: from runs with
     * no decision due, and a wakeup at or above the running thread's priority asks for one */
    if (to->prio > from->prio) return true;
    /* (the count, not the bitmap: one load of a word, no bit to extract) */
    if (to->prio == from->prio) return !h->nr_queued[to->prio];
    const struct sched_thread *c = h->candidate; /* as if appended: first if of to's priority */
    return !(c && c->prio >= to->prio) && !prio_bitmap_any_at_or_above(&h->ready, to->prio);
}

/* The slice follows the load, so what is left of it is asked when it matters (policy_slice_ns,
 * policy_pick): a charge only counts, and sched_thread.slice_left_ns is not kept. */
static void charge(struct sched_thread *t, uint64_t ns) { t->policy[BURST_NS] += ns; }

static void end_burst(struct sched_thread *t);

/* the slow path's charge and what policy_pick does besides the queue (the enqueue and dequeue
 * cancel out). `to` runs alone at its priority (nothing of it or above is queued), so nr is 1
 * and the slice needs no division; and `to` was blocked, so its burst and slice restarted when it
 * blocked (end_burst) and it has used nothing of either: its slice is whole, sized for its
 * average burst. */
uint64_t policy_switched_directly(unsigned hart, struct sched_thread *from, struct sched_thread *to,
                                  uint64_t ns)
{
    (void)hart;
    charge(from, ns);
    end_burst(from);
    /* h->current is not kept here: it counts in a hart's load, which only policy_select_hart
     * weighs, with more than one hart, and a direct switch is only ever on the only hart
     * (policy_may_switch_directly); policy_pick keeps it */
    enum tstune_slice_bound bound; /* (worked out only for the record) */
    uint64_t slice = slice_among(to->policy[AVG_BURST], 1, &bound);
    if (SCHED_TRACING) sched_trace_policy_at_switch(POLICY_TRACE_SLICE, to->tid, 1, bound, slice);
    return slice;
}

void policy_remove(struct sched_thread *t) { take_out(&harts[t->hart].h, t); }

/* prev blocked: its burst ends and feeds the average. */
static void end_burst(struct sched_thread *t)
{
    t->policy[AVG_BURST] =
        (NEW_WEIGHT * t->policy[BURST_NS] + OLD_WEIGHT * t->policy[AVG_BURST]) / WEIGHTS_SUM;
    t->policy[BURST_NS] = 0;
    t->policy[SLICE_AT] = 0;
}

/* Has prev, running here and staying runnable, used up its slice? No slice is shorter than the
 * floor: a thread that used less has not. */
static SCHED_ALWAYS_INLINE bool used_up(const struct tstune_hart *h,
                                        const struct sched_thread *prev)
{
    uint64_t used = used_ns(prev);
    return used >= slice_floor_ns &&
           used >= slice_among(burst_of(prev), (uint64_t)h->nr_queued[prev->prio] + 1,
                               NULL); /* (prev: here, not queued) */
}

struct sched_thread *policy_pick(unsigned hart, struct sched_thread *prev, bool prev_runnable)
{
    struct tstune_hart *h = harts_record(hart);
    struct sched_thread *t = h->candidate; /* taken if nothing queued comes before it */
    h->candidate = NULL;
    /* prev == t: a yielded thread whose priority changed, woken again at the tail (core.c) */
    if (t && prev_runnable && prev != t && t->prio == prev->prio) {
        push(h, t, false); /* prev's slice is shared with it, and its place is behind t's */
        t = NULL;
    }
    if (prev_runnable && !prev->queued && prev != t) {
        /* Preempted by a higher priority (the candidate, or what is queued above it), it keeps
         * the head and its slice as it is: whether that is used up is asked when it runs again
         * (none left: its timer ends it at once). */
        bool to_tail = false;
        if (!(t && t->prio > prev->prio) && used_up(h, prev)) {
            restart_slice(prev);
            to_tail = true;
        }
        push(h, prev, !to_tail);
    } else if (prev && !prev_runnable) {
        end_burst(prev);
    }
    t = take_in_prio_order(h, t);
    h->current = t;
    return t; /* (its slice is recorded when the core asks it: policy_slice_ns) */
}

void policy_charge(struct sched_thread *t, uint64_t ns) { charge(t, ns); }

/* Both: to the tail as the candidate. With nothing else of its priority or above on its hart, the
 * decision that follows runs it again without a queue operation; else policy_pick appends it. */
void policy_slice_expired(unsigned hart, struct sched_thread *t)
{
    struct tstune_hart *h = harts_record(hart);
    restart_slice(t);
    append_as_candidate(h, t);
}

void policy_yield(unsigned hart, struct sched_thread *t)
{
    struct tstune_hart *h = harts_record(hart);
    restart_slice(t);
    append_as_candidate(h, t);
}

/* the running thread's priority changed: a candidate may now share its priority, and so its
 * slice (policy_pick) */
void policy_reschedule(unsigned hart) { settle_candidate(&harts[hart].h); }

/* The core asks this once per decision, for the thread the decision runs (core.c decide): the
 * slice chosen is recorded here with its derivation, where it is worked out anyway, and not in
 * policy_pick, which would work it out a second time. */
__attribute__((noinline)) uint64_t policy_slice_ns(const struct sched_thread *t)
{
    if (!SCHED_TRACING) return slice_left(t, slice_for(t));
    uint64_t nr = runnable_at_prio(t);
    enum tstune_slice_bound bound;
    uint64_t slice = slice_among(burst_of(t), nr, &bound);
    sched_trace_policy(POLICY_TRACE_SLICE, t->tid, (uint32_t)nr, bound, slice);
    return slice_left(t, slice);
}

/* Nothing to balance: placement happens at wakeup only. */
#include <sched/no_tick.h>
