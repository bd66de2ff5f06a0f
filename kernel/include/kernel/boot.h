/* Boot-time facts gathered from the device tree, and the boot memory allocator. */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <kernel/types.h>

#define BOOT_MAX_REGIONS 32

struct region {
    uint64_t start, end; /* physical, end exclusive */
};

struct region_list {
    struct region r[BOOT_MAX_REGIONS];
    unsigned n;
};

#define MACHINE_MAX_HARTS 64

struct machine_description {
    struct region_list ram;
    struct region_list reserved; /* RAM kept from the kernel (/memreserve/ entries) */
    struct region_list firmware; /* /reserved-memory: the firmware's own (OpenSBI's), which seL4's
                                  * qemu-riscv-virt does not count as RAM (a device untyped) */
    struct region initrd;
    const char *bootargs;
    const char *isa;
    uint64_t timebase_hz; /* /cpus timebase-frequency: the rate of rdtime; 0 if absent */
    uint64_t uart;        /* the console UART: handed to user level, the kernel prints via SBI */
    uint64_t clint, clint_size; /* kept by the kernel as seL4 keeps it */
    uint64_t plic;              /* interrupt controller */
    uint64_t plic_size;
    unsigned plic_ndev;                   /* interrupt sources it routes */
    unsigned nharts;                      /* cpu nodes listed */
    uint64_t hart_ids[MACHINE_MAX_HARTS]; /* their hardware ids (the first MACHINE_MAX_HARTS) */
};

bool machine_from_device_tree(const void *dtb, struct machine_description *m);

/* Free physical memory during boot: reserve ranges, allocate aligned blocks, and at the end hand
 * what is left to the root task as untyped memory. */
void region_add(struct region_list *l, uint64_t start, uint64_t end);
void region_remove(struct region_list *l, uint64_t start, uint64_t end);
uint64_t region_alloc(struct region_list *l, unsigned size_bits); /* 0 if none fits */

#endif
