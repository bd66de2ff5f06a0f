/* Scenario tests of the tstune policy (kernel/sched/tstune.c), compiled on the host with
 * sanitizers. Each test checks one rule or one term of the formula at the top of tstune.c. */
#include <sched/sched.h>
#include <sched/tstune_trace.h>

#include "check.h"
#include "policy_host.h"

enum policy_trace_kind { POLICY_TRACE_EVENTS(POLICY_TRACE_KIND_ENUM) };

#define HART     0
#define NTHREADS 64
#define MS       1000000ull
#define TARGET   ((uint64_t)SCHED_TSTUNE_TARGET_LATENCY_US * 1000)
#define MIN_GRAN ((uint64_t)SCHED_TSTUNE_MIN_GRANULARITY_US * 1000)

static struct sched_thread th[NTHREADS];

static void reset_with_switch_cost(unsigned nharts, uint64_t switch_cost_ns)
{
    policy_init(nharts, switch_cost_ns);
    policy_log_clear();
    for (int i = 0; i < NTHREADS; i++) {
        th[i] = (struct sched_thread){.tid = (uint32_t)i + 1,
                                      .hart = HART,
                                      .prio = 50,
                                      .affinity = hartmask_from_word(~0ull)};
        policy_thread_init(&th[i]);
    }
}

static void reset(void) { reset_with_switch_cost(1, 0); }

/* Make `n` threads of one priority runnable; th[0] runs, the others wait. */
static struct sched_thread *load_hart(int n)
{
    for (int i = 0; i < n; i++) policy_wakeup(HART, &th[i], NULL);
    return policy_pick(HART, NULL, false);
}

/* t runs a burst of `ns` and blocks; the next queued thread (or none) is picked. */
static void burst_and_block(struct sched_thread *t, uint64_t ns)
{
    policy_wakeup(HART, t, NULL);
    CHECK(policy_pick(HART, NULL, false) == t);
    policy_charge(t, ns);
    policy_pick(HART, t, false);
}

static void test_lone_thread_gets_the_target_latency(void)
{
    reset();
    struct sched_thread *t = load_hart(1);
    CHECK(t == &th[0] && policy_slice_ns(t) == TARGET);
}

static void test_slices_shrink_as_load_grows(void)
{
    uint64_t last = ~0ull;
    for (int n = 1; n <= 16; n *= 2) {
        reset();
        struct sched_thread *t = load_hart(n);
        uint64_t slice = policy_slice_ns(t);
        CHECK(slice < last);
        CHECK(slice == (TARGET / (uint64_t)n > MIN_GRAN ? TARGET / (uint64_t)n : MIN_GRAN));
        last = slice;
    }
}

static void test_load_counts_only_the_threads_priority(void)
{
    reset();
    th[1].prio = 10; /* lower priorities never compete with th[0] */
    th[2].prio = 10;
    struct sched_thread *t = load_hart(3);
    CHECK(t == &th[0] && policy_slice_ns(t) == TARGET);
}

static void test_slice_never_below_min_granularity(void)
{
    reset();
    struct sched_thread *t = load_hart(NTHREADS); /* fair share far below the minimum */
    CHECK(TARGET / NTHREADS < MIN_GRAN);
    CHECK(policy_slice_ns(t) == MIN_GRAN);
}

/* The slice the core asks for the thread a decision runs (policy_slice_ns, once per decision) is
 * recorded with the term that decided it; the pick itself records nothing. */
