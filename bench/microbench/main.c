/*
 * Kernel microbenchmarks. Under -icount shift=0 the trace clock counts guest instructions, so
 * each figure is instructions per operation, exact and repeatable. Figures include the user-level
 * loop around each operation and, unless the kernel is built with SCHEDLAB_TRACE=OFF, tracing.
 */
#include <schedlab/alloc.h>
#include <schedlab/process.h>
#include <schedlab/runtime.h>
#include <schedlab/sys.h>
#include <schedlab/thread.h>

#define ROUNDS 2000

static seL4_CPtr ep, ntfn, done;
static volatile int stop;

static void yielder(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) seL4_Yield();
    seL4_Send(done, seL4_MessageInfo_new(0, 0, 0, 0));
}

static void server(void *arg)
{
    (void)arg;
    seL4_Word badge;
    seL4_Recv(ep, &badge);
    for (;;) seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
}

static void waiter(void *arg)
{
    (void)arg;
    seL4_Word badge;
    for (;;) seL4_Wait(ntfn, &badge);
}

/* The FPU variants: each thread writes an FP register before every operation, so that at every
 * switch the hart's FPU holds Dirty state of the other thread (the worst case: a save and a
 * load per switch). */
static inline void use_fpu(void) { __asm__ volatile("fadd.d ft0, ft0, ft1" ::: "ft0"); }

static void yielder_fpu(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        use_fpu();
        seL4_Yield();
    }
    seL4_Send(done, seL4_MessageInfo_new(0, 0, 0, 0));
}

static seL4_CPtr ep_fpu;

static void server_fpu(void *arg)
{
    (void)arg;
    seL4_Word badge;
    seL4_Recv(ep_fpu, &badge);
    for (;;) {
        use_fpu();
        seL4_ReplyRecv(ep_fpu, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    }
}

static void report(const char *name, uint64_t start, uint64_t ops)
{
    uint64_t per = (schedlab_now_ns() - start) / ops;
    printf("bench %s %lu\n", name, per);
}

int main(const seL4_BootInfo *bi)
{
    (void)bi;
    static struct thread t[11];
    ep = alloc_object(seL4_EndpointObject, 0);
    ntfn = alloc_object(seL4_NotificationObject, 0);
    done = alloc_object(seL4_EndpointObject, 0);

    /* two threads of equal priority yield to each other: one yield + one switch per op */
    if (thread_start(&t[0], "yield-a", 100, yielder, 0) ||
        thread_start(&t[1], "yield-b", 100, yielder, 0))
        return 1;
    seL4_Word badge;
    uint64_t start = schedlab_now_ns();
    seL4_Recv(done, &badge);
    seL4_Recv(done, &badge);
    report("yield_switch", start, 2 * ROUNDS);

    /* the same with the second thread in another address space: each switch changes VSpace */
    static struct process other;
    static const struct thread_options in_other = {.process = &other};
    if (process_create(&other) || process_load(&other)) return 1;
    if (thread_start(&t[4], "yield-c", 100, yielder, 0) ||
        thread_create(&t[5], "yield-d", 100, yielder, 0, &in_other))
        return 1;
    start = schedlab_now_ns();
    seL4_Recv(done, &badge);
    seL4_Recv(done, &badge);
    report("yield_switch_two_vspaces", start, 2 * ROUNDS);

    /* Call to a server of equal priority and its ReplyRecv: one round trip per op */
    if (thread_start(&t[2], "server", 255, server, 0)) return 1;
    start = schedlab_now_ns();
    for (int i = 0; i < ROUNDS; i++) seL4_Call(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    report("call_replyrecv_roundtrip", start, ROUNDS);

    /* Signal a higher-priority waiter: it runs, waits again, we continue */
    if (seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 200)) return 1;
    if (thread_start(&t[3], "waiter", 250, waiter, 0)) return 1;
    start = schedlab_now_ns();
    for (int i = 0; i < ROUNDS; i++) seL4_Signal(ntfn);
    report("signal_higher_prio_waiter_roundtrip", start, ROUNDS);

    /* last, since the root task becomes an FPU user: the yield and the Call/ReplyRecv round trip
     * with both threads using the FPU, each after the same without it in the same setting (the
     * root task's priority is 200 now, which changes the figures a little) */
    if (thread_start(&t[9], "yield-e", 100, yielder, 0) ||
        thread_start(&t[10], "yield-f", 100, yielder, 0))
        return 1;
    start = schedlab_now_ns();
    seL4_Recv(done, &badge);
    seL4_Recv(done, &badge);
    report("yield_switch_nofpu_control", start, 2 * ROUNDS);
    if (thread_start(&t[6], "yield-fpu-a", 100, yielder_fpu, 0) ||
        thread_start(&t[7], "yield-fpu-b", 100, yielder_fpu, 0))
        return 1;
    start = schedlab_now_ns();
    seL4_Recv(done, &badge);
    seL4_Recv(done, &badge);
    report("yield_switch_fpu", start, 2 * ROUNDS);

    start = schedlab_now_ns();
    for (int i = 0; i < ROUNDS; i++) seL4_Call(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    report("call_replyrecv_roundtrip_nofpu_control", start, ROUNDS);
    ep_fpu = alloc_object(seL4_EndpointObject, 0);
    if (thread_start(&t[8], "server-fpu", 255, server_fpu, 0)) return 1;
    use_fpu();
    seL4_Call(ep_fpu, seL4_MessageInfo_new(0, 0, 0, 0)); /* both have FP state from here on */
    start = schedlab_now_ns();
    for (int i = 0; i < ROUNDS; i++) {
        use_fpu();
        seL4_Call(ep_fpu, seL4_MessageInfo_new(0, 0, 0, 0));
    }
    report("call_replyrecv_roundtrip_fpu", start, ROUNDS);
    return 0;
}
