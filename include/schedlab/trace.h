/*
 * The SchedLab trace format: the one definition of what the kernel records and the host decodes.
 *
 * analysis/trace_format.py reads this file (the TRACE_EVENTS table, the enums below and the
 * struct layouts) to build its decoder, so the kernel and the decoder cannot drift apart.
 * Keep every definition the decoder reads in the simple forms used here:
 *   - enums: one `NAME = value,` per line;
 *   - structs: one `uintN_t name;` or `uintN_t name[n];` per line;
 *   - events: one `X(NAME, value, "arg0", "arg1", "arg2", "arg3", "arg4")` per line, where each
 *     quoted string names what that record field holds for the event ("" = unused).
 *
 * A trace file is a trace_file_header followed by chunks. Each chunk is a trace_chunk_header
 * followed by `records` trace_record entries, all from one hart, in time order. A hart's records
 * may span several chunks (the kernel flushes a buffer when it fills); the last chunk of a hart
 * carries that hart's final `dropped` count. All integers are little-endian.
 */
#ifndef SCHEDLAB_TRACE_H
#define SCHEDLAB_TRACE_H

#include <stdint.h>

#define TRACE_FILE_MAGIC  0x3143415254534c53ull /* "SLSTRAC1" read as a little-endian word */
#define TRACE_CHUNK_MAGIC 0x4b4e4843u           /* "CHNK" */
#define TRACE_VERSION     3
/* Fields are only ever appended to trace_file_header. A file of an older version n has a header
 * of the first TRACE_FILE_HEADER_FIELDS_V<n> fields (version 2 added `policy`; version 3 added
 * the DIRECT_SWITCH record, not a field). */
#define TRACE_FILE_HEADER_FIELDS_V1 6
#define TRACE_FILE_HEADER_FIELDS_V2 7

/* Thread id 0 is "nobody": the idle loop as a switch endpoint, or the kernel as a waker. */
#define TRACE_TID_NONE 0

/* Why a hart switched away from the thread it was running (SWITCH arg0). */
enum trace_switch_reason {
    TRACE_SWITCH_BLOCK = 0,     /* voluntary: prev blocked (IPC, notification, sleep) */
    TRACE_SWITCH_YIELD = 1,     /* voluntary: prev called seL4_Yield */
    TRACE_SWITCH_EXPIRED = 2,   /* involuntary: prev's timeslice ran out */
    TRACE_SWITCH_PREEMPTED = 3, /* involuntary: a thread the policy prefers became runnable */
    TRACE_SWITCH_SUSPENDED = 4, /* prev was suspended, faulted or halted */
    TRACE_SWITCH_FROM_IDLE = 5, /* the hart was idle (prev = 0) */
};

/* What a thread blocked on (BLOCK arg0). */
enum trace_block_reason {
    TRACE_BLOCK_SEND = 0,         /* endpoint send or call, waiting for a receiver */
    TRACE_BLOCK_RECV = 1,         /* endpoint receive */
    TRACE_BLOCK_REPLY = 2,        /* call sent, waiting for the reply */
    TRACE_BLOCK_NOTIFICATION = 3, /* notification wait */
    TRACE_BLOCK_SLEEP = 4,        /* SchedLab sleep extension */
    TRACE_BLOCK_SUSPEND = 5,      /* TCB_Suspend, or a fault with no handler */
    TRACE_BLOCK_FAULT = 6,        /* fault delivered, waiting for the handler's reply */
};

/* What made a thread runnable (WAKEUP arg0 holds the hart it was queued on, arg3 this). */
enum trace_wake_reason {
    TRACE_WAKE_IPC = 0,          /* endpoint message or reply delivered */
    TRACE_WAKE_NOTIFICATION = 1, /* notification signalled */
    TRACE_WAKE_TIMER = 2,        /* sleep deadline reached */
    TRACE_WAKE_RESUME = 3,       /* TCB_Resume / restart */
};

/* Why a running thread was preempted (PREEMPT arg0). */
enum trace_preempt_reason {
    TRACE_PREEMPT_EXPIRED = 0, /* timeslice ran out */
    TRACE_PREEMPT_WAKEUP = 1,  /* a preferred thread woke (arg2 names it) */
};

