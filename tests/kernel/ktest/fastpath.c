/*
 * The IPC fastpath (kernel/fastpath.c): a Call or ReplyRecv that may switch directly, and each
 * condition under which it must not, where the slow path's result differs from what a direct
 * switch would give: a long message, a cap transfer, a lower-priority partner while another
 * thread is runnable, a fault reply, a queued sender, a pending bound signal, a missing grant
 * right, a partner on another hart; a partner whose VSpace died (which the fastpath takes: the
 * exit runs it in the kernel's address space, as the slow path does); the generic path for Call
 * and ReplyRecv on other objects;
 * slices that still end after direct switches. Every case checks what the slow path's semantics
 * (seL4's) say, so it fails if the fastpath takes a case it must leave alone.
 */
#include "ktest.h"

#include <sel4/faults.h>

static seL4_CPtr ep;

static seL4_CPtr endpoint(void) { return alloc_object(seL4_EndpointObject, 0); }

static seL4_CPtr minted(seL4_CPtr original, seL4_Word rights, seL4_Word badge)
{
    seL4_CPtr slot = alloc_slot();
    if (seL4_CNode_Mint(seL4_CapInitThreadCNode, slot, 64, seL4_CapInitThreadCNode, original, 64,
                        rights, badge))
        return 0;
    return slot;
}

/* ---- the fastpath itself: equal priorities, short messages ---- */

static volatile seL4_Word served_badge;

/* Replies label + 1 and each MR + 100, with the request's length, until told to stop. */
static void adder(void *arg)
{
    (void)arg;
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    for (;;) {
        served_badge = badge;
        seL4_Word n = seL4_MessageInfo_get_length(info);
        for (seL4_Word i = 0; i < n; i++) seL4_SetMR((int)i, seL4_GetMR((int)i) + 100);
        info = seL4_ReplyRecv(
            ep, seL4_MessageInfo_new(seL4_MessageInfo_get_label(info) + 1, 0, 0, n), &badge);
    }
}

static int short_calls_at_equal_priority(void)
{
    ep = endpoint();
    seL4_CPtr badged = minted(ep, seL4_AllRights, 0x5a);
    EXPECT(badged && ktest_spawn("adder", KTEST_PRIO, adder, 0, 0) == 0);
    for (seL4_Word round = 0; round < 3; round++) {
        for (seL4_Word n = 0; n <= 4; n++) {
            for (seL4_Word i = 0; i < n; i++) seL4_SetMR((int)i, round * 10 + i);
            seL4_MessageInfo_t reply = seL4_Call(badged, seL4_MessageInfo_new(7 + n, 0, 0, n));
            EXPECT(seL4_MessageInfo_get_label(reply) == 8 + n);
            EXPECT(seL4_MessageInfo_get_length(reply) == n);
            EXPECT(seL4_MessageInfo_get_extraCaps(reply) == 0);
            for (seL4_Word i = 0; i < n; i++) EXPECT(seL4_GetMR((int)i) == round * 10 + i + 100);
            EXPECT(served_badge == 0x5a);
        }
    }
    return 0;
}

/* ---- capsUnwrapped set by a sender: not passed on (the fastpath leaves such a message to the
 * generic transfer, which computes the receiver's from the caps it unwrapped: none) ---- */

static volatile seL4_Word unwrapped_seen;

static void unwrapped_echo(void *arg)
{
    (void)arg;
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    for (;;) {
        unwrapped_seen = seL4_MessageInfo_get_capsUnwrapped(info) + 1;
        info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(seL4_MessageInfo_get_label(info), 7, 0, 1),
                              &badge);
    }
}

static int a_senders_caps_unwrapped_is_not_passed_on(void)
{
    ep = endpoint();
    EXPECT(ktest_spawn("unwrapped-echo", KTEST_PRIO, unwrapped_echo, 0, 0) == 0);
    for (seL4_Word unwrapped = 1; unwrapped <= 7; unwrapped += 3) {
        seL4_SetMR(0, unwrapped);
        unwrapped_seen = 0;
        seL4_MessageInfo_t reply =
            seL4_Call(ep, seL4_MessageInfo_new(40 + unwrapped, unwrapped, 0, 1));
        EXPECT(unwrapped_seen == 1); /* the server saw 0 */
        EXPECT(seL4_MessageInfo_get_capsUnwrapped(reply) == 0);
        EXPECT(seL4_MessageInfo_get_label(reply) == 40 + unwrapped);
        EXPECT(seL4_MessageInfo_get_length(reply) == 1 && seL4_GetMR(0) == unwrapped);
    }
    return 0;
}

