/* The kernel API test harness: each case checks one behaviour or one error case. */
#ifndef KTEST_H
#define KTEST_H

#include <stdbool.h>

#include <schedlab/alloc.h>
#include <schedlab/runtime.h>
#include <schedlab/sys.h>
#include <schedlab/thread.h>

struct ktest_case {
    const char *group; /* CNODE, RETYPE, TCB, IPC, NOTIF, FAULT, VSPACE, IRQ, BOOT, FPU, FASTPATH */
    const char *name;
    int (*run)(void); /* 0 = pass; otherwise the failing line */
    /* How many times the default time bound (CASE_TIMEOUT_MS, or ktest.timeout_ms) the case may
     * take, for one whose waits can each be long for a reason it cannot remove (0: once) */
    unsigned timeout_scale;
};

/* A failed expectation ends the case and reports the line. */
#define EXPECT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("    expectation failed at line %d: %s\n", __LINE__, #cond);                    \
            return __LINE__;                                                                       \
        }                                                                                          \
    } while (0)

extern const seL4_BootInfo *ktest_bootinfo;
extern seL4_IPCBuffer *ktest_root_ipc_buffer;

/* Each case runs as its own process (a copy of this program in a fresh VSpace, with its own
 * untyped memory and CNode slots) in a thread at KTEST_PRIO; the root task, above it, watches.
 * ktest_self() is that thread's TCB. */
#define KTEST_PRIO 254
seL4_CPtr ktest_self(void);
/* The VSpace of the process the case runs in. */
seL4_CPtr ktest_own_vspace(void);

/* Something another thread or hart will make true: wait for the event itself (checking every
 * KTEST_POLL_NS), never for a fixed time, bounded only far above the need: ktest_soon_ns is half
 * the case's timeout (ktest.timeout_ms times its timeout_scale), so a case that waits in vain
 * still reports its line. Under
 * --realtime emulated time is wall-clock time, and a loaded host can run the other side 10-50x
 * later than it would alone. */
#define KTEST_POLL_NS 50000ull
extern uint64_t ktest_soon_ns;
#define EXPECT_SOON(cond)                                                                          \
    do {                                                                                           \
        uint64_t soon_end_ = schedlab_now_ns() + ktest_soon_ns;                                    \
        while (!(cond) && schedlab_now_ns() < soon_end_) schedlab_sleep_ns(KTEST_POLL_NS);         \
        EXPECT(cond);                                                                              \
    } while (0)

/* True once every thread above priority 0 on `hart` has blocked or stopped: a witness thread at
 * priority 0 pinned there has run (every policy keeps seL4's priorities strict on a hart). The
 * event a check that something stopped, blocked or will never run needs, instead of a sleep
 * that assumes the other side has had its turn. False after ktest_soon_ns without it. */
bool ktest_hart_goes_quiet(unsigned hart);
/* ktest_hart_goes_quiet for every hart in turn. */
bool ktest_all_harts_go_quiet(void);

/* The reply label (error) and MRs of the last invocation are in the IPC buffer. */
#define EXPECT_ERROR(call, error) EXPECT((call) == (error))

/* Helpers shared by the groups. */
seL4_CPtr ktest_untyped(unsigned min_bits);
/* A fresh 1 GiB-aligned region of the root VSpace with both levels of page table mapped. */
seL4_Word ktest_region_with_tables(void);
/* Start fn(arg) below the case's priority with `fault_ep` (a cptr) as its fault endpoint, in the
 * case's VSpace; returns its TCB cap, or 0. */
seL4_CPtr ktest_spawn_with_fault_ep(const char *name, thread_fn fn, void *arg, seL4_CPtr fault_ep);
int ktest_spawn(const char *name, seL4_Word prio, thread_fn fn, void *arg, seL4_CPtr *tcb);
/* The reply to the UnknownSyscall fault just received that emulates the call: the thread resumes
 * after its ecall with its sp and ra, and `result` in a0. -> the reply's message info. */
seL4_MessageInfo_t ktest_emulation_reply(seL4_Word result);
/* ktest_spawn on `hart` rather than on the caller's. */
int ktest_spawn_on(const char *name, seL4_Word prio, unsigned hart, thread_fn fn, void *arg,
                   seL4_CPtr *tcb);

extern const struct ktest_case ktest_boot[], ktest_retype[], ktest_tcb[], ktest_ipc[],
    ktest_notif[], ktest_fault[], ktest_cnode[], ktest_vspace[], ktest_irq[], ktest_more[],
    ktest_smp[], ktest_integrity[], ktest_fpu[], ktest_revoke[], ktest_resume[], ktest_fastpath[];

#endif
