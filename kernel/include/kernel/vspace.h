/* Address spaces: ASID pools, page tables and frames (seL4's RISC-V VSpace model). */
#ifndef KERNEL_VSPACE_H
#define KERNEL_VSPACE_H

#include <arch/arch.h>
#include <kernel/errors.h>
#include <kernel/hart.h>
#include <kernel/object.h>
#include <sel4/constants.h>

#define ASID_POOLS        BIT(seL4_NumASIDPoolsBits)
#define ASID_POOL_ENTRIES BIT(seL4_ASIDPoolIndexBits)

struct asid_pool {
    arch_pte_t *vspace[ASID_POOL_ENTRIES];
};
_Static_assert(sizeof(struct asid_pool) == BIT(seL4_ASIDPoolBits), "an ASID pool is one page");

/* Boot: register the root task's pool (pool 0, holding ASID 1). */
void vspace_register_pool(unsigned index, struct asid_pool *pool);
/* The VSpace root a thread runs in (NULL if its VSpace cap no longer names a live ASID). */
arch_pte_t *vspace_of_thread(const struct tcb *t, unsigned *asid);
/* Is hart h in t's address space already? The VSpace a thread runs in follows from its VSpace
 * cap and the ASID table; every change to the table (and to page tables) marks the harts'
 * address spaces stale and makes their VSpace caps unknown (hart_vspace_unknown), as leaving for
 * the kernel's does, so an unchanged cap names the address space the hart is in, and the lookup
 * is skipped. */
static ALWAYS_INLINE bool vspace_loaded_for(const struct hart *h, const struct tcb *t)
{
    struct cap c = t->slots[TCB_VTABLE].cap;
    return c.w1 == h->vspace_cap[1] && c.w0 == h->vspace_cap[0];
}
/* Unmap what a capability maps, as its deletion requires. */
void vspace_unmap_on_delete(struct cap c, bool final);

struct invocation;
seL4_Error decode_page_table(struct invocation *inv, struct syscall_error *err);
seL4_Error decode_frame(struct invocation *inv, struct syscall_error *err);
seL4_Error decode_asid_control(struct invocation *inv, struct syscall_error *err);
seL4_Error decode_asid_pool(struct invocation *inv, struct syscall_error *err);

#endif
