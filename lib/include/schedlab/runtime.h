/* What every root task gets: printf on the kernel console, the bootinfo, boot parameters. */
#ifndef SCHEDLAB_RUNTIME_H
#define SCHEDLAB_RUNTIME_H

#include <sel4/sel4.h>

/* A root task defines main; its return value is the run's exit status. */
int main(const seL4_BootInfo *bi);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *memset(void *dst, int c, unsigned long n);
void *memcpy(void *dst, const void *src, unsigned long n);

/* The boot arguments (QEMU -append), from the device tree in the extra bootinfo. */
const char *schedlab_bootargs(void);
/* A numeric parameter `key`=N from the boot arguments, or `fallback`. */
uint64_t schedlab_param(const char *key, uint64_t fallback);

#endif
