/* SchedLab's sleep extension: threads blocked until an absolute time, woken by the timer. */
#ifndef KERNEL_SLEEP_H
#define KERNEL_SLEEP_H

#include <kernel/object.h>

void sleep_until(struct tcb *t, uint64_t deadline_ns);
void sleep_cancel(struct tcb *t);
/* Wake every sleeper whose deadline is <= now. */
void sleep_wake_due(unsigned hart, uint64_t now);
/* The earliest deadline of a thread sleeping on `hart` (UINT64_MAX if none). */
uint64_t sleep_next_deadline(unsigned hart);

#endif