/* Why a thread moved to another hart (MIGRATE arg0). */
enum trace_migrate_reason {
    TRACE_MIGRATE_WAKE = 0,     /* the policy placed a waking thread on another hart */
    TRACE_MIGRATE_PULL = 1,     /* an idle hart pulled a queued thread */
    TRACE_MIGRATE_BALANCE = 2,  /* periodic balancing moved a queued thread */
    TRACE_MIGRATE_AFFINITY = 3, /* the thread's affinity no longer allowed its hart */
};

/* What an inter-hart interrupt asks of its target (IPI arg0). */
enum trace_ipi_kind {
    TRACE_IPI_RESCHEDULE = 0, /* make a new scheduling decision */
    TRACE_IPI_STALL = 1,      /* stop running a thread another hart is changing */
    TRACE_IPI_WAKE = 2,       /* the kernel lock is free, or a hart waited for this one */
    TRACE_IPI_SHOOTDOWN = 3,  /* mappings were removed: leave user mode (TLB shootdown) */
};

/* How a message went from sender to receiver (IPC arg0). */
enum trace_ipc_kind {
    TRACE_IPC_ENDPOINT = 0, /* Send or Call through an endpoint */
    TRACE_IPC_REPLY = 1,    /* Reply (or the reply half of ReplyRecv) to a caller */
    TRACE_IPC_FAULT = 2,    /* a fault message to a fault handler */
};

/* Marker ids with a meaning the analysis knows (MARKER arg0); workloads may use others. */
enum trace_marker_id {
    TRACE_MARK_REQUEST_BEGIN = 1, /* arg4 = request number; paired with END per thread */
    TRACE_MARK_REQUEST_END = 2,   /* arg4 = request number */
    TRACE_MARK_JOB_RELEASE = 3,   /* arg4 = job number */
    TRACE_MARK_JOB_END = 4,       /* arg4 = job number */
    TRACE_MARK_WORKLOAD_BEGIN = 5,
    TRACE_MARK_WORKLOAD_END = 6, /* arg4 = exit status */
    TRACE_MARK_JOB_DEADLINE = 7, /* arg4 = absolute deadline (ns) of the job this thread released */
    TRACE_MARK_THREAD_ARRIVAL = 8, /* arg4 = the instant (ns) the thread's group became due */
    TRACE_MARK_THREAD_DONE = 9,    /* the thread completed: the end of its last phase */
    TRACE_MARK_REQUEST_DUE = 10,   /* arg4 = the instant (ns) this thread's next request became
                                    * due (timer release, sleep deadline, the call); 0 = at the
                                    * WAKEUP that last made the thread runnable */
};

/*
 * X(name, value, arg0, arg1, arg2, arg3, arg4): the events and what each record field holds.
 * Thread ids are the kernel's sequential TCB numbers (1 = root task, in creation order).
 * POLICY is a record of the policy's own (sched_trace_policy, kernel/sched/sched.h): its kinds,
 * and what tid, a, b and value hold for each, are the POLICY_TRACE_EVENTS table of
 * kernel/sched/<policy>_trace.h, the policy being the file header's `policy`.
 * DIRECT_SWITCH is the kernel's IPC fastpath (kernel/fastpath.c) recording in one record what
 * the slow path records in three: at time_ns, WAKEUP (next, on this hart, woken by prev for IPC)
 * and BLOCK (prev, for block_reason); at switch_ns, SWITCH (reason BLOCK, from prev to next).
 * The decoder (analysis/decode.py) reads it as those three records, so no analysis sees it.
 */