static void test_the_chosen_slice_is_recorded_with_its_reason(void)
{
    reset();
    struct sched_thread *t = load_hart(1); /* alone, no history: fair (target latency) */
    CHECK(policy_log_count == 0);
    CHECK(policy_slice_ns(t) == TARGET && policy_log_count == 1 &&
          policy_log_is(0, POLICY_TRACE_SLICE, t->tid, 1, TSTUNE_SLICE_FAIR, TARGET));
    reset();
    t = load_hart(NTHREADS); /* the fair share is below the floor */
    CHECK(policy_slice_ns(t) == MIN_GRAN && policy_log_count == 1 &&
          policy_log_is(0, POLICY_TRACE_SLICE, t->tid, NTHREADS, TSTUNE_SLICE_FLOOR, MIN_GRAN));
    reset();
    for (int i = 0; i < 40; i++) burst_and_block(&th[0], 3 * MS); /* short bursts */
    policy_log_clear();
    policy_wakeup(HART, &th[0], NULL);
    CHECK(policy_pick(HART, NULL, false) == &th[0]);
    uint64_t slice = policy_slice_ns(&th[0]);
    CHECK(policy_log_count == 1 && policy_log[0].kind == POLICY_TRACE_SLICE &&
          policy_log[0].b == TSTUNE_SLICE_BURST && policy_log[0].value == slice);
    /* what is recorded is the whole slice; what is returned, what is left of it */
    policy_charge(&th[0], slice / 4);
    uint64_t left = policy_slice_ns(&th[0]);
    CHECK(policy_log_count == 2 && left == policy_log[1].value - slice / 4);
}

static void test_slice_never_below_the_switch_overhead_bound(void)
{
    /* an expensive switch: slices must be long enough that switching stays under the fraction */
    uint64_t cost = 100000;
    uint64_t bound = cost * 1000 / SCHED_TSTUNE_MAX_OVERHEAD_PERMILLE;
    CHECK(bound > MIN_GRAN);
    for (int n = 1; n <= NTHREADS; n *= 4) {
        reset_with_switch_cost(1, cost);
        struct sched_thread *t = load_hart(n);
        uint64_t slice = policy_slice_ns(t);
        CHECK(slice >= bound);
        CHECK(cost * 1000 / slice <= SCHED_TSTUNE_MAX_OVERHEAD_PERMILLE);
    }
}

static void test_unmeasured_switch_cost_uses_the_default(void)
{
    uint64_t with_default[2];
    reset_with_switch_cost(1, 0);
    with_default[0] = policy_slice_ns(load_hart(NTHREADS));
    reset_with_switch_cost(1, SCHED_TSTUNE_SWITCH_COST_NS);
    with_default[1] = policy_slice_ns(load_hart(NTHREADS));
    CHECK(with_default[0] == with_default[1] && with_default[0] > 0);
}

static void test_short_bursts_get_a_short_slice_that_still_fits_them(void)
{
    reset();
    struct sched_thread *io = &th[0], *hog = &th[1];
    for (int i = 0; i < 40; i++) burst_and_block(io, 3 * MS);
    policy_wakeup(HART, io, NULL);
    CHECK(policy_pick(HART, NULL, false) == io);
    uint64_t io_slice = policy_slice_ns(io);
    CHECK(io_slice >= 3 * MS);                /* its usual burst completes in one slice */
    CHECK(io_slice <= 6 * MS + 6 * MS / 100); /* but not much more than twice it */
    policy_pick(HART, io, false);
    policy_wakeup(HART, hog, NULL);
    CHECK(policy_pick(HART, NULL, false) == hog);
    CHECK(policy_slice_ns(hog) == TARGET && io_slice < TARGET);
}

static void test_thread_that_stops_blocking_regains_long_slices(void)
{
    reset();
    struct sched_thread *t = &th[0];
    for (int i = 0; i < 40; i++) burst_and_block(t, 2 * MS);
    policy_wakeup(HART, t, NULL);
    CHECK(policy_pick(HART, NULL, false) == t);
    uint64_t slice = policy_slice_ns(t), first = slice;
    for (int i = 0; i < 10; i++) { /* it stays CPU-bound: each slice at least doubles */
        policy_charge(t, slice);
        policy_slice_expired(HART, t);
        CHECK(policy_pick(HART, t, true) == t);
        uint64_t next = policy_slice_ns(t);
        CHECK(next >= 2 * slice || next == TARGET);
        slice = next;
    }
    CHECK(first < TARGET && slice == TARGET);
}

