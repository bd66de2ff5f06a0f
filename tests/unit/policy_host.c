#include "policy_host.h"

#include <stddef.h>

struct migration migration_log[MIGRATION_LOG_MAX];
unsigned migration_count;
struct policy_record policy_log[POLICY_LOG_MAX];
unsigned policy_log_count;

void migration_log_clear(void) { migration_count = 0; }

void policy_log_clear(void) { policy_log_count = 0; }

unsigned policy_log_count_kind(uint16_t kind)
{
    unsigned n = 0;
    for (unsigned i = 0; i < policy_log_count; i++) n += policy_log[i].kind == kind;
    return n;
}

void sched_migrate(struct sched_thread *t, unsigned to, enum trace_migrate_reason why)
{
    if (migration_count < MIGRATION_LOG_MAX)
        migration_log[migration_count++] = (struct migration){t, t->hart, to, why};
    t->hart = (uint8_t)to;
}

void sched_trace_policy(uint16_t kind, uint32_t tid, uint32_t a, uint32_t b, uint64_t value)
{
    if (policy_log_count < POLICY_LOG_MAX)
        policy_log[policy_log_count++] = (struct policy_record){kind, tid, a, b, value};
}

/* the same record: the direct switch comparison (direct_switch_mismatches) checks it is */
void sched_trace_policy_at_switch(uint16_t kind, uint32_t tid, uint32_t a, uint32_t b,
                                  uint64_t value)
{
    sched_trace_policy(kind, tid, a, b, value);
}

/* ---- the IPC fastpath's policy steps against the slow path's calls ---- */

#define DIRECT_THREADS 4
#define AFTER_PICKS    8

/* (not `queued`: a thread the policy holds as its candidate, candidate.h, is queued only in effect
 * until the queues are next used; the state after the later wakeups compares it) */
struct thread_state {
    int64_t slice_left[DIRECT_THREADS];
    uint64_t policy[DIRECT_THREADS][SCHED_POLICY_WORDS];
};

struct direct_outcome {
    uint32_t next, later[AFTER_PICKS];
    uint64_t slice; /* the next thread's, as the switch leaves it (policy_switched_directly's) */
    struct thread_state at_switch; /* right after it, before anything else happens */
    int64_t slice_left[DIRECT_THREADS];
    uint64_t policy[DIRECT_THREADS][SCHED_POLICY_WORDS];
    bool queued[DIRECT_THREADS];
    unsigned records;
    struct policy_record record[16];
};

static struct sched_thread direct_thread[DIRECT_THREADS];

static void save_state(struct thread_state *s)
{
    for (unsigned i = 0; i < DIRECT_THREADS; i++) {
        s->slice_left[i] = direct_thread[i].slice_left_ns;
        for (unsigned k = 0; k < SCHED_POLICY_WORDS; k++)
            s->policy[i][k] = direct_thread[i].policy[k];
    }
}

static bool same_state(const struct thread_state *a, const struct thread_state *b)
{
    for (unsigned i = 0; i < DIRECT_THREADS; i++) {
        if (a->slice_left[i] != b->slice_left[i]) return false;
        for (unsigned k = 0; k < SCHED_POLICY_WORDS; k++)
            if (a->policy[i][k] != b->policy[i][k]) return false;
    }
    return true;
}

/* One run: `from` (prio f) runs, a thread of prio q is queued (none if q < 0; `late`: woken while
 * `from` runs, asking for no decision, so it may still be the hart's candidate, candidate.h), a
 * thread of prio f waits to be woken later, then `from` blocks and wakes `to` (prio w) through
 * the fastpath's steps (`fast`) or the slow path's calls, and the hart goes on for a while.
 * False: the fastpath refused (or the arrangement is not one the policy reaches). */
