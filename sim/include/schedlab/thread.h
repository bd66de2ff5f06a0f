/* The simulator's stand-in for lib/include/schedlab/thread.h: what engine.h needs of it (a
 * workload thread's record holds a struct thread). */
#ifndef SIM_SCHEDLAB_THREAD_H
#define SIM_SCHEDLAB_THREAD_H

#include <schedlab/process.h>
#include <sel4/sel4.h>

#define THREAD_MAX 64 /* as the root task's library: the engine's thread table is the same */

typedef void (*thread_fn)(void *arg);

struct thread {
    seL4_CPtr tcb;
};

#endif
