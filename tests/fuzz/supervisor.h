/*
 * The supervisor: the root task. It builds the workers, rebuilds the ones that stop, and checks
 * continually that the kernel still keeps its promises. Everything here runs in the root task's
 * own VSpace and CSpace, which no worker can reach.
 */
#ifndef FUZZ_SUPERVISOR_H
#define FUZZ_SUPERVISOR_H

#include "fuzz.h"
#include "rng.h"

#include <schedlab/alloc.h>
#include <schedlab/runtime.h>
#include <schedlab/sys.h>
#include <stdbool.h>

#define ROOT seL4_CapInitThreadCNode

/* Priorities: every supervisor thread is above anything a worker can reach (its MCP). */
#define PACER_PRIO      255 /* keeps timer deadlines near (watchdog.c) */
#define WATCHDOG_PRIO   255 /* above the supervisor: its lateness is the kernel's alone */
#define SUPERVISOR_PRIO 254
#define RESPONDER_PRIO  250
#define PROBE_PRIO      140
#define HANDLER_PRIO    130
#define WORKER_MCP      120
#define WORKER_PRIO     100

/* Exit statuses of the root task (the kernel's own start at 96). */
#define FUZZ_STATUS_FAILED 3

#define MS 1000000ull
#define US 1000ull

struct fuzz_params {
    uint64_t seed, calls;
    unsigned nworkers, nharts;
};
extern struct fuzz_params params;
extern uint64_t supervisor_rng;

/* Stop the run: a check failed, the kernel misbehaved, or the run hangs. Prints the reason. */
_Noreturn void fuzz_fail(const char *check, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#define REQUIRE(cond, check, ...)                                                                  \
    do {                                                                                           \
        if (!(cond)) fuzz_fail(check, __VA_ARGS__);                                                \
    } while (0)
/* A supervisor invocation that must succeed: its failure is the kernel's. */
#define MUST(call) must_succeed((call), #call, __LINE__)
void must_succeed(seL4_Error e, const char *what, int line);

/* What the supervisor is doing, for the watchdog's report of a hang. */
extern volatile const char *supervisor_phase;
extern volatile uint64_t supervisor_heartbeat_ns;

/* Threads of the supervisor (sup_threads.c): in the root task's VSpace and CSpace, pinned. */
struct sup_thread {
    seL4_CPtr tcb;
    seL4_Word stack_top;
    seL4_IPCBuffer *ipc;
};
typedef void (*sup_thread_fn)(seL4_Word arg);
bool sup_thread_start(struct sup_thread *t, const char *name, sup_thread_fn fn, seL4_Word arg,
                      seL4_Word prio, unsigned hart, seL4_CPtr fault_ep);
/* Start it afresh at fn (it may be blocked, e.g. on a fault reply). */
seL4_Error sup_thread_restart(const struct sup_thread *t, sup_thread_fn fn, seL4_Word arg);

/* The workers (workers.c). */
struct worker {
    unsigned index;
    bool built;
    struct worker_page *page; /* the worker page as the supervisor sees it */
    seL4_CPtr untyped;        /* everything of one generation comes from here */
    seL4_CPtr device_untyped; /* its device memory comes from here */
    seL4_CPtr cnode;          /* the original cap of its CNode */
    seL4_CPtr handler_tcb;
    seL4_CPtr poke, poke_badged;           /* bound to the handler: restart a stuck fuzz thread */
    seL4_CPtr scratch_vspace, scratch_tcb; /* until moved into its CNode */
    seL4_CPtr page_tables;                 /* 4 slots */
    seL4_CPtr code_frames;                 /* read-only copies of our text, one per page */
    seL4_CPtr data_frames;                 /* WORKER_DATA_PAGES frames of ours, kept */
    uint64_t started_ns, seen_calls, progress_ns, generation_end_calls;
    bool poked;
    unsigned looks_since_poke;
};
extern struct worker workers[FUZZ_MAX_WORKERS];

struct fuzz_totals {
    uint64_t calls, replies[FUZZ_ERROR_KINDS], faults[FUZZ_FAULT_KINDS];
    uint64_t restarts, pokes, restart_failures, corrupt_pages;
    uint64_t rebuilds_stalled, rebuilds_scheduled, rebuilds_reported;
};
extern struct fuzz_totals totals;

void workers_init(const seL4_BootInfo *bi);
void worker_build(struct worker *w);
/* Calls issued so far, counting the current generations. */
uint64_t workers_calls(void);
/* Rebuild the workers that stopped, finished their generation or reported a fault. */
void workers_supervise(uint64_t now);
/* Stop every worker for good (their memory revoked). */
void workers_destroy(void);
/* One line per worker: what it was doing, for a failure report. */
void workers_diagnose(void);
seL4_CPtr supervisor_endpoint(void);
/* The badged copies of the doomed notification go into slot WS_DOOMED of every worker. */
void workers_give_doomed(seL4_CPtr doomed, seL4_Word badge);

/* The checks, each in its own file; each returns when it passed and fails the run if not. */
struct check_counts {
    uint64_t ping, revoke, frames, census, unmap, stop, affinity;
};
extern struct check_counts checks_passed;
void check_ipc_init(void);
void check_ipc(void);
void check_revoke_init(void);
void check_revoke(void);
void check_frames_init(void);
void kept_frame_add(seL4_CPtr frame);
void check_frames_image(const seL4_BootInfo *bi); /* our image's frames, for the census */
void check_frames(void);
void check_census(void);
void check_unmap(void);
void check_stop_init(void);
void check_stop(void);
void check_affinity_init(void);
void check_affinity(void);
void watchdog_init(void);
uint64_t watchdog_max_lateness_ns(void);

#endif
