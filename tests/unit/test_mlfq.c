/* Scenario tests of the mlfq policy (kernel/sched/mlfq.c), compiled on the host with sanitizers.
 * Each test checks one of the rules written at the top of mlfq.c. */
#include <sched/mlfq_trace.h>
#include <sched/sched.h>

#include "check.h"
#include "policy_host.h"

enum policy_trace_kind { POLICY_TRACE_EVENTS(POLICY_TRACE_KIND_ENUM) };

#define HART  0
#define Q0    SCHED_TIMESLICE_NS /* the top level's allotment */
#define BOOST ((uint64_t)SCHED_MLFQ_BOOST_US * 1000)

static struct sched_thread th[8];

static void reset(void)
{
    policy_init(1, 0);
    policy_log_clear();
    for (int i = 0; i < 8; i++) {
        th[i] = (struct sched_thread){.tid = (uint32_t)i + 1, .hart = HART, .prio = 50};
        policy_thread_init(&th[i]);
    }
}

static unsigned level(const struct sched_thread *t) { return (unsigned)t->policy[0]; }

/* Let `t` run for `ns` and let its slice run out (the timer path of the core). */
static void run_to_expiry(struct sched_thread *t, uint64_t ns)
{
    policy_charge(t, ns);
    policy_slice_expired(HART, t);
}

static void test_new_threads_start_on_top_and_quanta_grow(void)
{
    reset();
    CHECK(level(&th[0]) == 0 && policy_slice_ns(&th[0]) == Q0);
    run_to_expiry(&th[0], Q0);
    CHECK(level(&th[0]) == 1 && policy_slice_ns(&th[0]) == 2 * Q0);
    CHECK(policy_pick(HART, NULL, false) == &th[0]);
    run_to_expiry(&th[0], 2 * Q0);
    CHECK(level(&th[0]) == 2 && policy_slice_ns(&th[0]) == 4 * Q0);
    /* each demotion is a LEVEL record */
    CHECK(policy_log_count == 2);
    CHECK(policy_log_is(0, POLICY_TRACE_LEVEL, 1, 0, 1, MLFQ_LEVEL_DEMOTED));
    CHECK(policy_log_is(1, POLICY_TRACE_LEVEL, 1, 1, 2, MLFQ_LEVEL_DEMOTED));
}

static void test_last_level_keeps_the_thread(void)
{
    reset();
    for (int i = 0; i < SCHED_MLFQ_LEVELS + 3; i++) {
        run_to_expiry(&th[0], policy_slice_ns(&th[0]));
        CHECK(policy_pick(HART, NULL, false) == &th[0]);
    }
    CHECK(level(&th[0]) == SCHED_MLFQ_LEVELS - 1);
}

static void test_seL4_priority_stays_strict(void)
{
    reset();
    struct sched_thread *low = &th[0], *high = &th[1];
    high->prio = 60;
    /* the high-priority thread sinks to the last level; it still beats a fresh low one */
    for (int i = 0; i < SCHED_MLFQ_LEVELS; i++) {
        run_to_expiry(high, policy_slice_ns(high));
        if (i + 1 < SCHED_MLFQ_LEVELS) CHECK(policy_pick(HART, NULL, false) == high);
    }
    CHECK(level(high) > 0);
    policy_wakeup(HART, low, NULL);
    CHECK(policy_pick(HART, NULL, false) == high);
    CHECK(policy_pick(HART, high, false) == low);
}

static void test_hog_is_demoted_interactive_stays_on_top(void)
{
    reset();
    struct sched_thread *hog = &th[0], *io = &th[1];
    run_to_expiry(hog, Q0);
    CHECK(policy_pick(HART, NULL, false) == hog);
    /* the I/O-bound thread wakes, runs 1% of its allotment, blocks: again and again */
    for (int i = 0; i < 50; i++) {
        CHECK(policy_wakeup(HART, io, hog)); /* it preempts the demoted hog */
        CHECK(policy_pick(HART, hog, true) == io);
        policy_charge(io, Q0 / 100);
        CHECK(policy_pick(HART, io, false) == hog); /* it blocked; the hog resumes */
    }
    CHECK(level(io) == 0 && level(hog) == 1);
}

static void test_yielding_before_expiry_does_not_game_the_allotment(void)
{
    reset();
    struct sched_thread *gamer = &th[0], *other = &th[1];
    policy_wakeup(HART, other, NULL);
    CHECK(policy_pick(HART, NULL, false) == other);
    policy_wakeup(HART, gamer, other);
    struct sched_thread *run = policy_pick(HART, other, true);
    CHECK(run == other);
    /* the gamer uses 90% of what is left of its slice, then yields, every time it runs */
    for (int i = 0; i < 20 && level(gamer) == 0; i++) {
        policy_yield(HART, run);
        run = policy_pick(HART, run, true);
        if (run == gamer) policy_charge(gamer, policy_slice_ns(gamer) * 9 / 10 + 1);
    }
    CHECK(level(gamer) == 1);
}

