/*
 * mlfq: a multilevel feedback queue (the rules of Arpaci-Dusseau's OSTEP, chapter 8) inside
 * seL4's priorities.
 *
 * The seL4 priority stays strict: a thread of higher seL4 priority always runs first, so root
 * tasks, servers and drivers keep their place. Within one seL4 priority there are
 * SCHED_MLFQ_LEVELS feedback levels, level 0 first:
 *  1. a new thread starts at level 0;
 *  2. at level L a thread has an allotment of (SCHED_TIMESLICE_US * SCHED_MLFQ_QUANTUM_GROWTH^L) of
 * CPU time in total, however often it blocks or yields meanwhile; when it is used up the thread
 * moves down a level with a fresh allotment (the last level keeps it). Yielding just before the
 * quantum ends does not keep a CPU hog on top: the time it used still counts;
 *  3. a thread that blocks keeps its level and what it has used, so an I/O-bound thread that
 *     uses little stays high;
 *  4. boost k happens at k * SCHED_MLFQ_BOOST_US of emulated time since boot (k = 1, 2, ...;
 *     time, not CPU time, and counted from boot, so a late boost does not delay the next): every
 *     thread of the hart returns to level 0 with a fresh allotment (no starvation; a thread that
 *     turned interactive recovers). The core arms the hart's timer for it (policy_next_tick),
 *     so it happens at its instant, within the timer's resolution, whatever runs. Order: the
 *     queued threads of each seL4 priority are raised level 1 first, then level 2, and so on,
 *     each level's FIFO order kept, behind the threads already queued at level 0. The running
 *     thread keeps its hart: it is at level 0 then, so nothing raised outranks it, and its
 *     slice is re-evaluated at the boost: a fresh level-0 allotment counted from the boost
 *     instant. A thread blocked at the boost is raised when it is next runnable;
 *  5. FIFO within a (priority, level); a woken thread preempts the running one if it ranks
 *     higher: a higher seL4 priority, or the same priority and a lower level. A preempted thread
 *     goes back to the head of its queue.
 * A thread's slice is what remains of its allotment at its level.
 *
 * The thread woken last is the hart's candidate until the queues are next used (candidate.h): it
 * stands for the tail of its queue.
 */
#include <sched/candidate.h>
#include <sched/runqueue.h>

#include "mlfq_trace.h"

enum policy_trace_kind { POLICY_TRACE_EVENTS(POLICY_TRACE_KIND_ENUM) };

#define NPRIO    256
#define LEVELS   SCHED_MLFQ_LEVELS
#define BOOST_NS ((uint64_t)SCHED_MLFQ_BOOST_US * 1000)

/* per-thread state in sched_thread.policy[] (and slice_left_ns: what is left of the allotment at
 * its level, charged down as it runs, so that the slice, the charge and the test for a used-up
 * allotment read one word) */
#define LEVEL 0
#define EPOCH 2
#define BELOW 3 /* LEVELS - 1 - LEVEL, kept with it: a thread's rank is then one multiply-add */

/* A thread's rank, the order of rules 1 and 5 as one number (higher runs first): its seL4
 * priority, then its level, lower first. The queues and their bitmap are indexed by rank, so
 * finding the next thread is one "highest bit set", and a queue one index. */
#define RANKS      (NPRIO * LEVELS)
#define RANK_WORDS ((RANKS + 63) / 64)
SCHED_BITMAP_OPS(rank_bitmap, RANK_WORDS)

static SCHED_ALWAYS_INLINE uint64_t rank_of(uint64_t prio, uint64_t level)
{
    return prio * LEVELS + (LEVELS - 1 - level);
}

static SCHED_ALWAYS_INLINE uint64_t rank(const struct sched_thread *t)
{
    return t->prio * LEVELS + t->policy[BELOW]; /* rank_of(t->prio, t->policy[LEVEL]) */
}

/* the fields every decision reads first: their offsets fit an instruction's immediate */
struct mlfq_hart {
    struct sched_thread *candidate; /* woken last, not queued yet (candidate.h) */
    uint64_t epoch;                 /* the last boost done: boost k happens at k * BOOST_NS */
    struct rank_bitmap ranks;       /* ranks whose queue is not empty */
    struct runqueue q[RANKS];
};

