/* IPC: Send, NBSend, Recv, NBRecv, Call, Reply, ReplyRecv, Yield (seL4 non-MCS semantics). */
#include "ktest.h"

#include <stdbool.h>

static seL4_CPtr ep, back;

static seL4_CPtr endpoint(void) { return alloc_object(seL4_EndpointObject, 0); }

/* Receives one message on ep and sends back its label, length and the sum of its MRs. */
static void echo(void *arg)
{
    (void)arg;
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    seL4_Word n = seL4_MessageInfo_get_length(info), sum = 0;
    for (seL4_Word i = 0; i < n; i++) sum += seL4_GetMR((int)i);
    seL4_SetMR(0, seL4_MessageInfo_get_label(info));
    seL4_SetMR(1, n);
    seL4_SetMR(2, sum);
    seL4_SetMR(3, badge);
    seL4_Send(back, seL4_MessageInfo_new(0, 0, 0, 4));
}

static int send_and_echo(seL4_Word label, seL4_Word length, seL4_Word *sum_out, seL4_Word *len_out)
{
    ep = endpoint();
    back = endpoint();
    if (ktest_spawn("echo", 200, echo, 0, 0)) return -1;
    seL4_Word expected = 0;
    for (seL4_Word i = 0; i < length && i < seL4_MsgMaxLength; i++) {
        seL4_SetMR((int)i, i * 3 + 1);
        expected += i * 3 + 1;
    }
    seL4_Send(ep, seL4_MessageInfo_new(label, 0, 0, length));
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(back, &badge);
    if (seL4_MessageInfo_get_length(info) != 4 || seL4_GetMR(0) != label || seL4_GetMR(3) != 0)
        return -1;
    *len_out = seL4_GetMR(1);
    *sum_out = seL4_GetMR(2) - expected;
    return 0;
}

static int send_receive_register_message(void)
{
    seL4_Word diff, len;
    EXPECT(send_and_echo(0x123, 3, &diff, &len) == 0);
    EXPECT(len == 3 && diff == 0);
    return 0;
}

static int send_receive_long_message(void)
{
    seL4_Word diff, len;
    EXPECT(send_and_echo(7, 40, &diff, &len) == 0);
    EXPECT(len == 40 && diff == 0);
    return 0;
}

static int length_is_clamped_to_120(void)
{
    seL4_Word diff, len;
    EXPECT(send_and_echo(1, 127, &diff, &len) == 0);
    EXPECT(len == seL4_MsgMaxLength && diff == 0);
    return 0;
}

/* A client that Calls ep with MR0 = n and sends the reply's MR0 and label back. */
static void caller(void *arg)
{
    seL4_SetMR(0, (seL4_Word)arg);
    seL4_MessageInfo_t reply = seL4_Call(ep, seL4_MessageInfo_new(5, 0, 0, 1));
    seL4_SetMR(1, seL4_MessageInfo_get_label(reply));
    seL4_Send(back, seL4_MessageInfo_new(0, 0, 0, 2));
}

static int call_and_reply(void)
{
    ep = endpoint();
    back = endpoint();
    EXPECT(ktest_spawn("caller", 200, caller, (void *)20, 0) == 0);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    EXPECT(seL4_MessageInfo_get_label(info) == 5 && seL4_GetMR(0) == 20 && badge == 0);
    seL4_SetMR(0, 21);
    seL4_Reply(seL4_MessageInfo_new(9, 0, 0, 1));
    seL4_Recv(back, &badge);
    EXPECT(seL4_GetMR(0) == 21 && seL4_GetMR(1) == 9);
    return 0;
}

/* Serves `arg` requests with ReplyRecv: reply = 2 * request. */
static void doubler(void *arg)
{
    seL4_Word badge, n = (seL4_Word)arg;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    for (seL4_Word i = 0; i < n; i++) {
        (void)info;
        seL4_SetMR(0, seL4_GetMR(0) * 2);
        if (i + 1 == n)
            seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 1));
        else
            info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, 1), &badge);
    }
}

static int reply_recv_serves_a_sequence(void)
{
    ep = endpoint();
    EXPECT(ktest_spawn("doubler", 200, doubler, (void *)3, 0) == 0);
    for (seL4_Word i = 1; i <= 3; i++) {
        seL4_SetMR(0, i * 10);
        seL4_MessageInfo_t reply = seL4_Call(ep, seL4_MessageInfo_new(0, 0, 0, 1));
        EXPECT(seL4_MessageInfo_get_length(reply) == 1 && seL4_GetMR(0) == i * 20);
    }
    return 0;
}

static int nbsend_without_receiver_is_dropped(void)
{
    ep = endpoint();
    seL4_SetMR(0, 99);
    seL4_NBSend(ep, seL4_MessageInfo_new(0, 0, 0, 1));
    seL4_Word badge = 5;
    seL4_NBRecv(ep, &badge);
    EXPECT(badge == 0);
    return 0;
}

static int nbrecv_with_nothing_pending(void)
{
    seL4_Word badge = 77;
    seL4_NBRecv(endpoint(), &badge);
    EXPECT(badge == 0);
    return 0;
}

