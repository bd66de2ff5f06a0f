/*
 * The trace: per-hart record buffers in the format of include/schedlab/trace.h, written as one
 * file at the end (one chunk per hart; nothing is ever dropped). Every record is stamped with
 * the recording hart's clock. A hart's SWITCH record comes after the decision's modelled cost
 * (costs.decision_ns): that is when the kernel records it, after policy_pick.
 */
#include "sim.h"
#include <kernel/trace.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* trace_file_header.clock: the simulator's clock (analysis/timing_model.py: parallel-sim) */
#define TRACE_CLOCK_SIMULATED 2

struct buffer {
    struct trace_record *records;
    uint64_t count, capacity;
};
static struct buffer buffers[SIM_MAX_HARTS];

void trace_out_init(unsigned harts)
{
    for (unsigned i = 0; i < harts; i++) buffers[i].count = 0;
}

void trace_emit_for(unsigned hart, enum trace_event_type type, uint16_t arg0, uint32_t arg1,
                    uint32_t arg2, uint32_t arg3, uint64_t arg4)
{
    if (type == TRACE_SWITCH && hart == sim_hart_now) sim_harts[hart].time += costs.decision_ns;
    struct buffer *b = &buffers[hart];
    if (b->count == b->capacity) {
        b->capacity = b->capacity ? 2 * b->capacity : 4096;
        b->records = realloc(b->records, b->capacity * sizeof *b->records);
        if (!b->records) sim_panic("out of host memory for the trace");
    }
    b->records[b->count++] = (struct trace_record){.time_ns = clock_now(),
                                                   .type = (uint8_t)type,
                                                   .hart = (uint8_t)hart,
                                                   .arg0 = arg0,
                                                   .arg1 = arg1,
                                                   .arg2 = arg2,
                                                   .arg3 = arg3,
                                                   .arg4 = arg4};
}

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

int trace_out_write(const char *path, unsigned harts)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return -1;
    }
    struct trace_file_header header = {.magic = TRACE_FILE_MAGIC,
                                       .version = TRACE_VERSION,
                                       .record_size = sizeof(struct trace_record),
                                       .nharts = harts,
                                       .clock = TRACE_CLOCK_SIMULATED,
                                       .timeslice_ns = SCHED_TIMESLICE_NS};
    strncpy((char *)header.policy, SCHED_POLICY_NAME, sizeof header.policy);
    bool ok = fwrite(&header, sizeof header, 1, f) == 1;
    for (unsigned i = 0; ok && i < harts; i++) {
        struct trace_chunk_header chunk = {
            .magic = TRACE_CHUNK_MAGIC, .hart = i, .records = buffers[i].count, .dropped = 0};
        ok = fwrite(&chunk, sizeof chunk, 1, f) == 1 &&
             fwrite(buffers[i].records, sizeof(struct trace_record), buffers[i].count, f) ==
                 buffers[i].count;
    }
    if (fclose(f) || !ok) {
        perror(path);
        return -1;
    }
    return 0;
}
