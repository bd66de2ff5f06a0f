/* Basic kernel types and helpers shared by every kernel file. */
#ifndef KERNEL_TYPES_H
#define KERNEL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t word_t;

#define BIT(n)                        (1ull << (n))
#define MASK(n)                       ((n) >= 64 ? ~0ull : BIT(n) - 1)
#define ALIGN_UP(x, a)                (((x) + (a)-1) & ~((word_t)(a)-1))
#define ALIGN_DOWN(x, a)              ((x) & ~((word_t)(a)-1))
#define IS_ALIGNED(x, bits)           (((x)&MASK(bits)) == 0)
#define ARRAY_SIZE(a)                 (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)                     ((a) < (b) ? (a) : (b))
#define MAX(a, b)                     ((a) > (b) ? (a) : (b))
#define container_of(p, type, member) ((type *)((char *)(p)-offsetof(type, member)))

/* For the few helpers of the fastpath and the common exit that GCC would keep out of line (it
 * weighs code size, not instruction counts): a call costs more than their bodies. */
#define ALWAYS_INLINE inline __attribute__((always_inline))

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int strncmp(const char *a, const char *b, size_t n);
size_t strlen(const char *s);

#endif