static void test_boost_brings_everyone_back_to_the_top(void)
{
    reset();
    struct sched_thread *a = &th[0], *b = &th[1];
    run_to_expiry(a, Q0); /* a: level 1, queued */
    CHECK(policy_pick(HART, NULL, false) == a);
    run_to_expiry(a, 2 * Q0); /* a: level 2 */
    CHECK(policy_pick(HART, NULL, false) == a);
    run_to_expiry(b, Q0); /* b: level 1, queued; a is running */
    CHECK(level(a) == 2 && level(b) == 1);
    CHECK(hartmask_word(policy_tick(HART, BOOST, a)) == 1u << HART); /* a's slice changed: decide */
    CHECK(level(a) == 0 && policy_slice_ns(a) == Q0);
    CHECK(level(b) == 0);
}

/* Rule 4: boost k at k * BOOST of time, whatever CPU time was used, with no drift. */
static void test_boosts_happen_at_multiples_of_the_period(void)
{
    reset();
    struct sched_thread *a = &th[0];
    CHECK(policy_pick(HART, NULL, false) == NULL);
    CHECK(policy_next_tick(HART) == BOOST); /* the core arms the timer for it */
    policy_charge(a, 3 * BOOST);            /* CPU time alone boosts nothing */
    CHECK(hartmask_word(policy_tick(HART, BOOST - 1, a)) == 0 && policy_log_count == 0);
    /* the tick comes 4 us late: boost 1 happens then, and boost 2 is still due at 2 * BOOST */
    policy_tick(HART, BOOST + 4000, a);
    CHECK(policy_log_count == 1 && policy_log_is(0, POLICY_TRACE_BOOST, 0, 1, 0, BOOST));
    CHECK(policy_next_tick(HART) == 2 * BOOST);
    /* an idle hart boosts too (nothing running: no decision needed) */
    CHECK(hartmask_word(policy_tick(HART, 2 * BOOST, NULL)) == 0);
    CHECK(policy_log_is(1, POLICY_TRACE_BOOST, 0, 2, 0, 2 * BOOST));
    /* a tick more than a period late does the last boost due, and the next stays on the grid */
    policy_tick(HART, 5 * BOOST + 7, NULL);
    CHECK(policy_log_count == 3 && policy_log_is(2, POLICY_TRACE_BOOST, 0, 5, 0, 5 * BOOST));
    CHECK(policy_next_tick(HART) == 6 * BOOST);
}

/* Rule 4's order: level 1 first, then level 2, FIFO kept, behind level 0; the running thread
 * keeps its hart with a fresh level-0 allotment from the boost instant. */
static void test_boost_order_and_the_running_thread(void)
{
    reset();
    struct sched_thread *a = &th[0], *b = &th[1], *c = &th[2], *d = &th[3], *r = &th[4];
    run_to_expiry(r, Q0);
    CHECK(policy_pick(HART, NULL, false) == r);
    run_to_expiry(r, 2 * Q0); /* r: level 2, queued */
    run_to_expiry(d, Q0);     /* d: level 1 */
    CHECK(policy_pick(HART, NULL, false) == d);
    run_to_expiry(d, 2 * Q0); /* d: level 2, behind r */
    CHECK(policy_pick(HART, NULL, false) == r);
    run_to_expiry(b, Q0); /* b, then c: level 1, queued */
    run_to_expiry(c, Q0);
    CHECK(policy_wakeup(HART, a, r)); /* a: level 0, queued */
    CHECK(level(r) == 2 && level(d) == 2 && level(b) == 1 && level(c) == 1 && level(a) == 0);
    policy_charge(r, Q0 / 2); /* the core charges r up to the boost instant */
    policy_log_clear();
    CHECK(hartmask_word(policy_tick(HART, BOOST, r)) == 1u << HART);
    CHECK(level(r) == 0 && policy_slice_ns(r) == Q0);
    CHECK(policy_log_count == 5);
    CHECK(policy_log_is(0, POLICY_TRACE_LEVEL, b->tid, 1, 0, MLFQ_LEVEL_BOOSTED));
    CHECK(policy_log_is(1, POLICY_TRACE_LEVEL, c->tid, 1, 0, MLFQ_LEVEL_BOOSTED));
    CHECK(policy_log_is(2, POLICY_TRACE_LEVEL, d->tid, 2, 0, MLFQ_LEVEL_BOOSTED));
    CHECK(policy_log_is(3, POLICY_TRACE_LEVEL, r->tid, 2, 0, MLFQ_LEVEL_BOOSTED));
    CHECK(policy_log_is(4, POLICY_TRACE_BOOST, 0, 1, 4, BOOST));
    /* the decision the core makes: r keeps running, then a, b, c, d */
    CHECK(policy_pick(HART, r, true) == r);
    CHECK(policy_pick(HART, r, false) == a);
    CHECK(policy_pick(HART, a, false) == b);
    CHECK(policy_pick(HART, b, false) == c);
    CHECK(policy_pick(HART, c, false) == d);
}

