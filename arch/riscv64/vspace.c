/* Sv39 page tables: the kernel's own mappings and the entry formats user VSpaces are built from. */
#include <arch/arch.h>
#include <arch/csr.h>

#define GIGA_SHIFT         30
#define KERNEL_ROOT_FIRST  (ARCH_PT_ENTRIES / 2) /* entries 256..511 are the kernel's */
#define KERNEL_IMAGE_INDEX 510

static arch_pte_t kernel_root[ARCH_PT_ENTRIES] __attribute__((aligned(4096)));

static arch_pte_t leaf(uint64_t pa, uint64_t flags)
{
    return ((pa >> 12) << PTE_PPN_SHIFT) | flags;
}

/* The kernel window maps all physical addresses it can (254 GiB) with gigapages from
 * KERNEL_PHYSMAP_BASE; the kernel image keeps its own gigapage at index 510. */
void arch_init_kernel_vspace(void)
{
    uint64_t first = (KERNEL_PHYSMAP_BASE >> GIGA_SHIFT) % ARCH_PT_ENTRIES;
    for (uint64_t g = 0; first + g < KERNEL_IMAGE_INDEX; g++)
        kernel_root[first + g] = leaf(g << GIGA_SHIFT, PTE_KERNEL_RW);
    kernel_root[KERNEL_IMAGE_INDEX] =
        leaf(KERNEL_ELF_PHYS & ~((1ull << GIGA_SHIFT) - 1), PTE_KERNEL_RWX);
    arch_activate_vspace(kernel_root, 0);
}

void arch_copy_kernel_mappings(arch_pte_t *root)
{
    for (int i = KERNEL_ROOT_FIRST; i < ARCH_PT_ENTRIES; i++) root[i] = kernel_root[i];
}

void arch_activate_vspace(arch_pte_t *root, unsigned asid)
{
    uint64_t satp = ((uint64_t)SATP_MODE_SV39 << SATP_MODE_SHIFT) |
                    ((uint64_t)asid << SATP_ASID_SHIFT) | (kptr_to_paddr(root) >> 12);
    csr_write(satp, satp);
    /* QEMU flushes its TLB on every satp write; real hardware needs the fence for a reused ASID */
    __asm__ volatile("sfence.vma" ::: "memory");
}

unsigned arch_pt_index(uint64_t vaddr, int level) { return (vaddr >> (12 + 9 * level)) & 0x1ff; }

arch_pte_t arch_pte_table(uint64_t table_paddr) { return leaf(table_paddr, PTE_V); }

arch_pte_t arch_pte_page(uint64_t frame_paddr, bool read, bool write, bool exec)
{
    uint64_t flags = PTE_V | PTE_U | PTE_A | PTE_D;
    if (read) flags |= PTE_R;
    if (write) flags |= PTE_W;
    if (exec) flags |= PTE_X;
    return leaf(frame_paddr, flags);
}

bool arch_pte_valid(arch_pte_t pte) { return pte & PTE_V; }
bool arch_pte_is_leaf(arch_pte_t pte) { return (pte & PTE_V) && (pte & (PTE_R | PTE_W | PTE_X)); }
bool arch_pte_is_table(arch_pte_t pte) { return (pte & PTE_V) && !(pte & (PTE_R | PTE_W | PTE_X)); }
uint64_t arch_pte_paddr(arch_pte_t pte) { return (pte >> PTE_PPN_SHIFT) << 12; }
void arch_flush_tlb(void) { __asm__ volatile("sfence.vma" ::: "memory"); }

void arch_activate_kernel_vspace(void) { arch_activate_vspace(kernel_root, 0); }
