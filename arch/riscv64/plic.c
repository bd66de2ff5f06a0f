/*
 * The platform-level interrupt controller (RISC-V PLIC) as the kernel uses it: every source
 * routed to one hart's S-mode context, priority 1 when enabled, threshold 0. A claimed source
 * stays masked until it is completed (the IRQHandler Ack).
 */
#include <arch/arch.h>

#define PLIC_PRIORITY(irq)    (4 * (irq))
#define PLIC_ENABLE(ctx, irq) (0x2000 + 0x80 * (ctx) + 4 * ((irq) / 32))
#define PLIC_THRESHOLD(ctx)   (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)       (0x200004 + 0x1000 * (ctx))

static volatile uint8_t *plic;
static unsigned context;

static volatile uint32_t *reg(uint64_t offset) { return (volatile uint32_t *)(plic + offset); }

/* QEMU virt numbers contexts M-mode, S-mode per hart: hart h's S-mode context is 2h + 1. */
void arch_irq_init(uint64_t plic_base, unsigned hart_id)
{
    plic = plic_base ? paddr_to_kptr(plic_base) : 0;
    context = 2 * hart_id + 1;
    if (plic) *reg(PLIC_THRESHOLD(context)) = 0;
}

void arch_irq_enable(unsigned irq, bool on)
{
    if (!plic) return;
    *reg(PLIC_PRIORITY(irq)) = on ? 1 : 0;
    uint32_t bit = 1u << (irq % 32);
    if (on)
        *reg(PLIC_ENABLE(context, irq)) |= bit;
    else
        *reg(PLIC_ENABLE(context, irq)) &= ~bit;
}

unsigned arch_irq_claim(void) { return plic ? *reg(PLIC_CLAIM(context)) : 0; }

void arch_irq_complete(unsigned irq)
{
    if (plic) *reg(PLIC_CLAIM(context)) = irq;
}
