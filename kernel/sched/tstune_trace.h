/*
 * tstune's own trace records (TRACE_POLICY, include/schedlab/trace.h), read by the decoder
 * (analysis/trace_format.py) as trace.h is: keep one `X(NAME, kind, "tid", "a", "b", "value")`
 * row per kind, each quoted string naming what that POLICY field holds ("" = unused), and
 * enums of one `NAME = value,` per line.
 *
 * SLICE: the slice chosen for thread `tid` when a decision runs it: `slice_ns` by the formula at
 * the top of tstune.c, from `nr` (runnable threads of its priority on the hart, it included) and
 * `bound`, the term that decided it. Recorded when the core asks the slice (policy_slice_ns,
 * once per decision: after the decision's SWITCH) or at a direct switch (its instant).
 */
#ifndef SCHED_TSTUNE_TRACE_H
#define SCHED_TSTUNE_TRACE_H

#define POLICY_TRACE_EVENTS(X) X(SLICE, 1, "tid", "nr", "bound", "slice_ns")

/* Which term of the formula decided a slice (SLICE bound). */
enum tstune_slice_bound {
    TSTUNE_SLICE_FAIR = 0,  /* target latency / nr */
    TSTUNE_SLICE_BURST = 1, /* twice the thread's burst (average or current), below fair */
    TSTUNE_SLICE_FLOOR = 2, /* the floor: min granularity or the switch-overhead bound */
};

#endif
