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
#define ENGINE_OBJECT_MAX 32               /* per kind of named object, and thread groups */
#define ROOT_PRIORITY     seL4_MaxPrio     /* the root task's: it outranks every workload thread */
#define ROOT_STREAM       0xffffffffull    /* the root task's random stream (group counts) */
/* Every thread's working set lives at its own place in a private window of the address space. */
#define WORKING_SET_BASE   0x1000000000ul
#define WORKING_SET_STRIDE 0x1000000ul /* so at most 16 MiB each */
/* Label of the message a finished workload thread sends to the supervisor; faults carry seL4's
 * fault labels (1..5) on the same endpoint. */
#define DONE_LABEL 0x5d0e

/* A xoshiro256** state: one random stream (draw.c). */
struct rng {
    uint64_t s[4];
};

struct workload_thread {
    const struct wl_group *group;
    unsigned index_in_group, id;
    unsigned start_hart; /* where it starts (placement), a hart its mask allows */
    uint64_t mask;       /* the harts it may run on once started (0: start_hart only) */
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
    uint32_t generation;                      /* rounds opened so far */
    uint64_t released_ns;                     /* when the last party of the latest round arrived */
    unsigned participants[ENGINE_THREAD_MAX]; /* workload_thread ids */
    uint32_t sleeping[ENGINE_THREAD_MAX];     /* per participant: blocked, or about to block (words:
                                                 RV64A has no byte atomics) */
};

/* Where threads of groups with affinity "all" start (engine.placement). */
enum placement {
    PLACEMENT_SPREAD,  /* thread i of all such threads on hart i mod harts, mask still all */
    PLACEMENT_CREATOR, /* seL4's rule: on its creator's hart (the root task's) */
};

/* Set up by main before any workload thread starts; read-only afterwards (barriers and the
 * spawn instants aside). */
struct engine {
    unsigned harts;
    bool extensions; /* use the affinity-mask and working-set system calls */
    enum placement placement;
    uint64_t seed;
    uint64_t start_ns;                      /* when the boot groups became due */
    uint64_t spawned_ns[ENGINE_OBJECT_MAX]; /* per group: when a spawn phase started it */
    struct workload_thread threads[ENGINE_THREAD_MAX];
    unsigned nthreads;
    seL4_CPtr objects[WL_OBJECT_KINDS][ENGINE_OBJECT_MAX];
    /* notifications and locks: a copy with badge 1 that every signal goes through, so a poll
     * tells a pending signal (badge 1) from none (0) */
    seL4_CPtr signallers[WL_OBJECT_KINDS][ENGINE_OBJECT_MAX];
    struct barrier barriers[ENGINE_OBJECT_MAX];
    seL4_CPtr done_ep, pager_ep;
    struct process processes[ENGINE_OBJECT_MAX]; /* one per thread group with its own space */
};

extern struct engine engine;

static inline uint64_t value_of(uint16_t index) { return wl_spec.values[index].value; }

/* plan.c: the thread table (engine.threads) from the spec, drawing group counts from
 * `root_rng`; `root_hart` is where the creator runs. -> 0, or 1 after saying what is wrong. */
/* plan.c: t on its start hart, with its mask (both calls always); the refused kind or NULL. */
const char *engine_place(const struct workload_thread *t);
int threads_plan(struct rng *root_rng, unsigned root_hart);
/* Say "<workload>: FAILED: <what>" -> 1 */
int engine_fail(const char *what);

/* params.c: apply the boot-argument overrides, read the engine's own, print what will run. */
int params_apply(unsigned harts);
void params_print(void);

/* draw.c: a thread's random stream, and a quantity (table.h) drawn from it. */
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct rng *r);
uint64_t draw(struct rng *r, uint16_t quantity);
int quantities_check(void);

/* objects.c: the endpoints, notifications, locks and barriers the spec names. */
int objects_create(void);

/* interpret.c: the body of every workload thread. */
void interpret(void *workload_thread);

/* sync.c */
/* -> true if it blocked (the signal or lock was not there yet) */
bool notification_take(seL4_CPtr notification);
static inline bool lock_acquire(seL4_CPtr lock) { return notification_take(lock); }
void lock_release(seL4_CPtr lock);
/* Wait for every party of b, spinning up to spin_ns before blocking (0: block at once).
 * -> the instant the barrier opened (its last party arrived) */
uint64_t barrier_wait(struct barrier *b, const struct workload_thread *self, uint64_t spin_ns);

/* pager.c: serve the page faults of "paged" threads from a pool of `frames` frames. */
int pager_start(uint64_t frames, seL4_Word priority);
unsigned pager_faults_served(void);

#endif
