/*
 * The fuzzer's shared picture: how a worker's address space and CSpace are laid out, and the
 * page through which a worker and the supervisor see each other's counters.
 *
 * A worker is a process of its own: a fuzz thread that issues seeded random system calls and a
 * handler thread that receives the fuzz thread's faults and restarts it. Both run the fuzzer's
 * own code (its text and read-only data, mapped read-only at the addresses the root task has),
 * with their stacks, IPC buffers and this page at fixed addresses. Worker code therefore uses no
 * global variable: everything it keeps is on its stack or in its page (check_worker_objects.sh
 * enforces that at build time).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <sel4/sel4.h>
#include <stdint.h>

#define FUZZ_MAX_WORKERS 8

/* Worker address space (Sv39). Unmapped pages between the pieces catch a stack overflow. */
#define WORKER_DATA_BASE    0x40000000ul
#define WORKER_PAGE_VADDR   (WORKER_DATA_BASE + 0x0000)
#define WORKER_IPC_VADDR    (WORKER_DATA_BASE + 0x1000) /* the fuzz thread's IPC buffer */
#define HANDLER_IPC_VADDR   (WORKER_DATA_BASE + 0x1800) /* the handler's, same frame */
#define WORKER_STACK_VADDR  (WORKER_DATA_BASE + 0x3000) /* two pages */
#define WORKER_STACK_TOP    (WORKER_DATA_BASE + 0x5000)
#define HANDLER_STACK_VADDR (WORKER_DATA_BASE + 0x6000) /* one page */
#define HANDLER_STACK_TOP   (WORKER_DATA_BASE + 0x7000)
#define WORKER_DATA_PAGES   5 /* page, IPC buffers, two stack pages, handler stack */
/* Where a worker maps frames and page tables of its own (no page tables there at first). */
#define WORKER_PLAY_BASE 0x80000000ul
#define WORKER_PLAY_SIZE 0x80000000ul

/*
 * Worker CSpace: one CNode of 2^WORKER_CNODE_BITS slots. Its CSpace root cap has a guard of
 * WORKER_GUARD_BITS zero bits, so a depth-64 cptr names root slot s as s << WORKER_SLOT_SHIFT and
 * the low WORKER_SLOT_SHIFT bits reach into a CNode held in that slot (two-level lookups).
 */
#define WORKER_CNODE_BITS 7
#define WORKER_SLOTS      (1u << WORKER_CNODE_BITS)
#define WORKER_SLOT_SHIFT 8
#define WORKER_GUARD_BITS (64 - WORKER_CNODE_BITS - WORKER_SLOT_SHIFT)
/* the depth at which (index = slot) names a root slot in CNode operations */
#define WORKER_SLOT_DEPTH (WORKER_GUARD_BITS + WORKER_CNODE_BITS)
#define WORKER_CPTR(slot) ((seL4_CPtr)(slot) << WORKER_SLOT_SHIFT)

enum worker_slot {
    WS_NULL,
    WS_CNODE,          /* its own CNode (a copy with the guard) */
    WS_TCB,            /* the fuzz thread's TCB: the only cap to it (the supervisor keeps none) */
    WS_VSPACE,         /* its VSpace root: likewise the only cap besides the threads' own */
    WS_UNTYPED,        /* memory of its own to retype */
    WS_UNTYPED_4K,     /* a 4 KiB untyped (what ASIDControl MakePool wants) */
    WS_DEVICE_UNTYPED, /* device memory with no device behind it */
    WS_EP_SHARED,      /* an endpoint every worker has (all rights) */
    WS_EP_BADGED,      /* the same endpoint, badged with the worker's number */
    WS_NTFN_SHARED,    /* a notification every worker has */
    WS_EP_OWN,         /* an endpoint of its own */
    WS_NTFN_OWN,       /* a notification of its own */
    WS_FRAME,          /* a frame, unmapped */
    WS_FRAME2,         /* another one */
    WS_PAGE_TABLE,     /* a page table, unmapped */
    WS_ASID_POOL,      /* a pool the supervisor made for the workers */
    WS_ASID_CONTROL,   /* a copy of the root task's */
    WS_IRQ_HANDLER,    /* a handler for an interrupt with no device behind it */
    WS_DOMAIN,         /* a copy of the root task's */
    WS_DOOMED,         /* a copy of a notification the supervisor revokes in its checks */
    /* the fault path: the fuzzer aims at these only through near-valid and random cptrs */
    WS_FAULT_EP,      /* the fuzz thread's fault endpoint (badged FAULT_BADGE) */
    WS_HANDLER_EP,    /* the same endpoint, for the handler to receive on */
    WS_SUPERVISOR_EP, /* the handler's fault endpoint: the supervisor's, badged */
    WS_OTHER_TCB,     /* + i: the fuzz thread of worker i (its own slot stays empty) */
    WS_FIRST_FREE = WS_OTHER_TCB + FUZZ_MAX_WORKERS,
};
#define WS_FIRST_FAULT_PATH WS_FAULT_EP
#define FAULT_BADGE         0xfa
/* The supervisor's signal to the handler (on a notification bound to it, which no worker holds a
 * cap to): the fuzz thread has stopped issuing calls, restart it wherever it is blocked. */
