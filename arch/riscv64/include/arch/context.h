/*
 * A thread's saved user context. Words 0..30 hold x1..x31 (seL4's register order), then sstatus
 * and the trap's pc (sepc) with the pc it returns to (scause is not kept: trap.S passes it to
 * arch_handle_trap, its only reader), then two words the trap entry loads to find this hart's
 * kernel stack and hart data. The kernel names registers by role (REG_*) so that nothing outside
 * arch/ depends on RISC-V.
 */
#ifndef ARCH_CONTEXT_H
#define ARCH_CONTEXT_H

#define CTX_RA        0
#define CTX_SP        1
#define CTX_GP        2
#define CTX_TP        3
#define CTX_T0        4
#define CTX_T1        5
#define CTX_T2        6
#define CTX_S0        7
#define CTX_S1        8
#define CTX_A0        9
#define CTX_A1        10
#define CTX_A2        11
#define CTX_A3        12
#define CTX_A4        13
#define CTX_A5        14
#define CTX_A6        15
#define CTX_A7        16
#define CTX_S2        17
#define CTX_T3        27
#define CTX_T6        30
#define CTX_STATUS    31
#define CTX_FAULT_IP  32
#define CTX_NEXT_IP   33
#define CTX_KERNEL_SP 34
#define CTX_KERNEL_TP 35
#define CTX_WORDS     36

/* The first two words of the per-hart record the kernel's tp points at (struct hart, its
 * arch_hart_local): the Call and ReplyRecv fastpaths of this machine, one hart's or several's,
 * which the trap entry jumps to through them (so neither asks which at every call). */
#define ARCH_HART_FASTPATH_CALL       0
#define ARCH_HART_FASTPATH_REPLY_RECV 8

/* Register roles in seL4's RISC-V system call convention (ABI sheet §2). */
#define REG_CAP            CTX_A0 /* invoked / received-on capability */
#define REG_BADGE          CTX_A0 /* badge of a received message */
#define REG_INFO           CTX_A1 /* seL4_MessageInfo */
#define REG_MR0            CTX_A2 /* message registers MR0..MR3 = a2..a5 */
#define REG_SYSCALL        CTX_A7 /* system call number */
#define REG_ARG0           CTX_A0 /* first argument of SchedLab extension calls */
#define REG_ARG1           CTX_A1
#define REG_SP             CTX_SP
#define REG_RA             CTX_RA
#define REG_FAULT_IP       CTX_FAULT_IP
#define REG_NEXT_IP        CTX_NEXT_IP
#define ARCH_MSG_REGISTERS 4

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

struct arch_context {
    uint64_t regs[CTX_WORDS];
};

/* A system call returns past the instruction that made it (ecall, 4 bytes). */
static inline void arch_syscall_return_past(struct arch_context *ctx)
{
    ctx->regs[CTX_NEXT_IP] = ctx->regs[CTX_FAULT_IP] + 4;
}

/* seL4_UserContext word i (TCB Read/WriteRegisters) is context word arch_user_context_reg[i];
 * word 0 is the pc. The first ARCH_FRAME_REGISTERS words are seL4's "frame" group. */
#define ARCH_USER_CONTEXT_WORDS 32
#define ARCH_FRAME_REGISTERS    16
#define ARCH_USER_CONTEXT_TLS   31 /* seL4_UserContext.tp: the TLS base */
extern const uint8_t arch_user_context_reg[ARCH_USER_CONTEXT_WORDS];

/* A thread's floating-point registers as the kernel keeps them while they are not in a hart's
 * FPU: f0..f31 (the D extension's 64 bits each) and fcsr. */
struct arch_fpu_state {
    uint64_t f[32];
    uint64_t fcsr;
};

/* sstatus.FS in the saved context: whether the thread finds the FPU on when it runs, and whether
 * it wrote FP registers since it was last given them (Dirty; the hart sets it, never clears it). */
#define CTX_STATUS_FS_MASK  (3ull << 13)
#define CTX_STATUS_FS_CLEAN (2ull << 13)
#define CTX_STATUS_FS_DIRTY (3ull << 13)
static inline bool arch_fpu_user_on(const struct arch_context *ctx)
{
    return ctx->regs[CTX_STATUS] & CTX_STATUS_FS_MASK;
}
static inline bool arch_fpu_user_dirty(const struct arch_context *ctx)
{
    return (ctx->regs[CTX_STATUS] & CTX_STATUS_FS_MASK) == CTX_STATUS_FS_DIRTY;
}
/* On: the hart's FP registers hold the thread's state, equal to its saved copy (Clean). */
static inline void arch_fpu_user_set(struct arch_context *ctx, bool on)
{
    ctx->regs[CTX_STATUS] =
        (ctx->regs[CTX_STATUS] & ~CTX_STATUS_FS_MASK) | (on ? CTX_STATUS_FS_CLEAN : 0);
}
#endif

#endif