/* A level-0 thread gets a fresh allotment at a boost; a blocked one is raised when it wakes. */
static void test_boost_refills_level_0_and_reaches_blocked_threads(void)
{
    reset();
    struct sched_thread *run = &th[0], *queued = &th[1], *blocked = &th[2];
    run_to_expiry(blocked, Q0); /* level 1, then it blocks */
    policy_remove(blocked);
    CHECK(policy_wakeup(HART, run, NULL));
    CHECK(policy_pick(HART, NULL, false) == run);
    CHECK(!policy_wakeup(HART, queued, run));
    policy_charge(queued, Q0 / 4); /* (as if it had run before) */
    policy_charge(run, Q0 / 2);
    policy_log_clear();
    policy_tick(HART, BOOST, run);
    CHECK(policy_slice_ns(run) == Q0 && policy_slice_ns(queued) == Q0);
    CHECK(policy_log_count == 1 && policy_log_is(0, POLICY_TRACE_BOOST, 0, 1, 0, BOOST));
    CHECK(level(blocked) == 1); /* not seen yet */
    policy_wakeup(HART, blocked, run);
    CHECK(level(blocked) == 0 && policy_slice_ns(blocked) == Q0);
    CHECK(policy_log_is(1, POLICY_TRACE_LEVEL, blocked->tid, 1, 0, MLFQ_LEVEL_BOOST_CAUGHT_UP));
}

static void test_fifo_within_a_level_and_preempted_keeps_the_head(void)
{
    reset();
    struct sched_thread *a = &th[0], *b = &th[1], *c = &th[2];
    policy_wakeup(HART, a, NULL);
    policy_wakeup(HART, b, NULL);
    policy_wakeup(HART, c, NULL);
    CHECK(policy_pick(HART, NULL, false) == a);
    CHECK(policy_pick(HART, a, true) == a); /* preempted (decision forced): back at the head */
    CHECK(policy_pick(HART, a, false) == b);
    CHECK(policy_pick(HART, b, false) == c);
}

static void test_equal_rank_wakeup_does_not_preempt(void)
{
    reset();
    CHECK(!policy_wakeup(HART, &th[1], &th[0]));
    run_to_expiry(&th[2], Q0); /* level 1 */
    CHECK(policy_pick(HART, NULL, false) == &th[1]);
    CHECK(!policy_wakeup(HART, &th[3], &th[1])); /* level 0 vs level 0: no */
    /* a level-1 thread runs; a level-0 thread of the same priority wakes: it preempts */
    CHECK(policy_pick(HART, &th[1], false) == &th[3]);
    CHECK(policy_pick(HART, &th[3], false) == &th[2] && level(&th[2]) == 1);
    CHECK(policy_wakeup(HART, &th[4], &th[2]));
}

static void test_remove_takes_a_thread_out(void)
{
    reset();
    policy_wakeup(HART, &th[0], NULL);
    policy_wakeup(HART, &th[1], NULL);
    policy_remove(&th[0]);
    CHECK(!th[0].queued);
    CHECK(policy_pick(HART, NULL, false) == &th[1]);
    CHECK(policy_pick(HART, &th[1], false) == NULL);
}

/* A preempting wakeup leaves the woken thread aside (the candidate), standing for the tail of its
 * queue: what runs and in which order is as if it had been appended. */
