#include <elf64.h>
#include <kernel/elf.h>

#define PAGE    4096ull
#define PT_LOAD 1

static const struct elf64_phdr *phdr(const void *elf, unsigned i)
{
    const struct elf64_header *h = elf;
    return (const struct elf64_phdr *)((const char *)elf + h->phoff + (uint64_t)i * h->phentsize);
}

bool elf_inspect(const void *elf, uint64_t size, struct elf_image *image)
{
    const struct elf64_header *h = elf;
    if (size < sizeof *h || h->ident[0] != 0x7f || h->ident[1] != 'E' || h->ident[2] != 'L' ||
        h->ident[3] != 'F' || h->ident[4] != 2 || h->machine != ELF_MACHINE_RISCV)
        return false;
    if (h->phoff + (uint64_t)h->phnum * h->phentsize > size) return false;
    image->start = UINT64_MAX;
    image->end = 0;
    for (unsigned i = 0; i < h->phnum; i++) {
        const struct elf64_phdr *p = phdr(elf, i);
        if (p->type != ELF_SEGMENT_LOAD || p->memsz == 0) continue;
        if (p->offset + p->filesz > size || p->filesz > p->memsz) return false;
        image->start = MIN(image->start, p->vaddr & ~(PAGE - 1));
        image->end = MAX(image->end, ALIGN_UP(p->vaddr + p->memsz, PAGE));
    }
    image->entry = h->entry;
    return image->start < image->end;
}

void elf_load_page(const void *elf, const struct elf_image *image, uint64_t vaddr, void *page)
{
    const struct elf64_header *h = elf;
    (void)image;
    for (unsigned i = 0; i < h->phnum; i++) {
        const struct elf64_phdr *p = phdr(elf, i);
        if (p->type != ELF_SEGMENT_LOAD) continue;
        uint64_t lo = MAX(vaddr, p->vaddr), hi = MIN(vaddr + PAGE, p->vaddr + p->filesz);
        if (lo < hi)
            memcpy((char *)page + (lo - vaddr), (const char *)elf + p->offset + (lo - p->vaddr),
                   hi - lo);
    }
}
