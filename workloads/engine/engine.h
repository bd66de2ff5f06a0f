/*
 * The workload engine: one root task that runs any compiled spec (table.h). root_task.c sets
 * the workload up and supervises it, interpret.c is what every workload thread runs, sync.c the
 * user-level lock and barrier, pager.c the demand pager, objects.c the kernel objects.
 */
#ifndef WORKLOAD_ENGINE_H
#define WORKLOAD_ENGINE_H

#include "table.h"
#include <schedlab/process.h>
#include <schedlab/thread.h>
#include <stdbool.h>

#define ENGINE_THREAD_MAX (THREAD_MAX - 1) /* one thread is kept for the pager */
#define ENGINE_OBJECT_MAX 32               /* per kind of named object */
/* Every thread's working set lives at its own place in a private window of the address space. */
#define WORKING_SET_BASE   0x1000000000ul
#define WORKING_SET_STRIDE 0x1000000ul /* so at most 16 MiB each */
/* Label of the message a finished workload thread sends to the supervisor; faults carry seL4's
 * fault labels (1..5) on the same endpoint. */
#define DONE_LABEL 0x5d0e

struct workload_thread {
    const struct wl_group *group;
    unsigned index_in_group, id;
    seL4_CPtr tcb;
    seL4_CPtr wake;                /* its own notification: barrier wake-ups */
    const struct process *process; /* its own address space, or 0: the root task's */
    uint8_t *working_set;
    uint64_t working_set_bytes;
    struct thread thread;
    char name[24];
};

struct barrier {
    uint32_t arrived, parties;
    unsigned participants[ENGINE_THREAD_MAX]; /* workload_thread ids */
};

/* Set up by main before any workload thread starts; read-only afterwards (barriers aside). */
struct engine {
    unsigned harts;
    bool extensions; /* use the affinity-mask and working-set system calls */
    uint64_t start_ns;
    struct workload_thread threads[ENGINE_THREAD_MAX];
    unsigned nthreads;
    seL4_CPtr objects[WL_OBJECT_KINDS][ENGINE_OBJECT_MAX];
    struct barrier barriers[ENGINE_OBJECT_MAX];
    seL4_CPtr done_ep, pager_ep;
    struct process processes[ENGINE_OBJECT_MAX]; /* one per thread group with its own space */
};

extern struct engine engine;

static inline uint64_t value_of(uint16_t index) { return wl_spec.values[index].value; }

/* params.c: apply the boot-argument overrides and print what will run. */
void params_apply(unsigned harts);
void params_print(void);

/* objects.c: the endpoints, notifications, locks and barriers the spec names. */
int objects_create(void);

/* interpret.c: the body of every workload thread. */
void interpret(void *workload_thread);

/* sync.c */
void lock_acquire(seL4_CPtr lock);
void lock_release(seL4_CPtr lock);
void barrier_wait(struct barrier *b, const struct workload_thread *self);

/* pager.c: serve the page faults of "paged" threads from a pool of `frames` frames. */
int pager_start(uint64_t frames, seL4_Word priority);
unsigned pager_faults_served(void);

#endif
