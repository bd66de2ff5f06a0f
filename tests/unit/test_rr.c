/* Scenario tests of the rr policy (kernel/sched/rr.c), compiled on the host with sanitizers. */
#include <sched/runqueue.h>
#include <sched/sched.h>

#include "check.h"
#include "policy_host.h"

#define HART 0

static struct sched_thread th[8];

static void reset(void)
{
    policy_init(1, 0);
    for (int i = 0; i < 8; i++) {
        th[i] = (struct sched_thread){.tid = (uint32_t)i + 1, .hart = HART};
        policy_thread_init(&th[i]);
    }
}

static struct sched_thread *make(int i, int prio)
{
    th[i].prio = (uint8_t)prio;
    return &th[i];
}

static void test_strict_priority_order(void)
{
    reset();
    CHECK(policy_wakeup(HART, make(0, 10), NULL));
    policy_wakeup(HART, make(1, 200), NULL);
    policy_wakeup(HART, make(2, 50), NULL);
    policy_wakeup(HART, make(3, 255), NULL);
    policy_wakeup(HART, make(4, 0), NULL);
    CHECK(policy_pick(HART, NULL, false) == &th[3]);
    CHECK(policy_pick(HART, &th[3], false) == &th[1]);
    CHECK(policy_pick(HART, &th[1], false) == &th[2]);
    CHECK(policy_pick(HART, &th[2], false) == &th[0]);
    CHECK(policy_pick(HART, &th[0], false) == &th[4]);
    CHECK(policy_pick(HART, &th[4], false) == NULL);
}

static void test_priorities_across_bitmap_words(void)
{
    static const int prios[] = {63, 64, 127, 128, 1, 192, 191};
    reset();
    for (int i = 0; i < 7; i++) policy_wakeup(HART, make(i, prios[i]), NULL);
    int last = 256;
    for (int i = 0; i < 7; i++) {
        struct sched_thread *t = policy_pick(HART, NULL, false);
        CHECK(t && t->prio < last);
        last = t ? t->prio : -1;
    }
    CHECK(policy_pick(HART, NULL, false) == NULL);
}

static void test_fifo_rotation_on_slice_expiry(void)
{
    reset();
    /* A queued first, then B, then C: each wakeup while the hart already has a candidate goes
     * to the head, so queue them through expiry to get a known order */
    struct sched_thread *a = make(0, 7), *b = make(1, 7), *c = make(2, 7);
    policy_wakeup(HART, a, NULL);
    struct sched_thread *run = policy_pick(HART, NULL, false);
    CHECK(run == a);
    policy_wakeup(HART, b, a);
    CHECK(policy_pick(HART, a, true) == a); /* equal priority: the running thread continues */
    policy_wakeup(HART, c, a);
    CHECK(policy_pick(HART, a, true) == a);
    /* queue is now b, c (each appended behind); expiry rotates a to the tail */
    const struct sched_thread *expected[] = {b, c, a, b, c, a};
    for (int i = 0; i < 6; i++) {
        policy_charge(run, SCHED_TIMESLICE_NS);
        policy_slice_expired(HART, run);
        run = policy_pick(HART, run, true);
        CHECK(run == expected[i]);
    }
}

static void test_slice_is_charged_and_refilled(void)
{
    reset();
    struct sched_thread *a = make(0, 5);
    CHECK(policy_slice_ns(a) == SCHED_TIMESLICE_NS);
    policy_charge(a, SCHED_TIMESLICE_NS / 4);
    CHECK(policy_slice_ns(a) == SCHED_TIMESLICE_NS - SCHED_TIMESLICE_NS / 4);
    policy_charge(a, SCHED_TIMESLICE_NS);
    CHECK(policy_slice_ns(a) == 0);
    policy_slice_expired(HART, a);
    CHECK(policy_slice_ns(a) == SCHED_TIMESLICE_NS);
    CHECK(a->queued);
}

