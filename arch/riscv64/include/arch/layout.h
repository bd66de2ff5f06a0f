/* Address-space layout and page-table constants of the RISC-V Sv39 kernel (seL4's layout). */
#ifndef ARCH_LAYOUT_H
#define ARCH_LAYOUT_H

#ifdef __ASSEMBLER__
#define UL(x) x
#else
#define UL(x) x##ull
#endif

/* The kernel window maps all physical memory from physical 0 (seL4's PPTR_BASE). */
#define KERNEL_PHYSMAP_BASE UL(0xFFFFFFC000000000)
#define KERNEL_PHYSMAP_TOP  UL(0xFFFFFFFF80000000)
#define KERNEL_ELF_BASE     UL(0xFFFFFFFF80200000)
#define KERNEL_ELF_PHYS     UL(0x80200000)
#define KERNEL_STACK_SIZE   16384
#define ARCH_MAX_HARTS      8

#define PTE_V          0x1
#define PTE_R          0x2
#define PTE_W          0x4
#define PTE_X          0x8
#define PTE_U          0x10
#define PTE_G          0x20
#define PTE_A          0x40
#define PTE_D          0x80
#define PTE_KERNEL_RWX (PTE_V | PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D)
#define PTE_KERNEL_RW  (PTE_V | PTE_R | PTE_W | PTE_G | PTE_A | PTE_D)
#define PTE_PPN_SHIFT  10

#define SATP_MODE_SHIFT 60
#define SATP_MODE_SV39  8
#define SATP_ASID_SHIFT 44

#endif