static void test_a_preempting_wakeup_keeps_fifo_order(void)
{
    reset();
    struct sched_thread *low = &th[0], *a = &th[1], *b = &th[2], *c = &th[3];
    low->prio = a->prio = b->prio = c->prio = 50;
    low->prio = 10;
    policy_wakeup(HART, low, NULL);
    CHECK(policy_pick(HART, NULL, false) == low);
    /* a and b both preempt low: a, woken first, runs first */
    CHECK(policy_wakeup(HART, a, low));
    CHECK(policy_wakeup(HART, b, low));
    CHECK(policy_pick(HART, low, true) == a);
    CHECK(policy_pick(HART, a, false) == b);
    CHECK(policy_pick(HART, b, false) == low);
    /* c wakes while a of its rank is queued: a runs first */
    policy_wakeup(HART, a, NULL);
    CHECK(policy_pick(HART, low, true) == a);
    policy_yield(HART, a);
    CHECK(policy_wakeup(HART, c, NULL));
    CHECK(policy_pick(HART, a, true) == a); /* a yielded first: it is ahead of c */
    CHECK(policy_pick(HART, a, false) == c);
    CHECK(policy_pick(HART, c, false) == low);
}

static void test_a_removed_candidate_never_runs(void)
{
    reset();
    struct sched_thread *low = &th[0], *a = &th[1];
    low->prio = 10;
    policy_wakeup(HART, low, NULL);
    CHECK(policy_pick(HART, NULL, false) == low);
    CHECK(policy_wakeup(HART, a, low));
    policy_remove(a);
    CHECK(!a->queued);
    CHECK(policy_pick(HART, low, true) == low);
    CHECK(policy_pick(HART, low, false) == NULL);
}

/* A boost raises the queued threads in their documented order; a candidate counts as queued at
 * its level's tail. */
static void test_a_candidate_is_boosted_as_a_queued_thread(void)
{
    reset();
    struct sched_thread *runner = &th[0], *x = &th[1], *y = &th[2];
    runner->prio = 10;
    /* x and y used up their level-0 allotments and blocked at level 1 */
    run_to_expiry(x, Q0);
    run_to_expiry(y, Q0);
    policy_remove(x);
    policy_remove(y);
    CHECK(level(x) == 1 && level(y) == 1);
    policy_wakeup(HART, runner, NULL);
    CHECK(policy_pick(HART, NULL, false) == runner);
    CHECK(policy_wakeup(HART, y, runner) && !y->queued); /* the candidate */
    CHECK(policy_wakeup(HART, x, runner) && !x->queued); /* now x: y is queued, ahead of it */
    policy_tick(HART, BOOST, runner);
    CHECK(level(x) == 0 && level(y) == 0);
    CHECK(policy_pick(HART, runner, true) == y);
    CHECK(policy_pick(HART, y, false) == x);
    /* a candidate alone at its priority is raised too */
    for (int i = 0; i < 2; i++) { /* down to level 2 (it runs; runner is queued) */
        run_to_expiry(x, policy_slice_ns(x));
        policy_remove(x);
    }
    CHECK(policy_pick(HART, NULL, false) == runner && level(x) == 2);
    CHECK(policy_wakeup(HART, x, runner) && !x->queued);
    policy_tick(HART, 2 * BOOST, runner);
    CHECK(level(x) == 0);
    CHECK(policy_pick(HART, runner, true) == x && policy_slice_ns(x) == Q0);
}

/* The core's sched_set_priority on a thread that yielded: back at the tail (policy_host.c). */
static void test_a_yielded_thread_with_a_new_priority_goes_to_the_tail(void)
{
    reset();
    CHECK(yielded_thread_with_a_new_priority_misplaced(&th[0], &th[1], &th[2]) == 0);
}

/* The IPC fastpath's policy steps leave what policy_wakeup + policy_pick leave. */
static void test_direct_switch_matches_the_slow_path(void)
{
    unsigned taken;
    CHECK(direct_switch_mismatches(&taken) == 0);
    CHECK(taken > 0);
}

int main(void)
{
    RUN(test_direct_switch_matches_the_slow_path);
    RUN(test_new_threads_start_on_top_and_quanta_grow);
    RUN(test_last_level_keeps_the_thread);
    RUN(test_seL4_priority_stays_strict);
    RUN(test_hog_is_demoted_interactive_stays_on_top);
    RUN(test_yielding_before_expiry_does_not_game_the_allotment);
    RUN(test_boost_brings_everyone_back_to_the_top);
    RUN(test_boosts_happen_at_multiples_of_the_period);
    RUN(test_boost_order_and_the_running_thread);
    RUN(test_boost_refills_level_0_and_reaches_blocked_threads);
    RUN(test_fifo_within_a_level_and_preempted_keeps_the_head);
    RUN(test_equal_rank_wakeup_does_not_preempt);
    RUN(test_remove_takes_a_thread_out);
    RUN(test_a_preempting_wakeup_keeps_fifo_order);
    RUN(test_a_removed_candidate_never_runs);
    RUN(test_a_candidate_is_boosted_as_a_queued_thread);
    RUN(test_a_yielded_thread_with_a_new_priority_goes_to_the_tail);
    return check_summary();
}