/* ---- a long message: through the IPC buffer, both ways ---- */

static int long_messages_arrive_whole(void)
{
    ep = endpoint();
    EXPECT(ktest_spawn("adder", KTEST_PRIO, adder, 0, 0) == 0);
    for (seL4_Word n = 5; n <= 12; n += 7) {
        for (seL4_Word i = 0; i < n; i++) seL4_SetMR((int)i, i * 7);
        seL4_MessageInfo_t reply = seL4_Call(ep, seL4_MessageInfo_new(1, 0, 0, n));
        EXPECT(seL4_MessageInfo_get_length(reply) == n && seL4_MessageInfo_get_label(reply) == 2);
        for (seL4_Word i = 0; i < n; i++) EXPECT(seL4_GetMR((int)i) == i * 7 + 100);
    }
    return 0;
}

/* ---- a cap transfer ---- */

static volatile seL4_Word caps_seen;
static seL4_CPtr receive_slot;

static void cap_receiver(void *arg)
{
    (void)arg;
    seL4_Word badge;
    seL4_SetCapReceivePath(seL4_CapInitThreadCNode, receive_slot, 64);
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    caps_seen = seL4_MessageInfo_get_extraCaps(info);
    seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
}

static int a_call_carrying_a_cap_transfers_it(void)
{
    ep = endpoint();
    receive_slot = alloc_slot();
    seL4_CPtr ntfn = alloc_object(seL4_NotificationObject, 0);
    caps_seen = 9;
    EXPECT(ktest_spawn("cap-receiver", KTEST_PRIO, cap_receiver, 0, 0) == 0);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id())); /* it waits in Recv */
    seL4_SetCap(0, ntfn);
    seL4_Call(ep, seL4_MessageInfo_new(0, 0, 1, 0));
    EXPECT(caps_seen == 1);
    /* the cap is there: the copy can be signalled and identifies as a notification */
    EXPECT(seL4_DebugCapIdentify(receive_slot) == seL4_DebugCapIdentify(ntfn));
    return 0;
}

/* ---- lower-priority partners while another thread is runnable ---- */

static volatile char order[4];
static volatile int order_n;
static void note(char c) { order[order_n++] = c; }

/* The middle thread waits for `middle_go`, so that it is runnable, not run, when signalled
 * (it is below the case's thread). */
static seL4_CPtr middle_go;

static void note_middle(void *arg)
{
    (void)arg;
    seL4_Word badge;
    seL4_Wait(middle_go, &badge);
    note('M');
}

static int start_middle(void)
{
    middle_go = alloc_object(seL4_NotificationObject, 0);
    if (!middle_go || ktest_spawn("middle", 150, note_middle, 0, 0)) return -1;
    return ktest_hart_goes_quiet(schedlab_hart_id()) ? 0 : -1;
}

static void low_server(void *arg)
{
    (void)arg;
    seL4_Word badge;
    seL4_Recv(ep, &badge);
    note('S');
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
}

