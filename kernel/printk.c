/* Kernel console output: each printk is handed to the console in one piece (a firmware console
 * with a buffer write takes it in one call; see arch_console_write). */
#include <arch/arch.h>
#include <kernel/printk.h>
#include <format.h>

struct line {
    char buf[128];
    unsigned n;
};

static void flush_line(struct line *l)
{
    if (l->n) arch_console_write(l->buf, l->n);
    l->n = 0;
}

static void console_sink(char c, void *ctx)
{
    struct line *l = ctx;
    if (l->n + 2 > sizeof l->buf) flush_line(l);
    if (c == '\n') l->buf[l->n++] = '\r';
    l->buf[l->n++] = c;
}

static int print_v(const char *fmt, va_list ap)
{
    struct line l = {.n = 0};
    int n = format_v(console_sink, &l, fmt, ap);
    flush_line(&l);
    return n;
}

int printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = print_v(fmt, ap);
    va_end(ap);
    return n;
}

_Noreturn void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printk("\nKERNEL PANIC: ");
    print_v(fmt, ap);
    va_end(ap);
    printk("\n");
    arch_halt(99);
}