#define TRACE_EVENTS(X)                                                                            \
    X(SWITCH, 1, "reason", "prev", "next", "", "")                                                 \
    X(WAKEUP, 2, "hart", "tid", "waker", "wake_reason", "")                                        \
    X(BLOCK, 3, "reason", "tid", "", "", "")                                                       \
    X(PREEMPT, 4, "reason", "tid", "by", "", "")                                                   \
    X(YIELD, 5, "", "tid", "", "", "")                                                             \
    X(IDLE_ENTER, 6, "", "", "", "", "")                                                           \
    X(IDLE_EXIT, 7, "", "", "", "", "")                                                            \
    X(MARKER, 8, "id", "tid", "", "", "value")                                                     \
    X(THREAD_NEW, 9, "", "tid", "creator", "prio", "")                                             \
    X(THREAD_NAME, 10, "offset", "tid", "", "", "chars")                                           \
    X(TIMER_SET, 11, "", "", "", "", "deadline_ns")                                                \
    X(PRIO_CHANGE, 12, "", "tid", "", "prio", "")                                                  \
    X(IRQ, 13, "", "irq", "", "", "")                                                              \
    X(MIGRATE, 14, "reason", "tid", "from_hart", "to_hart", "")                                    \
    X(CACHE_REFILL, 15, "", "tid", "", "", "cost_ns")                                              \
    X(IPI, 16, "kind", "to_hart", "", "", "")                                                      \
    X(IPC, 17, "kind", "sender", "receiver", "words", "badge")                                     \
    X(POLICY, 18, "kind", "tid", "a", "b", "value")                                                \
    X(DIRECT_SWITCH, 19, "block_reason", "prev", "next", "", "switch_ns")

enum trace_event_type {
#define TRACE_EVENT_ENUM(name, value, a0, a1, a2, a3, a4) TRACE_##name = value,
    TRACE_EVENTS(TRACE_EVENT_ENUM)
#undef TRACE_EVENT_ENUM
};

/* One event: 32 bytes, naturally aligned. */
struct trace_record {
    uint64_t time_ns; /* nanoseconds of emulated time since boot */
    uint8_t type;     /* enum trace_event_type */
    uint8_t hart;     /* hart that recorded the event, modulo 256 (the chunk header holds it
                       * whole, for the simulator's machines of more harts) */
    uint16_t arg0;
    uint32_t arg1;
    uint32_t arg2;
    uint32_t arg3;
    uint64_t arg4;
};

/* A record's fields, all but its hart, into *r: the one place they are filled, so that the kernel
 * and the simulator write the same layout. The kernel writes its records this way: a hart's
 * buffer holds that hart's records only, so their hart fields are written once, when the buffer
 * is set up (kernel/trace.c), and each record costs two instructions less. */
static inline void trace_record_set_event(struct trace_record *r, uint64_t time_ns,
                                          enum trace_event_type type, uint16_t arg0, uint32_t arg1,
                                          uint32_t arg2, uint32_t arg3, uint64_t arg4)
{
    r->time_ns = time_ns;
    r->type = (uint8_t)type;
    r->arg0 = arg0;
    r->arg1 = arg1;
    r->arg2 = arg2;
    r->arg3 = arg3;
    r->arg4 = arg4;
}

/* A whole record (the simulator's way). */
static inline struct trace_record trace_record_make(uint64_t time_ns, enum trace_event_type type,
                                                    unsigned hart, uint16_t arg0, uint32_t arg1,
                                                    uint32_t arg2, uint32_t arg3, uint64_t arg4)
{
    struct trace_record r = {.hart = (uint8_t)hart};
    trace_record_set_event(&r, time_ns, type, arg0, arg1, arg2, arg3, arg4);
    return r;
}

struct trace_file_header {
    uint64_t magic;        /* TRACE_FILE_MAGIC */
    uint32_t version;      /* TRACE_VERSION */
    uint32_t record_size;  /* sizeof(struct trace_record) */
    uint32_t nharts;       /* harts the kernel ran on */
    uint32_t clock;        /* 0 = instruction-exact clock (icount), 1 = wall clock (realtime),
                            * 2 = simulated (the simulator, sim/: timing model parallel-sim) */
    uint64_t timeslice_ns; /* the configured base timeslice, for reference */
    uint8_t policy[16];    /* the policy compiled in (kernel/sched/<policy>.c), NUL-padded: it
                            * names the POLICY records' definitions */
};

struct trace_chunk_header {
    uint32_t magic; /* TRACE_CHUNK_MAGIC */
    uint32_t hart;
    uint64_t records; /* records following this header */
    uint64_t dropped; /* records this hart lost so far (cumulative) */
};

#endif
