/*
 * The trace: per-hart record buffers in the format of include/schedlab/trace.h, written as one
 * file at the end (one chunk per hart; nothing is ever dropped). Every record is stamped with
 * the recording hart's clock, after the kernel path that leads to it from the entry's previous
 * record (path_ns, sim.h). --annotate writes, for each record in file order, what preceded it
 * in its kernel entry (calibrate aligns that with a QEMU trace to measure path_ns).
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
/* --annotate: each record's predecessor in its entry, and for an entry's first record made by
 * a system call, the user path before it (sim.h user_ns) */
static uint8_t (*before[SIM_MAX_HARTS])[5];
static const char *annotate;

uint64_t path_ns[SIM_PATH_TAGS][SIM_PATH_TAGS];
uint64_t path_in_ns[SIM_PATH_ENTRY_KINDS][SIM_PATH_TAGS][SIM_PATH_TAGS];
uint64_t path_call_ns[SIM_USER_KEYS][SIM_PATH_TAGS][SIM_PATH_TAGS];
uint64_t user_ns[SIM_PATH_TAGS][SIM_USER_KEYS];
uint64_t user_marker_ns[SIM_USER_KEYS - SIM_USER_MARKER][SIM_USER_KEYS];

void trace_out_init(unsigned harts, const char *annotate_path)
{
    annotate = annotate_path;
    for (unsigned i = 0; i < harts; i++) buffers[i].count = 0;
}

/* The kernel time from the entry's previous record to a record `tag` (its event type, or
 * SIM_PATH_PREEMPT_BY_WAKEUP) on this hart; `call` is the system call that made the entry
 * (sim_user_key), or 255. */
static uint64_t path_cost(unsigned entry, unsigned call, unsigned last, unsigned tag,
                          enum trace_event_type type)
{
    unsigned kind = entry - SIM_PATH_SYSCALL;
    if (entry == SIM_PATH_SYSCALL && call < SIM_USER_KEYS && last < SIM_PATH_TAGS &&
        tag < SIM_PATH_TAGS && path_call_ns[call][last][tag] != SIM_NEVER)
        return path_call_ns[call][last][tag];
    if (kind < SIM_PATH_ENTRY_KINDS && last < SIM_PATH_TAGS && tag < SIM_PATH_TAGS &&
        path_in_ns[kind][last][tag] != SIM_NEVER)
        return path_in_ns[kind][last][tag];
    if (last < SIM_PATH_TAGS && tag < SIM_PATH_TAGS && path_ns[last][tag] != SIM_NEVER)
        return path_ns[last][tag];
    if (type == TRACE_TIMER_SET) return costs.timer_set_ns;
    if (last >= SIM_PATH_SYSCALL) return 0; /* the entry's cost is charged already */
    if (type == TRACE_SWITCH) return costs.decision_ns;
    return 0;
}

void trace_emit_for(unsigned hart, enum trace_event_type type, uint16_t arg0, uint32_t arg1,
                    uint32_t arg2, uint32_t arg3, uint64_t arg4)
{
    struct sim_hart *h = &sim_harts[hart];
    unsigned last = h->path_last;
    unsigned tag = type == TRACE_PREEMPT && arg0 == TRACE_PREEMPT_WAKEUP
                       ? SIM_PATH_PREEMPT_BY_WAKEUP
                       : (unsigned)type;
    if (hart == sim_hart_now) {
        h->time += path_cost(h->path_entry, h->user_key, last, tag, type);
        h->path_last = tag;
        h->last_marker =
            type == TRACE_MARKER && arg0 < SIM_USER_KEYS - SIM_USER_MARKER ? arg0 : 255;
    }
    struct buffer *b = &buffers[hart];
    if (b->count == b->capacity) {
        b->capacity = b->capacity ? 2 * b->capacity : 4096;
        b->records = realloc(b->records, b->capacity * sizeof *b->records);
        if (annotate) before[hart] = realloc(before[hart], b->capacity * sizeof *before[hart]);
        if (!b->records || (annotate && !before[hart]))
            sim_panic("out of host memory for the trace");
    }
    if (annotate) {
        bool mine = hart == sim_hart_now, first = mine && last == SIM_PATH_SYSCALL;
        before[hart][b->count][0] = (uint8_t)(mine ? last : 255);
        before[hart][b->count][1] = (uint8_t)(first ? h->user_before : 255);
        before[hart][b->count][2] = (uint8_t)(first ? h->chain_key : 255);
        before[hart][b->count][3] = (uint8_t)(mine ? h->path_entry : 255);
        before[hart][b->count][4] =
            (uint8_t)(mine && h->path_entry == SIM_PATH_SYSCALL ? h->user_key : 255);
    }
    b->records[b->count++] =
        trace_record_make(clock_now(), type, hart, arg0, arg1, arg2, arg3, arg4);
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
    if (!annotate) return 0;
    if (!(f = fopen(annotate, "w"))) {
        perror(annotate);
        return -1;
    }
    for (unsigned i = 0; i < harts; i++)
        for (uint64_t r = 0; r < buffers[i].count; r++)
            fprintf(f, "%u %u %u %u %u\n", before[i][r][0], before[i][r][1], before[i][r][2],
                    before[i][r][3], before[i][r][4]);
    return fclose(f) ? -1 : 0;
}
