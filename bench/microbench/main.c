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

static void report(const char *name, uint64_t start, uint64_t ops)
{
    uint64_t per = (schedlab_now_ns() - start) / ops;
    printf("bench %s %lu\n", name, per);
}

int main(const seL4_BootInfo *bi)
{
    (void)bi;
    static struct thread t[6];
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
    return 0;
}