static bool direct_run(int q, int f, int w, bool late, bool fast, struct direct_outcome *out)
{
    policy_init(1, 0);
    policy_log_clear();
    const int prio[DIRECT_THREADS] = {f, w, q < 0 ? 0 : q, f};
    for (unsigned i = 0; i < DIRECT_THREADS; i++) {
        direct_thread[i] = (struct sched_thread){.tid = i + 1, .prio = (uint8_t)prio[i]};
        direct_thread[i].affinity = hartmask_one(0);
        policy_thread_init(&direct_thread[i]);
        direct_thread[i].affinity = hartmask_one(0);
    }
    struct sched_thread *from = &direct_thread[0], *to = &direct_thread[1];
    policy_wakeup(0, from, NULL);
    if (q >= 0 && !late) policy_wakeup(0, &direct_thread[2], NULL);
    if (policy_pick(0, NULL, false) != from) return false;
    /* (a wakeup that asks for a decision leaves none due to the fastpath: the core asks none) */
    if (q >= 0 && late && policy_wakeup(0, &direct_thread[2], from)) return false;
    policy_charge(from, 1000);
    struct sched_thread *next;
    uint64_t slice;
    if (fast) {
        if (!policy_may_switch_directly(0, from, to, true)) return false;
        slice = policy_switched_directly(0, from, to, 500);
        next = to;
    } else {
        policy_wakeup(0, to, from);
        policy_charge(from, 500);
        next = policy_pick(0, from, false);
        slice = next ? policy_slice_ns(next) : 0;
    }
    *out = (struct direct_outcome){.next = next ? next->tid : 0, .slice = slice};
    save_state(&out->at_switch);
    /* the rest of the run: the others wake, slices end */
    struct sched_thread *running = next;
    policy_wakeup(0, from, running);
    policy_wakeup(0, &direct_thread[3], running);
    for (unsigned i = 0; i < AFTER_PICKS && running; i++) {
        policy_charge(running, policy_slice_ns(running));
        policy_slice_expired(0, running);
        running = policy_pick(0, running, true);
        out->later[i] = running ? running->tid : 0;
    }
    for (unsigned i = 0; i < DIRECT_THREADS; i++) {
        out->slice_left[i] = direct_thread[i].slice_left_ns;
        for (unsigned k = 0; k < SCHED_POLICY_WORDS; k++)
            out->policy[i][k] = direct_thread[i].policy[k];
        out->queued[i] = direct_thread[i].queued;
    }
    out->records = policy_log_count < 16 ? policy_log_count : 16;
    for (unsigned i = 0; i < out->records; i++) out->record[i] = policy_log[i];
    return true;
}

static bool same_outcome(const struct direct_outcome *a, const struct direct_outcome *b)
{
    if (a->next != b->next || a->slice != b->slice || a->records != b->records) return false;
    if (!same_state(&a->at_switch, &b->at_switch)) return false;
    for (unsigned i = 0; i < AFTER_PICKS; i++)
        if (a->later[i] != b->later[i]) return false;
    for (unsigned i = 0; i < DIRECT_THREADS; i++) {
        if (a->slice_left[i] != b->slice_left[i] || a->queued[i] != b->queued[i]) return false;
        for (unsigned k = 0; k < SCHED_POLICY_WORDS; k++)
            if (a->policy[i][k] != b->policy[i][k]) return false;
    }
    for (unsigned i = 0; i < a->records; i++) {
        const struct policy_record *x = &a->record[i], *y = &b->record[i];
        if (x->kind != y->kind || x->tid != y->tid || x->a != y->a || x->b != y->b ||
            x->value != y->value)
            return false;
    }
    return true;
}

unsigned direct_switch_mismatches(unsigned *taken)
{
    static const int prios[] = {0, 10, 99, 100, 101, 200, 255};
    const int n = (int)(sizeof prios / sizeof prios[0]);
    unsigned bad = 0;
    *taken = 0;
    for (int late = 0; late < 2; late++)
        for (int q = -1; q < n; q++)
            for (int f = 0; f < n; f++)
                for (int w = 0; w < n; w++) {
                    int qp = q < 0 ? -1 : prios[q];
                    struct direct_outcome fast, slow;
                    bool taken_here = direct_run(qp, prios[f], prios[w], late, true, &fast);
                    if (!direct_run(qp, prios[f], prios[w], late, false, &slow)) continue;
                    if (!taken_here) continue;
                    (*taken)++;
                    if (!same_outcome(&fast, &slow) || fast.next != 2) bad++;
                }
    return bad;
}

unsigned yielded_thread_with_a_new_priority_misplaced(struct sched_thread *t,
                                                      struct sched_thread *other,
                                                      struct sched_thread *top)
{
    unsigned failed = 0;
    other->prio = 80;
    top->prio = 200; /* only to wake `other` without preempting */
    policy_wakeup(0, t, NULL);
    failed += policy_pick(0, NULL, false) != t;
    failed += policy_wakeup(0, other, top);
    policy_yield(0, t);
    policy_remove(t);
    t->prio = 80;
    failed += !policy_wakeup(0, t, NULL);
    failed += policy_pick(0, t, true) != other;
    failed += policy_pick(0, other, false) != t;
    return failed;
}
