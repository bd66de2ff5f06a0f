/* The simulator's stand-in for kernel/trace.h: records go to the simulator's per-hart buffers
 * (sim/src/trace_out.c), stamped with the recording hart's simulated clock, in the format of
 * include/schedlab/trace.h. */
#ifndef SIM_KERNEL_TRACE_H
#define SIM_KERNEL_TRACE_H

#include <kernel/hart.h>
#include <schedlab/trace.h>
#include <stddef.h>
#include <string.h> /* strlen, for kernel/trace_name.c */

void trace_emit_for(unsigned hart, enum trace_event_type type, uint16_t arg0, uint32_t arg1,
                    uint32_t arg2, uint32_t arg3, uint64_t arg4);

static inline void trace_emit(enum trace_event_type type, uint16_t arg0, uint32_t arg1,
                              uint32_t arg2, uint32_t arg3, uint64_t arg4)
{
    trace_emit_for(this_hart_id(), type, arg0, arg1, arg2, arg3, arg4);
}

/* The kernel's reserved records (its fastpath checks their room once): the simulator's buffers
 * never fill, and a record's time is the hart's simulated clock when it is made, which is the
 * instant the kernel reads for it. */
static inline void trace_emit_reserved_at(uint64_t time_ns, enum trace_event_type type,
                                          uint16_t arg0, uint32_t arg1, uint32_t arg2,
                                          uint32_t arg3, uint64_t arg4)
{
    (void)time_ns;
    trace_emit(type, arg0, arg1, arg2, arg3, arg4);
}

/* The kernel's direct switch, completed (core.c sched_switch_directly): the simulator records the
 * wakeup and the block as the slow path does (sim/src/objects.c fastpath_call), so here the
 * SWITCH record, at the switch's instant. (The kernel folds the three into one DIRECT_SWITCH
 * record, which the decoder reads as these three.) */
static inline void trace_switched_directly(uint32_t prev, uint32_t next)
{
    trace_emit(TRACE_SWITCH, TRACE_SWITCH_BLOCK, prev, next, 0, 0);
}

#endif
