/* Kernel side of tracing: per-hart buffers of struct trace_record (include/schedlab/trace.h),
 * flushed to the host as a binary file through semihosting when they fill and at halt. */
#ifndef KERNEL_TRACE_H
#define KERNEL_TRACE_H

#include <kernel/hart.h>
#include <kernel/types.h>
#include <schedlab/trace.h>
#include <sched_config.h>

/* Each hart's buffer; written only by the lock holder, so by one hart at a time. Records go at
 * `next` until it reaches `end` (a pointer, not a count: one compare and one add per record). */
struct trace_buffer {
    struct trace_record *records, *next, *end;
    uint64_t dropped;
    struct trace_record *direct_switch; /* the fastpath's, until its switch instant is known */
};

extern struct trace_buffer trace_buffers[ARCH_MAX_HARTS];

#if SCHEDLAB_TRACE
/* A hart's buffer is full: flush it to the host (true), or count a dropped record (false). */
bool trace_make_room(unsigned hart);
/* The same for arch_call_preserving (a word in, a word out). */
uint64_t trace_make_room_word(uint64_t hart);

/* Record an event as `hart`'s in its buffer b; `reserved`: its room is known to be there
 * (trace_has_room). Inline: it runs on every scheduling event, and its cost is part of every
 * traced figure. */
static ALWAYS_INLINE void trace_put(struct trace_buffer *b, unsigned hart, bool reserved,
                                    uint64_t time_ns, enum trace_event_type type, uint16_t arg0,
                                    uint32_t arg1, uint32_t arg2, uint32_t arg3, uint64_t arg4)
{
    /* the flush keeps every register (arch_call_preserving): a function that records saves none
     * for a call it almost never makes */
    if (!reserved && __builtin_expect(b->next == b->end, 0) &&
        !arch_call_preserving(trace_make_room_word, hart))
        return;
    /* (its hart field was written when the buffer was set up: trace_init) */
    trace_record_set_event(b->next++, time_ns, type, arg0, arg1, arg2, arg3, arg4);
}

/* Another hart than this one: the lock holder telling what it did to that hart, which is
 * stalled in the kernel meanwhile. */
static inline void trace_emit_for(unsigned hart, enum trace_event_type type, uint16_t arg0,
                                  uint32_t arg1, uint32_t arg2, uint32_t arg3, uint64_t arg4)
{
    trace_put(&trace_buffers[hart], hart, false, clock_now(), type, arg0, arg1, arg2, arg3, arg4);
}

/* Record an event of this hart (its buffer found from the hart's own data). */
static ALWAYS_INLINE void trace_emit(enum trace_event_type type, uint16_t arg0, uint32_t arg1,
                                     uint32_t arg2, uint32_t arg3, uint64_t arg4)
{
    struct hart *h = this_hart();
    trace_put(h->trace, h->id, false, clock_now(), type, arg0, arg1, arg2, arg3, arg4);
}

/* Is there room for n more records of this hart without a flush? A path that knows its records
 * checks once (the fastpath: else the slow path takes the call) and then records with
 * trace_emit_reserved_at, which checks nothing and takes the time the caller read once for the
 * instant it stands for (the fastpath's message, wakeup and block happen at one instant). */

/* The clock for a record of its own instant (read only when tracing is compiled in). */
static ALWAYS_INLINE uint64_t trace_now(void) { return clock_now(); }

static ALWAYS_INLINE bool trace_has_room(unsigned n)
{
    const struct trace_buffer *b = this_hart()->trace;
    return (uint64_t)(b->end - b->next) >= n;
}

static ALWAYS_INLINE void trace_emit_reserved_at(uint64_t time_ns, enum trace_event_type type,
                                                 uint16_t arg0, uint32_t arg1, uint32_t arg2,
                                                 uint32_t arg3, uint64_t arg4)
{
    struct hart *h = this_hart();
    trace_put(h->trace, h->id, true, time_ns, type, arg0, arg1, arg2, arg3, arg4);
}
/* A direct switch of the IPC fastpath (kernel/fastpath.c) in one DIRECT_SWITCH record (trace.h)
 * in its reserved room: written at the wakeup's and block's instant `at`, and completed at the
 * switch's own by trace_switched_directly (sched_switch_directly, core.c), after the policy's
 * records, so that it costs one store there. */
static ALWAYS_INLINE void trace_direct_switch_begin(uint64_t at, uint16_t block_why, uint32_t prev,
                                                    uint32_t next)
{
    struct hart *h = this_hart();
    struct trace_buffer *b = h->trace;
    b->direct_switch = b->next;
    trace_put(b, h->id, true, at, TRACE_DIRECT_SWITCH, block_why, prev, next, 0, 0);
}
static ALWAYS_INLINE void trace_switched_directly(uint32_t prev, uint32_t next)
{
    (void)prev, (void)next; /* in the record already */
    this_hart()->trace->direct_switch->arg4 = trace_now();
}
#else
static inline void trace_direct_switch_begin(uint64_t at, uint16_t block_why, uint32_t prev,
                                             uint32_t next)
{
    (void)at, (void)block_why, (void)prev, (void)next;
}
static inline void trace_switched_directly(uint32_t prev, uint32_t next) { (void)prev, (void)next; }
static inline void trace_emit_for(unsigned hart, enum trace_event_type type, uint16_t arg0,
                                  uint32_t arg1, uint32_t arg2, uint32_t arg3, uint64_t arg4)
{
    (void)hart, (void)type, (void)arg0, (void)arg1, (void)arg2, (void)arg3, (void)arg4;
}

static inline void trace_emit(enum trace_event_type type, uint16_t arg0, uint32_t arg1,
                              uint32_t arg2, uint32_t arg3, uint64_t arg4)
{
    (void)type, (void)arg0, (void)arg1, (void)arg2, (void)arg3, (void)arg4;
}

static inline bool trace_has_room(unsigned n)
{
    (void)n;
    return true;
}

static inline void trace_emit_reserved_at(uint64_t time_ns, enum trace_event_type type,
                                          uint16_t arg0, uint32_t arg1, uint32_t arg2,
                                          uint32_t arg3, uint64_t arg4)
{
    (void)time_ns, (void)type, (void)arg0, (void)arg1, (void)arg2, (void)arg3, (void)arg4;
}
static inline uint64_t trace_now(void) { return 0; }
#endif

/* Boot: `bytes_per_hart` of buffer at `buffers` (kernel virtual), one slice per hart. */
void trace_init(void *buffers, uint64_t bytes_per_hart, unsigned nharts, bool wall_clock);
/* Halt: write every hart's remaining records and close the file. */
void trace_finish(void);
uint64_t trace_dropped(void);
void trace_thread_name(uint32_t tid, const char *name);

#endif
