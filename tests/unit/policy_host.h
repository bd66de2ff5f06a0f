/* What the kernel core provides to a policy, for policies compiled into host tests: migrations
 * and policy trace records are recorded here instead of in the trace, so tests can check which
 * moves a policy made and what it said about its decisions. */
#ifndef TESTS_POLICY_HOST_H
#define TESTS_POLICY_HOST_H

#include <sched/sched.h>

#define MIGRATION_LOG_MAX 256
#define POLICY_LOG_MAX    1024

struct migration {
    const struct sched_thread *thread;
    unsigned from, to;
    enum trace_migrate_reason why;
};

/* One sched_trace_policy call: the fields of a TRACE_POLICY record. */
struct policy_record {
    uint16_t kind;
    uint32_t tid, a, b;
    uint64_t value;
};

extern struct migration migration_log[MIGRATION_LOG_MAX];
extern unsigned migration_count;
extern struct policy_record policy_log[POLICY_LOG_MAX];
extern unsigned policy_log_count;

/* Is recorded policy record i exactly this one? */
static inline bool policy_log_is(unsigned i, uint16_t kind, uint32_t tid, uint32_t a, uint32_t b,
                                 uint64_t value)
{
    const struct policy_record *r = &policy_log[i];
    return i < policy_log_count && r->kind == kind && r->tid == tid && r->a == a && r->b == b &&
           r->value == value;
}

/* Forget the recorded migrations. */
void migration_log_clear(void);
/* Forget the recorded policy trace records. */
void policy_log_clear(void);
/* How many recorded policy records are of `kind`. */
unsigned policy_log_count_kind(uint16_t kind);

/* The IPC fastpath's policy steps (policy_may_switch_directly, policy_switched_directly) against
 * the slow path's calls (policy_wakeup, policy_pick), in every arrangement of a few priorities on
 * one hart: how many taken switches left a different outcome (the thread chosen, every later
 * pick, the threads' policy state and the policy's trace records); *taken counts the switches
 * the fastpath took. */
unsigned direct_switch_mismatches(unsigned *taken);

/* The core's sched_set_priority on a thread that yielded (it runs on hart 0, the policy holds
 * it): taken back and woken again as if its hart were idle, it must go to the tail of its new
 * priority, behind `other` queued there. t, other and top are fresh threads of hart 0 (the
 * policy initialised); returns how many of the scenario's checks failed. */
unsigned yielded_thread_with_a_new_priority_misplaced(struct sched_thread *t,
                                                      struct sched_thread *other,
                                                      struct sched_thread *top);

#endif
