/* Kernel objects that live in retyped memory: TCBs, endpoints, notifications. */
#ifndef KERNEL_OBJECT_H
#define KERNEL_OBJECT_H

#include <arch/context.h>
#include <kernel/cap.h>
#include <kernel/cdt.h>
#include <kernel/types.h>
#include <sched/sched.h>
#include <sel4/constants.h>

enum thread_state {
    THREAD_INACTIVE = 0,
    THREAD_RUNNING,
    THREAD_RESTART,
    THREAD_BLOCKED_ON_RECEIVE,
    THREAD_BLOCKED_ON_SEND,
    THREAD_BLOCKED_ON_REPLY,
    THREAD_BLOCKED_ON_NOTIFICATION,
    THREAD_BLOCKED_ON_SLEEP, /* SchedLab extension: SleepUntil */
};

/* The slots of a TCB's own CNode (seL4's tcbCTable .. tcbBuffer). */
enum tcb_slot { TCB_CTABLE, TCB_VTABLE, TCB_REPLY, TCB_CALLER, TCB_BUFFER, TCB_SLOTS };

struct endpoint;
struct notification;

/* A fault waiting to be delivered to, or answered by, the thread's fault handler. */
struct fault {
    uint8_t type;    /* seL4_FaultType; 0 = none */
    word_t words[4]; /* CapFault: cptr, in-receive; VMFault: addr, prefetch, fsr; UnknownSyscall:
                        number; UserException: trap cause */
    uint8_t lookup_type;
    word_t lookup_bits_left, lookup_guard_found, lookup_bits_found;
};

struct tcb {
    struct arch_context ctx; /* first: the trap entry saves registers straight into it */
    struct cte slots[TCB_SLOTS];
    enum thread_state state;
    /* what the thread is blocked on, and the details of a pending send */
    void *blocked_on;
    word_t blocked_badge;
    bool blocked_can_grant, blocked_can_grant_reply, blocked_is_call;
    struct tcb *ep_next, *ep_prev; /* endpoint / notification queue */
    struct notification *bound_notification;
    word_t fault_ep; /* CPtr, looked up in the thread's own CSpace when it faults */
    word_t ipc_buffer_vaddr;
    uint8_t mcp;
    uint8_t domain; /* seL4 scheduling domain (one domain in this kernel) */
    word_t flags;   /* TCB flags (seL4_TCBFlag_*) */
    uint32_t tid;   /* trace id: TCBs are numbered in creation order, the root task is 1 */
    uint64_t sleep_deadline_ns;
    struct tcb *sleep_next;
    uint8_t sleep_hart;                     /* whose sleep queue holds it */
    uint64_t working_set_bytes;             /* for the cache-warmth model (DESIGN §4.3) */
    struct fault fault;                     /* pending fault (type 0 when none) */
    struct delete_progress delete_progress; /* of its preempted Delete, Revoke or Configure */
    struct sched_thread sched;              /* the scheduler policy's view of the thread */
    /* FP state (kernel/fpu.c): where it is (enum fpu_where), and its copy in memory, current
     * unless it is in a hart's FPU and Dirty there */
    uint8_t fpu_where;
    struct arch_fpu_state fpu;
    struct tcb *all_next, *all_prev; /* every live TCB, for DumpScheduler and deadlock reports */
    char name[32];
};

_Static_assert(sizeof(struct tcb) <= BIT(seL4_TCBBits), "a TCB fits its seL4 object size");

enum endpoint_state { EP_IDLE, EP_SEND, EP_RECV };
struct endpoint {
    struct tcb *head, *tail; /* queued senders or receivers */
} __attribute__((aligned(16)));
_Static_assert(sizeof(struct endpoint) == BIT(seL4_EndpointBits), "endpoint size");

enum notification_state { NTFN_IDLE, NTFN_WAITING, NTFN_ACTIVE };
struct notification {
    struct tcb *head, *tail; /* waiting threads */
    word_t word;             /* OR of badges signalled since the last receive */
    uintptr_t bound_active;  /* TCB bound with TCB_BindNotification | 1 if a signal is pending */
} __attribute__((aligned(32)));
_Static_assert(sizeof(struct notification) == BIT(seL4_NotificationBits), "notification size");

static inline enum endpoint_state ep_state(const struct endpoint *ep)
{
    if (!ep->head) return EP_IDLE;
    return ep->head->state == THREAD_BLOCKED_ON_RECEIVE ? EP_RECV : EP_SEND;
}

/* TCBs are 2 KiB aligned, so bit 0 of the bound-TCB word is free to mark a pending signal
 * (seL4 has an explicit Active state: a signal with badge 0 is still a signal). */
static inline struct tcb *ntfn_bound(const struct notification *n)
{
    return (struct tcb *)(n->bound_active & ~(uintptr_t)1);
}
static inline bool ntfn_active(const struct notification *n) { return n->bound_active & 1; }
static inline void ntfn_set_active(struct notification *n, bool active)
{
    n->bound_active = (n->bound_active & ~(uintptr_t)1) | active;
}
static inline void ntfn_set_bound(struct notification *n, struct tcb *t)
{
    n->bound_active = (uintptr_t)t | (n->bound_active & 1);
}
static inline enum notification_state ntfn_state(const struct notification *n)
{
    if (n->head) return NTFN_WAITING;
    return ntfn_active(n) ? NTFN_ACTIVE : NTFN_IDLE;
}

static inline struct tcb *tcb_of_sched(struct sched_thread *s)
{
    return container_of(s, struct tcb, sched);
}

/* The thread whose saved registers these are (the trap entry saves them into its TCB). */
static inline struct tcb *tcb_of_context(struct arch_context *ctx)
{
    return container_of(ctx, struct tcb, ctx);
}

static inline bool thread_runnable(const struct tcb *t)
{
    return t->state == THREAD_RUNNING || t->state == THREAD_RESTART;
}

#endif
