/*
 * Trap entry and exit. While a thread runs in user mode, sscratch holds the address of its
 * struct arch_context; in the kernel sscratch is 0, so a trap taken in the kernel is told apart
 * (and is a kernel bug: the kernel runs with interrupts off and never touches user memory).
 */
#include <arch/context.h>
#include <arch/csr.h>
#include <sel4/syscalls.h>

#define SAVE(reg, idx) sd reg, ((idx) * 8)(a0)
#define LOAD(reg, idx) ld reg, ((idx) * 8)(a0)

    .section .text
    .balign 4
    .globl kernel_trap_entry
/* a0 is the scratch register swapped with sscratch: it is where the C code wants the context. The
 * trap cause stays in a register (t2, then arch_handle_trap's argument): only the slow path reads
 * it, and nothing reads it from a thread's context later. */
kernel_trap_entry:
    csrrw a0, sscratch, a0
    beqz a0, trap_from_kernel
    SAVE(ra, 0)
    SAVE(sp, 1)
    SAVE(gp, 2)
    SAVE(tp, 3)
    SAVE(t0, 4)
    SAVE(t1, 5)
    SAVE(t2, 6)
    SAVE(s0, 7)
    SAVE(s1, 8)
    SAVE(a1, 10)
    SAVE(a2, 11)
    SAVE(a3, 12)
    SAVE(a4, 13)
    SAVE(a5, 14)
    SAVE(a6, 15)
    SAVE(a7, 16)
    SAVE(s2, 17)
    SAVE(s3, 18)
    SAVE(s4, 19)
    SAVE(s5, 20)
    SAVE(s6, 21)
    SAVE(s7, 22)
    SAVE(s8, 23)
    SAVE(s9, 24)
    SAVE(s10, 25)
    SAVE(s11, 26)
    SAVE(t3, 27)
    SAVE(t4, 28)
    SAVE(t5, 29)
    SAVE(t6, 30)
    csrrw t1, sscratch, zero
    SAVE(t1, CTX_A0)
    csrr t1, sstatus
    SAVE(t1, CTX_STATUS)
    csrr t1, sepc
    SAVE(t1, CTX_FAULT_IP)
    ld sp, (CTX_KERNEL_SP * 8)(a0)
    ld tp, (CTX_KERNEL_TP * 8)(a0)
    csrr t2, scause
    /* seL4's fastpath candidates, Call and ReplyRecv (a7 holds the number still), go straight to
     * their fastpath (kernel/fastpath.c), before the generic decode, returning past their ecall
     * (arch_syscall_return_past: sepc is in t1 still): the one-hart or the locked one, whichever
     * the hart's record names (ARCH_HART_FASTPATH_*) */
    li t3, CAUSE_USER_ECALL
    bne t2, t3, 1f
    li t3, seL4_SysCall
    bne a7, t3, 2f
    addi t1, t1, 4
    SAVE(t1, CTX_NEXT_IP)
    ld t3, ARCH_HART_FASTPATH_CALL(tp)
    jr t3
2:  li t3, seL4_SysReplyRecv
    bne a7, t3, 1f
    addi t1, t1, 4
    SAVE(t1, CTX_NEXT_IP)
    ld t3, ARCH_HART_FASTPATH_REPLY_RECV(tp)
    jr t3
1:  SAVE(t1, CTX_NEXT_IP)
    mv a1, t2
    call arch_handle_trap
    /* not reached: the kernel leaves through arch_restore_user */

trap_from_kernel:
    csrrw a0, sscratch, a0      /* restore a0, sscratch back to 0 */
    csrr a0, scause
    csrr a1, sepc
    csrr a2, stval
    call arch_kernel_trap_panic

/* void arch_restore_user(struct arch_context *ctx): resume a thread in user mode. */
    .globl arch_restore_user
arch_restore_user:
    csrw sscratch, a0
    ld t0, (CTX_NEXT_IP * 8)(a0)
    csrw sepc, t0
    ld t0, (CTX_STATUS * 8)(a0)
    csrw sstatus, t0
    LOAD(ra, 0)
    LOAD(sp, 1)
    LOAD(gp, 2)
    LOAD(tp, 3)
    LOAD(t0, 4)
    LOAD(t1, 5)
    LOAD(t2, 6)
    LOAD(s0, 7)
    LOAD(s1, 8)
    LOAD(a1, 10)
    LOAD(a2, 11)
    LOAD(a3, 12)
    LOAD(a4, 13)
    LOAD(a5, 14)
    LOAD(a6, 15)
    LOAD(a7, 16)
    LOAD(s2, 17)
    LOAD(s3, 18)
    LOAD(s4, 19)
    LOAD(s5, 20)
    LOAD(s6, 21)
    LOAD(s7, 22)
    LOAD(s8, 23)
    LOAD(s9, 24)
    LOAD(s10, 25)
    LOAD(s11, 26)
    LOAD(t3, 27)
    LOAD(t4, 28)
    LOAD(t5, 29)
    LOAD(t6, 30)
    LOAD(a0, 9)
    sret
