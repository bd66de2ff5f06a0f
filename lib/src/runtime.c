#include <fdt.h>
#include <format.h>
#include <schedlab/alloc.h>
#include <schedlab/runtime.h>
#include <schedlab/sys.h>

static const char *bootargs = "";

static void console_sink(char c, void *ctx)
{
    (void)ctx;
    seL4_DebugPutChar(c);
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = format_v(console_sink, 0, fmt, ap);
    va_end(ap);
    return n;
}

void *memset(void *dst, int c, unsigned long n)
{
    unsigned char *d = dst;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}

void *memcpy(void *dst, const void *src, unsigned long n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

const char *schedlab_bootargs(void) { return bootargs; }

uint64_t schedlab_param(const char *key, uint64_t fallback)
{
    char value[32];
    if (!bootarg_get(bootargs, key, value, sizeof value)) return fallback;
    uint64_t v = 0;
    for (const char *p = value; *p >= '0' && *p <= '9'; p++) v = v * 10 + (uint64_t)(*p - '0');
    return v;
}

/* The extra bootinfo holds the device tree (seL4's SEL4_BOOTINFO_HEADER_FDT chunk). */
static const void *find_device_tree(const seL4_BootInfo *bi)
{
    const char *p = (const char *)bi + seL4_BootInfoFrameSize;
    const char *end = p + bi->extraLen;
    while (p + sizeof(seL4_BootInfoHeader) <= end) {
        const seL4_BootInfoHeader *h = (const seL4_BootInfoHeader *)p;
        if (h->id == SEL4_BOOTINFO_HEADER_FDT) return h + 1;
        if (!h->len) break;
        p += h->len;
    }
    return 0;
}

_Noreturn void schedlab_halt(int status)
{
    for (;;) sel4_plain_call(SchedLab_SysHalt, (seL4_Word)status, 0);
}

void schedlab_burn(uint64_t iterations)
{
    /* 4 instructions per iteration: addi, xor, bnez... kept in asm so the count never depends on
     * the compiler */
    uint64_t scratch = 0;
    if (!iterations) return;
    __asm__ volatile("1:\n"
                     "addi %0, %0, -1\n"
                     "xor %1, %1, %0\n"
                     "nop\n"
                     "bnez %0, 1b\n"
                     : "+r"(iterations), "+r"(scratch));
}

bool schedlab_spin_while_equal(const uint32_t *word, uint32_t old, uint64_t checks,
                               uint64_t check_iterations)
{
    for (; checks; checks--) {
        if (__atomic_load_n(word, __ATOMIC_SEQ_CST) != old) return true;
        schedlab_burn(check_iterations);
    }
    return __atomic_load_n(word, __ATOMIC_SEQ_CST) != old;
}

void seL4_DebugNameThread(seL4_CPtr tcb, const char *name)
{
    char *dst = (char *)&seL4_GetIPCBuffer()->msg[0];
    unsigned i = 0;
    for (; name[i] && i < 31; i++) dst[i] = name[i];
    dst[i] = 0;
    sel4_plain_call(seL4_SysDebugNameThread, tcb, 0);
}

void runtime_start(const seL4_BootInfo *bi)
{
    seL4_SetIPCBuffer(bi->ipcBuffer);
    const void *fdt = find_device_tree(bi);
    if (fdt) bootargs = fdt_bootargs(fdt);
    alloc_init(bi);
    int status = main(bi);
    schedlab_marker(TRACE_MARK_WORKLOAD_END, (uint64_t)status);
    schedlab_halt(status);
}
