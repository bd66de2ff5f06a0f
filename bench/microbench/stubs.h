/*
 * System-call stubs as sel4bench writes them for RISC-V (its arch/ipc.h and arch/signal.h): only
 * the registers the call needs, and the instruction itself a parameter. With "ecall" they make
 * the call; with "nop" in its place they time the benchmark's own instructions around it (the
 * counter reads, the store of the start, the register set-up), which sel4bench measures the same
 * way and subtracts from every figure it reports (a result_desc's overhead in its processing).
 * The figures here are made the same way (main.c, overhead_of), so they compare with seL4's.
 *
 * Every stub lets the kernel write a0..a5 and memory: a receive may deliver message registers
 * and a long message lands in the IPC buffer.
 */
#ifndef BENCH_STUBS_H
#define BENCH_STUBS_H

#include <sel4/sel4.h>

/* a0 = cap, a1 = message info, a7 = the system call */
#define STUB_IPC(insn, number, cap, info)                                                          \
    do {                                                                                           \
        register seL4_Word a0_ __asm__("a0") = (seL4_Word)(cap);                                   \
        register seL4_Word a1_ __asm__("a1") = (info);                                             \
        register seL4_Word a7_ __asm__("a7") = (seL4_Word)(number);                                \
        __asm__ volatile(insn                                                                      \
                         : "+r"(a0_), "+r"(a1_)                                                    \
                         : "r"(a7_)                                                                \
                         : "a2", "a3", "a4", "a5", "memory");                                      \
    } while (0)

/* a7 = the system call, nothing else (yield, a null system call) */
#define STUB_PLAIN(insn, number)                                                                   \
    do {                                                                                           \
        register seL4_Word a7_ __asm__("a7") = (seL4_Word)(number);                                \
        __asm__ volatile(insn : : "r"(a7_) : "a0", "a1", "a2", "a3", "a4", "a5", "memory");        \
    } while (0)

#define INFO(length) (seL4_MessageInfo_new(0, 0, 0, (length)).words[0])

#define CALL(insn, ep, length)       STUB_IPC(insn, seL4_SysCall, ep, INFO(length))
#define REPLY_RECV(insn, ep, length) STUB_IPC(insn, seL4_SysReplyRecv, ep, INFO(length))
#define SEND(insn, ep)               STUB_IPC(insn, seL4_SysSend, ep, INFO(0))
#define RECV(insn, ep)               STUB_IPC(insn, seL4_SysRecv, ep, INFO(0))
#define SIGNAL(insn, ntfn)           STUB_IPC(insn, seL4_SysSend, ntfn, INFO(0))
#define WAIT(insn, ntfn)             STUB_IPC(insn, seL4_SysRecv, ntfn, INFO(0))
#define YIELD(insn)                  STUB_PLAIN(insn, seL4_SysYield)

#endif
