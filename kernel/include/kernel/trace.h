/* Kernel side of tracing: per-hart buffers of struct trace_record (include/schedlab/trace.h),
 * flushed to the host as a binary file through semihosting when they fill and at halt. */
#ifndef KERNEL_TRACE_H
#define KERNEL_TRACE_H

#include <kernel/types.h>
#include <schedlab/trace.h>
#include <sched_config.h>

#if SCHEDLAB_TRACE
void trace_emit(enum trace_event_type type, uint16_t arg0, uint32_t arg1, uint32_t arg2,
                uint32_t arg3, uint64_t arg4);
/* The same, recorded for another hart (in its buffer, as its event): the lock holder telling
 * what it did to that hart, which is stalled in the kernel meanwhile. */
void trace_emit_for(unsigned hart, enum trace_event_type type, uint16_t arg0, uint32_t arg1,
                    uint32_t arg2, uint32_t arg3, uint64_t arg4);
#else
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
#endif

/* Boot: `bytes_per_hart` of buffer at `buffers` (kernel virtual), one slice per hart. */
void trace_init(void *buffers, uint64_t bytes_per_hart, unsigned nharts, bool wall_clock);
/* Halt: write every hart's remaining records and close the file. */
void trace_finish(void);
uint64_t trace_dropped(void);
void trace_thread_name(uint32_t tid, const char *name);

#endif
