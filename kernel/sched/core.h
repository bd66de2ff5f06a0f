/*
 * The scheduler core: the kernel's only entry to scheduling. It tracks what runs on each hart,
 * calls the policy (sched.h) when a decision is due, charges CPU time, and records the
 * scheduling events of the trace.
 */
#ifndef SCHED_CORE_H
#define SCHED_CORE_H

#include <sched/sched.h>
#include <schedlab/trace.h>

void sched_init(unsigned nharts);
void sched_thread_init(struct sched_thread *t, uint32_t tid, uint8_t prio, unsigned hart);
/* The thread running on this hart (NULL when idle). */
struct sched_thread *sched_current(void);
/* t became runnable; `waker` (may be NULL) made it so. */
void sched_wake(struct sched_thread *t, struct sched_thread *waker, enum trace_wake_reason why);
/* t stopped being runnable (it may be this hart's running thread). */
void sched_block(struct sched_thread *t, enum trace_block_reason why);
/* The running thread calls seL4_Yield. */
void sched_yield(void);
void sched_set_priority(struct sched_thread *t, uint8_t prio);
/* Timer interrupt on this hart at time `now`. */
void sched_timer(uint64_t now);
/* Kernel exit: settle what this hart runs now (NULL = idle). */
struct sched_thread *sched_schedule(uint64_t now);
/* When the running thread's slice ends (UINT64_MAX when idle). */
uint64_t sched_slice_end(void);

/* Provided by the kernel's thread code: may t run (seL4's Running or Restart state)? */
bool thread_is_runnable(struct sched_thread *t);

#endif
