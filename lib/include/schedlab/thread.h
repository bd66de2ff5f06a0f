/* Threads running this program's code, in its address space or in a process's (process.h). */
#ifndef SCHEDLAB_THREAD_H
#define SCHEDLAB_THREAD_H

#include <schedlab/process.h>
#include <sel4/sel4.h>

#define THREAD_MAX        64
#define THREAD_STACK_SIZE 8192

typedef void (*thread_fn)(void *arg);

struct thread {
    seL4_CPtr tcb;
    seL4_IPCBuffer *ipc_buffer;
};

/* How thread_create sets a thread up; a zeroed struct means thread_start's defaults. */
struct thread_options {
    const struct process *process; /* run in this process (0: in this program's VSpace) */
    seL4_CPtr fault_ep;            /* the TCB's fault endpoint CPtr (0: none) */
    int suspended;                 /* leave it suspended: seL4_TCB_Resume starts it */
};

/* Start fn(arg) in a new thread with seL4 priority `prio`; returns 0 on success. When fn returns
 * the thread suspends itself. */
int thread_start(struct thread *t, const char *name, seL4_Word prio, thread_fn fn, void *arg);
/* The same with options. */
int thread_create(struct thread *t, const char *name, seL4_Word prio, thread_fn fn, void *arg,
                  const struct thread_options *options);

#endif
