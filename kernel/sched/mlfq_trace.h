/*
 * mlfq's own trace records (TRACE_POLICY, include/schedlab/trace.h), read by the decoder
 * (analysis/trace_format.py) as trace.h is: keep one `X(NAME, kind, "tid", "a", "b", "value")`
 * row per kind, each quoted string naming what that POLICY field holds ("" = unused), and
 * enums of one `NAME = value,` per line.
 *
 * LEVEL: thread `tid` moved from feedback level `from_level` to `to_level`, for `why`.
 * BOOST: boost number `boost` (rule 4 of mlfq.c) on the recording hart, due at `due_ns`
 * (boost * SCHED_MLFQ_BOOST_US); `raised` threads moved up to level 0 then (each also a LEVEL
 * record). Threads blocked at the boost are raised when next runnable (LEVEL, BOOST_CAUGHT_UP).
 */
#ifndef SCHED_MLFQ_TRACE_H
#define SCHED_MLFQ_TRACE_H

#define POLICY_TRACE_EVENTS(X)                                                                     \
    X(LEVEL, 1, "tid", "from_level", "to_level", "why")                                            \
    X(BOOST, 2, "", "boost", "raised", "due_ns")

/* Why a thread changed level (LEVEL why). */
enum mlfq_level_why {
    MLFQ_LEVEL_DEMOTED = 0,         /* it used up its allotment at its level (rule 2) */
    MLFQ_LEVEL_BOOSTED = 1,         /* raised at a boost, queued or running then (rule 4) */
    MLFQ_LEVEL_BOOST_CAUGHT_UP = 2, /* blocked at a boost: raised when next seen (rule 4) */
};

#endif
