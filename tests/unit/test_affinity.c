/* Scenario tests of the affinity policy (kernel/sched/affinity.c), compiled on the host with
 * sanitizers. Each test checks one of the rules written at the top of affinity.c. */
#include <sched/sched.h>

#include <sched/affinity_trace.h>

#include "check.h"
#include "policy_host.h"

enum policy_trace_kind { POLICY_TRACE_EVENTS(POLICY_TRACE_KIND_ENUM) };

#define NHARTS   4
#define NTHREADS 32
#define ALL      0xfull
#define WARM     ((uint64_t)SCHED_AFFINITY_WARM_US * 1000)
#define PERIOD   ((uint64_t)SCHED_AFFINITY_BALANCE_US * 1000)

static struct sched_thread th[NTHREADS];
static struct sched_thread *running[NHARTS];

static void reset(void)
{
    policy_init(NHARTS, 0);
    migration_log_clear();
    policy_log_clear();
    for (int i = 0; i < NTHREADS; i++) {
        th[i] = (struct sched_thread){
            .tid = (uint32_t)i + 1, .prio = 50, .affinity = hartmask_from_word(ALL)};
        policy_thread_init(&th[i]);
    }
    for (int h = 0; h < NHARTS; h++) running[h] = NULL;
}

/* The core's wake path: choose a hart, move the thread there (the core traces it), take it in. */
static unsigned wake(struct sched_thread *t, unsigned waker_hart)
{
    unsigned hart = policy_select_hart(t, waker_hart);
    if (hart != t->hart) sched_migrate(t, hart, TRACE_MIGRATE_WAKE);
    policy_wakeup(hart, t, running[hart]);
    return hart;
}

/* The core's decision on `hart`: prev_runnable as given. */
static struct sched_thread *decide(unsigned hart, bool prev_runnable)
{
    running[hart] = policy_pick(hart, running[hart], prev_runnable);
    return running[hart];
}

/* Start t running on `hart` (placed there directly, as a newly created thread is). */
static void run_on(struct sched_thread *t, unsigned hart)
{
    t->hart = (uint8_t)hart;
    policy_wakeup(hart, t, running[hart]);
    decide(hart, running[hart] != NULL);
}

/* t, running on its hart, runs `ns` and blocks. */
static void run_and_block(struct sched_thread *t, uint64_t ns)
{
    policy_charge(t, ns);
    decide(t->hart, false);
}

static void test_keeps_a_warm_thread_on_its_hart(void)
{
    reset();
    struct sched_thread *t = &th[0];
    run_on(t, 2);
    run_and_block(t, 1000);
    run_on(&th[1], 2); /* its hart is busy now, others idle; still warm: it stays */
    CHECK(wake(t, 0) == 2);
    CHECK(migration_count == 0);
}

static void test_a_cold_thread_goes_to_an_idle_hart(void)
{
    reset();
    struct sched_thread *t = &th[0], *other = &th[1];
    run_on(t, 2);
    run_and_block(t, 1000);
    run_on(other, 2);
    policy_charge(other, WARM + 1); /* enough other work on hart 2 to evict t */
    unsigned to = wake(t, 1);
    CHECK(to == 1); /* an idle hart: the waker's */
    CHECK(migration_count == 1 && migration_log[0].why == TRACE_MIGRATE_WAKE);
}

static void test_a_warm_hart_that_is_much_busier_is_left(void)
{
    reset();
    struct sched_thread *t = &th[0];
    run_on(t, 0);
    run_and_block(t, 1000);
    /* hart 0: THRESHOLD + 2 runnable, the others 1 each */
    for (int i = 1; i <= 2 + SCHED_AFFINITY_MIGRATE_THRESHOLD; i++) run_on(&th[i], 0);
    for (unsigned h = 1; h < NHARTS; h++) run_on(&th[10 + h], h);
    CHECK(wake(t, 0) != 0);
    /* at exactly the threshold (THRESHOLD + 1 against 1) it stays */
    reset();
    run_on(t, 0);
    run_and_block(t, 1000);
    for (int i = 1; i <= 1 + SCHED_AFFINITY_MIGRATE_THRESHOLD; i++) run_on(&th[i], 0);
    for (unsigned h = 1; h < NHARTS; h++) run_on(&th[10 + h], h);
    CHECK(wake(t, 0) == 0);
}

