/*
 * A hart's candidate (seL4's SchedulerAction, for policies with FIFO queues): the thread woken
 * last is kept aside rather than queued, because the next decision usually runs it at once (the
 * one it asks for when it preempts, or the one its waker's blocking asks for, as in a Call), and
 * then it has touched no queue. The candidate stands for a thread at the tail of its queue, so
 * the policy's rules see exactly what appending it would give, provided that every use of the
 * queues its place there would change first puts it there (settle_candidate):
 *  - a look at the queues (a pick that does not take the candidate, a boost, a pull, a load that
 *    does not count it), or another tail insertion into them;
 *  - not a head insertion or the removal of another thread, which commute with appending it.
 * The policy's pick takes the candidate when nothing queued would come before it, else appends it
 * and picks as usual; its remove forgets it; its fastpath check counts it as queued. A candidate
 * may outlast the kernel entry that woke it (no decision was asked for): it waits for the next use
 * of the hart's queues.
 *
 * SCHED_CANDIDATE_OPS(type) defines, for a per-hart record `type` with a member
 * `struct sched_thread *candidate` and the policy's enqueue(type *h, t, bool at_head) and
 * dequeue(type *h, t):
 *   settle_candidate(h)  the candidate, if any, appended to its queue;
 *   enqueue_tail(h, t)   t appended, after the candidate (woken earlier);
 *   append_as_candidate(h, t)  t appended as the candidate, the one before it settled: a
 *                        woken thread, or a running one that yielded or used up its slice,
 *                        which the next decision then runs again without a queue operation
 *                        when nothing queued comes first (else policy_pick appends it);
 *   take_out(h, t)       t, held as the candidate or queued, no longer held (policy_remove).
 * Each is inline for the common case (no candidate) and calls out of line for the rare one, as a
 * tail call where it can, so that the common case saves no registers.
 */
#ifndef SCHED_CANDIDATE_H
#define SCHED_CANDIDATE_H

#include <sched/sched.h>

#define SCHED_CANDIDATE_OPS(type)                                                                  \
    static __attribute__((noinline)) void queue_candidate(type *h)                                 \
    {                                                                                              \
        struct sched_thread *c = h->candidate;                                                     \
        h->candidate = NULL;                                                                       \
        enqueue(h, c, false);                                                                      \
    }                                                                                              \
    static SCHED_ALWAYS_INLINE void settle_candidate(type *h)                                      \
    {                                                                                              \
        if (h->candidate) queue_candidate(h);                                                      \
    }                                                                                              \
    static __attribute__((noinline)) void enqueue_tail_after_candidate(type *h,                    \
                                                                       struct sched_thread *t)     \
    {                                                                                              \
        queue_candidate(h);                                                                        \
        enqueue(h, t, false);                                                                      \
    }                                                                                              \
    static SCHED_ALWAYS_INLINE void enqueue_tail(type *h, struct sched_thread *t)                  \
    {                                                                                              \
        if (h->candidate) {                                                                        \
            enqueue_tail_after_candidate(h, t);                                                    \
            return;                                                                                \
        }                                                                                          \
        enqueue(h, t, false);                                                                      \
    }                                                                                              \
    static __attribute__((noinline)) void candidate_after_candidate(type *h,                       \
                                                                    struct sched_thread *t)        \
    {                                                                                              \
        queue_candidate(h);                                                                        \
        h->candidate = t;                                                                          \
    }                                                                                              \
    static SCHED_ALWAYS_INLINE void append_as_candidate(type *h, struct sched_thread *t)           \
    {                                                                                              \
        if (h->candidate) {                                                                        \
            candidate_after_candidate(h, t);                                                       \
            return;                                                                                \
        }                                                                                          \
        h->candidate = t;                                                                          \
    }                                                                                              \
    static void take_out(type *h, struct sched_thread *t)                                          \
    {                                                                                              \
        if (h->candidate == t)                                                                     \
            h->candidate = NULL;                                                                   \
        else if (t->queued)                                                                        \
            dequeue(h, t);                                                                         \
    }

#endif
