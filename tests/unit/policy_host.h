/* What the kernel core provides to a policy, for policies compiled into host tests: migrations
 * are recorded here instead of in the trace, so tests can check which moves a policy made. */
#ifndef TESTS_POLICY_HOST_H
#define TESTS_POLICY_HOST_H

#include <sched/sched.h>

#define MIGRATION_LOG_MAX 256

struct migration {
    const struct sched_thread *thread;
    unsigned from, to;
    enum trace_migrate_reason why;
};

extern struct migration migration_log[MIGRATION_LOG_MAX];
extern unsigned migration_count;

/* Forget the recorded migrations. */
void migration_log_clear(void);

#endif
