/*
 * Kernel API test suite: one line per case, then "N passed, M failed". The exit status is the
 * number of failures (0 = all passed).
 *
 * Cases run in a runner thread below the root task, which is its fault handler and watches it
 * with a timeout: a case that faults or hangs is reported as failed, its runner is stopped, and
 * a fresh runner goes on with the next case.
 */
#include "ktest.h"

const seL4_BootInfo *ktest_bootinfo;
seL4_IPCBuffer *ktest_root_ipc_buffer;

#define CASE_TIMEOUT_NS 100000000ull /* 100 ms of emulated time */
#define RESULT_LABEL    0x7e57
#define TIMEOUT_BADGE   1

seL4_CPtr ktest_untyped(unsigned min_bits)
{
    const seL4_BootInfo *bi = ktest_bootinfo;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++)
        if (!bi->untypedList[i].isDevice && bi->untypedList[i].sizeBits >= min_bits)
            return bi->untyped.start + i;
    return 0;
}

int ktest_spawn(const char *name, seL4_Word prio, thread_fn fn, void *arg, seL4_CPtr *tcb)
{
    static struct thread threads[THREAD_MAX];
    static unsigned n;
    if (n == THREAD_MAX) return -1;
    struct thread *t = &threads[n++];
    if (thread_start(t, name, prio, fn, arg)) return -1;
    if (tcb) *tcb = t->tcb;
    return 0;
}

/* one group per line */
// clang-format off
static const struct ktest_case *const groups[] = {
    ktest_boot,
    ktest_retype,
    ktest_tcb,
    ktest_ipc,
    ktest_notif,
    ktest_fault,
    ktest_cnode,
    ktest_vspace,
    ktest_irq,
    ktest_more,
};
// clang-format on

/* Deliberately broken cases, run first with ktest.selfcheck=1: they prove that a case that
 * faults or hangs is reported and does not stop the cases after it. */
static volatile uintptr_t bad_address = 8; /* read at run time: the compiler cannot see it */
static int selfcheck_fault(void) { return *(volatile int *)bad_address; }
static int selfcheck_hang(void)
{
    seL4_Word badge;
    seL4_Wait(alloc_object(seL4_NotificationObject, 0), &badge);
    return 0;
}
static const struct ktest_case selfcheck[] = {
    {"SELF", "a case that faults (expected to FAIL)", selfcheck_fault},
    {"SELF", "a case that hangs (expected to FAIL)", selfcheck_hang},
    {0, 0, 0},
};

static const struct ktest_case *cases[256];
static unsigned ncases;
static volatile unsigned next_case, running_case;
static seL4_CPtr report_ep, runner_tcb;

/* The watchdog: armed with a case number, it signals the root task if that case is still
 * running when its time is up. It never blocks on anything the cases could hold up. */
static seL4_CPtr arm_ntfn, timeout_ntfn;
static volatile uint64_t watch_deadline;
static volatile unsigned watch_case;

static void watchdog(void *arg)
{
    (void)arg;
    for (;;) {
        seL4_Word badge;
        seL4_Wait(arm_ntfn, &badge);
        unsigned c = watch_case;
        schedlab_sleep_until(watch_deadline);
        if (running_case == c && watch_case == c) seL4_Signal(timeout_ntfn);
    }
}

seL4_CPtr ktest_self(void) { return runner_tcb; }

static void runner(void *arg)
{
    (void)arg;
    while (next_case < ncases) {
        unsigned i = next_case++;
        running_case = i;
        seL4_SetMR(0, (seL4_Word)cases[i]->run());
        seL4_SetMR(1, i);
        seL4_Send(report_ep, seL4_MessageInfo_new(RESULT_LABEL, 0, 0, 2));
    }
}

static int start_runner(void)
{
    static struct thread t;
    if (thread_start(&t, "ktest-runner", KTEST_PRIO, runner, 0)) return -1;
    runner_tcb = t.tcb;
    /* the runner may set any priority up to ours, and its faults come to us */
    return seL4_TCB_SetSchedParams(t.tcb, seL4_CapInitThreadTCB, 255, KTEST_PRIO) ||
           seL4_TCB_SetSpace(t.tcb, report_ep, seL4_CapInitThreadCNode, 0, seL4_CapInitThreadVSpace,
                             0);
}

static const char *fault_name(seL4_Word label)
{
    switch (label) {
    case seL4_Fault_CapFault: return "capability fault";
    case seL4_Fault_UnknownSyscall: return "unknown syscall";
    case seL4_Fault_UserException: return "user exception";
    case seL4_Fault_VMFault: return "VM fault";
    default: return "fault";
    }
}

int main(const seL4_BootInfo *bi)
{
    ktest_bootinfo = bi;
    ktest_root_ipc_buffer = seL4_GetIPCBuffer();
    if (schedlab_param("ktest.selfcheck", 0))
        for (const struct ktest_case *c = selfcheck; c->run; c++) cases[ncases++] = c;
    for (unsigned g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (const struct ktest_case *c = groups[g]; c->run && ncases < 256; c++)
            cases[ncases++] = c;

    report_ep = alloc_object(seL4_EndpointObject, 0);
    arm_ntfn = alloc_object(seL4_NotificationObject, 0);
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0);
    timeout_ntfn = alloc_slot();
    if (!report_ep || !arm_ntfn || !n ||
        seL4_CNode_Mint(seL4_CapInitThreadCNode, timeout_ntfn, 64, seL4_CapInitThreadCNode, n, 64,
                        seL4_AllRights, TIMEOUT_BADGE) ||
        seL4_TCB_BindNotification(seL4_CapInitThreadTCB, n) ||
        ktest_spawn("ktest-watchdog", 255, watchdog, 0, 0) || start_runner()) {
        printf("ktest: cannot set up the runner\n");
        return 1;
    }

    int passed = 0, failed = 0;
    while (next_case < ncases || running_case + 1 < ncases) {
        unsigned expected = next_case;
        watch_case = expected;
        watch_deadline = schedlab_now_ns() + CASE_TIMEOUT_NS;
        seL4_Signal(arm_ntfn);
        seL4_Word badge = 0;
        seL4_MessageInfo_t info = seL4_Recv(report_ep, &badge);
        seL4_Word label = seL4_MessageInfo_get_label(info);
        unsigned i = label == RESULT_LABEL ? (unsigned)seL4_GetMR(1) : running_case;
        const struct ktest_case *c = cases[i];
        if (label == RESULT_LABEL) {
            int line = (int)seL4_GetMR(0);
            printf("%s %-7s %s\n", line ? "FAIL" : "ok  ", c->group, c->name);
            if (line)
                failed++;
            else
                passed++;
            continue;
        }
        /* a fault (the message is the fault) or the watchdog's signal (a bound wake-up) */
        if (badge == TIMEOUT_BADGE && label == 0)
            printf("    timed out after %llu ms\n", CASE_TIMEOUT_NS / 1000000);
        else
            printf("    %s at pc 0x%lx\n", fault_name(label), seL4_GetMR(0));
        printf("FAIL %-7s %s\n", c->group, c->name);
        failed++;
        seL4_TCB_Suspend(runner_tcb);
        next_case = i + 1;
        running_case = i + 1;
        if (next_case < ncases && start_runner()) {
            printf("ktest: cannot restart the runner\n");
            return 1;
        }
    }
    watch_case = ~0u;
    if (failed || schedlab_param("ktest.dump", 0)) seL4_DebugDumpScheduler();
    printf("%d passed, %d failed\n", passed, failed);
    return failed;
}