/* A Call to a server below a runnable thread: the runnable thread runs before the server. */
static int call_to_a_lower_server_lets_a_runnable_thread_first(void)
{
    ep = endpoint();
    order_n = 0;
    EXPECT(ktest_spawn("low-server", 100, low_server, 0, 0) == 0);
    EXPECT(start_middle() == 0); /* the server waits in Recv, the middle thread for its signal */
    seL4_Signal(middle_go);
    EXPECT(order_n == 0);
    seL4_Call(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT(order_n == 2 && order[0] == 'M' && order[1] == 'S');
    return 0;
}

static void low_caller(void *arg)
{
    (void)arg;
    seL4_Call(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    note('C');
    seL4_Call(ep, seL4_MessageInfo_new(0, 0, 0, 0));
}

/* A ReplyRecv to a caller below a runnable thread: the runnable thread runs before the caller. */
static int reply_to_a_lower_caller_lets_a_runnable_thread_first(void)
{
    ep = endpoint();
    order_n = 0;
    EXPECT(ktest_spawn("low-caller", 100, low_caller, 0, 0) == 0);
    seL4_Word badge;
    seL4_Recv(ep, &badge);
    EXPECT(start_middle() == 0);
    seL4_Signal(middle_go);
    EXPECT(order_n == 0);
    seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    EXPECT(order_n == 2 && order[0] == 'M' && order[1] == 'C');
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    return 0;
}

/* ---- the endpoint's state at a ReplyRecv ---- */

static void caller_with(void *arg)
{
    seL4_SetMR(0, (seL4_Word)arg);
    seL4_Call(ep, seL4_MessageInfo_new(0, 0, 0, 1));
}

/* A sender queued meanwhile is received at once by the ReplyRecv. */
static int reply_recv_takes_a_queued_sender_at_once(void)
{
    ep = endpoint();
    EXPECT(ktest_spawn("first", 200, caller_with, (void *)1, 0) == 0);
    seL4_Word badge;
    seL4_Recv(ep, &badge);
    EXPECT(seL4_GetMR(0) == 1);
    EXPECT(ktest_spawn("second", 200, caller_with, (void *)2, 0) == 0);
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id())); /* it is queued on ep */
    seL4_MessageInfo_t info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    EXPECT(seL4_MessageInfo_get_length(info) == 1 && seL4_GetMR(0) == 2);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    return 0;
}

/* A signal pending on the server's bound notification is taken instead of blocking. */
static int reply_recv_takes_a_pending_bound_signal(void)
{
    ep = endpoint();
    seL4_CPtr ntfn = alloc_object(seL4_NotificationObject, 0);
    seL4_CPtr signaller = minted(ntfn, seL4_AllRights, 0x40);
    EXPECT(signaller && seL4_TCB_BindNotification(ktest_self(), ntfn) == 0);
    EXPECT(ktest_spawn("first", KTEST_PRIO, caller_with, (void *)1, 0) == 0);
    seL4_Word badge;
    seL4_Recv(ep, &badge);
    seL4_Signal(signaller);
    seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    EXPECT(badge == 0x40);
    EXPECT(seL4_TCB_UnbindNotification(ktest_self()) == 0);
    return 0;
}

/* ---- the caller's rights ---- */

static volatile int call_returned;

static void call_without_grant(void *arg)
{
    seL4_Call((seL4_CPtr)arg, seL4_MessageInfo_new(0, 0, 0, 0));
    call_returned = 1;
}

/* Without Grant or GrantReply the caller gets no reply cap (seL4: it becomes inactive). */
static int call_without_a_grant_right_gets_no_reply(void)
{
    ep = endpoint();
    call_returned = 0;
    seL4_CPtr send_only = minted(ep, seL4_CanWrite, 0);
    EXPECT(send_only);
    EXPECT(ktest_spawn("no-grant", KTEST_PRIO, call_without_grant, (void *)send_only, 0) == 0);
    seL4_Word badge;
    seL4_Recv(ep, &badge);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT(ktest_hart_goes_quiet(schedlab_hart_id()));
    EXPECT(call_returned == 0);
    return 0;
}

/* ---- a fault reply ---- */

static seL4_CPtr fault_ep;
static volatile seL4_Word emulated_result;

/* Makes an unknown system call (its handler emulates it), then reports the result. */
static void emulated_call(void *arg)
{
    (void)arg;
    emulated_result = sel4_plain_call(-100, 20, 22);
    seL4_SetMR(0, emulated_result);
    seL4_Send(fault_ep, seL4_MessageInfo_new(0, 0, 0, 1));
}

/* A ReplyRecv answering a fault writes the faulting thread's registers (here: emulates an
 * unknown system call and resumes after it), never a message. */
static int reply_recv_to_a_fault_resumes_the_thread(void)
{
    emulated_result = 0;
    fault_ep = endpoint();
    EXPECT(ktest_spawn_with_fault_ep("emulated", emulated_call, 0, fault_ep));
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_UnknownSyscall);
    info = seL4_ReplyRecv(fault_ep, ktest_emulation_reply(42), &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == 0 && seL4_MessageInfo_get_length(info) == 1);
    EXPECT(seL4_GetMR(0) == 42 && emulated_result == 42);
    return 0;
}

