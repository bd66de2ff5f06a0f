/* The ELF64 file and program headers, as the kernel and the stand-in loader read them. */
#ifndef COMMON_ELF64_H
#define COMMON_ELF64_H

#include <stdint.h>

#define ELF_MACHINE_RISCV 243
#define ELF_SEGMENT_LOAD  1

struct elf64_header {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#endif
