/*
 * Moving a thread's FP state between this hart's FPU and memory (struct arch_fpu_state: f0..f31
 * then fcsr). The kernel is built without the F and D extensions, so that no kernel code touches
 * the FP registers; only these routines may, and they turn sstatus.FS on for themselves (with FS
 * Off an FP instruction traps in S-mode too). The user's FS is restored from its saved sstatus
 * when it is resumed, so leaving FS on here changes nothing for user code.
 */
    .option push
    .option arch, +d

#define FP_OFF(n) ((n) * 8)
#define FCSR_OFF  (32 * 8)
#define FS_DIRTY  (3 << 13) /* sstatus.FS: any state but Off lets S-mode use the FPU */

.macro FPU_ON
    li t0, FS_DIRTY
    csrs sstatus, t0
.endm

.macro FPU_SAVE to
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fsd f\n, FP_OFF(\n)(\to)
    .endr
    frcsr t0
    sd t0, FCSR_OFF(\to)
.endm

.macro FPU_LOAD from
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fld f\n, FP_OFF(\n)(\from)
    .endr
    ld t0, FCSR_OFF(\from)
    fscsr t0
.endm

    .section .text
    .balign 4
/* void arch_fpu_save(struct arch_fpu_state *to) */
    .globl arch_fpu_save
arch_fpu_save:
    FPU_ON
    FPU_SAVE a0
    ret

/* void arch_fpu_load(const struct arch_fpu_state *from) */
    .globl arch_fpu_load
arch_fpu_load:
    FPU_ON
    FPU_LOAD a0
    ret

/* void arch_fpu_swap(struct arch_fpu_state *to, const struct arch_fpu_state *from): the
 * registers to `to`, then `from`'s into them (a switch between two FPU users, in one pass) */
    .globl arch_fpu_swap
arch_fpu_swap:
    FPU_ON
    FPU_SAVE a0
    FPU_LOAD a1
    ret

/* void arch_fpu_swap_restore_user(struct arch_fpu_state *to, const struct arch_fpu_state *from,
 * struct arch_context *ctx): arch_fpu_swap, then arch_restore_user(ctx); it does not return */
    .globl arch_fpu_swap_restore_user
arch_fpu_swap_restore_user:
    FPU_ON
    FPU_SAVE a0
    FPU_LOAD a1
    mv a0, a2
    tail arch_restore_user

    .option pop
