/* RESUME: seL4's restart acts on every stopped thread (Inactive, blocked on receive, send,
 * notification or reply; and SchedLab's sleep): its IPC is cancelled and it executes its system
 * call again, so it queues up afresh behind the threads already waiting. */
#include "ktest.h"

#define ROOT seL4_CapInitThreadCNode

static seL4_CPtr object; /* the endpoint or notification the threads wait on */
static volatile int order[8];
static volatile unsigned n_order;

static void record(void *arg)
{
    if (n_order < sizeof order / sizeof order[0]) order[n_order++] = (int)(seL4_Word)arg;
}

static void receive_forever(void *arg)
{
    for (;;) {
        seL4_Word badge;
        seL4_Recv(object, &badge);
        record(arg);
    }
}

static void send_forever(void *arg)
{
    for (;;) {
        seL4_SetMR(0, (seL4_Word)arg);
        seL4_Send(object, seL4_MessageInfo_new(0, 0, 0, 1));
    }
}

static void call_forever(void *arg)
{
    for (;;) {
        seL4_SetMR(0, (seL4_Word)arg);
        seL4_Call(object, seL4_MessageInfo_new(0, 0, 0, 1));
        record(arg);
    }
}

/* Threads 1 and 2, below this case's priority, run `fn` and block on `object` in that order. */
static int two_blocked(thread_fn fn, seL4_CPtr *first)
{
    n_order = 0;
    if (ktest_spawn("first", 100, fn, (void *)1, first)) return -1;
    if (!ktest_hart_goes_quiet(schedlab_hart_id())) return -1;
    if (ktest_spawn("second", 100, fn, (void *)2, 0)) return -1;
    if (!ktest_hart_goes_quiet(schedlab_hart_id())) return -1;
    return 0;
}

static int resume_of_receiver_requeues_it(void)
{
    seL4_CPtr first;
    object = alloc_object(seL4_EndpointObject, 0);
    EXPECT(two_blocked(receive_forever, &first) == 0);
    EXPECT(seL4_TCB_Resume(first) == seL4_NoError);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id())); /* its Recv ran again: now behind 2 */
    seL4_Send(object, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    EXPECT(n_order == 1 && order[0] == 2);
    seL4_Send(object, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    EXPECT(n_order == 2 && order[1] == 1);
    return 0;
}

static int resume_of_notification_waiter_requeues_it(void)
{
    seL4_CPtr first;
    object = alloc_object(seL4_NotificationObject, 0);
    EXPECT(two_blocked(receive_forever, &first) == 0);
    EXPECT(seL4_TCB_Resume(first) == seL4_NoError);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    seL4_Signal(object);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    EXPECT(n_order == 1 && order[0] == 2);
    seL4_Signal(object);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    EXPECT(n_order == 2 && order[1] == 1);
    return 0;
}

static int resume_of_sender_requeues_it(void)
{
    seL4_CPtr first;
    seL4_Word badge;
    object = alloc_object(seL4_EndpointObject, 0);
    EXPECT(two_blocked(send_forever, &first) == 0);
    EXPECT(seL4_TCB_Resume(first) == seL4_NoError);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    seL4_Recv(object, &badge);
    EXPECT(seL4_GetMR(0) == 2);
    seL4_Recv(object, &badge);
    EXPECT(seL4_GetMR(0) == 1);
    return 0;
}

/* Blocked on reply: the reply cap is deleted (a reply then reaches nobody) and the Call is made
 * again, so the server receives it a second time. */
static int resume_of_caller_makes_its_call_again(void)
{
    seL4_CPtr caller;
    seL4_Word badge;
    object = alloc_object(seL4_EndpointObject, 0);
    n_order = 0;
    EXPECT(ktest_spawn("caller", 100, call_forever, (void *)1, &caller) == 0);
    seL4_Recv(object, &badge);
    EXPECT(seL4_GetMR(0) == 1);
    EXPECT(seL4_TCB_Resume(caller) == seL4_NoError);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0)); /* the caller cap is gone: nobody gets it */
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    EXPECT(n_order == 0);
    seL4_Recv(object, &badge); /* the Call, again */
    EXPECT(seL4_GetMR(0) == 1);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    EXPECT(n_order == 1);
    return 0;
}

static volatile int redirected;
static seL4_CPtr parking;

static void run_redirected(void)
{
    redirected = 1;
    for (;;) {
        seL4_Word badge;
        seL4_Wait(parking, &badge);
    }
}

static void wait_forever(void *arg)
{
    (void)arg;
    for (;;) {
        seL4_Word badge;
        seL4_Wait(object, &badge);
    }
}

static void sleep_long(void *arg)
{
    (void)arg;
    for (;;) schedlab_sleep_ns(1000000000ull);
}

