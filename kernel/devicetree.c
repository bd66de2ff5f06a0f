/* What the kernel needs from the device tree: memory, reserved ranges, initrd, boot arguments,
 * harts, ISA string, timebase and the devices the kernel keeps. */
#include <fdt.h>
#include <kernel/boot.h>

static bool streq(const char *a, const char *b)
{
    return strncmp(a, b, 64) == 0 && strlen(a) == strlen(b);
}

static bool path_starts(const char *path, const char *prefix)
{
    return strncmp(path, prefix, strlen(prefix)) == 0;
}

/* "/cpus/cpu@N" itself, not one of its children */
static bool is_cpu_node(const char *path)
{
    if (!path_starts(path, "/cpus/cpu@")) return false;
    for (const char *p = path + 10; *p; p++)
        if (*p == '/') return false;
    return true;
}

static void add_regs(struct region_list *l, const void *value, uint32_t len)
{
    for (uint32_t off = 0; off + 16 <= len; off += 16)
        region_add(l, fdt_be64((const char *)value + off),
                   fdt_be64((const char *)value + off) + fdt_be64((const char *)value + off + 8));
}

static bool visit(const char *path, const char *name, const void *value, uint32_t len, void *ctx)
{
    struct machine_description *m = ctx;
    /* QEMU virt uses #address-cells = #size-cells = 2 throughout */
    if (path_starts(path, "/memory") && streq(name, "reg")) {
        add_regs(&m->ram, value, len);
    } else if (path_starts(path, "/reserved-memory/") && streq(name, "reg")) {
        add_regs(&m->firmware, value, len);
    } else if (streq(path, "/cpus") && streq(name, "timebase-frequency")) {
        m->timebase_hz = fdt_cells(value, len / 4);
    } else if (streq(path, "/chosen")) {
        if (streq(name, "linux,initrd-start")) m->initrd.start = fdt_cells(value, len / 4);
        if (streq(name, "linux,initrd-end")) m->initrd.end = fdt_cells(value, len / 4);
        if (streq(name, "bootargs")) m->bootargs = value;
    } else if (is_cpu_node(path) && streq(name, "reg")) {
        if (m->nharts < MACHINE_MAX_HARTS) m->hart_ids[m->nharts] = fdt_cells(value, len / 4);
        m->nharts++;
    } else if (is_cpu_node(path) && streq(name, "riscv,isa") && !m->isa[0]) {
        m->isa = value;
    } else if (path_starts(path, "/soc/serial@") && streq(name, "reg") && !m->uart) {
        m->uart = fdt_be64(value);
    } else if (path_starts(path, "/soc/clint@") && streq(name, "reg") && !m->clint) {
        m->clint = fdt_be64(value);
        m->clint_size = fdt_be64((const char *)value + 8);
    } else if (path_starts(path, "/soc/plic@") && streq(name, "reg") && !m->plic) {
        m->plic = fdt_be64(value);
        m->plic_size = fdt_be64((const char *)value + 8);
    } else if (path_starts(path, "/soc/plic@") && streq(name, "riscv,ndev")) {
        m->plic_ndev = fdt_be32(value);
    }
    return true;
}

bool machine_from_device_tree(const void *dtb, struct machine_description *m)
{
    *m = (struct machine_description){.bootargs = "", .isa = ""};
    if (!fdt_walk(dtb, visit, m)) return false;
    /* the memory-reservation block: RAM kept, but RAM */
    const uint8_t *base = dtb;
    for (const uint8_t *p = base + fdt_be32(base + 16);; p += 16) {
        uint64_t addr = fdt_be64(p), size = fdt_be64(p + 8);
        if (!addr && !size) break;
        region_add(&m->reserved, addr, addr + size);
    }
    return m->ram.n > 0;
}