/* ---- another hart ---- */

static void hart_reporter(void *arg)
{
    (void)arg;
    seL4_Word badge;
    seL4_Recv(ep, &badge);
    for (;;) {
        seL4_SetMR(0, schedlab_hart_id());
        seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, 1), &badge);
    }
}

/* A server on another hart runs there: the Call does not bring it to the caller's hart. */
static int call_to_a_server_on_another_hart_runs_there(void)
{
    unsigned harts = (unsigned)ktest_bootinfo->numNodes;
    if (harts < 2) return 0; /* one hart: nothing to fall back for */
    unsigned here = schedlab_hart_id(), other = (here + 1) % harts;
    ep = endpoint();
    EXPECT(ktest_spawn_on("reporter", KTEST_PRIO, other, hart_reporter, 0, 0) == 0);
    EXPECT(ktest_hart_goes_quiet(other)); /* it waits in Recv */
    for (int i = 0; i < 3; i++) {
        seL4_MessageInfo_t reply = seL4_Call(ep, seL4_MessageInfo_new(0, 0, 0, 0));
        EXPECT(seL4_MessageInfo_get_length(reply) == 1 && seL4_GetMR(0) == other);
        EXPECT(schedlab_hart_id() == here); /* the reply did not bring the caller there */
    }
    return 0;
}

/* ---- the trap entry sends every Call and ReplyRecv to the fastpath: on other objects they take
 * the generic path ---- */

/* Call on a notification signals it (with a reply from the kernel); ReplyRecv with nothing to
 * reply to and a notification to receive on waits on it. */