static void test_yield_goes_to_tail_and_keeps_slice(void)
{
    reset();
    struct sched_thread *a = make(0, 9), *b = make(1, 9);
    policy_wakeup(HART, b, NULL);
    CHECK(policy_pick(HART, NULL, false) == b);
    policy_wakeup(HART, a, b);
    CHECK(policy_pick(HART, b, true) == b);
    policy_charge(b, 1000);
    policy_yield(HART, b);
    CHECK(policy_pick(HART, b, true) == a);
    CHECK(policy_slice_ns(b) == SCHED_TIMESLICE_NS - 1000);
    policy_yield(HART, a);
    CHECK(policy_pick(HART, a, true) == b);
}

static void test_higher_priority_wakeup_preempts_and_victim_keeps_head(void)
{
    reset();
    struct sched_thread *low = make(0, 10), *other = make(1, 10), *high = make(2, 20);
    policy_wakeup(HART, low, NULL);
    CHECK(policy_pick(HART, NULL, false) == low);
    policy_wakeup(HART, other, low);
    CHECK(policy_pick(HART, low, true) == low);
    CHECK(policy_wakeup(HART, high, low));
    CHECK(policy_pick(HART, low, true) == high);
    /* the preempted thread went back to the head of its queue, ahead of `other` */
    CHECK(policy_pick(HART, high, false) == low);
}

static void test_lower_priority_wakeup_does_not_preempt(void)
{
    reset();
    struct sched_thread *high = make(0, 30), *low = make(1, 3);
    policy_wakeup(HART, high, NULL);
    CHECK(policy_pick(HART, NULL, false) == high);
    policy_wakeup(HART, low, high);
    CHECK(policy_pick(HART, high, true) == high);
    CHECK(low->queued);
    CHECK(policy_pick(HART, high, false) == low);
}

static void test_blocking_caller_hands_over_to_woken_equal_priority_thread(void)
{
    /* seL4's direct switch: a Call to a waiting server of equal priority runs the server next,
     * even when another thread of that priority was queued first */
    reset();
    struct sched_thread *client = make(0, 50), *queued = make(1, 50), *server = make(2, 50);
    policy_wakeup(HART, client, NULL);
    CHECK(policy_pick(HART, NULL, false) == client);
    policy_wakeup(HART, queued, client);
    CHECK(policy_pick(HART, client, true) == client);
    policy_wakeup(HART, server, client);
    CHECK(policy_pick(HART, client, false) == server);
    CHECK(policy_pick(HART, server, false) == queued);
}

static void test_candidate_below_queued_priority_waits(void)
{
    reset();
    struct sched_thread *top = make(0, 90), *mid = make(1, 60), *caller = make(2, 100);
    policy_wakeup(HART, caller, NULL);
    CHECK(policy_pick(HART, NULL, false) == caller);
    policy_wakeup(HART, top, caller);
    CHECK(policy_pick(HART, caller, true) == caller);
    policy_wakeup(HART, mid, caller);
    CHECK(policy_pick(HART, caller, false) == top);
    CHECK(policy_pick(HART, top, false) == mid);
}

static void test_remove_takes_thread_out_of_queue(void)
{
    reset();
    struct sched_thread *a = make(0, 40), *b = make(1, 40);
    policy_wakeup(HART, a, NULL);
    policy_wakeup(HART, b, NULL);
    policy_remove(a);
    CHECK(!a->queued);
    CHECK(policy_pick(HART, NULL, false) == b);
    CHECK(policy_pick(HART, b, false) == NULL);
    policy_wakeup(HART, a, NULL);
    policy_remove(a); /* removing the pending candidate */
    CHECK(policy_pick(HART, NULL, false) == NULL);
}

static void test_highest_bit_matches_a_plain_scan(void)
{
    for (unsigned b = 0; b < 64; b++) {
        CHECK(highest_bit(1ull << b) == b);
        CHECK(highest_bit((1ull << b) | 1) == b);
        CHECK(highest_bit(~0ull >> (63 - b)) == b);
    }
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 10000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t v = x >> (x & 63);
        if (!v) continue;
        unsigned top = 63;
        while (!(v >> top)) top--;
        CHECK(highest_bit(v) == top);
    }
}

