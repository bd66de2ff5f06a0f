/* Supervisor Binary Interface calls into OpenSBI. */
#ifndef ARCH_SBI_H
#define ARCH_SBI_H

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_BASE           0x10
#define SBI_BASE_PROBE         3
#define SBI_EXT_DBCN           0x4442434E /* debug console, SBI 2.0 (OpenSBI 1.3 on) */
#define SBI_DBCN_WRITE         0
#define SBI_EXT_TIME           0x54494D45
#define SBI_EXT_IPI            0x735049
#define SBI_EXT_HSM            0x48534D
#define SBI_EXT_SRST           0x53525354

#ifndef __ASSEMBLER__ /* (head.S uses the numbers above) */
#include <stdint.h>

struct sbi_ret {
    long error;
    long value;
};

static inline struct sbi_ret sbi_call4(long ext, long fid, long a0, long a1, long a2, long a3)
{
    register long r_a0 __asm__("a0") = a0;
    register long r_a1 __asm__("a1") = a1;
    register long r_a2 __asm__("a2") = a2;
    register long r_a3 __asm__("a3") = a3;
    register long r_a6 __asm__("a6") = fid;
    register long r_a7 __asm__("a7") = ext;
    __asm__ volatile("ecall"
                     : "+r"(r_a0), "+r"(r_a1)
                     : "r"(r_a2), "r"(r_a3), "r"(r_a6), "r"(r_a7)
                     : "memory");
    return (struct sbi_ret){r_a0, r_a1};
}

static inline struct sbi_ret sbi_call(long ext, long fid, long a0, long a1, long a2)
{
    return sbi_call4(ext, fid, a0, a1, a2, 0);
}

#endif /* __ASSEMBLER__ */

#endif
