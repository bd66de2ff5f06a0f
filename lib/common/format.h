/* printf-style formatting onto a character sink; freestanding, shared by kernel and user code. */
#ifndef COMMON_FORMAT_H
#define COMMON_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_sink)(char c, void *ctx);

/* Supports %d %i %u %x %X %p %s %c %%, the l / ll / z length modifiers, a field width with
 * optional 0 or - flag. Returns the number of characters produced. */
int format_v(format_sink sink, void *ctx, const char *fmt, va_list ap);
int format_string(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