static int reply_without_caller_is_ignored(void)
{
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    return 0;
}

static int blocked_senders_are_served_in_order(void)
{
    ep = endpoint();
    back = endpoint();
    /* three senders queue on ep before anyone receives; they must be received in the order they
     * sent. Each starts once the one before is blocked in its Call (its hart is quiet), so that
     * order is 1, 2, 3 however late any of them runs. */
    unsigned me = schedlab_hart_id();
    EXPECT(ktest_spawn("caller1", 200, caller, (void *)1, 0) == 0 && ktest_hart_goes_quiet(me));
    EXPECT(ktest_spawn("caller2", 200, caller, (void *)2, 0) == 0 && ktest_hart_goes_quiet(me));
    EXPECT(ktest_spawn("caller3", 200, caller, (void *)3, 0) == 0 && ktest_hart_goes_quiet(me));
    seL4_Word badge;
    for (seL4_Word i = 1; i <= 3; i++) {
        seL4_Recv(ep, &badge);
        EXPECT(seL4_GetMR(0) == i);
        seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 1));
    }
    for (int i = 0; i < 3; i++) seL4_Recv(back, &badge);
    return 0;
}

/* Each yielder checks that every Yield let the other (same priority, same hart, runnable) run
 * before it came back. A slice that expires between two yields (under --realtime the host can
 * stop a hart for longer than a slice anywhere) lets the other run too, so this holds however
 * late either thread runs; a strict a-b-a-b log would not. */
static volatile unsigned yield_turns[2], yield_finished[2], yield_missed;

static void yielder(void *arg)
{
    unsigned me = (unsigned)(seL4_Word)arg, other = 1 - me;
    for (int i = 0; i < 4; i++) {
        yield_turns[me]++;
        unsigned seen = yield_turns[other];
        seL4_Yield();
        if (yield_turns[other] == seen && !yield_finished[other]) yield_missed++;
    }
    yield_finished[me] = 1;
    seL4_Send(back, seL4_MessageInfo_new(0, 0, 0, 0));
}

static int yield_alternates_equal_priority_threads(void)
{
    back = endpoint();
    EXPECT(ktest_spawn("yield-a", 150, yielder, (void *)0, 0) == 0);
    EXPECT(ktest_spawn("yield-b", 150, yielder, (void *)1, 0) == 0);
    seL4_Word badge;
    seL4_Recv(back, &badge);
    seL4_Recv(back, &badge);
    EXPECT(yield_turns[0] == 4 && yield_turns[1] == 4);
    EXPECT(yield_missed == 0);
    return 0;
}

/* Capability transfer: a thread sends `xfer_cap` as an extra cap on `xfer_ep`. */
static seL4_CPtr xfer_ep, xfer_cap;

static void send_with_cap(void *arg)
{
    (void)arg;
    seL4_SetCap(0, xfer_cap);
    seL4_SetMR(0, 1);
    seL4_Send(xfer_ep, seL4_MessageInfo_new(3, 0, 1, 1));
}

static bool holds_notification(seL4_CPtr slot, seL4_CPtr original)
{
    seL4_Signal(slot);
    seL4_Word w = 1;
    seL4_Poll(original, &w);
    return w == 0 && seL4_MessageInfo_get_label(
                         seL4_Call(slot, seL4_MessageInfo_new(0, 0, 0, 0))) == seL4_NoError;
}

static seL4_MessageInfo_t receive_with_cap(seL4_CPtr on, seL4_CPtr slot)
{
    seL4_SetCapReceivePath(seL4_CapInitThreadCNode, slot, 64);
    if (ktest_spawn("cap-sender", 200, send_with_cap, 0, 0))
        return seL4_MessageInfo_new(99, 0, 0, 0);
    seL4_Word badge;
    return seL4_Recv(on, &badge);
}

static int grant_transfers_a_cap(void)
{
    xfer_ep = endpoint();
    xfer_cap = alloc_object(seL4_NotificationObject, 0);
    seL4_CPtr slot = alloc_slot();
    seL4_MessageInfo_t info = receive_with_cap(xfer_ep, slot);
    EXPECT(seL4_MessageInfo_get_label(info) == 3 && seL4_MessageInfo_get_length(info) == 1);
    EXPECT(seL4_MessageInfo_get_extraCaps(info) == 1 &&
           seL4_MessageInfo_get_capsUnwrapped(info) == 0);
    EXPECT(holds_notification(slot, xfer_cap));
    return 0;
}

