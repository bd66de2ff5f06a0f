/* Loading the root task from an ELF64 image. */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include <kernel/types.h>

struct elf_image {
    uint64_t start, end; /* page-aligned virtual range covering every loadable segment */
    uint64_t entry;
};

bool elf_inspect(const void *elf, uint64_t size, struct elf_image *image);
/* Fill the 4 KiB page at `vaddr` (zeroed by the caller) with the image's bytes. */
void elf_load_page(const void *elf, const struct elf_image *image, uint64_t vaddr, void *page);

#endif
