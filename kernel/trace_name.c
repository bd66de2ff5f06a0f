/*
 * A thread's name in the trace: THREAD_NAME records of 8 characters each (include/schedlab/
 * trace.h). One definition for the kernel and the simulator (sim/), which both provide
 * trace_emit.
 */
#include <kernel/trace.h>

void trace_thread_name(uint32_t tid, const char *name)
{
    size_t len = strlen(name);
    for (size_t off = 0; off < len; off += 8) {
        uint64_t chars = 0;
        for (size_t i = 0; i < 8 && off + i < len; i++)
            chars |= (uint64_t)(uint8_t)name[off + i] << (8 * i);
        trace_emit(TRACE_THREAD_NAME, (uint16_t)off, tid, 0, 0, chars);
    }
}
