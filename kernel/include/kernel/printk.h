/* Kernel console output. */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