#define POKE_BADGE (1ull << 40)

/* seL4's cap-type tags, as DebugCapIdentify returns them (ABI sheet §1). */
enum fuzz_cap_type {
    FUZZ_CAP_NULL = 0,
    FUZZ_CAP_FRAME = 1,
    FUZZ_CAP_UNTYPED = 2,
    FUZZ_CAP_PAGE_TABLE = 3,
    FUZZ_CAP_ENDPOINT = 4,
    FUZZ_CAP_NOTIFICATION = 6,
    FUZZ_CAP_REPLY = 8,
    FUZZ_CAP_CNODE = 10,
    FUZZ_CAP_ASID_CONTROL = 11,
    FUZZ_CAP_THREAD = 12,
    FUZZ_CAP_ASID_POOL = 13,
    FUZZ_CAP_IRQ_CONTROL = 14,
    FUZZ_CAP_IRQ_HANDLER = 16,
    FUZZ_CAP_ZOMBIE = 18,
    FUZZ_CAP_DOMAIN = 20,
};

/* Reply labels counted per seL4 error; the last bucket is any other label (an IPC reply). */
#define FUZZ_ERROR_KINDS (seL4_NumErrors + 1)
/* Faults counted by label (seL4_Fault_*, 1..5); 0 = a message to the handler that is no fault. */
#define FUZZ_FAULT_KINDS 6

#define WORKER_PAGE_MAGIC 0x66757a7a2d706167ull /* "fuzz-pag" */

/* The page a worker shares with the supervisor. The supervisor fills the first part before the
 * worker starts; the worker writes the rest; the supervisor only reads it and trusts none of it
 * for its checks. */
struct worker_page {
    uint64_t magic;
    uint32_t index, generation;
    uint32_t nworkers, nharts;
    uint64_t seed;
    uint64_t other_tcbs; /* bit i: slot WS_OTHER_TCB + i was given a cap */

    uint64_t rng;          /* the fuzz thread's random state */
    uint64_t occupied[2];  /* free-range slots the fuzz thread may have filled */
    uint64_t mapped_vaddr; /* where it last mapped a frame */
    uint64_t calls;        /* system calls issued */
    uint64_t op;           /* the operation under way (its index in worker_main's table) */
    uint64_t last_syscall, last_cptr, last_info; /* the last system call issued, for diagnosis */
    uint64_t replies[FUZZ_ERROR_KINDS];
    uint64_t faults[FUZZ_FAULT_KINDS]; /* as the handler received them */
    uint64_t restarts;                 /* of the fuzz thread after a fault, by the handler */
    uint64_t pokes;                    /* restarts of a fuzz thread the supervisor found stuck */
    uint64_t restart_failures;         /* the handler could not restart it */
};
_Static_assert(sizeof(struct worker_page) <= 4096, "the worker page is one page");

/* The fuzz thread's and the handler's first code (worker_main.c). */
_Noreturn void worker_main(void);
_Noreturn void handler_main(void);

#endif
