/*
 * The seL4 user API as the simulator provides it to the workload engine's code (workloads/
 * engine's .c files, compiled unchanged on the host): the same types and calls as lib/include/sel4/
 * sel4.h, but a system call hands the calling workload thread (a host coroutine) to the
 * simulated kernel (sim/src/syscall.c) instead of trapping. Only what the engine uses is here.
 */
#ifndef SIM_SEL4_SEL4_H
#define SIM_SEL4_SEL4_H

#include <sel4/bootinfo.h>
#include <sel4/constants.h>
#include <sel4/errors.h>
#include <sel4/objecttype.h>
#include <sel4/types.h>
#include <stdbool.h>

typedef seL4_CPtr seL4_TCB;

/* The simulator's system calls (sim/src/syscall.c). */
enum sim_sys {
    SIM_SYS_CALL,
    SIM_SYS_SEND,
    SIM_SYS_RECV,
    SIM_SYS_NBRECV,
    SIM_SYS_REPLY,
    SIM_SYS_YIELD,
    SIM_SYS_TCB_RESUME,
    SIM_SYS_TCB_SET_AFFINITY,
    SIM_SYS_MARKER,
    SIM_SYS_CLOCK_NOW,
    SIM_SYS_SLEEP_UNTIL,
    SIM_SYS_SET_AFFINITY_MASK,
    SIM_SYS_SET_WORKING_SET,
    SIM_SYS_HART_ID,
    SIM_SYS_SUSPEND_SELF, /* a thread function returned: the thread suspends itself */
};

/* Enter the simulated kernel from the calling workload thread: -> a0 after the call (the
 * message info for IPC); *badge (if not NULL) gets the badge a receive delivered. */
seL4_Word sim_syscall(enum sim_sys sys, seL4_Word a0, seL4_Word a1, seL4_Word *badge);
/* The calling thread's message registers. */
seL4_Word *sim_message_registers(void);

static inline seL4_Word seL4_GetMR(int i) { return sim_message_registers()[i]; }
static inline void seL4_SetMR(int i, seL4_Word v) { sim_message_registers()[i] = v; }

static inline seL4_MessageInfo_t sim_info(seL4_Word word) { return (seL4_MessageInfo_t){{word}}; }

static inline void seL4_Send(seL4_CPtr dest, seL4_MessageInfo_t info)
{
    sim_syscall(SIM_SYS_SEND, dest, info.words[0], 0);
}
static inline seL4_MessageInfo_t seL4_Call(seL4_CPtr dest, seL4_MessageInfo_t info)
{
    return sim_info(sim_syscall(SIM_SYS_CALL, dest, info.words[0], 0));
}
static inline seL4_MessageInfo_t seL4_Recv(seL4_CPtr src, seL4_Word *badge)
{
    return sim_info(sim_syscall(SIM_SYS_RECV, src, 0, badge));
}
static inline seL4_MessageInfo_t seL4_NBRecv(seL4_CPtr src, seL4_Word *badge)
{
    return sim_info(sim_syscall(SIM_SYS_NBRECV, src, 0, badge));
}
static inline void seL4_Reply(seL4_MessageInfo_t info)
{
    sim_syscall(SIM_SYS_REPLY, 0, info.words[0], 0);
}
static inline void seL4_Signal(seL4_CPtr dest)
{
    seL4_Send(dest, seL4_MessageInfo_new(0, 0, 0, 0));
}
static inline void seL4_Wait(seL4_CPtr src, seL4_Word *badge) { seL4_Recv(src, badge); }
static inline seL4_MessageInfo_t seL4_Poll(seL4_CPtr src, seL4_Word *badge)
{
    return seL4_NBRecv(src, badge);
}
static inline void seL4_Yield(void) { sim_syscall(SIM_SYS_YIELD, 0, 0, 0); }
static inline seL4_Error seL4_TCB_Resume(seL4_TCB service)
{
    return (seL4_Error)sim_syscall(SIM_SYS_TCB_RESUME, service, 0, 0);
}
static inline seL4_Error seL4_TCB_SetAffinity(seL4_TCB service, seL4_Word affinity)
{
    return (seL4_Error)sim_syscall(SIM_SYS_TCB_SET_AFFINITY, service, affinity, 0);
}

#endif
