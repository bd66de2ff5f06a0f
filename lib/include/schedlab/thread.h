/* Threads in the root task's address space and CSpace. */
#ifndef SCHEDLAB_THREAD_H
#define SCHEDLAB_THREAD_H

#include <sel4/sel4.h>

#define THREAD_MAX        64
#define THREAD_STACK_SIZE 8192

typedef void (*thread_fn)(void *arg);

struct thread {
    seL4_CPtr tcb;
    seL4_IPCBuffer *ipc_buffer;
};

/* Start fn(arg) in a new thread with seL4 priority `prio`; returns 0 on success. When fn returns
 * the thread suspends itself. */
int thread_start(struct thread *t, const char *name, seL4_Word prio, thread_fn fn, void *arg);

#endif
