/*
 * The simulator's model of the machine and kernel (DESIGN §4.4). N harts advance in parallel in
 * simulated time, each with its own clock; a discrete-event loop (machine.c) always advances the
 * hart whose next event is earliest (ties: the lowest hart), so a run depends on its inputs only.
 * Kernel entries are serialised by a big kernel lock: an entry starts when the lock is free, and
 * the lock is held for the entry's modelled cost (costs.c). The scheduler is kernel/sched/core.c
 * and the configured policy, compiled unchanged; workload threads run the engine's own code
 * (workloads/engine/) as host coroutines that enter the simulated kernel at every system call.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <sched/core.h>
#include <sel4/sel4.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>

#define SIM_MAX_HARTS SCHED_MAX_HARTS
#define SIM_NEVER     UINT64_MAX

/* Kernel operation costs in ns of the modelled machine (costs.c reads them from a table). */
struct sim_costs {
    uint64_t syscall_entry_ns;  /* ecall to the system call's first trace record */
    uint64_t syscall_exit_ns;   /* the system call's work done to the caller's next instruction */
    uint64_t irq_entry_ns;      /* timer or IPI interrupt to the handler's first trace record */
    uint64_t irq_exit_ns;       /* the handler's work done to user code, when no switch */
    uint64_t decision_ns;       /* a switch: from the entry's work to the SWITCH record */
    uint64_t timer_set_ns;      /* programming the one-shot timer (TIMER_SET record) */
    uint64_t switch_exit_ns;    /* after a switch: TIMER_SET to the next thread's user code */
    uint64_t idle_wake_ns;      /* an idle hart's interrupt to the handler's first record */
    uint64_t ipi_latency_ns;    /* a reschedule IPI from the sender's lock release to the trap */
    uint64_t switch_cost_ns;    /* what core.c's boot calibration measures (policy_init) */
    uint64_t touch_ns_per_line; /* user time of interpret.c's touch() per 64-byte line */
    uint64_t boot_ns;           /* the kernel's boot to the root task's first record: the clock
                                 * starts there, as QEMU's does (0 if the table has none) */
};
extern struct sim_costs costs;

/*
 * Path costs: the kernel time between two trace records of one kernel entry, by how the entry
 * began, the record before (a trace event type, or SYSCALL / IRQ / IDLE for the entry's first
 * record) and the record being made: one table, path_ns["ENTRY:PREV>NEXT"], ENTRY the system
 * call that made the entry (its sim_user_key name, or CALL_FAST for a Call the kernel's fastpath
 * took), IRQ or IDLE; "PREV>NEXT", over every entry, where the entry's own key was measured too
 * rarely. Measured in QEMU by aligning its trace with the simulator's (./schedlab calibrate); a
 * pair the table does not have costs decision_ns before a SWITCH, timer_set_ns before a
 * TIMER_SET, nothing else.
 */
enum sim_path_start {
    SIM_PATH_SYSCALL = 32, /* the first record of a system call */
    SIM_PATH_IRQ = 33,     /* ... of an interrupt on a busy hart */
    SIM_PATH_IDLE = 34,    /* ... of an interrupt that woke an idle hart */
    /* a PREEMPT record of a wakeup comes after the decision, one of an expired slice before
     * it: different paths, so the table tells them apart */
    SIM_PATH_PREEMPT_BY_WAKEUP = 35,
    SIM_PATH_TAGS = 36,
};
/* What a system call is keyed by: its enum sim_sys, or SIM_USER_MARKER + the marker's id (the
 * workloads' markers are followed by very different user code). */
#define SIM_USER_MARKER 16
/* ... and a clock read by the engine function that reads (CLOCK_NOW@sleep): SIM_USER_CLOCK +
 * the function's index among those seen (clock_site) */
#define SIM_USER_CLOCK 32
/* ... and a draw of the spec's distribution kind k (enum wl_dist_kind, DRAW_UNIFORM, ...), noted by
 * the engine (schedlab_note_draw) and taken as a step before the thread's next call: its user
 * instructions differ by kind, so a chain's user time is keyed by the draws it made */
#define SIM_USER_DRAW       (SIM_USER_CLOCK + 16)
#define SIM_USER_DRAW_KINDS 4
#define SIM_USER_KEYS       (SIM_USER_DRAW + SIM_USER_DRAW_KINDS)
unsigned clock_site(const char *name, size_t len); /* -> 0..15, or 16: too many functions */
static inline unsigned sim_user_key(enum sim_sys sys, uint64_t a0)
{
    if (sys == SIM_SYS_MARKER && a0 < 16) return SIM_USER_MARKER + (unsigned)a0;
    if (sys == SIM_SYS_CLOCK_NOW && a0) {
        const char *site = (const char *)(uintptr_t)a0;
        unsigned i = clock_site(site, strlen(site));
        return i < 16 ? SIM_USER_CLOCK + i : (unsigned)sys;
    }
    return (unsigned)sys;
}
/* "CALL", "MARKER_2", "CLOCK_NOW@sleep", "IRQ", ...: a sim_user_key's or enum sim_entry's name,
 * in `buffer` if it must be made */
