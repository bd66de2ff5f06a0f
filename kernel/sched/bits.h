/*
 * The highest and lowest set bit of a word, for the policies' bitmaps and hart masks. On RISC-V
 * the architecture's single instructions (arch/bits.h: Zbb's clz and ctz; without them gcc
 * calls libgcc's __clzdi2 and __ctzdi2, ~45-70 instructions and a call that makes every caller
 * save registers); on the host, the compiler's builtins (one instruction there). And a slice's
 * remainder, never negative, which every Call's direct switch asks for.
 */
#ifndef SCHED_BITS_H
#define SCHED_BITS_H

#include <stdint.h>

#if defined(__riscv)
#include <arch/bits.h>
/* The index of the highest set bit of x (x != 0). */
static inline unsigned highest_bit(uint64_t x) { return arch_highest_bit(x); }
/* The index of the lowest set bit of x (x != 0). */
static inline unsigned lowest_bit(uint64_t x) { return arch_lowest_bit(x); }
/* x, or 0 if it is negative (what is left of an overdrawn slice). */
static inline uint64_t at_least_zero(int64_t x) { return arch_max_zero(x); }
#else
static inline unsigned highest_bit(uint64_t x) { return 63 - (unsigned)__builtin_clzll(x); }
static inline unsigned lowest_bit(uint64_t x) { return (unsigned)__builtin_ctzll(x); }
static inline uint64_t at_least_zero(int64_t x) { return x > 0 ? (uint64_t)x : 0; }
#endif

#endif
