/*
 * IPC still works: a Call to a responder pinned on each hart in turn comes back with the answer,
 * the badge it was sent with and the hart it ran on. A Call that never returns stops the
 * supervisor's heartbeat, which the watchdog reports as a hang of this check.
 */
#include "supervisor.h"

#define PING_LABEL 0x9149
#define PONG_LABEL 0x9090

static struct sup_thread responders[FUZZ_MAX_WORKERS];
static seL4_CPtr ping_eps[FUZZ_MAX_WORKERS];    /* unbadged, the responder's */
static seL4_CPtr ping_badged[FUZZ_MAX_WORKERS]; /* badged hart + 1, ours */
static unsigned next_hart;
static uint64_t ping_value;

static void responder(seL4_Word hart)
{
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(ping_eps[hart], &badge);
    for (;;) {
        bool ping = seL4_MessageInfo_get_label(info) == PING_LABEL &&
                    seL4_MessageInfo_get_length(info) == 1;
        seL4_SetMR(1, schedlab_hart_id());
        seL4_SetMR(2, badge);
        seL4_SetMR(0, seL4_GetMR(0) + 1);
        info = seL4_ReplyRecv(ping_eps[hart], seL4_MessageInfo_new(ping ? PONG_LABEL : 0, 0, 0, 3),
                              &badge);
    }
}

void check_ipc_init(void)
{
    for (unsigned h = 0; h < params.nharts; h++) {
        ping_eps[h] = alloc_object(seL4_EndpointObject, 0);
        ping_badged[h] = alloc_slot();
        REQUIRE(ping_eps[h] && ping_badged[h], "setup", "no memory for the IPC check");
        MUST(seL4_CNode_Mint(ROOT, ping_badged[h], 64, ROOT, ping_eps[h], 64, seL4_AllRights,
                             h + 1));
        REQUIRE(sup_thread_start(&responders[h], "responder", responder, h, RESPONDER_PRIO, h, 0),
                "setup", "cannot start the responder of hart %u", h);
    }
}

void check_ipc(void)
{
    unsigned h = next_hart++ % params.nharts;
    supervisor_phase = "IPC check (a Call to a responder that never answered)";
    seL4_Word value = ++ping_value * 0x10001;
    seL4_SetMR(0, value);
    seL4_MessageInfo_t info = seL4_Call(ping_badged[h], seL4_MessageInfo_new(PING_LABEL, 0, 0, 1));
    REQUIRE(seL4_MessageInfo_get_label(info) == PONG_LABEL &&
                seL4_MessageInfo_get_length(info) == 3,
            "IPC", "the responder on hart %u answered label 0x%lx length %lu", h,
            (unsigned long)seL4_MessageInfo_get_label(info),
            (unsigned long)seL4_MessageInfo_get_length(info));
    REQUIRE(seL4_GetMR(0) == value + 1, "IPC", "hart %u: sent %lu, got back %lu (want %lu)", h,
            (unsigned long)value, (unsigned long)seL4_GetMR(0), (unsigned long)value + 1);
    REQUIRE(seL4_GetMR(2) == h + 1, "IPC", "hart %u: the responder saw badge %lu (want %u)", h,
            (unsigned long)seL4_GetMR(2), h + 1);
    REQUIRE(seL4_GetMR(1) == h, "IPC", "the responder pinned to hart %u ran on hart %lu", h,
            (unsigned long)seL4_GetMR(1));
    checks_passed.ping++;
}