const char *entry_name(unsigned key, char buffer[48]);
const char *record_name(unsigned tag); /* a path tag's: SWITCH, SYSCALL, ... */
/* How a kernel entry began, for path_ns: a system call's sim_user_key, or one of these. */
enum sim_entry {
    SIM_ENTRY_IRQ = SIM_USER_KEYS,
    SIM_ENTRY_IDLE,
    SIM_ENTRY_CALL_FAST, /* a Call that the kernel's fastpath takes (ipc_send) */
    SIM_ENTRY_SIGNAL,    /* a Send to a notification: the kernel's path is notification_signal,
                          * not an endpoint's transfer (path costs only: user chains name the
                          * call, SEND) */
    SIM_ENTRY_ANY,       /* the table's "PREV>NEXT": every entry's */
    SIM_ENTRIES,
};
/* The kernel time to a record `tag` after `prev` in an entry that began as `entry`. */
uint64_t path_cost(unsigned entry, unsigned prev, unsigned tag);

/*
 * User costs: the simulator runs user code in no time except schedlab_burn and the working-set
 * loop, but in QEMU the interpreter and its draws take instructions too. A chain is what a
 * thread does between two records of its hart: the record before (its tag, or for a marker
 * SIM_PATH_TAGS + its id), then system calls that record nothing, up to the call that makes the
 * next record. user_ns["BEFORE>CALL>...>CALL=RECORD"] is a whole chain's user time (QEMU's gap
 * between the records less the simulator's, measured by calibrate), by the record that ends it
 * too: the kernel's path to an entry's first record is not in the trace, so it is in that gap.
 * Which chain a thread is in shows only call by call, so each call is charged up to the least user
 * time of any measured chain that begins as this one has so far (user_chain_by), and the call that
 * makes the record up to its own chain's (user_chain_done): time is charged as soon as every
 * measured chain this may be has spent it, so a clock read mid-chain sees the draws before it.
 */
#define SIM_CHAIN_BEFORE_KEYS (SIM_PATH_TAGS + 16)
#define SIM_CHAIN_NONE        UINT32_MAX /* a chain the table does not have */
static inline unsigned sim_chain_before_key(unsigned tag, enum trace_event_type type, unsigned arg0)
{
    return type == TRACE_MARKER && arg0 < 16 ? SIM_PATH_TAGS + arg0 : tag;
}
/* A thread's place in the chains: keyed by the entry that made the record before, too
 * ("REPLY:WAKEUP>RECV=BLOCK": the user code after a Reply's wakeup is not a Send's), and without
 * it ("WAKEUP>RECV=BLOCK"), which is used where the first is not in the table. A marker's
 * chains have only the second (the marker's id says enough). */
struct user_chain {
    uint32_t made_by, any;
};
/* the chain of no calls yet after the record `before` that an entry `entry` made */
struct user_chain user_chain_begin(unsigned before, unsigned entry);
struct user_chain user_chain_step(struct user_chain chain, unsigned call);
uint64_t user_chain_by(struct user_chain chain);
/* the chain ends at its last call, which made a record `tag` (in the kernel's fastpath or not) */
uint64_t user_chain_done(struct user_chain chain, unsigned tag, bool fastpath);

/* events.c: the harts ordered by their next event (instant, then hart number) */
void events_init(unsigned harts);
void events_set(unsigned hart, uint64_t when);
unsigned events_first(uint64_t *when);

/* -> 0, or -1 after saying what is wrong with the table at `path` */
int costs_load(const char *path);

enum sim_thread_state {
    SIM_INACTIVE, /* created, not resumed yet (or suspended) */
    SIM_RUNNABLE,
    SIM_BLOCKED_SEND,
    SIM_BLOCKED_RECV,
    SIM_BLOCKED_REPLY,
    SIM_BLOCKED_NOTIFICATION,
    SIM_SLEEPING,
};

struct sim_thread {
    struct sched_thread sched; /* first: the core's view of it */
    enum sim_thread_state state;
    ucontext_t context;
    void *stack;
    void (*body)(void *);
    void *arg;
    bool started;
    /* the system call it made, while it is in the kernel, and its results */
    enum sim_sys sys;
    seL4_Word a0, a1, result, badge;
    bool in_syscall;
    uint64_t work_ns; /* user work left before its next system call */
    /* the draws (SIM_USER_DRAW + kind) it made since its last system call, oldest first */
    uint8_t draws[8];
    unsigned ndraws;
    /* interpret.c's run() touches the working set right before every burn: that loop's user
     * time, charged with the burn (the simulator runs user code in no simulated time) */
    uint64_t touch_ns;
    /* schedlab_spin_while_equal: the word it watches, each look's work and the whole spin's;
     * on the machine's list of spinners while it spins */
    const uint32_t *spin_word;
    uint32_t spin_old;
    bool spin_seen;
    uint64_t spin_check_ns, spin_budget_ns;
    struct sim_thread *spin_next, **spin_prev;
    seL4_Word mr[seL4_MsgMaxLength];
    /* endpoint or notification queues */
    struct sim_thread *queue_next;
    seL4_Word send_badge, send_info;
    bool send_is_call;
    struct sim_thread *reply_to; /* the caller a Reply answers (seL4's reply capability) */
    /* sleep: on the list of the hart it slept on */
    uint64_t sleep_deadline;
    unsigned sleep_hart;
    struct sim_thread *sleep_next;
    char name[24];
};