static void test_a_new_thread_goes_to_the_least_loaded_hart(void)
{
    reset();
    run_on(&th[1], 0);
    run_on(&th[2], 0);
    run_on(&th[3], 1);
    run_on(&th[4], 2);
    run_on(&th[5], 2);
    run_on(&th[6], 3);
    run_on(&th[7], 3);
    CHECK(wake(&th[0], 0) == 1);
}

static void test_placement_never_leaves_the_mask(void)
{
    reset();
    struct sched_thread *t = &th[0];
    run_on(t, 0);
    run_and_block(t, 1000); /* warm on hart 0 */
    for (uint64_t mask = 1; mask <= ALL; mask++) {
        t->affinity = hartmask_from_word(mask);
        for (unsigned waker = 0; waker < NHARTS; waker++)
            CHECK(mask & (1ull << policy_select_hart(t, waker)));
    }
    /* warm on hart 0, hart 0 idle, but the mask now excludes it */
    t->affinity = hartmask_from_word(0x8);
    CHECK(policy_select_hart(t, 0) == 3);
}

static void test_idle_hart_pulls_the_best_queued_thread(void)
{
    reset();
    run_on(&th[0], 0);
    run_on(&th[1], 0); /* queued on 0 */
    th[2].prio = 60;
    run_on(&th[2], 0); /* preempts th[0], which goes back to the head of its queue */
    run_on(&th[3], 1);
    migration_log_clear();
    CHECK(decide(1, false) == &th[0]); /* hart 1's thread blocked: it pulls from hart 0 */
    CHECK(th[0].hart == 1);
    CHECK(migration_count == 1 && migration_log[0].thread == &th[0] && migration_log[0].from == 0 &&
          migration_log[0].to == 1 && migration_log[0].why == TRACE_MIGRATE_PULL);
    CHECK(decide(1, false) == &th[1]); /* again */
    CHECK(decide(1, false) == NULL);   /* hart 0 has nothing queued: nothing to pull */
    CHECK(migration_count == 2);
}

/* A preempting wakeup leaves the woken thread aside (the candidate, kernel/sched/candidate.h),
 * standing for the tail of its queue: an idle hart may pull it as a queued thread. */
static void test_an_idle_hart_may_pull_a_candidate(void)
{
    reset();
    run_on(&th[0], 0);
    th[1].prio = 60;
    th[1].hart = 0;
    CHECK(policy_wakeup(0, &th[1], running[0]) && !th[1].queued); /* hart 0's candidate */
    run_on(&th[2], 1);
    migration_log_clear();
    CHECK(decide(1, false) == &th[1]); /* hart 1's thread blocked: it pulls from hart 0 */
    CHECK(th[1].hart == 1 && migration_count == 1);
    CHECK(decide(0, true) == &th[0]); /* hart 0's decision: nothing else came */
}

static void test_a_preempting_wakeup_keeps_fifo_order(void)
{
    reset();
    th[0].prio = 10;
    run_on(&th[0], 0);
    CHECK(policy_wakeup(0, &th[1], running[0]) && !th[1].queued);
    CHECK(policy_wakeup(0, &th[2], running[0]));
    CHECK(decide(0, true) == &th[1]);
    CHECK(decide(0, false) == &th[2]);
    CHECK(decide(0, false) == &th[0]);
}

/* The core's sched_set_priority on a thread that yielded: back at the tail (policy_host.c). */
static void test_a_yielded_thread_with_a_new_priority_goes_to_the_tail(void)
{
    reset();
    CHECK(yielded_thread_with_a_new_priority_misplaced(&th[0], &th[1], &th[2]) == 0);
}

static void test_pulling_respects_masks(void)
{
    reset();
    run_on(&th[0], 0);
    th[1].affinity = hartmask_from_word(0x1); /* pinned to hart 0 */
    run_on(&th[1], 0);
    run_on(&th[2], 1);
    CHECK(decide(1, false) == NULL);
    CHECK(migration_count == 0 && th[1].hart == 0);
}

