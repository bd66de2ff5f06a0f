/* Per-hart setup, interrupts, semihosting and halting on QEMU virt (time and timer: clock.c;
 * console: console.c). */
#include <arch/arch.h>
#include <arch/csr.h>
#include "sbi.h"

static bool semihosting;

/* The ISA string lists multi-letter extensions after underscores: "rv64imafdch_zicsr_..._sstc". */
static bool isa_has_extension(const char *isa, const char *ext)
{
    for (const char *p = isa; p && *p; p++) {
        if (*p != '_') continue;
        const char *e = ext, *q = p + 1;
        while (*e && *q == *e) e++, q++;
        if (!*e && (*q == '_' || *q == 0)) return true;
    }
    return false;
}

void arch_init_boot_hart(const struct arch_boot_info *info)
{
    arch_console_init();
    arch_clock_init(info->timebase_hz, isa_has_extension(info->isa, "sstc"));
    arch_init_hart();
}

void arch_init_hart(void)
{
    /* user code may read cycle, time and instret (workloads time themselves) */
    csr_write(scounteren, SCOUNTEREN_CY | SCOUNTEREN_TM | SCOUNTEREN_IR);
    /* the kernel never takes interrupts while running: it polls them in its idle loop and
     * receives them as traps from user mode */
    csr_clear(sstatus, SSTATUS_SIE);
    csr_set(sie, SIE_STIE | SIE_SSIE | SIE_SEIE);
    arch_set_timer(UINT64_MAX);
}

void arch_set_hart_local(void *hart) { __asm__ volatile("mv tp, %0" ::"r"(hart)); }

unsigned arch_pending_interrupts(void)
{
    uint64_t sip = csr_read(sip);
    unsigned pending = 0;
    if (sip & SIE_STIE) pending |= ARCH_PENDING_TIMER;
    if (sip & SIE_SSIE) pending |= ARCH_PENDING_IPI;
    if (sip & SIE_SEIE) pending |= ARCH_PENDING_EXTERNAL;
    return pending;
}

void arch_ack_timer(void) { arch_set_timer(UINT64_MAX); }

/* wfi wakes on any interrupt enabled in sie, even with sstatus.SIE clear. */
void arch_wait_for_interrupt(void) { __asm__ volatile("wfi" ::: "memory"); }

/* QEMU's RISC-V semihosting: a magic ebreak sequence; a0 = operation, a1 = argument block. */
static long semihost_call(long op, const void *args)
{
    register long a0 __asm__("a0") = op;
    register const void *a1 __asm__("a1") = args;
    /* aligned before norvc: the linker's relaxation may need a 2-byte nop to get there */
    __asm__ volatile(".balign 16\n"
                     ".option push\n.option norvc\n"
                     "slli zero, zero, 0x1f\n"
                     "ebreak\n"
                     "srai zero, zero, 7\n"
                     ".option pop\n"
                     : "+r"(a0)
                     : "r"(a1)
                     : "memory");
    return a0;
}

#define SEMIHOST_OPEN             0x01
#define SEMIHOST_CLOSE            0x02
#define SEMIHOST_WRITE            0x05
#define SEMIHOST_EXIT             0x18
#define SEMIHOST_APPLICATION_EXIT 0x20026

void arch_enable_semihosting(void) { semihosting = true; }
bool arch_semihosting_enabled(void) { return semihosting; }

long arch_semihost_open(const char *path, long mode)
{
    long len = 0;
    while (path[len]) len++;
    long args[3] = {(long)path, mode, len};
    return semihost_call(SEMIHOST_OPEN, args);
}

long arch_semihost_write(long fd, const void *buf, uint64_t len)
{
    long args[3] = {fd, (long)buf, (long)len};
    return semihost_call(SEMIHOST_WRITE, args);
}

void arch_semihost_close(long fd)
{
    long args[1] = {fd};
    semihost_call(SEMIHOST_CLOSE, args);
}

_Noreturn void arch_halt(int status)
{
    if (semihosting) {
        long args[2] = {SEMIHOST_APPLICATION_EXIT, status};
        semihost_call(SEMIHOST_EXIT, args);
    }
    /* SBI system reset: shutdown, reason "system failure" when the status is not 0 */
    sbi_call(SBI_EXT_SRST, 0, 0, status ? 1 : 0, 0);
    for (;;) __asm__ volatile("wfi");
}

void arch_init_user_context(struct arch_context *ctx)
{
    for (int i = 0; i < CTX_WORDS; i++) ctx->regs[i] = 0;
    /* return to user mode with interrupts enabled there; the FPU off until the thread's first
     * FP instruction (kernel/fpu.c) */
    ctx->regs[CTX_STATUS] = SSTATUS_SPIE;
}
