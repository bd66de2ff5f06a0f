/* The simulator's stand-in for lib/include/schedlab/thread.h: what engine.h needs of it (a
 * workload thread's record holds a struct thread). */
#ifndef SIM_SCHEDLAB_THREAD_H
#define SIM_SCHEDLAB_THREAD_H

#include <schedlab/process.h>
#include <sel4/sel4.h>

/* The engine's thread table holds THREAD_MAX - 1 workload threads (engine.h); the kernel's
 * library has 64, the simulator room for 100,000 (issue 11's scale). */
#define THREAD_MAX 100001

typedef void (*thread_fn)(void *arg);

struct thread {
    seL4_CPtr tcb;
};

#endif
