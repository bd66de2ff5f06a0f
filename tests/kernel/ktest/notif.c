/* NOTIF: Signal, Wait, Poll and bound notifications. */
#include "ktest.h"

static seL4_CPtr ntfn;

static seL4_CPtr notification(void) { return alloc_object(seL4_NotificationObject, 0); }

static int signal_then_wait_returns_at_once(void)
{
    ntfn = notification();
    seL4_Signal(ntfn);
    seL4_Word badge = 9;
    seL4_Wait(ntfn, &badge);
    EXPECT(badge == 0); /* an unbadged cap signals badge 0, still a signal */
    return 0;
}

static int poll_idle_returns_zero(void)
{
    seL4_Word badge = 9;
    seL4_Poll(notification(), &badge);
    EXPECT(badge == 0);
    return 0;
}

static int signals_merge_until_received(void)
{
    ntfn = notification();
    seL4_Signal(ntfn);
    seL4_Signal(ntfn);
    seL4_Word badge;
    seL4_Wait(ntfn, &badge);
    /* both signals were consumed by one wait: a poll now finds nothing, and a blocking wait
     * would block (checked through a thread that signals later, see below) */
    seL4_Word again = 1;
    seL4_Poll(ntfn, &again);
    EXPECT(again == 0);
    return 0;
}

static void signaller(void *arg)
{
    (void)arg;
    seL4_Signal(ntfn);
}

static int wait_blocks_until_signalled(void)
{
    ntfn = notification();
    EXPECT(ktest_spawn("signaller", 100, signaller, 0, 0) == 0);
    uint64_t before = schedlab_now_ns();
    seL4_Word badge = 5;
    seL4_Wait(ntfn, &badge); /* the signaller only runs once we block */
    EXPECT(badge == 0 && schedlab_now_ns() > before);
    return 0;
}

static int bound_notification_wakes_endpoint_receiver(void)
{
    ntfn = notification();
    seL4_CPtr ep = alloc_object(seL4_EndpointObject, 0);
    EXPECT(seL4_TCB_BindNotification(ktest_self(), ntfn) == seL4_NoError);
    EXPECT(ktest_spawn("bound-signaller", 100, signaller, 0, 0) == 0);
    seL4_Word badge = 3;
    seL4_Recv(ep, &badge); /* nobody sends on ep: only the bound signal can end this */
    EXPECT(badge == 0);
    /* a signal pending before the receive is taken at once */
    seL4_Signal(ntfn);
    seL4_Recv(ep, &badge);
    EXPECT(seL4_TCB_UnbindNotification(ktest_self()) == seL4_NoError);
    return 0;
}

static int bind_errors(void)
{
    seL4_CPtr a = notification(), b = notification();
    seL4_CPtr t = alloc_object(seL4_TCBObject, 0);
    EXPECT(seL4_TCB_UnbindNotification(t) == seL4_IllegalOperation);
    EXPECT(seL4_TCB_BindNotification(t, seL4_CapInitThreadTCB) == seL4_InvalidCapability);
    EXPECT(seL4_GetMR(0) == 1);
    EXPECT(seL4_TCB_BindNotification(t, a) == seL4_NoError);
    EXPECT(seL4_TCB_BindNotification(t, b) == seL4_IllegalOperation);
    EXPECT(seL4_TCB_BindNotification(seL4_CapInitThreadTCB, a) == seL4_IllegalOperation);
    EXPECT(seL4_TCB_UnbindNotification(t) == seL4_NoError);
    seL4_MessageInfo_t reply = seL4_Call(t, seL4_MessageInfo_new(TCBBindNotification, 0, 0, 0));
    EXPECT(seL4_MessageInfo_get_label(reply) == seL4_TruncatedMessage);
    return 0;
}

const struct ktest_case ktest_notif[] = {
    {"NOTIF", "Signal then Wait returns at once", signal_then_wait_returns_at_once},
    {"NOTIF", "Poll on an idle notification: 0", poll_idle_returns_zero},
    {"NOTIF", "signals merge until received", signals_merge_until_received},
    {"NOTIF", "Wait blocks until another thread signals", wait_blocks_until_signalled},
    {"NOTIF", "bound notification wakes an endpoint Recv",
     bound_notification_wakes_endpoint_receiver},
    {"NOTIF", "Bind/Unbind errors", bind_errors},
    {0, 0, 0},
};
