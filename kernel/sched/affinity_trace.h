/*
 * affinity's own trace records (TRACE_POLICY, include/schedlab/trace.h), read by the decoder
 * (analysis/trace_format.py) as trace.h is: keep one `X(NAME, kind, "tid", "a", "b", "value")`
 * row per kind, each quoted string naming what that POLICY field holds ("" = unused).
 *
 * BALANCE: one periodic balancing of the recording hart (rule 4 of affinity.c): the busiest
 * other hart and what it saw (runnable threads, queued + running, on this hart and on that one)
 * before it moved anything, and how many queued threads it pulled (each also a MIGRATE record,
 * reason BALANCE).
 */
#ifndef SCHED_AFFINITY_TRACE_H
#define SCHED_AFFINITY_TRACE_H

#define POLICY_TRACE_EVENTS(X) X(BALANCE, 1, "busiest_hart", "load", "busiest_load", "moved")

#endif
