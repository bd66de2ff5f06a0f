#include "policy_host.h"

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