static void test_balances_above_the_threshold_not_below(void)
{
    reset();
    /* hart 0: 1 running + THRESHOLD queued; hart 1: idle. Difference == threshold: no move */
    for (int i = 0; i <= SCHED_AFFINITY_MIGRATE_THRESHOLD; i++) run_on(&th[i], 0);
    run_on(&th[20], 1);
    CHECK(hartmask_word(policy_tick(1, PERIOD, NULL)) == 0 && migration_count == 0);
    /* the BALANCE record says what it saw: hart 1 (load 1) against hart 0, moving nothing */
    CHECK(policy_log_count == 1 &&
          policy_log_is(0, POLICY_TRACE_BALANCE, 0, 1, SCHED_AFFINITY_MIGRATE_THRESHOLD + 1, 0));
    /* one more on hart 0: above the threshold; hart 1 pulls until it is not */
    run_on(&th[10], 0);
    CHECK(hartmask_word(policy_tick(1, PERIOD / 2, NULL)) == 0); /* not due yet... */
    CHECK(policy_log_count == 1);                                /* ...and no balancing recorded */
    uint64_t redo = hartmask_word(policy_tick(1, 3 * PERIOD, NULL));
    CHECK(migration_count == 1); /* T + 2 against 1: one move leaves a difference <= T */
    CHECK(policy_log_count == 2 &&
          policy_log_is(1, POLICY_TRACE_BALANCE, 0, 1, SCHED_AFFINITY_MIGRATE_THRESHOLD + 2, 1));
    for (unsigned i = 0; i < migration_count; i++)
        CHECK(migration_log[i].why == TRACE_MIGRATE_BALANCE && migration_log[i].from == 0 &&
              migration_log[i].to == 1);
    CHECK(redo == 0); /* what it pulled does not outrank what hart 1 runs */
    /* hart 1 now runs its own thread, then the moved ones */
    CHECK(decide(1, true) == &th[20]);
    policy_slice_expired(1, &th[20]);
    CHECK(decide(1, true)->hart == 1);
}

static void test_balancing_asks_for_a_decision_when_it_pulls_something_better(void)
{
    reset();
    for (int i = 0; i < 4; i++) th[i].prio = 90;
    for (int i = 0; i < 4; i++) run_on(&th[i], 0);
    run_on(&th[20], 1); /* prio 50 */
    CHECK(hartmask_word(policy_tick(1, PERIOD, NULL)) == 1ull << 1);
    CHECK(decide(1, true)->prio == 90);
}

static void test_balancing_respects_masks(void)
{
    reset();
    for (int i = 0; i < 6; i++) {
        th[i].affinity = hartmask_from_word(0x5); /* harts 0 and 2 */
        run_on(&th[i], 0);
    }
    CHECK(hartmask_word(policy_tick(1, PERIOD, NULL)) == 0 && migration_count == 0);
    policy_tick(2, PERIOD, NULL);
    CHECK(migration_count > 0);
    for (unsigned i = 0; i < migration_count; i++) CHECK(migration_log[i].to == 2);
}

/* With no reserved harts (the default), a high priority may run anywhere. */
static void test_no_reserved_harts_by_default(void)
{
    reset();
    th[0].prio = 255;
    for (unsigned h = 0; h < NHARTS; h++) {
        for (unsigned i = 0; i < NHARTS; i++)
            if (i != h) run_on(&th[10 + i], i);
        CHECK(policy_select_hart(&th[0], 0) == h);
        reset();
        th[0].prio = 255;
    }
}

/* Built by unit.policy.affinity_reserved: harts 2 and 3 reserved for priorities >= 200. */
#define HIGH 220
#define LOW  50

static void test_reserved_harts_take_only_high_priorities(void)
{
    reset();
    CHECK(SCHED_AFFINITY_RESERVED_HARTS == 0xc && SCHED_AFFINITY_RESERVED_PRIO == 200);
    struct sched_thread *high = &th[0], *low = &th[1];
    high->prio = HIGH;
    low->prio = LOW;
    /* everything idle: each goes to its class, whoever wakes it */
    for (unsigned waker = 0; waker < NHARTS; waker++) {
        unsigned h = policy_select_hart(high, waker), l = policy_select_hart(low, waker);
        CHECK(h == 2 || h == 3);
        CHECK(l == 0 || l == 1);
    }
    /* its own class busy, the other idle: it still stays in its class */
    for (int i = 0; i < 3; i++) {
        th[10 + i].prio = HIGH;
        run_on(&th[10 + i], 2 + (unsigned)i % 2);
        th[20 + i].prio = LOW;
        run_on(&th[20 + i], (unsigned)i % 2);
    }
    unsigned h = policy_select_hart(high, 0), l = policy_select_hart(low, 3);
    CHECK(h == 2 || h == 3);
    CHECK(l == 0 || l == 1);
    /* a mask naming only the other class's harts wins over the class */
    low->affinity = hartmask_from_word(0x8);
    CHECK(policy_select_hart(low, 0) == 3);
}