static int call_and_reply_recv_on_a_notification_take_the_generic_path(void)
{
    seL4_CPtr ntfn = alloc_object(seL4_NotificationObject, 0);
    seL4_CPtr badged = ntfn ? minted(ntfn, seL4_AllRights, 0x21) : 0;
    EXPECT(badged);
    seL4_MessageInfo_t reply = seL4_Call(badged, seL4_MessageInfo_new(3, 0, 0, 0));
    EXPECT(seL4_MessageInfo_get_label(reply) == seL4_NoError);
    seL4_Word badge = 0;
    seL4_Poll(ntfn, &badge);
    EXPECT(badge == 0x21);
    seL4_Signal(badged);
    badge = 0;
    seL4_ReplyRecv(ntfn, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    EXPECT(badge == 0x21);
    return 0;
}

/* ---- direct switches keep slices: the timer still ends them ---- */

static volatile int spinner_ran;
#define DIRECT_ROUND_TRIPS 1000000

static void note_and_stop(void *arg)
{
    (void)arg;
    spinner_ran = 1;
    seL4_Word badge;
    seL4_Recv(endpoint(), &badge); /* nobody sends: it stays blocked */
}

/* A Call / ReplyRecv pair that always switches directly (the timer is then left armed early and
 * rewritten only by the interrupt) still has its slices end: a third thread of their priority,
 * runnable all along, gets its turn. */
static int direct_switches_still_let_an_equal_thread_run(void)
{
    ep = endpoint();
    spinner_ran = 0;
    EXPECT(ktest_spawn("adder", KTEST_PRIO, adder, 0, 0) == 0);
    seL4_Call(ep, seL4_MessageInfo_new(0, 0, 0, 0)); /* the adder waits in ReplyRecv now */
    EXPECT(ktest_spawn("runnable", KTEST_PRIO, note_and_stop, 0, 0) == 0);
    /* bounded by a count, not the clock: reading it is a system call whose exit arms the timer
     * exactly. A round trip is ~1 us of emulated time, so this is ~1 s, dozens of slices */
    for (int i = 0; i < DIRECT_ROUND_TRIPS && !spinner_ran; i++)
        seL4_Call(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT(spinner_ran);
    return 0;
}

/* ---- a partner whose VSpace died ---- */

static seL4_CPtr dead_ep;

static void waits_on_dead_ep(void *arg)
{
    (void)arg;
    seL4_Word badge;
    for (;;) seL4_Recv(dead_ep, &badge);
}

static void calls_dead_ep(void *arg)
{
    (void)arg;
    seL4_Call(dead_ep, seL4_MessageInfo_new(0, 0, 0, 0));
}

/* A Call to a server whose VSpace died while it waited (its ASID pool deleted). The fastpath
 * does not look at the VSpace: as on the slow path, the server is woken and runs in the kernel's
 * address space, where its first instruction fetch faults; it runs none of its code. (An empty
 * live VSpace would fault the same way: what this checks is that the dead one's path, the
 * fastpath's full exit finding no live VSpace, delivers that fault and nothing else.) */
static int a_call_to_a_server_whose_vspace_died_faults_it(void)
{
    dead_ep = endpoint();
    seL4_CPtr fault = alloc_object(seL4_EndpointObject, 0);
    seL4_CPtr ut = alloc_object(seL4_UntypedObject, 12), pool = alloc_slot();
    EXPECT(fault && ut && pool);
    EXPECT(seL4_RISCV_ASIDControl_MakePool(seL4_CapASIDControl, ut, seL4_CapInitThreadCNode, pool,
                                           64) == seL4_NoError);
    seL4_CPtr vs = alloc_object(seL4_RISCV_PageTableObject, 0);
    EXPECT(vs && seL4_RISCV_ASIDPool_Assign(pool, vs) == seL4_NoError);
    seL4_CPtr server = 0, caller = 0;
    EXPECT(ktest_spawn("dead-vspace", KTEST_PRIO, waits_on_dead_ep, 0, &server) == 0);
    seL4_Yield(); /* it waits on the endpoint now */
    EXPECT(seL4_TCB_SetSpace(server, fault, seL4_CapInitThreadCNode, 0, vs, 0) == seL4_NoError);
    /* the pool's last cap: its ASIDs, the server's VSpace among them, are gone */
    EXPECT(seL4_CNode_Delete(seL4_CapInitThreadCNode, pool, 64) == seL4_NoError);
    EXPECT(ktest_spawn("calls-dead", KTEST_PRIO, calls_dead_ep, 0, &caller) == 0);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(fault, &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == seL4_Fault_VMFault);
    EXPECT(seL4_GetMR(seL4_VMFault_PrefetchFault) == 1);
    EXPECT(seL4_GetMR(seL4_VMFault_IP) == seL4_GetMR(seL4_VMFault_Addr));
    EXPECT(seL4_TCB_Suspend(server) == seL4_NoError && seL4_TCB_Suspend(caller) == seL4_NoError);
    return 0;
}

const struct ktest_case ktest_fastpath[] = {
    {"FASTPATH", "Call/ReplyRecv at equal priority: label, badge, 0-4 MRs",
     short_calls_at_equal_priority},
    {"FASTPATH", "a long message (5, 12 MRs) arrives whole both ways", long_messages_arrive_whole},
    {"FASTPATH", "a sender's capsUnwrapped reaches no receiver, both ways",
     a_senders_caps_unwrapped_is_not_passed_on},
    {"FASTPATH", "a Call carrying a cap transfers it", a_call_carrying_a_cap_transfers_it},
    {"FASTPATH", "Call to a lower server: a runnable middle thread runs first",
     call_to_a_lower_server_lets_a_runnable_thread_first},
    {"FASTPATH", "ReplyRecv to a lower caller: a runnable middle thread runs first",
     reply_to_a_lower_caller_lets_a_runnable_thread_first},
    {"FASTPATH", "ReplyRecv takes a queued sender at once",
     reply_recv_takes_a_queued_sender_at_once},
    {"FASTPATH", "ReplyRecv takes a pending bound signal", reply_recv_takes_a_pending_bound_signal},
    {"FASTPATH", "Call without Grant/GrantReply: no reply",
     call_without_a_grant_right_gets_no_reply},
    {"FASTPATH", "ReplyRecv to a fault resumes the faulting thread",
     reply_recv_to_a_fault_resumes_the_thread},
    {"FASTPATH", "Call to a server on another hart runs there",
     call_to_a_server_on_another_hart_runs_there},
    {"FASTPATH", "Call and ReplyRecv on a notification take the generic path",
     call_and_reply_recv_on_a_notification_take_the_generic_path},
    {"FASTPATH", "direct switches still let an equal-priority thread run",
     direct_switches_still_let_an_equal_thread_run},
    {"FASTPATH", "a Call to a server whose VSpace died faults the server",
     a_call_to_a_server_whose_vspace_died_faults_it},
    {0, 0, 0},
};
