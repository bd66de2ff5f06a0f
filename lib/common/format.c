#include "format.h"

#include <stdbool.h>
#include <stdint.h>

struct out {
    format_sink sink;
    void *ctx;
    int count;
};

static void put(struct out *o, char c)
{
    o->sink(c, o->ctx);
    o->count++;
}

static void put_padded(struct out *o, const char *s, int len, int width, bool left, char pad)
{
    if (!left)
        for (int i = len; i < width; i++) put(o, pad);
    for (int i = 0; i < len; i++) put(o, s[i]);
    if (left)
        for (int i = len; i < width; i++) put(o, ' ');
}

static void put_number(struct out *o, uint64_t v, unsigned base, bool negative, bool upper,
                       int width, bool left, char pad)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    int n = 0;
    do {
        buf[sizeof buf - 1 - n++] = digits[v % base];
        v /= base;
    } while (v);
    if (negative) {
        if (pad == '0' && !left) {
            put(o, '-');
            width--;
        } else {
            buf[sizeof buf - 1 - n++] = '-';
        }
    }
    put_padded(o, buf + sizeof buf - n, n, width, left, pad);
}

int format_v(format_sink sink, void *ctx, const char *fmt, va_list ap)
{
    struct out o = {sink, ctx, 0};
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        bool left = false;
        char pad = ' ';
        for (;; fmt++) {
            if (*fmt == '-')
                left = true;
            else if (*fmt == '0')
                pad = '0';
            else
                break;
        }
        int width = 0;
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        int longs = 0;
        while (*fmt == 'l' || *fmt == 'z') {
            longs++;
            fmt++;
        }
        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, false, width, left, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            put_number(&o, v, *fmt == 'u' ? 10 : 16, false, *fmt == 'X', width, left, pad);
            break;
        }
        case 'p':
            put(&o, '0');
            put(&o, 'x');
            put_number(&o, (uintptr_t)va_arg(ap, void *), 16, false, false, width, left, pad);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            int len = 0;
            while (s[len]) len++;
            put_padded(&o, s, len, width, left, ' ');
            break;
        }
        case 'c': put(&o, (char)va_arg(ap, int)); break;
        case '%': put(&o, '%'); break;
        case 0: return o.count;
        default: put(&o, '%'); put(&o, *fmt);
        }
    }
    return o.count;
}

struct buffer {
    char *buf;
    size_t size, used;
};

static void buffer_sink(char c, void *ctx)
{
    struct buffer *b = ctx;
    if (b->used + 1 < b->size) b->buf[b->used] = c;
    b->used++;
}

int format_string(char *buf, size_t size, const char *fmt, ...)
{
    struct buffer b = {buf, size, 0};
    va_list ap;
    va_start(ap, fmt);
    int n = format_v(buffer_sink, &b, fmt, ap);
    va_end(ap);
    if (size) buf[b.used < size ? b.used : size - 1] = 0;
    return n;
}