static void test_interactive_wakeup_waits_at_most_the_shrunken_slice(void)
{
    reset();
    struct sched_thread *hog = load_hart(1), *io = &th[1];
    CHECK(hog == &th[0]);
    /* the hog ran a quarter of the target latency; io wakes: the hog's slice halves */
    policy_charge(hog, TARGET / 4);
    CHECK(policy_wakeup(HART, io, hog));
    CHECK(policy_pick(HART, hog, true) == hog);
    CHECK(policy_slice_ns(hog) == TARGET / 2 - TARGET / 4);
    /* later the hog has used more than half: io wakes and runs at once */
    policy_charge(hog, TARGET / 4);
    policy_slice_expired(HART, hog);
    CHECK(policy_pick(HART, hog, true) == io);
    CHECK(policy_pick(HART, io, false) == hog);
    policy_charge(hog, TARGET / 2 + 1);
    CHECK(policy_wakeup(HART, io, hog));
    CHECK(policy_pick(HART, hog, true) == io);
}

static void test_strict_priority(void)
{
    static const int prios[] = {10, 200, 50, 255, 0, 64, 63};
    reset();
    for (int i = 0; i < 7; i++) {
        th[i].prio = (uint8_t)prios[i];
        policy_wakeup(HART, &th[i], NULL);
    }
    int last = 256;
    struct sched_thread *t = NULL;
    for (int i = 0; i < 7; i++) {
        t = policy_pick(HART, t, false);
        CHECK(t && t->prio < last);
        last = t ? t->prio : -1;
    }
    CHECK(policy_pick(HART, t, false) == NULL);
    /* a higher priority preempts; a lower or equal one runs only after */
    reset();
    struct sched_thread *low = load_hart(1), *high = &th[1];
    high->prio = 51;
    CHECK(policy_wakeup(HART, high, low));
    CHECK(policy_pick(HART, low, true) == high);
    th[2].prio = 49;
    CHECK(!policy_wakeup(HART, &th[2], high));
}

static void test_fifo_within_a_priority(void)
{
    reset();
    for (int i = 0; i < 4; i++) policy_wakeup(HART, &th[i], NULL);
    struct sched_thread *t = policy_pick(HART, NULL, false);
    for (int i = 0; i < 4; i++) {
        CHECK(t == &th[i]);
        t = policy_pick(HART, t, false);
    }
    CHECK(t == NULL);
}

static void test_preempted_thread_keeps_the_head(void)
{
    reset();
    struct sched_thread *a = load_hart(2), *b = &th[1], *high = &th[2];
    high->prio = 90;
    CHECK(policy_wakeup(HART, high, a));
    CHECK(policy_pick(HART, a, true) == high);
    CHECK(policy_pick(HART, high, false) == a); /* before b, which queued earlier */
    CHECK(policy_pick(HART, a, false) == b);
}

static void test_expiry_and_yield_go_to_the_tail_with_a_fresh_slice(void)
{
    reset();
    struct sched_thread *a = load_hart(3), *b = &th[1], *c = &th[2];
    uint64_t full = policy_slice_ns(a);
    policy_charge(a, full);
    CHECK(policy_slice_ns(a) == 0);
    policy_slice_expired(HART, a);
    CHECK(policy_pick(HART, a, true) == b);
    policy_charge(b, 1000);
    policy_yield(HART, b);
    CHECK(policy_pick(HART, b, true) == c);
    CHECK(policy_pick(HART, c, false) == a && policy_slice_ns(a) == TARGET / 2);
    CHECK(policy_pick(HART, a, false) == b && policy_slice_ns(b) == TARGET);
}

/* A thread alone on its hart that yields runs again at once, with a fresh slice; one that yields
 * after a lower-priority wakeup that asked for no decision runs again too, and the woken one is
 * not lost (policy_yield keeps the yielder as the candidate only when nothing else is held). */
static void test_a_lone_yield_runs_again_and_loses_no_wakeup(void)
{
    reset();
    struct sched_thread *a = load_hart(1), *low = &th[1];
    policy_charge(a, TARGET / 4);
    policy_yield(HART, a);
    CHECK(policy_pick(HART, a, true) == a && policy_slice_ns(a) == TARGET);
    low->prio = 10;
    CHECK(!policy_wakeup(HART, low, a));
    policy_yield(HART, a);
    CHECK(policy_pick(HART, a, true) == a);
    CHECK(policy_pick(HART, a, false) == low);
    CHECK(policy_pick(HART, low, false) == NULL);
}