/* WriteRegisters with resume: the blocked thread runs at the pc it was given, at once. */
static int write_registers_resumes_blocked(thread_fn fn, seL4_Word type)
{
    seL4_CPtr t;
    object = type ? alloc_object(type, 0) : 0;
    parking = alloc_object(seL4_NotificationObject, 0);
    redirected = 0;
    if (ktest_spawn("blocked", 100, fn, 0, &t)) return __LINE__;
    if (!ktest_hart_goes_quiet(schedlab_hart_id())) return __LINE__;
    seL4_UserContext regs;
    if (seL4_TCB_ReadRegisters(t, 0, 0, sizeof regs / sizeof(seL4_Word), &regs)) return __LINE__;
    regs.pc = (seL4_Word)run_redirected;
    if (seL4_TCB_WriteRegisters(t, 1, 0, sizeof regs / sizeof(seL4_Word), &regs)) return __LINE__;
    EXPECT_SOON(redirected == 1);
    return 0;
}

static int write_registers_resumes_notification_waiter(void)
{
    return write_registers_resumes_blocked(wait_forever, seL4_NotificationObject);
}

static int write_registers_resumes_receiver(void)
{
    return write_registers_resumes_blocked(receive_forever, seL4_EndpointObject);
}

static int write_registers_resumes_sleeper(void)
{
    return write_registers_resumes_blocked(sleep_long, 0);
}

/* CopyRegisters' resume flag restarts the destination the same way. */
static int copy_registers_resumes_blocked(void)
{
    seL4_CPtr t;
    object = alloc_object(seL4_NotificationObject, 0);
    parking = alloc_object(seL4_NotificationObject, 0);
    redirected = 0;
    EXPECT(ktest_spawn("blocked", 100, wait_forever, 0, &t) == 0);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    seL4_UserContext regs;
    EXPECT(seL4_TCB_ReadRegisters(t, 0, 0, sizeof regs / sizeof(seL4_Word), &regs) == 0);
    regs.pc = (seL4_Word)run_redirected;
    seL4_CPtr source = alloc_object(seL4_TCBObject, 0);
    EXPECT(seL4_TCB_WriteRegisters(source, 0, 0, sizeof regs / sizeof(seL4_Word), &regs) == 0);
    /* resume the destination, copy the frame registers (pc, sp, ...) and the integer ones */
    EXPECT(seL4_TCB_CopyRegisters(t, source, false, true, true, true, 0) == seL4_NoError);
    EXPECT_SOON(redirected == 1);
    return 0;
}

/* A running thread is not stopped: Resume leaves it as it is. */
static volatile uint64_t spins;
static void spin(void *arg)
{
    (void)arg;
    for (;;) spins++;
}

static int resume_of_running_thread_changes_nothing(void)
{
    seL4_CPtr t;
    spins = 0;
    EXPECT(ktest_spawn("spinner", 100, spin, 0, &t) == 0);
    EXPECT_SOON(spins > 0);
    EXPECT(seL4_TCB_Resume(t) == seL4_NoError);
    uint64_t before = spins;
    EXPECT_SOON(spins > before);
    EXPECT(seL4_TCB_Suspend(t) == seL4_NoError);
    return 0;
}

/* A thread that suspends itself is inside that invocation, and seL4 restarts it there: resumed,
 * it makes the Suspend again. Moving its pc past the call (seL4 issue 870) lets it go on. */
static seL4_CPtr self_tcb;
static volatile int self_returns;

static void suspend_self(void *arg)
{
    (void)arg;
    for (;;) {
        seL4_TCB_Suspend(self_tcb);
        self_returns++;
    }
}

static int resume_of_self_suspended_thread_suspends_it_again(void)
{
    self_returns = 0;
    EXPECT(ktest_spawn("self-suspender", 100, suspend_self, 0, &self_tcb) == 0);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    EXPECT(seL4_TCB_Resume(self_tcb) == seL4_NoError);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    EXPECT(self_returns == 0);
    seL4_UserContext regs;
    EXPECT(seL4_TCB_ReadRegisters(self_tcb, 0, 0, sizeof regs / sizeof(seL4_Word), &regs) == 0);
    regs.pc += 4; /* past the ecall */
    EXPECT(seL4_TCB_WriteRegisters(self_tcb, 1, 0, sizeof regs / sizeof(seL4_Word), &regs) == 0);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    EXPECT(self_returns == 1); /* it went on, and suspended itself once more */
    return 0;
}

const struct ktest_case ktest_resume[] = {
    {"RESUME", "a self-suspended thread resumed suspends again",
     resume_of_self_suspended_thread_suspends_it_again},
    {"RESUME", "Resume of a receiver: Recv again, behind others", resume_of_receiver_requeues_it},
    {"RESUME", "Resume of a notification waiter: Wait again",
     resume_of_notification_waiter_requeues_it},
    {"RESUME", "Resume of a blocked sender: Send again, behind others",
     resume_of_sender_requeues_it},
    {"RESUME", "Resume of a caller: reply cap gone, Call again",
     resume_of_caller_makes_its_call_again},
    {"RESUME", "WriteRegisters+resume of a notification waiter",
     write_registers_resumes_notification_waiter},
    {"RESUME", "WriteRegisters+resume of a receiver", write_registers_resumes_receiver},
    {"RESUME", "WriteRegisters+resume of a sleeper", write_registers_resumes_sleeper},
    {"RESUME", "CopyRegisters+resume of a notification waiter", copy_registers_resumes_blocked},
    {"RESUME", "Resume of a running thread changes nothing",
     resume_of_running_thread_changes_nothing},
    {0, 0, 0},
};
