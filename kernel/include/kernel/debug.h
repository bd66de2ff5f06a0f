/* Kernel introspection for people debugging a workload or a policy. */
#ifndef KERNEL_DEBUG_H
#define KERNEL_DEBUG_H

#include <kernel/object.h>

/* Every live thread is on one list (seL4 debug builds keep the same). */
void debug_thread_created(struct tcb *t);
void debug_thread_destroyed(struct tcb *t);
/* The first of the list (then t->all_next). */
struct tcb *debug_first_thread(void);
/* Print every thread: id, name, state, priority, what it waits for (seL4 DumpScheduler). */
void debug_dump_threads(void);

#endif
