/*
 * The balancing hooks of a policy that never moves queued threads between harts (rr and mlfq
 * keep seL4's affinity; tstune places a thread only when it wakes). Include it once, from the
 * policy's own file: it defines the two functions the core calls.
 */
#ifndef SCHED_NO_BALANCING_H
#define SCHED_NO_BALANCING_H

#include <sched/sched.h>

uint64_t policy_balance(unsigned hart, uint64_t now)
{
    (void)hart;
    (void)now;
    return 0;
}

uint64_t policy_next_balance(unsigned hart)
{
    (void)hart;
    return UINT64_MAX;
}

#endif
