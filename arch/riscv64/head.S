/*
 * Kernel entry from OpenSBI (fw_jump): S-mode, MMU off, a0 = hart id, a1 = DTB physical address,
 * running at the load address 0x80200000. Build a boot page table that maps the kernel both
 * where it runs now (identity) and where it is linked (top 2 GiB), turn on Sv39, jump high and
 * call boot_kernel(hart, dtb). Secondary harts come through the same path later (SMP).
 */
#include <arch/layout.h>

    .section .text.boot, "ax"
    .globl _start
_start:
    csrw sie, zero
    csrw sscratch, zero
    /* Only the boot hart uses this path; boot_pt is filled with position-independent code. */
    lla t0, boot_pt
    /* identity gigapage for the 1 GiB containing the kernel: index = pa >> 30 */
    lla t1, _start
    srli t2, t1, 30
    slli t3, t2, 28              /* PPN of that gigapage << 10 = (pa >> 30) << 28 */
    ori t3, t3, PTE_KERNEL_RWX
    slli t4, t2, 3
    add t4, t0, t4
    sd t3, 0(t4)
    /* the same gigapage at the kernel's linked address: index 510 */
    li t4, 510 * 8
    add t4, t0, t4
    sd t3, 0(t4)
    /* satp = Sv39 | PPN(boot_pt) */
    srli t0, t0, 12
    li t1, SATP_MODE_SV39
    slli t1, t1, SATP_MODE_SHIFT
    or t0, t0, t1
    sfence.vma
    csrw satp, t0
    sfence.vma
    ld t0, .Lhigh
    jr t0
.Lhigh:
    .dword 1f
1:
    /* now running at the linked address */
    la sp, kernel_stacks
    li t0, KERNEL_STACK_SIZE
    add sp, sp, t0
    mv tp, zero
    la t0, kernel_trap_entry
    csrw stvec, t0
    call boot_kernel
2:  wfi
    j 2b

    .section .bss
    .balign 4096
    .globl boot_pt
boot_pt:
    .space 4096
