#include "policy_host.h"

struct migration migration_log[MIGRATION_LOG_MAX];
unsigned migration_count;

void migration_log_clear(void) { migration_count = 0; }

void sched_migrate(struct sched_thread *t, unsigned to, enum trace_migrate_reason why)
{
    if (migration_count < MIGRATION_LOG_MAX)
        migration_log[migration_count++] = (struct migration){t, t->hart, to, why};
    t->hart = (uint8_t)to;
}