static void test_reserved_harts_neither_pull_nor_balance_across_classes(void)
{
    reset();
    for (int i = 0; i < 6; i++) {
        th[i].prio = LOW;
        run_on(&th[i], 0);
    }
    th[10].prio = HIGH;
    run_on(&th[10], 2);
    CHECK(decide(2, false) == NULL); /* hart 2 idles rather than take a low thread */
    CHECK(decide(3, false) == NULL);
    CHECK(hartmask_word(policy_tick(3, PERIOD, NULL)) == 0);
    CHECK(migration_count == 0);
    CHECK(decide(1, false) != NULL); /* hart 1 may take one */
    CHECK(migration_count == 1 && migration_log[0].to == 1);
}

static void test_strict_priority_and_fifo_on_a_hart(void)
{
    reset();
    static const int prios[] = {10, 200, 50, 50, 255};
    for (int i = 0; i < 5; i++) {
        th[i].prio = (uint8_t)prios[i];
        th[i].hart = 0;
        policy_wakeup(0, &th[i], NULL);
    }
    CHECK(decide(0, false) == &th[4]);
    CHECK(decide(0, false) == &th[1]);
    CHECK(decide(0, false) == &th[2]);
    CHECK(decide(0, false) == &th[3]);
    CHECK(decide(0, false) == &th[0]);
    CHECK(decide(0, false) == NULL);
}

static void test_expiry_goes_to_the_tail_and_refills(void)
{
    reset();
    run_on(&th[0], 0);
    run_on(&th[1], 0);
    policy_charge(&th[0], (uint64_t)SCHED_TIMESLICE_NS);
    CHECK(policy_slice_ns(&th[0]) == 0);
    policy_slice_expired(0, &th[0]);
    CHECK(decide(0, true) == &th[1]);
    CHECK(policy_slice_ns(&th[0]) == SCHED_TIMESLICE_NS);
    policy_yield(0, &th[1]);
    CHECK(decide(0, true) == &th[0]);
}

static void test_a_busy_hart_asks_for_periodic_balancing_an_idle_one_does_not(void)
{
    reset();
    CHECK(policy_next_tick(1) == UINT64_MAX); /* idle: it pulls when it goes idle */
    run_on(&th[0], 1);
    policy_tick(1, 3 * PERIOD, NULL);
    CHECK(policy_next_tick(1) == 4 * PERIOD); /* busy: one period after the last balance */
    CHECK(policy_next_tick(2) == UINT64_MAX);
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
    if (SCHED_AFFINITY_RESERVED_HARTS) {
        RUN(test_reserved_harts_take_only_high_priorities);
        RUN(test_reserved_harts_neither_pull_nor_balance_across_classes);
        return check_summary();
    }
    RUN(test_keeps_a_warm_thread_on_its_hart);
    RUN(test_a_cold_thread_goes_to_an_idle_hart);
    RUN(test_a_warm_hart_that_is_much_busier_is_left);
    RUN(test_a_new_thread_goes_to_the_least_loaded_hart);
    RUN(test_placement_never_leaves_the_mask);
    RUN(test_idle_hart_pulls_the_best_queued_thread);
    RUN(test_pulling_respects_masks);
    RUN(test_an_idle_hart_may_pull_a_candidate);
    RUN(test_a_preempting_wakeup_keeps_fifo_order);
    RUN(test_a_yielded_thread_with_a_new_priority_goes_to_the_tail);
    RUN(test_balances_above_the_threshold_not_below);
    RUN(test_balancing_asks_for_a_decision_when_it_pulls_something_better);
    RUN(test_balancing_respects_masks);
    RUN(test_no_reserved_harts_by_default);
    RUN(test_strict_priority_and_fifo_on_a_hart);
    RUN(test_expiry_goes_to_the_tail_and_refills);
    RUN(test_a_busy_hart_asks_for_periodic_balancing_an_idle_one_does_not);
    return check_summary();
}
