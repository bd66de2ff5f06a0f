/*
 * Kernel microbenchmarks, in instructions per operation. Prints "bench <name> <instructions>".
 *
 * Method (sel4bench's): under -icount shift=0 on one hart the instruction counter that user code
 * reads (rdinstret, enabled by scounteren) counts every guest instruction, kernel ones included,
 * so a figure is exact. An operation that crosses threads is timed one way: the thread starting
 * it reads the counter just before its system call and leaves the value in memory; the thread
 * that runs next reads the counter just after its own system call returns and subtracts. An
 * operation inside one thread is timed around its system call. The system calls are sel4bench's
 * register-only stubs (stubs.h), and as sel4bench does, the interval's own user instructions
 * (the counter reads, the store, the stub's set-up) are measured with a nop for the ecall and
 * subtracted: "bench <name> N" is the rest, the kernel's part, and "bench <name>_overhead M" the
 * M subtracted (N + M is the interval as timed). Each operation is sampled SAMPLES times after a
 * warm-up; the figure is the smallest sample, and a line "bench-unsteady <name> <equal> <of>"
 * follows when fewer than nine in ten samples equal it (under icount they all should: a timer
 * interrupt inside a sample is the one thing that may lengthen it). map_page and unmap_page go
 * through the library's invocations and are timed whole. The timer preemption is measured by
 * bench/slice, over whole slices.
 *
 * The loop figures (yield_switch_two_vspaces, signal_higher_prio_waiter_roundtrip, the yield
 * between FPU users and its control) are means over a loop of the operation, the loop included.
 */
#include <schedlab/alloc.h>
#include <schedlab/process.h>
#include <schedlab/runtime.h>
#include <schedlab/sys.h>
#include <schedlab/thread.h>
#include <schedlab/vspace.h>

#include "stubs.h"

#define ROUNDS  2000
#define WARMUP  16
#define SAMPLES 256

static inline uint64_t counter(void)
{
    uint64_t v;
    __asm__ volatile("rdinstret %0" : "=r"(v)::"memory");
    return v;
}

/* The smallest of a set of samples, and whether (nearly) all of them are that. */
struct samples {
    uint64_t n, min, at_min;
};

static void sample(struct samples *s, uint64_t value)
{
    if (!s->n || value < s->min) {
        s->min = value;
        s->at_min = 0;
    }
    if (value == s->min) s->at_min++;
    s->n++;
}

static void report_samples(const char *name, const struct samples *s)
{
    printf("bench %s %lu\n", name, s->min);
    if (s->at_min * 10 < s->n * 9) printf("bench-unsteady %s %lu %lu\n", name, s->at_min, s->n);
}

/* An operation timed with the stubs: its samples less the interval's own instructions. */
static void report_less_overhead(const char *name, const struct samples *s, uint64_t overhead)
{
    printf("bench %s %lu\n", name, s->min - overhead);
    printf("bench %s_overhead %lu\n", name, overhead);
    if (s->at_min * 10 < s->n * 9) printf("bench-unsteady %s %lu %lu\n", name, s->at_min, s->n);
}

static void report_mean(const char *name, uint64_t start, uint64_t ops)
{
    uint64_t per = (schedlab_now_ns() - start) / ops;
    printf("bench %s %lu\n", name, per);
}

static seL4_CPtr ep, ntfn, done;
static volatile uint64_t started;           /* counter just before the operation's syscall */
static volatile uint64_t arrived, departed; /* the server's counter after its receive, before its
                                             * reply */

static void finished(void) { seL4_Send(done, seL4_MessageInfo_new(0, 0, 0, 0)); }

/* sel4bench's overhead of an interval timed around `stmt` (a stub with "nop" for its ecall),
 * with the start stored for another thread (`shared`) or not: the smallest of the samples. */
#define OVERHEAD_OF(shared, stmt)                                                                  \
    ({                                                                                             \
        struct samples s_ = {0};                                                                   \
        for (int i_ = 0; i_ < WARMUP + SAMPLES; i_++) {                                            \
            uint64_t t0_ = counter();                                                              \
            if (shared) started = t0_;                                                             \
            stmt;                                                                                  \
            uint64_t t1_ = counter();                                                              \
            if (i_ >= WARMUP) sample(&s_, t1_ - t0_);                                              \
        }                                                                                          \
        s_.min;                                                                                    \
    })