static void test_wake_placement_respects_affinity(void)
{
    reset_with_switch_cost(4, 0);
    struct sched_thread *t = &th[0];
    /* harts 0 and 1 busy; t may only run on 0 and 2 and 3: it goes to an idle allowed hart */
    for (int h = 0; h < 2; h++) {
        th[10 + h].hart = (uint8_t)h;
        policy_wakeup((unsigned)h, &th[10 + h], NULL);
        policy_pick((unsigned)h, NULL, false);
    }
    t->affinity = hartmask_from_word(0x1 | 0x4 | 0x8);
    unsigned to = policy_select_hart(t, 1);
    CHECK(to == 2 || to == 3);
    /* the waker's hart is preferred among idle allowed ones */
    CHECK(policy_select_hart(t, 3) == 3);
    /* only busy harts allowed: it stays on its own hart if allowed */
    t->affinity = hartmask_from_word(0x3);
    CHECK(policy_select_hart(t, 2) == 0);
    /* its hart not allowed: the least loaded allowed hart, never outside the mask */
    th[20].hart = 1;
    policy_wakeup(1, &th[20], &th[11]);
    t->affinity = hartmask_from_word(0x2 | 0x1);
    t->hart = 3;
    CHECK(policy_select_hart(t, 3) == 0);
    for (uint64_t mask = 1; mask < 16; mask++) {
        t->affinity = hartmask_from_word(mask);
        CHECK(mask & (1ull << policy_select_hart(t, 0)));
    }
}

static void test_remove_takes_a_thread_out(void)
{
    reset();
    policy_wakeup(HART, &th[0], NULL);
    policy_wakeup(HART, &th[1], NULL);
    policy_remove(&th[0]);
    CHECK(!th[0].queued);
    CHECK(policy_pick(HART, NULL, false) == &th[1]);
    CHECK(policy_slice_ns(&th[1]) == TARGET); /* th[0] no longer counts as load */
    CHECK(policy_pick(HART, &th[1], false) == NULL);
}

/* A preempting wakeup leaves the woken thread aside (the candidate, kernel/sched/candidate.h),
 * standing for the tail of its queue: what runs, in which order and with which slice is as if it
 * had been appended. */
static void test_a_preempting_wakeup_keeps_fifo_order_and_counts(void)
{
    reset();
    struct sched_thread *low = &th[0], *a = &th[1], *b = &th[2];
    low->prio = 10;
    policy_wakeup(HART, low, NULL);
    CHECK(policy_pick(HART, NULL, false) == low);
    CHECK(policy_wakeup(HART, a, low) && !a->queued); /* the candidate */
    CHECK(policy_wakeup(HART, b, low));               /* a is queued now, ahead of b */
    CHECK(policy_pick(HART, low, true) == a);
    CHECK(policy_slice_ns(a) == TARGET / 2); /* b shares its priority */
    CHECK(policy_pick(HART, a, false) == b);
    CHECK(policy_pick(HART, b, false) == low);
}

/* The core's sched_set_priority on a thread that yielded: back at the tail (policy_host.c). */
static void test_a_yielded_thread_with_a_new_priority_goes_to_the_tail(void)
{
    reset();
    CHECK(yielded_thread_with_a_new_priority_misplaced(&th[0], &th[1], &th[2]) == 0);
}

/* The running thread's priority rises to a candidate's (sched_set_priority: policy_reschedule):
 * its slice is shared with the candidate from then on. */
static void test_a_priority_change_shares_the_slice_with_a_candidate(void)
{
    reset();
    struct sched_thread *low = &th[0], *c = &th[1];
    low->prio = 10;
    policy_wakeup(HART, low, NULL);
    CHECK(policy_pick(HART, NULL, false) == low);
    CHECK(policy_wakeup(HART, c, low) && !c->queued);
    policy_charge(low, TARGET * 3 / 4); /* more than half the target latency */
    low->prio = c->prio;
    policy_reschedule(HART);
    CHECK(policy_pick(HART, low, true) == c); /* low's slice, TARGET / 2, is used up */
}

