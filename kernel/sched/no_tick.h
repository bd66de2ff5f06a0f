/*
 * The timed-work hooks of a policy that has none: it never moves queued threads between harts
 * on a period (rr keeps seL4's affinity; tstune places a thread only when it wakes) and has no
 * deadlines of its own. Include it once, from the policy's own file: it defines the two
 * functions the core calls.
 */
#ifndef SCHED_NO_TICK_H
#define SCHED_NO_TICK_H

#include <sched/sched.h>

struct hartmask policy_tick(unsigned hart, uint64_t now, struct sched_thread *running)
{
    (void)hart;
    (void)now;
    (void)running;
    return hartmask_none();
}

uint64_t policy_next_tick(unsigned hart)
{
    (void)hart;
    return UINT64_MAX;
}

#endif