static void wait_finished(void)
{
    seL4_Word badge;
    seL4_Recv(done, &badge);
}

/* ---- yield ---- */

static struct samples yield_switch;

/* Two of these at one priority: each yield switches to the other, which notes the time. */
static void yield_timer(void *arg)
{
    (void)arg;
    for (int i = 0; i < WARMUP + SAMPLES; i++) {
        started = counter();
        YIELD("ecall");
        uint64_t now = counter();
        if (i >= WARMUP) sample(&yield_switch, now - started);
    }
    finished();
}

static void yielder(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) seL4_Yield();
    finished();
}

/* ---- Call / ReplyRecv ---- */

/* Each thread of an FPU pair writes an FP register before every operation, so that at every
 * switch the hart's FPU holds the other thread's Dirty state (the worst case: a save and a load
 * per switch). The write is outside every timed interval. */
static inline void use_fpu(void) { __asm__ volatile("fadd.d ft0, ft0, ft1" ::: "ft0"); }

static seL4_CPtr ep_fpu;

/* `arg` != 0: the FPU variant, on ep_fpu */
static void server(void *arg)
{
    bool fpu = arg != 0;
    seL4_CPtr on = fpu ? ep_fpu : ep;
    seL4_Word badge;
    seL4_Recv(on, &badge);
    for (;;) {
        arrived = counter();
        if (fpu) use_fpu();
        departed = counter();
        REPLY_RECV("ecall", on, 0);
    }
}

/* Calls with `words` message words on `to` (whose server is server()): one way there, one way
 * back, and the round trip (the last two if asked for); with `fpu`, the client too writes an FP
 * register before each. */
static void measure_call(seL4_CPtr to, bool fpu, unsigned words, struct samples *call,
                         struct samples *reply, struct samples *round_trip)
{
    for (int i = 0; i < WARMUP + SAMPLES; i++) {
        for (unsigned w = 0; w < words; w++) seL4_SetMR((int)w, w);
        if (fpu) use_fpu();
        uint64_t start = counter();
        started = start;
        CALL("ecall", to, words);
        uint64_t now = counter();
        if (i < WARMUP) continue;
        sample(call, arrived - start);
        if (reply) sample(reply, now - departed);
        if (round_trip) sample(round_trip, now - start);
    }
}

static seL4_CPtr send_ep;
static struct samples send_higher;

static void receiver(void *arg)
{
    (void)arg;
    for (int i = 0; i < WARMUP + SAMPLES; i++) {
        RECV("ecall", send_ep);
        uint64_t now = counter();
        if (i >= WARMUP) sample(&send_higher, now - started);
    }
    finished();
}

/* ---- notifications ---- */

static struct samples signal_higher;

static void waiter_timer(void *arg)
{
    (void)arg;
    for (int i = 0; i < WARMUP + SAMPLES; i++) {
        WAIT("ecall", ntfn);
        uint64_t now = counter();
        if (i >= WARMUP) sample(&signal_higher, now - started);
    }
    finished();
}

static void waiter(void *arg)
{
    (void)arg;
    seL4_Word badge;
    for (;;) seL4_Wait(ntfn, &badge);
}

/* ---- yield with the FPU (see use_fpu) ---- */

static void yielder_fpu(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        use_fpu();
        seL4_Yield();
    }
    finished();
}

/* ---- Signal to a lower priority ---- */

static seL4_CPtr low_ntfn;
#define LET_LOWER_RUN_NS 20000

static void low_waiter(void *arg)
{
    (void)arg;
    seL4_Word badge;
    for (;;) seL4_Wait(low_ntfn, &badge);
}

/* ---- single-thread operations ---- */

/* An operation inside one thread, `stmt` the stub with "ecall" and `nop` the same with "nop". */
#define MEASURE_HERE(name, stmt, nop)                                                              \
    do {                                                                                           \
        struct samples s_ = {0};                                                                   \
        for (int i_ = 0; i_ < WARMUP + SAMPLES; i_++) {                                            \
            uint64_t t0_ = counter();                                                              \
            stmt;                                                                                  \
            uint64_t t1_ = counter();                                                              \
            if (i_ >= WARMUP) sample(&s_, t1_ - t0_);                                              \
        }                                                                                          \
        report_less_overhead(name, &s_, OVERHEAD_OF(false, nop));                                  \
    } while (0)