/* A candidate counts in its hart's load: wake placement sees that hart as busy. */
static void test_a_candidate_counts_in_the_load(void)
{
    reset_with_switch_cost(2, 0);
    struct sched_thread *c = &th[0], *t = &th[1];
    CHECK(policy_wakeup(0, c, NULL) && !c->queued); /* hart 0 idle: c is its candidate */
    t->affinity = hartmask_from_word(0x3);
    t->hart = 5; /* (its last hart is not allowed) */
    CHECK(policy_select_hart(t, 0) == 1);
    policy_remove(c);
    CHECK(policy_select_hart(t, 0) == 0);
}

/* The IPC fastpath's policy steps leave what policy_wakeup + policy_pick leave. */
static void test_direct_switch_matches_the_slow_path(void)
{
    unsigned taken;
    CHECK(direct_switch_mismatches(&taken) == 0);
    CHECK(taken > 0);
}

/* th[1] ran three bursts of `burst` ns, blocking after each; then th[0] runs, charged 1 µs. */
static void run_bursts_then_block(uint64_t burst)
{
    reset();
    for (int i = 0; i < 3; i++) {
        policy_wakeup(HART, &th[1], NULL);
        CHECK(policy_pick(HART, NULL, false) == &th[1]);
        policy_charge(&th[1], burst);
        CHECK(policy_pick(HART, &th[1], false) == NULL); /* it blocks */
    }
    policy_wakeup(HART, &th[0], NULL);
    CHECK(policy_pick(HART, NULL, false) == &th[0]);
    policy_charge(&th[0], 1000);
}

/* The slice a direct switch gives a thread with a history of its own (policy_switched_directly
 * sizes it from the average burst alone, nothing used) is the one the slow path's pick gives it,
 * whichever term decides: the floor, the burst cap or the target. */
static void test_direct_switch_slice_is_the_slow_paths_after_a_history(void)
{
    for (uint64_t burst = 100000; burst <= 40 * MS; burst *= 4) {
        run_bursts_then_block(burst);
        CHECK(policy_may_switch_directly(HART, &th[0], &th[1], true));
        uint64_t direct = policy_switched_directly(HART, &th[0], &th[1], 500);
        run_bursts_then_block(burst);
        policy_wakeup(HART, &th[1], &th[0]);
        policy_charge(&th[0], 500);
        CHECK(policy_pick(HART, &th[0], false) == &th[1]);
        CHECK(policy_slice_ns(&th[1]) == direct);
    }
}

int main(void)
{
    RUN(test_direct_switch_matches_the_slow_path);
    RUN(test_direct_switch_slice_is_the_slow_paths_after_a_history);
    RUN(test_lone_thread_gets_the_target_latency);
    RUN(test_slices_shrink_as_load_grows);
    RUN(test_load_counts_only_the_threads_priority);
    RUN(test_slice_never_below_min_granularity);
    RUN(test_the_chosen_slice_is_recorded_with_its_reason);
    RUN(test_slice_never_below_the_switch_overhead_bound);
    RUN(test_unmeasured_switch_cost_uses_the_default);
    RUN(test_short_bursts_get_a_short_slice_that_still_fits_them);
    RUN(test_thread_that_stops_blocking_regains_long_slices);
    RUN(test_interactive_wakeup_waits_at_most_the_shrunken_slice);
    RUN(test_strict_priority);
    RUN(test_fifo_within_a_priority);
    RUN(test_preempted_thread_keeps_the_head);
    RUN(test_expiry_and_yield_go_to_the_tail_with_a_fresh_slice);
    RUN(test_a_lone_yield_runs_again_and_loses_no_wakeup);
    RUN(test_wake_placement_respects_affinity);
    RUN(test_remove_takes_a_thread_out);
    RUN(test_a_preempting_wakeup_keeps_fifo_order_and_counts);
    RUN(test_a_yielded_thread_with_a_new_priority_goes_to_the_tail);
    RUN(test_a_candidate_counts_in_the_load);
    RUN(test_a_priority_change_shares_the_slice_with_a_candidate);
    return check_summary();
}