static inline struct sim_thread *sim_thread_of(struct sched_thread *s)
{
    return (struct sim_thread *)s;
}

struct sim_hart {
    uint64_t time;               /* this hart's clock */
    struct sim_thread *user;     /* in user mode here (NULL: idle) */
    uint64_t timer_deadline;     /* the one-shot timer (SIM_NEVER: off) */
    uint64_t ipi_at;             /* a reschedule IPI arrives (SIM_NEVER: none) */
    struct sim_thread *sleepers; /* sorted by deadline, FIFO among equals (kernel/sleep.c) */
    /* this entry switched directly (the fastpath): its exit is kernel_exit_switched's, which
     * makes no decision and rewrites the timer only for a slice end before the armed time */
    bool switched_directly;
    uint64_t switched_slice_end;
    unsigned path_last;          /* the last record of this kernel entry, or how it began */
    unsigned path_entry;         /* how this kernel entry began (enum sim_entry) */
    bool path_signal;            /* ... and it is a Signal: its path costs are SIGNAL's */
    unsigned chain_before;       /* the record the hart made last (sim_chain_before_key) */
    unsigned chain_before_entry; /* ... in an entry that began so (enum sim_entry) */
    struct user_chain chain;     /* the user chain since that record (user_chain_begin) */
    uint64_t chain_charged;      /* the user time charged to it so far */
    /* --annotate: the chain's calls (sim_user_key), for calibrate to name it */
    uint8_t chain_calls[16];
    unsigned chain_length;
};

extern struct sim_hart sim_harts[SIM_MAX_HARTS];
extern unsigned sim_hart_now;                 /* the hart the simulated kernel is on */
extern struct sim_thread *sim_running_thread; /* the coroutine running (NULL: the machine) */

/* machine.c */
void machine_init(unsigned harts);
/* A new thread, suspended (TCB_Resume starts it), named and traced like the kernel's. */
struct sim_thread *thread_new(const char *name, uint8_t prio, unsigned hart, void (*body)(void *),
                              void *arg, uint32_t creator);
void thread_wake(struct sim_thread *t, struct sim_thread *waker, enum trace_wake_reason why);
void thread_block(struct sim_thread *t, enum sim_thread_state state, enum trace_block_reason why);
void sleep_until(struct sim_thread *t, uint64_t deadline);
/* Run until every thread the root task waits for is done (-> 0), or nothing can run (-> -1). */
int machine_run(uint64_t limit_ns);
/* Every hart's first kernel exit (boot): hart 0 runs the root task, the others arm their timers. */
void machine_start(void);
extern bool machine_finished;
extern int machine_status; /* the root task's exit status once finished */
_Noreturn void sim_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Charge the current chain's user time up to `ns` on hart h (what it was not charged yet). */
void user_charge(struct sim_hart *h, uint64_t ns);

/* syscall.c: the system call the current thread made, on the current hart. */
void syscall_handle(struct sim_thread *t);

/* objects.c: capabilities, endpoints and notifications */
/* The longest message the kernel's fastpath carries: what fits in the message registers of the
 * architecture (riscv64's ARCH_MSG_REGISTERS), the rest is in the IPC buffer. */
#define SIM_FASTPATH_MESSAGE_WORDS 4
enum sim_cap_type { SIM_CAP_NULL, SIM_CAP_ENDPOINT, SIM_CAP_NOTIFICATION, SIM_CAP_TCB };
struct sim_cap {
    enum sim_cap_type type;
    void *object;
    seL4_Word badge;
};
struct sim_cap *cap_lookup(seL4_CPtr cptr);
seL4_CPtr cap_new(enum sim_cap_type type, void *object);
void ipc_send(struct sim_thread *t, struct sim_cap *cap, bool call, bool blocking);
void ipc_recv(struct sim_thread *t, struct sim_cap *cap, bool blocking);
void ipc_reply(struct sim_thread *t);

/* trace_out.c */
void trace_out_init(unsigned harts, const char *annotate_path);
int trace_out_write(const char *path, unsigned harts);
void trace_thread_name(uint32_t tid, const char *name);

/* setup.c: the root task's work, done by the simulator (the root task is thread 1) */
int setup_workload(unsigned harts, const char *bootargs);
void root_task(void *arg);

#endif