SCHED_PER_HART(struct mlfq_hart, harts);
/* When each hart's boost epoch + 1 is due: apart from the large per-hart records, so that the
 * tick and the timer's deadline (every decision) find it with one scaled index. */
static uint64_t next_boost_ns[SCHED_MAX_HARTS];

/* The allotment of each level (rule 2), worked out once (policy_init): every charge asks. */
static uint64_t allotments[LEVELS];

static uint64_t allotment(unsigned level) { return allotments[level]; }

/* The FIFO of seL4 priority p at level l. */
static struct runqueue *queue(struct mlfq_hart *h, uint64_t p, uint64_t l)
{
    return &h->q[rank_of(p, l)];
}

static SCHED_ALWAYS_INLINE void enqueue(struct mlfq_hart *h, struct sched_thread *t, bool at_head)
{
    if (t->queued) return;
    uint64_t r = rank(t);
    runqueue_push(&h->q[r], t, at_head);
    rank_bitmap_set(&h->ranks, (unsigned)r);
}

static SCHED_ALWAYS_INLINE void dequeue(struct mlfq_hart *h, struct sched_thread *t)
{
    uint64_t r = rank(t);
    runqueue_remove(&h->q[r], t);
    if (!h->q[r].head) rank_bitmap_clear(&h->ranks, (unsigned)r);
}

SCHED_CANDIDATE_OPS(struct mlfq_hart)

/* Does a queued thread rank with t or above (so that policy_pick would take it before t, were t
 * appended at its level)? */
static SCHED_ALWAYS_INLINE bool queued_at_or_above(const struct mlfq_hart *h,
                                                   const struct sched_thread *t)
{
    return rank_bitmap_any_at_or_above(&h->ranks, (unsigned)rank(t));
}

static void put_at_level(struct sched_thread *t, unsigned level)
{
    t->policy[LEVEL] = level;
    t->policy[BELOW] = LEVELS - 1 - level;
}

/* A level change's trace record: callers make it last, a tail call, so that with tracing compiled
 * in they save no registers for it. */
static void trace_level(const struct sched_thread *t, unsigned from, unsigned to,
                        enum mlfq_level_why why)
{
    if (from != to) sched_trace_policy(POLICY_TRACE_LEVEL, t->tid, from, to, why);
}

/* Rule 4 for one thread that has not seen the hart's last boost: back to level 0 with a fresh
 * allotment. Both callers (boost, policy_wakeup) have settled the hart's candidate, so a queued
 * thread goes to its new tail with a plain enqueue, and this function calls nothing before its
 * trace record (no registers saved for it). */
static __attribute__((noinline)) void raise_after_boost(struct mlfq_hart *h, struct sched_thread *t,
                                                        enum mlfq_level_why why)
{
    bool queued = t->queued;
    unsigned from = (unsigned)t->policy[LEVEL];
    if (queued) dequeue(h, t);
    put_at_level(t, 0);
    t->slice_left_ns = (int64_t)allotment(0);
    t->policy[EPOCH] = h->epoch;
    if (queued) enqueue(h, t, false);
    trace_level(t, from, 0, why);
}

/* Rule 4 for one thread, unless it has seen the hart's last boost (the common case, inlined: every
 * wakeup and charge asks). Returns whether its level changed. */
static inline bool catch_up_with_boost(struct mlfq_hart *h, struct sched_thread *t,
                                       enum mlfq_level_why why)
{
    if (t->policy[EPOCH] == h->epoch) return false;
    bool raised = t->policy[LEVEL] != 0;
    raise_after_boost(h, t, why);
    return raised;
}

/* Rule 4 at its instant: the queued threads in the order documented there, then the running
 * thread. Returns how many threads it raised to level 0. */
