/* Bit operations the architecture does in one instruction. */
#ifndef ARCH_BITS_H
#define ARCH_BITS_H

#include <stdint.h>

/* The index of the highest set bit of x (x != 0): Zbb's clz. The kernel is built with Zbb
 * (kernel/CMakeLists.txt; arch/riscv64/head.S stops a hart without it); the asm form serves a
 * file compiled without it. */
static inline unsigned arch_highest_bit(uint64_t x)
{
#if defined(__riscv_zbb)
    return 63 - (unsigned)__builtin_clzll(x);
#else
    uint64_t zeros;
    __asm__(".option push\n.option arch, +zbb\nclz %0, %1\n.option pop" : "=r"(zeros) : "r"(x));
    return 63 - (unsigned)zeros;
#endif
}

/* The index of the lowest set bit of x (x != 0): Zbb's ctz, as above. */
static inline unsigned arch_lowest_bit(uint64_t x)
{
#if defined(__riscv_zbb)
    return (unsigned)__builtin_ctzll(x);
#else
    uint64_t zeros;
    __asm__(".option push\n.option arch, +zbb\nctz %0, %1\n.option pop" : "=r"(zeros) : "r"(x));
    return (unsigned)zeros;
#endif
}

/* x, or 0 if x is negative: Zbb's max against the zero register, one instruction (gcc 12's max
 * takes registers only and loads the 0 into one first). */
static inline uint64_t arch_max_zero(int64_t x)
{
    int64_t r;
    __asm__(".option push\n.option arch, +zbb\nmax %0, %1, zero\n.option pop" : "=r"(r) : "r"(x));
    return (uint64_t)r;
}

#endif
