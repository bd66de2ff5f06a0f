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
/* --annotate: each record's predecessor in its entry and how the entry began; and for an entry's
 * first record made by a system call, the user chain before it (sim.h), as text */
static char **before[SIM_MAX_HARTS];
static const char *annotate;

void trace_out_init(unsigned harts, const char *annotate_path)
{
    annotate = annotate_path;
    for (unsigned i = 0; i < harts; i++) buffers[i].count = 0;
}

/* "PREV ENTRY CHAIN [CHARGED]": the record before in this entry (its tag; 255: another hart's
 * record), how the entry began (entry_name, or "-"), and the chain a system call's first record
 * ends (its user_ns key, "[ENTRY:]BEFORE>CALL>...=RECORD", and the user time charged to it) or
 * "-". */
static char *annotation(const struct sim_hart *h, unsigned prev, unsigned entry, bool chain_end,
                        unsigned tag)
{
    char text[512], name[48];
    int n =
        snprintf(text, sizeof text, "%u %s ", prev, entry == 255 ? "-" : entry_name(entry, name));
    if (!chain_end || h->chain_length > sizeof h->chain_calls) {
        snprintf(text + n, sizeof text - (size_t)n, "-");
    } else {
        unsigned before = h->chain_before;
        if (before < SIM_PATH_TAGS)
            n += snprintf(text + n, sizeof text - (size_t)n,
                          "%s:", entry_name(h->chain_before_entry, name));
        if (before >= SIM_PATH_TAGS)
            n += snprintf(text + n, sizeof text - (size_t)n, "MARKER_%u", before - SIM_PATH_TAGS);
        else
            n += snprintf(text + n, sizeof text - (size_t)n, "%s", record_name(before));
        for (unsigned i = 0; i < h->chain_length && n < (int)sizeof text; i++) {
            /* the last call's entry, for a Call: CALL_FAST if the fastpath took it */
            unsigned call = i + 1 == h->chain_length ? h->path_entry : h->chain_calls[i];
            n += snprintf(text + n, sizeof text - (size_t)n, ">%s", entry_name(call, name));
        }
        if (n < (int)sizeof text)
            snprintf(text + n, sizeof text - (size_t)n, "=%s %lu", record_name(tag),
                     (unsigned long)h->chain_charged);
    }
    char *copy = strdup(text);
    if (!copy) sim_panic("out of host memory for the annotations");
    return copy;
}

void trace_emit_for(unsigned hart, enum trace_event_type type, uint16_t arg0, uint32_t arg1,
                    uint32_t arg2, uint32_t arg3, uint64_t arg4)
{
    struct sim_hart *h = &sim_harts[hart];
    unsigned last = h->path_last;
    unsigned tag = type == TRACE_PREEMPT && arg0 == TRACE_PREEMPT_WAKEUP
                       ? SIM_PATH_PREEMPT_BY_WAKEUP
                       : (unsigned)type;
    bool mine = hart == sim_hart_now, chain_end = mine && last == SIM_PATH_SYSCALL;
    /* the system call that ends the chain: the rest of the chain's user time */
    if (chain_end)
        user_charge(h, user_chain_done(h->chain, tag, h->path_entry == SIM_ENTRY_CALL_FAST));
    char *note = NULL;
    unsigned path_key = h->path_signal ? SIM_ENTRY_SIGNAL : h->path_entry;
    if (annotate) note = annotation(h, mine ? last : 255, mine ? path_key : 255, chain_end, tag);
    if (mine) {
        h->time += path_cost(path_key, last, tag);
        h->path_last = tag;
        h->chain_before = sim_chain_before_key(tag, type, arg0);
        h->chain_before_entry = h->path_entry;
    }
    struct buffer *b = &buffers[hart];
    if (b->count == b->capacity) {
        b->capacity = b->capacity ? 2 * b->capacity : 4096;
        b->records = realloc(b->records, b->capacity * sizeof *b->records);
        if (annotate) before[hart] = realloc(before[hart], b->capacity * sizeof *before[hart]);
        if (!b->records || (annotate && !before[hart]))
            sim_panic("out of host memory for the trace");
    }
    if (annotate) before[hart][b->count] = note;
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
        for (uint64_t r = 0; r < buffers[i].count; r++) fprintf(f, "%s\n", before[i][r]);
    return fclose(f) ? -1 : 0;
}
