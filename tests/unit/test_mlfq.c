/* Scenario tests of the mlfq policy (kernel/sched/mlfq.c), compiled on the host with sanitizers.
 * Each test checks one of the rules written at the top of mlfq.c. */
#include <sched/sched.h>

#include "check.h"

#define HART  0
#define Q0    SCHED_TIMESLICE_NS /* the top level's allotment */
#define BOOST ((uint64_t)SCHED_MLFQ_BOOST_US * 1000)

static struct sched_thread th[8];

static void reset(void)
{
    policy_init(1, 0);
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
    policy_charge(a, BOOST); /* enough CPU time for a boost */
    CHECK(level(a) == 0 && policy_slice_ns(a) == Q0);
    CHECK(level(b) == 0);
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

int main(void)
{
    RUN(test_new_threads_start_on_top_and_quanta_grow);
    RUN(test_last_level_keeps_the_thread);
    RUN(test_seL4_priority_stays_strict);
    RUN(test_hog_is_demoted_interactive_stays_on_top);
    RUN(test_yielding_before_expiry_does_not_game_the_allotment);
    RUN(test_boost_brings_everyone_back_to_the_top);
    RUN(test_fifo_within_a_level_and_preempted_keeps_the_head);
    RUN(test_equal_rank_wakeup_does_not_preempt);
    RUN(test_remove_takes_a_thread_out);
    return check_summary();
}