/* The fastpath's bitmap questions agree with the highest priority found. */
static void test_bitmap_questions_match_the_highest(void)
{
    uint64_t x = 0x2545f4914f6cdd1dull;
    for (int i = 0; i < 2000; i++) {
        struct prio_bitmap b = {0};
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        for (unsigned n = (unsigned)(x % 5); n; n--) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            prio_bitmap_set(&b, (unsigned)(x % 256));
        }
        int highest = prio_bitmap_highest(&b);
        for (unsigned p = 0; p < 256; p++) {
            CHECK(prio_bitmap_any_at_or_above(&b, p) == (highest >= (int)p));
            CHECK(prio_bitmap_any_above(&b, p) == (highest > (int)p));
            int vs = highest > (int)p ? 1 : highest == (int)p ? 0 : -1;
            CHECK(prio_bitmap_highest_vs(&b, p) == vs);
        }
    }
}

/* The fastpath's question (policy_may_switch_directly) against the slow path's answer: `from` runs,
 * another thread is queued at each priority (or none), and `to` wakes at each priority while
 * `from` blocks. The answer must be exactly whether wakeup + pick run `to`. The core asks only
 * while no decision is due, and rr's answer takes for granted that it then holds no candidate
 * and no reschedule: test_every_wakeup_asks_for_a_decision. */
static void test_direct_switch_agrees_with_wakeup_and_pick(void)
{
    static const int prios[] = {0, 10, 99, 100, 101, 200, 255};
    const int n = (int)(sizeof prios / sizeof prios[0]);
    int direct_seen = 0, refused_seen = 0;
    for (int q = -1; q < n; q++)
        for (int f = 0; f < n; f++)
            for (int w = 0; w < n; w++) {
                reset();
                struct sched_thread *from = make(0, prios[f]), *to = make(1, prios[w]);
                policy_wakeup(HART, from, NULL);
                if (q >= 0) policy_wakeup(HART, make(2, prios[q]), NULL);
                /* only a state rr reaches: the running thread is the one it picked */
                if (policy_pick(HART, NULL, false) != from) continue;
                bool direct = policy_may_switch_directly(HART, from, to, true);
                policy_wakeup(HART, to, from);
                struct sched_thread *next = policy_pick(HART, from, false);
                CHECK(direct == (next == to));
                direct ? direct_seen++ : refused_seen++;
            }
    CHECK(direct_seen > 0 && refused_seen > 0);
}

/* rr holds a candidate or a reschedule only after a wakeup, a slice's end or a priority change
 * (policy_reschedule), and the core follows the last two with a decision: every wakeup must ask
 * for one too, whatever rr holds already, so that none is pending while no decision is due. */
static void test_every_wakeup_asks_for_a_decision(void)
{
    static const int prios[] = {0, 100, 255};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            for (int held = 0; held < 3; held++) {
                reset();
                struct sched_thread *running = make(0, prios[a]);
                CHECK(policy_wakeup(HART, running, NULL));
                CHECK(policy_pick(HART, NULL, false) == running);
                if (held == 1) CHECK(policy_wakeup(HART, make(2, prios[b]), running));
                if (held == 2) policy_reschedule(HART);
                CHECK(policy_wakeup(HART, make(1, prios[b]), running));
            }
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
    RUN(test_strict_priority_order);
    RUN(test_priorities_across_bitmap_words);
    RUN(test_fifo_rotation_on_slice_expiry);
    RUN(test_slice_is_charged_and_refilled);
    RUN(test_yield_goes_to_tail_and_keeps_slice);
    RUN(test_higher_priority_wakeup_preempts_and_victim_keeps_head);
    RUN(test_lower_priority_wakeup_does_not_preempt);
    RUN(test_blocking_caller_hands_over_to_woken_equal_priority_thread);
    RUN(test_candidate_below_queued_priority_waits);
    RUN(test_remove_takes_thread_out_of_queue);
    RUN(test_highest_bit_matches_a_plain_scan);
    RUN(test_bitmap_questions_match_the_highest);
    RUN(test_direct_switch_agrees_with_wakeup_and_pick);
    RUN(test_every_wakeup_asks_for_a_decision);
    return check_summary();
}