static unsigned boost(struct mlfq_hart *h, struct sched_thread *running)
{
    unsigned raised = 0;
    settle_candidate(h);
    /* only the priorities with something queued, each once (raising moves threads within a
     * priority, to its highest rank: a bit seen already, or one of a priority done) */
    uint64_t done = NPRIO;
    /* the words not empty at the start: raising sets bits only of the priority it raises, done */
    for (uint64_t words = h->ranks.top; words; words &= words - 1) {
        unsigned w = lowest_bit(words);
        for (uint64_t m = h->ranks.words[w]; m; m &= m - 1) {
            uint64_t p = (w * 64 + lowest_bit(m)) / LEVELS;
            if (p == done) continue;
            done = p;
            for (unsigned l = 1; l < LEVELS; l++)
                while (queue(h, p, l)->head)
                    raised += catch_up_with_boost(h, queue(h, p, l)->head, MLFQ_LEVEL_BOOSTED);
            /* level 0 as it is now: a fresh allotment, no move (the boost keeps their order) */
            for (struct sched_thread *t = queue(h, p, 0)->head; t; t = t->next) {
                t->slice_left_ns = (int64_t)allotment(0);
                t->policy[EPOCH] = h->epoch;
            }
        }
    }
    if (running) raised += catch_up_with_boost(h, running, MLFQ_LEVEL_BOOSTED);
    return raised;
}

static bool ranks_higher(const struct sched_thread *a, const struct sched_thread *b)
{
    return rank(a) > rank(b);
}

void policy_init(unsigned nharts, uint64_t switch_cost_ns)
{
    (void)switch_cost_ns;
    for (unsigned i = 0; i < nharts && i < SCHED_MAX_HARTS; i++) {
        harts[i].h = (struct mlfq_hart){0};
        next_boost_ns[i] = BOOST_NS;
    }
    allotments[0] = SCHED_TIMESLICE_NS;
    for (unsigned l = 1; l < LEVELS; l++)
        allotments[l] = allotments[l - 1] * SCHED_MLFQ_QUANTUM_GROWTH;
}

void policy_thread_init(struct sched_thread *t)
{
    t->queued = false;
    t->next = t->prev = NULL;
    put_at_level(t, 0);
    t->slice_left_ns = (int64_t)allotment(0);
    t->policy[EPOCH] = harts[t->hart].h.epoch;
}

unsigned policy_select_hart(struct sched_thread *t, unsigned waker_hart)
{
    (void)waker_hart;
    return t->hart;
}

bool policy_wakeup(unsigned hart, struct sched_thread *t, struct sched_thread *running)
{
    struct mlfq_hart *h = harts_record(hart);
    settle_candidate(h); /* woken before t: ahead of it, whatever t does */
    catch_up_with_boost(h, t, MLFQ_LEVEL_BOOST_CAUGHT_UP);
    h->candidate = t;
    return !running || ranks_higher(t, running);
}

/* policy_pick takes the head of the lowest non-empty level of the highest priority: `to`,
 * appended at its level, exactly when nothing queued ranks with it or above. A boost `to` has not
 * caught up with would change its level (and trace it) in policy_wakeup: the slow path does
 * that. (`from` runs: it has seen every boost, policy_charge.) */
SCHED_ALWAYS_INLINE bool policy_may_switch_directly(unsigned hart, const struct sched_thread *from,
                                                    const struct sched_thread *to, bool one_hart)
{
    (void)from, (void)one_hart; /* threads stay on their hart (seL4) */
    const struct mlfq_hart *h = harts_record(hart);
    if (to->policy[EPOCH] != h->epoch) return false;
    uint64_t r = rank(to);
    const struct sched_thread *c = h->candidate; /* as if appended: first if it ranks with to */
    return !(c && rank(c) >= r) && !rank_bitmap_any_at_or_above(&h->ranks, (unsigned)r);
}

/* the enqueue and dequeue cancel out: only the charge is left, with no boost to catch up on
 * (policy_may_switch_directly saw `from` in the hart's epoch) */
uint64_t policy_switched_directly(unsigned hart, struct sched_thread *from, struct sched_thread *to,
                                  uint64_t ns)
{
    (void)hart;
    from->slice_left_ns -= (int64_t)ns;
    return policy_slice_ns(to);
}

void policy_remove(struct sched_thread *t) { take_out(&harts[t->hart].h, t); }

