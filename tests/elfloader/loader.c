/*
 * A stand-in for seL4's elfloader, for testing the kernel's second way in (DESIGN §3.3): load
 * the kernel ELF at its physical addresses and the root task's image into a physical region,
 * map the kernel's gigabyte at its virtual address (and the loader's identity), turn on Sv39
 * and enter the kernel as seL4's elfloader does, with init_kernel's eight arguments in a0..a7
 * (ABI sheet §12). Written here from that description; no seL4 code.
 */
#include <elf64.h>
#include <stdint.h>

extern const uint8_t kernel_elf[], root_elf[];

#define PAGE             4096ull
#define ROOT_IMAGE_PADDR 0x84000000ull
#define PTE_V            0x1
#define PTE_RWX          0xe
#define PTE_AD           0xc0

static uint64_t root_table[512] __attribute__((aligned(4096)));

static void copy(uint8_t *dst, const uint8_t *src, uint64_t n)
{
    while (n--) *dst++ = *src++;
}

static void zero(uint8_t *dst, uint64_t n)
{
    while (n--) *dst++ = 0;
}

static const struct elf64_phdr *segment(const uint8_t *elf, unsigned i)
{
    const struct elf64_header *h = (const void *)elf;
    return (const void *)(elf + h->phoff + (uint64_t)i * h->phentsize);
}

/* Load each segment at `base` + (its address - `origin`); use_paddr picks p_paddr over p_vaddr. */
static void load(const uint8_t *elf, uint64_t base, uint64_t origin, int use_paddr)
{
    const struct elf64_header *h = (const void *)elf;
    for (unsigned i = 0; i < h->phnum; i++) {
        const struct elf64_phdr *p = segment(elf, i);
        if (p->type != ELF_SEGMENT_LOAD) continue;
        uint8_t *dst = (uint8_t *)(base + (use_paddr ? p->paddr : p->vaddr) - origin);
        copy(dst, elf + p->offset, p->filesz);
        zero(dst + p->filesz, p->memsz - p->filesz);
    }
}

static void image_range(const uint8_t *elf, uint64_t *start, uint64_t *end)
{
    const struct elf64_header *h = (const void *)elf;
    *start = ~0ull;
    *end = 0;
    for (unsigned i = 0; i < h->phnum; i++) {
        const struct elf64_phdr *p = segment(elf, i);
        if (p->type != ELF_SEGMENT_LOAD) continue;
        if (p->vaddr < *start) *start = p->vaddr & ~(PAGE - 1);
        if (p->vaddr + p->memsz > *end) *end = (p->vaddr + p->memsz + PAGE - 1) & ~(PAGE - 1);
    }
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

void loader_main(uint64_t hart, uint64_t dtb)
{
    load(kernel_elf, 0, 0, 1);
    uint64_t v_start, v_end;
    image_range(root_elf, &v_start, &v_end);
    zero((uint8_t *)ROOT_IMAGE_PADDR, v_end - v_start);
    load(root_elf, ROOT_IMAGE_PADDR, v_start, 0);

    /* the gigabyte holding the kernel, the image and this loader: identity, and at the kernel's
     * virtual base (index 510, as seL4's elfloader maps KERNEL_ELF_BASE) */
    uint64_t giga = 0x80000000ull;
    uint64_t leaf = ((giga >> 12) << 10) | PTE_V | PTE_RWX | PTE_AD;
    root_table[giga >> 30] = leaf;
    root_table[510] = leaf;
    uint64_t satp = (8ull << 60) | ((uint64_t)root_table >> 12);
    __asm__ volatile("sfence.vma\ncsrw satp, %0\nsfence.vma" ::"r"(satp) : "memory");

    const struct elf64_header *k = (const void *)kernel_elf;
    register uint64_t a0 __asm__("a0") = ROOT_IMAGE_PADDR;
    register uint64_t a1 __asm__("a1") = ROOT_IMAGE_PADDR + (v_end - v_start);
    register uint64_t a2 __asm__("a2") = ROOT_IMAGE_PADDR - v_start; /* pv_offset */
    register uint64_t a3 __asm__("a3") =
        ((const struct elf64_header *)(const void *)root_elf)->entry;
    register uint64_t a4 __asm__("a4") = dtb;
    register uint64_t a5 __asm__("a5") = be32((const uint8_t *)dtb + 4);
    register uint64_t a6 __asm__("a6") = hart;
    register uint64_t a7 __asm__("a7") = 0;
    __asm__ volatile("jr %8" ::"r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a6),
                     "r"(a7), "r"(k->entry)
                     : "memory");
    __builtin_unreachable();
}
