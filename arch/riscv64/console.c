/*
 * The kernel's console, through the firmware as seL4 prints: the UART stays a device user level
 * may own (it is in the device untypeds). SBI 2.0's debug console writes a whole buffer per call
 * where the firmware has it; OpenSBI before 1.3 has only the legacy putchar, a trap into M mode
 * per character (printk hands over whole lines, so the kind in use costs no more than needed).
 */
#include <arch/arch.h>
#include "sbi.h"

static bool have_dbcn;

void arch_console_init(void)
{
    have_dbcn = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE, SBI_EXT_DBCN, 0, 0).value != 0;
}

const char *arch_console_kind(void) { return have_dbcn ? "SBI debug console" : "SBI putchar"; }

void arch_console_write(const char *s, uint64_t n)
{
    /* DBCN takes a physical address and may write less than asked */
    while (have_dbcn && n > 0) {
        struct sbi_ret r =
            sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE, (long)n, (long)kptr_to_paddr(s), 0);
        if (r.error) break; /* fall back to the legacy call for the rest */
        s += r.value;
        n -= (uint64_t)r.value;
    }
    for (; n > 0; s++, n--) sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, *s, 0, 0);
}

void arch_console_putc(char c) { arch_console_write(&c, 1); }