struct sched_thread *policy_pick(unsigned hart, struct sched_thread *prev, bool prev_runnable)
{
    struct mlfq_hart *h = harts_record(hart);
    struct sched_thread *c = h->candidate;
    h->candidate = NULL; /* (a head insertion and a tail one commute: c may wait for prev's) */
    /* prev == c: a yielded thread whose priority changed, woken again at the tail (core.c) */
    if (prev_runnable && prev != c) enqueue(h, prev, true);
    if (c) {
        if (!queued_at_or_above(h, c)) return c; /* appended, it would be the head taken now */
        enqueue(h, c, false);
    }
    int r = rank_bitmap_highest(&h->ranks);
    if (r < 0) return NULL;
    struct sched_thread *t = runqueue_pop_head(&h->q[r]);
    if (!h->q[r].head) rank_bitmap_clear(&h->ranks, (unsigned)r);
    return t;
}

/* No boost to catch up on: the core charges only the running thread (or the one that just
 * stopped), and a boost raises the running thread at its instant (policy_tick), a woken one at
 * its wakeup. */
void policy_charge(struct sched_thread *t, uint64_t ns) { t->slice_left_ns -= (int64_t)ns; }

/* Rule 2, the allotment used up: the thread moves down a level. A function of its own, reached by
 * a tail call, so that the common requeue saves no registers for the level's trace record. */
static __attribute__((noinline)) void demote_and_requeue(unsigned hart, struct sched_thread *t)
{
    unsigned level = (unsigned)t->policy[LEVEL] + 1;
    put_at_level(t, level);
    t->slice_left_ns = (int64_t)allotment(level);
    append_as_candidate(&harts[hart].h, t);
    trace_level(t, level - 1, level, MLFQ_LEVEL_DEMOTED);
}

/* The running thread goes to the tail of its level: at once if anything is queued (the decision
 * that follows then only pops), else as the candidate, which that decision runs again without a
 * queue operation. */
static SCHED_ALWAYS_INLINE void requeue_after_use(unsigned hart, struct sched_thread *t)
{
    if (t->slice_left_ns <= 0) {
        if (t->policy[BELOW]) { /* not at the last level */
            demote_and_requeue(hart, t);
            return;
        }
        t->slice_left_ns = (int64_t)allotment(LEVELS - 1); /* the last level keeps it */
    }
    struct mlfq_hart *h = harts_record(hart);
    if (h->ranks.top)
        enqueue_tail(h, t);
    else
        append_as_candidate(h, t);
}

void policy_slice_expired(unsigned hart, struct sched_thread *t) { requeue_after_use(hart, t); }

void policy_yield(unsigned hart, struct sched_thread *t) { requeue_after_use(hart, t); }

void policy_reschedule(unsigned hart) { (void)hart; }

uint64_t policy_slice_ns(const struct sched_thread *t) { return at_least_zero(t->slice_left_ns); }

/* Rule 4 (policy_tick, below), when a boost is due: a function of its own, reached by a tail call,
 * so that the common tick (none due) saves no registers. */
static __attribute__((noinline)) struct hartmask boost_due(unsigned hart, uint64_t now,
                                                           struct sched_thread *running)
{
    struct mlfq_hart *h = &harts[hart].h;
    /* boost k is due at k * BOOST_NS: a tick later than one period does one boost, the last due */
    h->epoch = now / BOOST_NS;
    next_boost_ns[hart] = (h->epoch + 1) * BOOST_NS;
    unsigned raised = boost(h, running);
    sched_trace_policy(POLICY_TRACE_BOOST, 0, (uint32_t)h->epoch, raised, h->epoch * BOOST_NS);
    /* the running thread's slice is now a fresh level-0 allotment: the core re-evaluates it at
     * a decision, which keeps it running (nothing outranks level 0; it returns to the head) */
    return running ? hartmask_one(hart) : hartmask_none();
}

/* Rule 4; nothing to balance: threads stay on the hart their affinity names (seL4). */
struct hartmask policy_tick(unsigned hart, uint64_t now, struct sched_thread *running)
{
    if (now < next_boost_ns[hart]) return hartmask_none();
    return boost_due(hart, now, running);
}

uint64_t policy_next_tick(unsigned hart) { return next_boost_ns[hart]; }
