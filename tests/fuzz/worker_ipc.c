/*
 * IPC between workers: sends, calls, receives and replies on the shared and their own endpoints
 * and notifications, with random lengths, extra caps (capability transfer) and receive slots.
 */
#include "worker.h"

static seL4_CPtr ipc_target(bool receiving)
{
    uint64_t r = below(100);
    if (receiving && r < 50) return WORKER_CPTR(WS_EP_SHARED); /* where the senders are */
    if (r < 25) return WORKER_CPTR(WS_EP_SHARED);
    if (r < 40) return WORKER_CPTR(WS_EP_BADGED);
    if (r < 55) return WORKER_CPTR(WS_NTFN_SHARED);
    if (r < 65) return WORKER_CPTR(WS_EP_OWN);
    if (r < 75) return WORKER_CPTR(WS_NTFN_OWN);
    if (r < 80) return WORKER_CPTR(WS_DOOMED);
    return pick_cptr();
}

/* Where a blocking operation usually waits: where the other workers are. */
static seL4_CPtr blocking_target(void)
{
    return percent(90) ? WORKER_CPTR(percent(70) ? WS_EP_SHARED : WS_NTFN_SHARED)
                       : ipc_target(false);
}

static void set_receive_slot(void)
{
    seL4_IPCBuffer *b = seL4_GetIPCBuffer();
    uint64_t r = below(100);
    if (r < 70) {
        b->receiveCNode = WORKER_CPTR(WS_CNODE);
        b->receiveIndex = pick_free_slot();
        b->receiveDepth = WORKER_SLOT_DEPTH;
    } else if (r < 85) {
        b->receiveCNode = b->receiveIndex = b->receiveDepth = 0;
    } else {
        b->receiveCNode = pick_cptr();
        b->receiveIndex = interesting_word();
        b->receiveDepth = below(72);
    }
}

static seL4_MessageInfo_t message(void)
{
    seL4_IPCBuffer *b = seL4_GetIPCBuffer();
    uint64_t r = below(100);
    seL4_Word length = r < 70 ? below(5) : r < 95 ? below(seL4_MsgMaxLength + 1) : below(128);
    for (seL4_Word i = 0; i < length && i < seL4_MsgMaxLength; i++) b->msg[i] = interesting_word();
    seL4_Word ncaps = percent(75) ? 0 : between(1, 3);
    for (seL4_Word i = 0; i < ncaps; i++) b->caps_or_badges[i] = pick_cptr();
    return seL4_MessageInfo_new(percent(70) ? below(64) : interesting_word(), 0, ncaps, length);
}

/* A receiver usually answers at once: a caller left waiting for a reply stalls its worker. */
static void maybe_reply(void)
{
    uint64_t r = below(100);
    if (r < 50) {
        fuzz_syscall(seL4_SysReply, 0, message(), 0);
    } else if (r < 60) {
        seL4_SetMR(0, pick_free_slot());
        seL4_SetMR(1, WORKER_SLOT_DEPTH);
        fuzz_call(WORKER_CPTR(WS_CNODE), CNodeSaveCaller, 0, 2);
    }
}

void op_ipc(void)
{
    seL4_Word badge;
    uint64_t r = below(100);
    if (r < 30) {
        fuzz_syscall(seL4_SysNBSend, ipc_target(false), message(), 0);
    } else if (r < 34) {
        fuzz_syscall(seL4_SysSend, blocking_target(), message(), 0);
    } else if (r < 40) {
        set_receive_slot();
        fuzz_syscall(seL4_SysCall, percent(50) ? blocking_target() : ipc_target(false), message(),
                     0);
    } else if (r < 74) {
        set_receive_slot();
        fuzz_syscall(seL4_SysNBRecv, ipc_target(true), seL4_MessageInfo_new(0, 0, 0, 0), &badge);
        maybe_reply();
    } else if (r < 77) {
        set_receive_slot();
        fuzz_syscall(seL4_SysRecv, blocking_target(), seL4_MessageInfo_new(0, 0, 0, 0), &badge);
        maybe_reply();
    } else if (r < 80) {
        set_receive_slot();
        fuzz_syscall(seL4_SysReplyRecv, blocking_target(), message(), &badge);
        maybe_reply();
    } else if (r < 92) {
        fuzz_syscall(seL4_SysReply, 0, message(), 0);
    } else {
        /* a reply cap kept in a slot, then used like any cap */
        seL4_CPtr reply = pick_cptr();
        fuzz_syscall(percent(50) ? seL4_SysSend : seL4_SysCall, reply, message(), 0);
    }
}
