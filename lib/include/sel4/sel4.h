/*
 * The seL4 user API for riscv64 (non-MCS), written here from seL4's documented ABI
 * (../../../shared/seL4-abi-rv64.md): system calls, message registers, invocation wrappers.
 * The IPC buffer pointer lives in tp (each thread's tp is its IPC buffer address).
 */
#ifndef SEL4_SEL4_H
#define SEL4_SEL4_H

#include <sel4/bootinfo.h>
#include <sel4/constants.h>
#include <sel4/errors.h>
#include <sel4/faults.h>
#include <sel4/invocation.h>
#include <sel4/objecttype.h>
#include <sel4/syscalls.h>
#include <sel4/types.h>

typedef seL4_CPtr seL4_CNode;
typedef seL4_CPtr seL4_TCB;
typedef seL4_CPtr seL4_Untyped;
typedef seL4_CPtr seL4_RISCV_PageTable;
typedef seL4_CPtr seL4_RISCV_Page;

static inline seL4_IPCBuffer *seL4_GetIPCBuffer(void)
{
    seL4_IPCBuffer *b;
    __asm__("mv %0, tp" : "=r"(b));
    return b;
}
static inline void seL4_SetIPCBuffer(seL4_IPCBuffer *b) { __asm__ volatile("mv tp, %0" ::"r"(b)); }
static inline seL4_Word seL4_GetMR(int i) { return seL4_GetIPCBuffer()->msg[i]; }
static inline void seL4_SetMR(int i, seL4_Word v) { seL4_GetIPCBuffer()->msg[i] = v; }
static inline void seL4_SetCap(int i, seL4_CPtr c) { seL4_GetIPCBuffer()->caps_or_badges[i] = c; }
static inline seL4_Word seL4_GetBadge(int i) { return seL4_GetIPCBuffer()->caps_or_badges[i]; }
/* Where a capability sent to this thread lands: slot (index, depth) of the CNode at `cnode`. */
static inline void seL4_SetCapReceivePath(seL4_CPtr cnode, seL4_CPtr index, seL4_Word depth)
{
    seL4_IPCBuffer *b = seL4_GetIPCBuffer();
    b->receiveCNode = cnode;
    b->receiveIndex = index;
    b->receiveDepth = depth;
}

/* The one system-call primitive: a0 = cptr/badge, a1 = info, a2..a5 = MR0..MR3, a7 = number. */
static inline void riscv_syscall(seL4_Word sys, seL4_Word *a0, seL4_Word *a1, seL4_Word *mr0,
                                 seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    register seL4_Word r0 __asm__("a0") = *a0;
    register seL4_Word r1 __asm__("a1") = *a1;
    register seL4_Word r2 __asm__("a2") = *mr0;
    register seL4_Word r3 __asm__("a3") = *mr1;
    register seL4_Word r4 __asm__("a4") = *mr2;
    register seL4_Word r5 __asm__("a5") = *mr3;
    register seL4_Word r7 __asm__("a7") = sys;
    __asm__ volatile("ecall"
                     : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5)
                     : "r"(r7)
                     : "memory");
    *a0 = r0;
    *a1 = r1;
    *mr0 = r2;
    *mr1 = r3;
    *mr2 = r4;
    *mr3 = r5;
}

/* Message registers 0..3 travel in registers; the API keeps them in msg[0..3] like libsel4. */
static inline seL4_MessageInfo_t sel4_exchange(seL4_Word sys, seL4_CPtr cptr,
                                               seL4_MessageInfo_t info, seL4_Word *badge)
{
    seL4_IPCBuffer *b = seL4_GetIPCBuffer();
    seL4_Word a0 = cptr, a1 = info.words[0];
    riscv_syscall(sys, &a0, &a1, &b->msg[0], &b->msg[1], &b->msg[2], &b->msg[3]);
    if (badge) *badge = a0;
    return (seL4_MessageInfo_t){{a1}};
}

static inline void seL4_Send(seL4_CPtr dest, seL4_MessageInfo_t info)
{
    sel4_exchange(seL4_SysSend, dest, info, 0);
}
static inline void seL4_NBSend(seL4_CPtr dest, seL4_MessageInfo_t info)
{
    sel4_exchange(seL4_SysNBSend, dest, info, 0);
}
static inline seL4_MessageInfo_t seL4_Call(seL4_CPtr dest, seL4_MessageInfo_t info)
{
    return sel4_exchange(seL4_SysCall, dest, info, 0);
}
static inline seL4_MessageInfo_t seL4_Recv(seL4_CPtr src, seL4_Word *badge)
{
    return sel4_exchange(seL4_SysRecv, src, seL4_MessageInfo_new(0, 0, 0, 0), badge);
}
static inline seL4_MessageInfo_t seL4_NBRecv(seL4_CPtr src, seL4_Word *badge)
{
    return sel4_exchange(seL4_SysNBRecv, src, seL4_MessageInfo_new(0, 0, 0, 0), badge);
}
static inline void seL4_Reply(seL4_MessageInfo_t info) { sel4_exchange(seL4_SysReply, 0, info, 0); }
static inline seL4_MessageInfo_t seL4_ReplyRecv(seL4_CPtr src, seL4_MessageInfo_t info,
                                                seL4_Word *badge)
{
    return sel4_exchange(seL4_SysReplyRecv, src, info, badge);
}
static inline void seL4_Signal(seL4_CPtr dest)
{
    sel4_exchange(seL4_SysSend, dest, seL4_MessageInfo_new(0, 0, 0, 0), 0);
}
static inline void seL4_Wait(seL4_CPtr src, seL4_Word *badge) { seL4_Recv(src, badge); }
static inline seL4_MessageInfo_t seL4_Poll(seL4_CPtr src, seL4_Word *badge)
{
    return seL4_NBRecv(src, badge);
}

/* System calls with plain arguments (Yield, debug, SchedLab extensions). */
static inline seL4_Word sel4_plain_call(seL4_Word sys, seL4_Word arg0, seL4_Word arg1)
{
    seL4_Word a0 = arg0, a1 = arg1, m0 = 0, m1 = 0, m2 = 0, m3 = 0;
    riscv_syscall(sys, &a0, &a1, &m0, &m1, &m2, &m3);
    return a0;
}
static inline void seL4_Yield(void) { sel4_plain_call(seL4_SysYield, 0, 0); }
static inline void seL4_DebugPutChar(char c)
{
    sel4_plain_call(seL4_SysDebugPutChar, (seL4_Word)c, 0);
}
static inline void seL4_DebugHalt(void) { sel4_plain_call(seL4_SysDebugHalt, 0, 0); }
void seL4_DebugNameThread(seL4_CPtr tcb, const char *name);
static inline void seL4_DebugDumpScheduler(void)
{
    sel4_plain_call(seL4_SysDebugDumpScheduler, 0, 0);
}
/* The kernel's cap-type tag of the cap at `cap` (seL4's numbering; 0 = null). */
static inline seL4_Word seL4_DebugCapIdentify(seL4_CPtr cap)
{
    return sel4_plain_call(seL4_SysDebugCapIdentify, cap, 0);
}

#include <sel4/invocations.h>

#endif
