/* RISC-V supervisor CSRs and the bits SchedLab uses. Only arch/ includes this file. */
#ifndef ARCH_CSR_H
#define ARCH_CSR_H

#ifndef __ASSEMBLER__ /* trap.S takes the cause numbers */
#include <stdint.h>
#endif

#define csr_read(csr)                                                                              \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile("csrr %0, " #csr : "=r"(v_));                                             \
        v_;                                                                                        \
    })
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"rK"((uint64_t)(val)) : "memory")
#define csr_set(csr, bits)  __asm__ volatile("csrs " #csr ", %0" ::"rK"((uint64_t)(bits)) : "memory")
#define csr_clear(csr, bits)                                                                       \
    __asm__ volatile("csrc " #csr ", %0" ::"rK"((uint64_t)(bits)) : "memory")

#define SSTATUS_SIE     (1ull << 1)
#define SSTATUS_SPIE    (1ull << 5)
#define SSTATUS_SPP     (1ull << 8)
#define SSTATUS_FS_MASK (3ull << 13)
#define SSTATUS_SUM     (1ull << 18)

#define SIE_SSIE (1ull << 1)
#define SIE_STIE (1ull << 5)
#define SIE_SEIE (1ull << 9)

#define SCAUSE_INTERRUPT (1ull << 63)
#define IRQ_S_SOFT       1
#define IRQ_S_TIMER      5
#define IRQ_S_EXT        9

#define CAUSE_MISALIGNED_FETCH    0
#define CAUSE_FETCH_ACCESS        1
#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT          3
#define CAUSE_LOAD_ACCESS         5
#define CAUSE_STORE_ACCESS        7
#define CAUSE_USER_ECALL          8
#define CAUSE_FETCH_PAGE_FAULT    12
#define CAUSE_LOAD_PAGE_FAULT     13
#define CAUSE_STORE_PAGE_FAULT    15

#define SCOUNTEREN_CY (1u << 0)
#define SCOUNTEREN_TM (1u << 1)
#define SCOUNTEREN_IR (1u << 2)

/* stimecmp of the Sstc extension; named by number because older assemblers lack the name. */
#define CSR_STIMECMP 0x14d

#endif
