#include <arch/arch.h>
#include <kernel/hart.h>
#include <kernel/printk.h>
#include <kernel/trace.h>

struct trace_buffer trace_buffers[ARCH_MAX_HARTS];

/* the header's policy field holds the name and at least one NUL */
_Static_assert(sizeof(SCHED_POLICY_NAME) <= sizeof(((struct trace_file_header *)0)->policy),
               "the policy's name does not fit trace_file_header.policy");
static unsigned traced_harts;
static long trace_fd = -1;

#define SEMIHOST_MODE_WB 5

static void write_all(const void *p, uint64_t len)
{
    if (trace_fd < 0) return;
    if (arch_semihost_write(trace_fd, p, len) != 0) {
        printk("trace: write to the host failed; the trace is incomplete\n");
        trace_fd = -1;
    }
}

static void flush(unsigned hart)
{
    struct trace_buffer *b = &trace_buffers[hart];
    uint64_t count = (uint64_t)(b->next - b->records);
    struct trace_chunk_header chunk = {TRACE_CHUNK_MAGIC, hart, count, b->dropped};
    write_all(&chunk, sizeof chunk);
    write_all(b->records, count * sizeof(struct trace_record));
    b->next = b->records;
}

void trace_init(void *memory, uint64_t bytes_per_hart, unsigned nharts, bool wall_clock)
{
    traced_harts = nharts;
    for (unsigned i = 0; i < nharts; i++) {
        struct trace_buffer *b = &trace_buffers[i];
        b->records = b->next = (struct trace_record *)((char *)memory + i * bytes_per_hart);
        b->end = b->records + bytes_per_hart / sizeof(struct trace_record);
        /* the buffer only ever holds this hart's records: their hart fields are written here,
         * once, and trace_put leaves them be */
        for (struct trace_record *r = b->records; r < b->end; r++) r->hart = (uint8_t)i;
    }
    if (!arch_semihosting_enabled()) {
        printk("trace: no semihosting; records stay in memory and are lost at halt\n");
        return;
    }
    trace_fd = arch_semihost_open("trace.bin", SEMIHOST_MODE_WB);
    if (trace_fd < 0) {
        printk("trace: cannot create trace.bin on the host\n");
        return;
    }
    struct trace_file_header header = {
        .magic = TRACE_FILE_MAGIC,
        .version = TRACE_VERSION,
        .record_size = sizeof(struct trace_record),
        .nharts = nharts,
        .clock = wall_clock,
        .timeslice_ns = SCHED_TIMESLICE_NS,
        .policy = SCHED_POLICY_NAME,
    };
    write_all(&header, sizeof header);
}

#if SCHEDLAB_TRACE
bool trace_make_room(unsigned hart)
{
    /* a full buffer goes to the host at once: under icount this costs no emulated time, so the
     * trace stays complete without perturbing the run */
    if (trace_fd >= 0) {
        flush(hart);
        return true;
    }
    trace_buffers[hart].dropped++;
    return false;
}

uint64_t trace_make_room_word(uint64_t hart) { return trace_make_room((unsigned)hart); }
#endif

void trace_finish(void)
{
    for (unsigned i = 0; i < traced_harts; i++) flush(i);
    if (trace_fd >= 0) arch_semihost_close(trace_fd);
    trace_fd = -1;
}

uint64_t trace_dropped(void)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < traced_harts; i++) total += trace_buffers[i].dropped;
    return total;
}