static int no_grant_no_cap(void)
{
    seL4_CPtr ep = endpoint(), slot = alloc_slot();
    xfer_ep = alloc_slot();
    EXPECT(seL4_CNode_Copy(seL4_CapInitThreadCNode, xfer_ep, 64, seL4_CapInitThreadCNode, ep, 64,
                           seL4_ReadWrite | seL4_CanGrantReply) == seL4_NoError);
    xfer_cap = alloc_object(seL4_NotificationObject, 0);
    seL4_MessageInfo_t info = receive_with_cap(ep, slot);
    EXPECT(seL4_MessageInfo_get_extraCaps(info) == 0);
    EXPECT(seL4_CNode_Delete(seL4_CapInitThreadCNode, slot, 64) == seL4_NoError);
    seL4_CPtr scratch = alloc_slot();
    EXPECT(seL4_CNode_Move(seL4_CapInitThreadCNode, scratch, 64, seL4_CapInitThreadCNode, slot,
                           64) == seL4_FailedLookup); /* the receive slot stayed empty */
    return 0;
}

static int cap_to_same_endpoint_is_unwrapped(void)
{
    seL4_CPtr ep = endpoint(), slot = alloc_slot();
    xfer_ep = ep;
    xfer_cap = alloc_slot();
    EXPECT(seL4_CNode_Mint(seL4_CapInitThreadCNode, xfer_cap, 64, seL4_CapInitThreadCNode, ep, 64,
                           seL4_AllRights, 0x5a) == seL4_NoError);
    seL4_MessageInfo_t info = receive_with_cap(ep, slot);
    EXPECT(seL4_MessageInfo_get_extraCaps(info) == 1);
    EXPECT(seL4_MessageInfo_get_capsUnwrapped(info) == 1);
    EXPECT(seL4_GetBadge(0) == 0x5a);
    return 0;
}

static int occupied_receive_slot_gets_nothing(void)
{
    xfer_ep = endpoint();
    xfer_cap = alloc_object(seL4_NotificationObject, 0);
    seL4_MessageInfo_t info = receive_with_cap(xfer_ep, seL4_CapInitThreadTCB);
    EXPECT(seL4_MessageInfo_get_extraCaps(info) == 0 && seL4_MessageInfo_get_length(info) == 1);
    return 0;
}

static int untyped_with_children_is_not_transferred(void)
{
    xfer_ep = endpoint();
    xfer_cap = alloc_object(seL4_UntypedObject, 12);
    EXPECT(seL4_Untyped_Retype(xfer_cap, seL4_EndpointObject, 0, seL4_CapInitThreadCNode, 0, 0,
                               alloc_slot(), 1) == seL4_NoError);
    seL4_MessageInfo_t info = receive_with_cap(xfer_ep, alloc_slot());
    EXPECT(seL4_MessageInfo_get_extraCaps(info) == 0);
    return 0;
}

static seL4_CPtr reply_slot_seen;
static volatile seL4_Word reply_caps_seen;

static void call_for_cap(void *arg)
{
    (void)arg;
    seL4_SetCapReceivePath(seL4_CapInitThreadCNode, reply_slot_seen, 64);
    seL4_MessageInfo_t r = seL4_Call(xfer_ep, seL4_MessageInfo_new(0, 0, 0, 0));
    reply_caps_seen = seL4_MessageInfo_get_extraCaps(r);
}

static int reply_can_carry_a_cap(void)
{
    xfer_ep = endpoint();
    reply_slot_seen = alloc_slot();
    reply_caps_seen = 9;
    seL4_CPtr n = alloc_object(seL4_NotificationObject, 0);
    EXPECT(ktest_spawn("cap-caller", 200, call_for_cap, 0, 0) == 0);
    seL4_Word badge;
    seL4_Recv(xfer_ep, &badge);
    seL4_SetCap(0, n);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 1, 0));
    EXPECT_SOON(reply_caps_seen == 1);
    EXPECT(holds_notification(reply_slot_seen, n));
    return 0;
}

const struct ktest_case ktest_ipc[] = {
    {"IPC", "Send/Recv: label and register MRs", send_receive_register_message},
    {"IPC", "Send/Recv: 40 MRs through the IPC buffer", send_receive_long_message},
    {"IPC", "message length clamped to 120", length_is_clamped_to_120},
    {"IPC", "Call/Reply: reply label and MRs", call_and_reply},
    {"IPC", "ReplyRecv serves a sequence of Calls", reply_recv_serves_a_sequence},
    {"IPC", "NBSend without a receiver is dropped", nbsend_without_receiver_is_dropped},
    {"IPC", "NBRecv with nothing pending: badge 0", nbrecv_with_nothing_pending},
    {"IPC", "Reply without a caller does nothing", reply_without_caller_is_ignored},
    {"IPC", "queued senders are received in FIFO order", blocked_senders_are_served_in_order},
    {"IPC", "Yield alternates equal-priority threads", yield_alternates_equal_priority_threads},
    {"IPC", "Grant: a cap arrives in the receive slot", grant_transfers_a_cap},
    {"IPC", "no Grant right: no cap transferred", no_grant_no_cap},
    {"IPC", "cap to the same endpoint arrives as its badge", cap_to_same_endpoint_is_unwrapped},
    {"IPC", "occupied receive slot: message without cap", occupied_receive_slot_gets_nothing},
    {"IPC", "underivable cap (untyped with children) stops",
     untyped_with_children_is_not_transferred},
    {"IPC", "a reply can carry a cap", reply_can_carry_a_cap},
    {0, 0, 0},
};
