#include <arch/arch.h>
#include <kernel/printk.h>
#include <format.h>

static void console_sink(char c, void *ctx)
{
    (void)ctx;
    if (c == '\n') arch_console_putc('\r');
    arch_console_putc(c);
}

int printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = format_v(console_sink, 0, fmt, ap);
    va_end(ap);
    return n;
}

_Noreturn void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printk("\nKERNEL PANIC: ");
    format_v(console_sink, 0, fmt, ap);
    va_end(ap);
    printk("\n");
    arch_halt(99);
}
