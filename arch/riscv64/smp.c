/* Starting harts and inter-hart interrupts, through SBI. */
#include <arch/arch.h>
#include <arch/csr.h>
#include "sbi.h"

#define SBI_HSM_HART_START       0
#define SBI_IPI_SEND             0
#define SBI_RFENCE_REMOTE_SFENCE 1

extern char secondary_start[];

/* The hardware id of each kernel hart index, for secondary_start to find its index (and its
 * stack) from the hart id it is entered with. */
uint64_t hart_hw_ids[ARCH_MAX_HARTS] = {[0 ... ARCH_MAX_HARTS - 1] = ~0ull};

bool arch_start_hart(uint64_t hart_id, unsigned index)
{
    hart_hw_ids[index] = hart_id;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    struct sbi_ret r = sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, (long)hart_id,
                                (long)kptr_to_paddr(secondary_start), (long)index);
    return r.error == 0;
}

/* hart_ids: a mask of hardware hart ids (QEMU virt numbers them from 0). */
void arch_send_ipi(uint64_t hart_ids)
{
    if (hart_ids) sbi_call(SBI_EXT_IPI, SBI_IPI_SEND, (long)hart_ids, 0, 0);
}

void arch_clear_ipi(void) { csr_clear(sip, SIE_SSIE); }

/* Sleep until another hart's IPI, whatever else is pending: the timer or a device would
 * otherwise end the wfi at once and turn a wait into a spin. */
void arch_wait_for_ipi(void)
{
    uint64_t enabled = csr_read(sie);
    csr_write(sie, SIE_SSIE);
    __asm__ volatile("wfi" ::: "memory");
    csr_write(sie, enabled);
}
