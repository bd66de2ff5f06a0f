/*
 * Kernel entry, two ways in:
 *  - from OpenSBI's fw_jump: S-mode, MMU off, running at the load address 0x80200000,
 *    a0 = hart id, a1 = device tree;
 *  - from seL4's elfloader: S-mode, Sv39 on, running at the linked (virtual) address,
 *    a0..a7 = user image start/end (physical), pv offset, user entry, device tree address and
 *    size, hart id, core id (seL4's init_kernel arguments, ABI sheet §12).
 * Either way: keep the entry registers in boot_registers (word 8 = 1 for the elfloader), build a
 * boot page table mapping the kernel's gigabyte both at its physical address (identity) and where
 * it is linked (top 2 GiB), turn it on, jump to the linked address and call boot_kernel().
 */
#include <arch/layout.h>

#include "sbi.h"

/* Turn on the boot page table (t0 = its physical address) and go on at `linked`, the linked
 * (virtual) address of the next instruction. */
.macro enable_boot_page_table linked
    srli t0, t0, 12
    li t1, SATP_MODE_SV39
    slli t1, t1, SATP_MODE_SHIFT
    or t0, t0, t1
    sfence.vma
    csrw satp, t0
    sfence.vma
    ld t0, 1f
    jr t0
    .balign 8
1:  .dword \linked
.endm

    .section .text.boot, "ax"
    .globl _start
_start:
    csrw sie, zero
    csrw sscratch, zero
    /* seL4's elfloader enters every hart; only core 0 boots this kernel, the others stay parked
     * (this kernel starts its own secondaries through HSM, which only the OpenSBI path does) */
    csrr t1, satp
    beqz t1, 0f
    bnez a7, 5f
0:
    /* The first hart here boots the kernel. A later one is a secondary: OpenSBI 1.1's HSM
     * start marks a hart started before it writes the start address, so under multi-threaded
     * QEMU a secondary may come here, to the firmware's default address, instead. */
    lla t0, boot_claimed
    li t1, 1
    amoswap.w t1, t1, (t0)
    bnez t1, secondary_start
    lla t0, boot_registers
    sd a0, 0(t0)
    sd a1, 8(t0)
    sd a2, 16(t0)
    sd a3, 24(t0)
    sd a4, 32(t0)
    sd a5, 40(t0)
    sd a6, 48(t0)
    sd a7, 56(t0)
    /* t6 = (address we run at) - (physical address): 0 from OpenSBI, the kernel window offset
     * from the elfloader, whose page tables are live */
    li t6, 0
    csrr t1, satp
    beqz t1, 1f
    li t6, KERNEL_ELF_BASE - KERNEL_ELF_PHYS
    li t1, 1
    sd t1, 64(t0)
1:
    lla t5, boot_pt                  /* to write the table */
    sub t0, t5, t6                   /* its physical address, for satp */
    lla t1, _start
    sub t1, t1, t6                   /* the kernel's physical address */
    srli t2, t1, 30
    slli t3, t2, 28                  /* PPN of that gigapage << 10 = (pa >> 30) << 28 */
    ori t3, t3, PTE_KERNEL_RWX
    slli t4, t2, 3
    add t4, t5, t4
    sd t3, 0(t4)                     /* identity: index pa >> 30 */
    li t4, 510 * 8
    add t4, t5, t4
    sd t3, 0(t4)                     /* the linked address: index 510 */
    enable_boot_page_table 2f
2:
    /* now running at the linked address */
    la sp, kernel_stacks
    li t0, KERNEL_STACK_SIZE
    add sp, sp, t0
    mv tp, zero
    /* The kernel is compiled for Zba, Zbb and Zbs (cmake/target_flags.cmake): try one instruction
     * of each before any compiled code runs. On a hart without them the trap goes to
     * missing_extensions. */
    la t0, missing_extensions
    csrw stvec, t0
    .option push
    .option arch, +zba, +zbb, +zbs
    sh1add t0, t0, t0
    clz t0, t0
    bseti t0, t0, 0
    .option pop
    la t0, kernel_trap_entry
    csrw stvec, t0
    call boot_kernel
3:  wfi
    j 3b

/* Say why through the SBI's legacy console (the one every SBI has), then shut down with
 * "system failure" (SRST). */
    .balign 4
missing_extensions:
    la s0, missing_extensions_message
8:  lbu a0, 0(s0)
    beqz a0, 9f
    li a7, SBI_EXT_LEGACY_PUTCHAR
    ecall
    addi s0, s0, 1
    j 8b
9:  li a7, SBI_EXT_SRST
    li a6, 0
    li a0, 0
    li a1, 1
    ecall
    j 3b

/*
 * Secondary harts, started by the boot hart through SBI HSM (arch_start_hart): S-mode, MMU off,
 * a0 = hart id. The boot page table still maps the
 * kernel's gigabyte at both addresses; each hart's stack is kernel_stacks[index].
 */
    .globl secondary_start
secondary_start:
    csrw sie, zero
    csrw sscratch, zero
    mv s0, a0
    /* the index is where our hart id is in hart_hw_ids (a1 is not trusted: see _start) */
    lla t0, hart_hw_ids
    li s1, 0
    li t2, ARCH_MAX_HARTS
6:  ld t1, 0(t0)
    beq t1, s0, 7f
    addi t0, t0, 8
    addi s1, s1, 1
    blt s1, t2, 6b
    j 5f                             /* a hart the kernel did not start: park it */
7:
    lla t0, boot_pt
    enable_boot_page_table 4f
4:
    la sp, kernel_stacks
    li t0, KERNEL_STACK_SIZE
    addi t1, s1, 1
    mul t0, t0, t1
    add sp, sp, t0
    mv tp, zero
    la t0, kernel_trap_entry
    csrw stvec, t0
    mv a0, s1
    mv a1, s0
    call secondary_kernel
5:  wfi
    j 5b

    .section .rodata
missing_extensions_message:
    .asciz "schedlab: this kernel needs the Zba, Zbb and Zbs extensions, which this hart lacks\n"

    .section .data
    .balign 8
boot_claimed:
    .word 0

    .section .bss
    .balign 4096
    .globl boot_pt
boot_pt:
    .space 4096
    .globl boot_registers
    .balign 8
boot_registers:
    .space 9 * 8