static seL4_CPtr bench_frame;
#define MAP_VADDR 0x2200000000ul

int main(const seL4_BootInfo *bi)
{
    (void)bi;
    static struct thread t[16];
    ep = alloc_object(seL4_EndpointObject, 0);
    ntfn = alloc_object(seL4_NotificationObject, 0);
    done = alloc_object(seL4_EndpointObject, 0);
    send_ep = alloc_object(seL4_EndpointObject, 0);
    bench_frame = alloc_object(seL4_RISCV_4K_Page, 0);
    if (!ep || !ntfn || !done || !send_ep || !bench_frame) return 1;

    MEASURE_HERE("null_syscall", STUB_PLAIN("ecall", SchedLab_SysHartId),
                 STUB_PLAIN("nop", SchedLab_SysHartId));
    /* the root task is alone at its priority: a yield that switches to nobody */
    MEASURE_HERE("yield_noswitch", YIELD("ecall"), YIELD("nop"));

    /* one-way yield between two threads of equal priority (below the root task's) */
    if (thread_start(&t[0], "yield-a", 100, yield_timer, 0) ||
        thread_start(&t[1], "yield-b", 100, yield_timer, 0))
        return 1;
    wait_finished();
    wait_finished();
    report_less_overhead("yield_switch", &yield_switch, OVERHEAD_OF(true, YIELD("nop")));

    /* the mean of a yield loop with the second thread in another address space */
    static struct process other;
    static const struct thread_options in_other = {.process = &other};
    if (process_create(&other) || process_load(&other)) return 1;
    if (thread_start(&t[4], "yield-c", 100, yielder, 0) ||
        thread_create(&t[5], "yield-d", 100, yielder, 0, &in_other))
        return 1;
    uint64_t start = schedlab_now_ns();
    wait_finished();
    wait_finished();
    report_mean("yield_switch_two_vspaces", start, 2 * ROUNDS);

    /* Call to a server of the root task's priority and its ReplyRecv */
    if (thread_start(&t[2], "server", 255, server, 0)) return 1;
    uint64_t call_overhead = OVERHEAD_OF(true, CALL("nop", ep, 0));
    uint64_t reply_overhead = OVERHEAD_OF(true, REPLY_RECV("nop", ep, 0));
    {
        struct samples call = {0}, reply = {0}, round_trip = {0}, call10 = {0};
        measure_call(ep, false, 0, &call, &reply, &round_trip);
        report_less_overhead("call_oneway", &call, call_overhead);
        report_less_overhead("replyrecv_oneway", &reply, reply_overhead);
        /* the client's interval holds both stubs' overheads (the server's between its reads) */
        report_less_overhead("call_replyrecv_roundtrip", &round_trip,
                             call_overhead + reply_overhead);
        measure_call(ep, false, 10, &call10, 0, 0);
        report_less_overhead("call_10words_oneway", &call10,
                             OVERHEAD_OF(true, CALL("nop", ep, 10)));
    }

    /* the single-thread operations that need a VSpace change: map and unmap one 4 KiB page (the
     * page tables are made by the first map) */
    if (vspace_map_frame(seL4_CapInitThreadVSpace, bench_frame, MAP_VADDR, seL4_ReadWrite) ||
        seL4_RISCV_Page_Unmap(bench_frame))
        return 1;
    {
        struct samples map = {0}, unmap = {0};
        for (int i = 0; i < WARMUP + SAMPLES; i++) {
            uint64_t t0 = counter();
            seL4_RISCV_Page_Map(bench_frame, seL4_CapInitThreadVSpace, MAP_VADDR, seL4_ReadWrite,
                                0);
            uint64_t t1 = counter();
            seL4_RISCV_Page_Unmap(bench_frame);
            uint64_t t2 = counter();
            if (i < WARMUP) continue;
            sample(&map, t1 - t0);
            sample(&unmap, t2 - t1);
        }
        report_samples("map_page", &map);
        report_samples("unmap_page", &unmap);
    }

    /* the rest runs at priority 200: higher-priority partners preempt it */
    if (seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 200)) return 1;

    /* Send to a higher-priority thread waiting in Recv: it runs at once */
    if (thread_start(&t[11], "receiver", 250, receiver, 0)) return 1;
    for (int i = 0; i < WARMUP + SAMPLES; i++) {
        started = counter();
        SEND("ecall", send_ep);
    }
    wait_finished();
    report_less_overhead("send_higher_prio", &send_higher, OVERHEAD_OF(true, SEND("nop", send_ep)));

    /* Signal a higher-priority waiter: one way, then the old loop (signal, it waits again) */
    if (thread_start(&t[12], "waiter-timed", 250, waiter_timer, 0)) return 1;
    for (int i = 0; i < WARMUP + SAMPLES; i++) {
        started = counter();
        SIGNAL("ecall", ntfn);
    }
    wait_finished();
    report_less_overhead("signal_higher_prio_waiter", &signal_higher,
                         OVERHEAD_OF(true, SIGNAL("nop", ntfn)));
    if (thread_start(&t[3], "waiter", 250, waiter, 0)) return 1;
    start = schedlab_now_ns();
    for (int i = 0; i < ROUNDS; i++) seL4_Signal(ntfn);
    report_mean("signal_higher_prio_waiter_roundtrip", start, ROUNDS);
    if (seL4_TCB_Suspend(t[3].tcb)) return 1;

    /* Signal a lower-priority waiter: it becomes runnable, the signaller goes on; a short sleep
     * lets it wait again before the next sample */
    static struct thread low;
    low_ntfn = alloc_object(seL4_NotificationObject, 0);
    if (!low_ntfn || thread_start(&low, "waiter-low", 150, low_waiter, 0)) return 1;
    {
        struct samples s = {0};
        for (int i = 0; i < WARMUP + SAMPLES; i++) {
            schedlab_sleep_ns(LET_LOWER_RUN_NS);
            uint64_t t0 = counter();
            SIGNAL("ecall", low_ntfn);
            uint64_t t1 = counter();
            if (i >= WARMUP) sample(&s, t1 - t0);
        }
        report_less_overhead("signal_lower_prio", &s, OVERHEAD_OF(false, SIGNAL("nop", low_ntfn)));
    }
    if (seL4_TCB_Suspend(low.tcb)) return 1;

    /* Wait on a notification that is signalled already: it returns at once */
    {
        struct samples s = {0};
        for (int i = 0; i < WARMUP + SAMPLES; i++) {
            seL4_Signal(low_ntfn);
            uint64_t t0 = counter();
            WAIT("ecall", low_ntfn);
            uint64_t t1 = counter();
            if (i >= WARMUP) sample(&s, t1 - t0);
        }
        report_less_overhead("wait_notification", &s, OVERHEAD_OF(false, WAIT("nop", low_ntfn)));
    }

    /* last, since the root task becomes an FPU user: the yield loop with both threads using the
     * FPU after the same without it in the same setting, then Call and ReplyRecv */
    if (thread_start(&t[9], "yield-e", 100, yielder, 0) ||
        thread_start(&t[10], "yield-f", 100, yielder, 0))
        return 1;
    start = schedlab_now_ns();
    wait_finished();
    wait_finished();
    report_mean("yield_switch_nofpu_control", start, 2 * ROUNDS);
    if (thread_start(&t[6], "yield-fpu-a", 100, yielder_fpu, 0) ||
        thread_start(&t[7], "yield-fpu-b", 100, yielder_fpu, 0))
        return 1;
    start = schedlab_now_ns();
    wait_finished();
    wait_finished();
    report_mean("yield_switch_fpu", start, 2 * ROUNDS);

    /* Call and ReplyRecv between two FPU users of one priority, measured as the plain ones, to
     * compare with them and with seL4's (whose round trip is the sum of its two one-way figures;
     * so is this one) */
    ep_fpu = alloc_object(seL4_EndpointObject, 0);
    if (!ep_fpu || thread_start(&t[8], "server-fpu", 200, server, (void *)1)) return 1;
    {
        struct samples call = {0}, reply = {0};
        measure_call(ep_fpu, true, 0, &call, &reply, 0);
        report_less_overhead("call_fpu_oneway", &call, call_overhead);
        report_less_overhead("replyrecv_fpu_oneway", &reply, reply_overhead);
        printf("bench call_replyrecv_roundtrip_fpu %lu\n",
               call.min - call_overhead + reply.min - reply_overhead);
    }
    return 0;
}
