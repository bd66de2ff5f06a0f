/*
 * Boot: from OpenSBI's hand-off to the root task's first instruction. Builds the root task's
 * CSpace, VSpace, bootinfo and untyped list as seL4 does (ABI sheet §10, §11), so a root task
 * written for seL4 finds what it expects.
 */
#include <arch/arch.h>
#include <fdt.h>
#include <kernel/boot.h>
#include <kernel/elf.h>
#include <kernel/invariants.h>
#include <kernel/entry.h>
#include <kernel/fastpath.h>
#include <kernel/hart.h>
#include <kernel/irq.h>
#include <kernel/cdt.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/trace.h>
#include <kernel/vspace.h>
#include <sched/core.h>
#include <sel4/bootinfo.h>

struct hart harts_state[ARCH_MAX_HARTS];
unsigned nharts;
uint8_t kernel_stacks[ARCH_MAX_HARTS][KERNEL_STACK_SIZE] __attribute__((aligned(16)));
extern char kernel_image_end[];

#define ROOT_ASID        1
#define GIGA_BITS        30
#define MEGA_BITS        21
#define TRACE_DEFAULT_KB 4096

struct root_builder {
    struct region_list free;
    struct cte *cnode;
    word_t next_slot;
    seL4_BootInfo *bi;
    arch_pte_t *vspace;
};

static void *alloc_zeroed(struct root_builder *b, unsigned bits)
{
    uint64_t pa = region_alloc(&b->free, bits);
    if (!pa) panic("boot: out of memory for the root task (%u bits)", bits);
    void *p = paddr_to_kptr(pa);
    memset(p, 0, BIT(bits));
    return p;
}

static word_t put_cap(struct root_builder *b, struct cap c)
{
    if (b->next_slot >= BIT(SCHEDLAB_ROOT_CNODE_BITS)) panic("boot: root CNode is full");
    cdt_insert_root(&b->cnode[b->next_slot], c);
    return b->next_slot++;
}

static struct cap mapped(struct cap c, uint64_t vaddr)
{
    return cap_set_mapped_asid(cap_set_mapped_vaddr(c, vaddr), ROOT_ASID);
}

/* Page tables for [start, end): seL4 lists the tables covering 1 GiB spans first, then those
 * covering 2 MiB spans, each in ascending address order. */
static void make_page_tables(struct root_builder *b, uint64_t start, uint64_t end)
{
    b->bi->userImagePaging.start = b->next_slot;
    for (int level = 1; level >= 0; level--) {
        unsigned span_bits = level == 1 ? GIGA_BITS : MEGA_BITS;
        for (uint64_t v = start & ~MASK(span_bits); v < end; v += BIT(span_bits)) {
            arch_pte_t *table = b->vspace;
            for (int l = ARCH_PT_LEVELS - 1; l > level + 1; l--)
                table = paddr_to_kptr(arch_pte_paddr(table[arch_pt_index(v, l)]));
            arch_pte_t *pt = alloc_zeroed(b, seL4_PageTableBits);
            table[arch_pt_index(v, level + 1)] = arch_pte_table(kptr_to_paddr(pt));
            struct cap c = mapped(cap_make(CAP_PAGE_TABLE, pt), v);
            put_cap(b, cap_set_pt_is_mapped(c, 1));
        }
    }
    b->bi->userImagePaging.end = b->next_slot;
}

static void map_page(struct root_builder *b, uint64_t vaddr, void *frame)
{
    arch_pte_t *table = b->vspace;
    for (int l = ARCH_PT_LEVELS - 1; l > 0; l--)
        table = paddr_to_kptr(arch_pte_paddr(table[arch_pt_index(vaddr, l)]));
    table[arch_pt_index(vaddr, 0)] = arch_pte_page(kptr_to_paddr(frame), true, true, true);
}

/* A mapped 4 KiB frame for the root task, with its cap. */
static void *root_frame(struct root_builder *b, uint64_t vaddr, word_t *slot)
{
    void *frame = alloc_zeroed(b, seL4_PageBits);
    map_page(b, vaddr, frame);
    struct cap c = cap_set_frame_rights(cap_make(CAP_FRAME, frame), VM_READ_WRITE);
    word_t s = put_cap(b, mapped(c, vaddr));
    if (slot) *slot = s;
    return frame;
}

/* Memory in use is withheld in whole pages, so every free range, and so every untyped, starts
 * and ends page aligned whatever the sizes of the device tree and the initrd. */
static void reserve_pages(struct region_list *free, uint64_t start, uint64_t end)
{
    region_remove(free, start & ~MASK(seL4_PageBits), ALIGN_UP(end, BIT(seL4_PageBits)));
}

/* Maximal naturally aligned blocks of each range, as seL4 hands them out; `n` counts the
 * untyped list entries so far. Memory above an untyped's watermark must be zero (untyped.c): an
 * untyped whose memory may hold anything starts out full, so its first Retype clears it (seL4
 * starts every boot untyped so). */
static void make_untypeds(struct root_builder *b, const struct region_list *ranges, bool device,
                          bool known_zero, unsigned *n)
{
    seL4_BootInfo *bi = b->bi;
    for (unsigned i = 0; i < ranges->n; i++) {
        uint64_t s = ALIGN_UP(ranges->r[i].start, BIT(seL4_MinUntypedBits));
        uint64_t e = ranges->r[i].end;
        while (s < e && *n < seL4_MaxBootInfoUntypedCaps) {
            unsigned bits = seL4_MaxUntypedBits;
            while (bits > 0 && (!IS_ALIGNED(s, bits) || s + BIT(bits) > e)) bits--;
            if (bits < seL4_MinUntypedBits) break;
            struct cap c = cap_make(CAP_UNTYPED, paddr_to_kptr(s));
            c = cap_set_untyped_is_device(cap_set_untyped_size_bits(c, bits), device);
            invariants_boot_untyped(cap_ptr(c), bits);
            put_cap(b, cap_set_untyped_free_offset(c, known_zero || device ? 0 : BIT(bits)));
            bi->untypedList[(*n)++] =
                (seL4_UntypedDesc){.paddr = s, .sizeBits = (uint8_t)bits, .isDevice = device};
            s += BIT(bits);
        }
    }
}

/* A device the kernel keeps, as seL4 keeps its kernel devices: whole 2 MiB pages (it maps each
 * in its device window with one megapage). */
#define KERNEL_DEVICE_PAGE_BITS 21
static void keep_kernel_device(struct region_list *dev, uint64_t base, uint64_t size)
{
    if (!base || !size) return;
    region_remove(dev, base & ~MASK(KERNEL_DEVICE_PAGE_BITS),
                  ALIGN_UP(base + size, BIT(KERNEL_DEVICE_PAGE_BITS)));
}

/* Device memory, by seL4's rule (create_untypeds): every physical range the kernel window
 * reaches that is neither RAM nor a device the kernel keeps (CLINT, PLIC). The console UART is
 * among them (the kernel prints through SBI); so is the firmware's memory, which seL4 does not
 * count as RAM (its qemu-riscv-virt RAM starts at 0x80200000, above OpenSBI). (seL4 goes on to
 * 2^39, CONFIG_PADDR_USER_DEVICE_TOP; this kernel's caps name memory by its address in the kernel
 * window, which ends at KERNEL_PHYSMAP_TOP.) */
static void device_ranges(const struct machine_description *m, struct region_list *dev)
{
    struct region_list ram = m->ram;
    for (unsigned i = 0; i < m->firmware.n; i++)
        region_remove(&ram, m->firmware.r[i].start, m->firmware.r[i].end);
    region_add(dev, 0, KERNEL_PHYSMAP_TOP - KERNEL_PHYSMAP_BASE);
    for (unsigned i = 0; i < ram.n; i++) region_remove(dev, ram.r[i].start, ram.r[i].end);
    keep_kernel_device(dev, m->clint, m->clint_size);
    keep_kernel_device(dev, m->plic, m->plic_size);
}

/* The clock: found by probing the machine (a seL4 image's device tree has no boot arguments);
 * clock= from SchedLab's runner is only checked against it. */
static void report_clock(const char *args)
{
    bool icount = arch_clock_source == ARCH_CLOCK_ICOUNT;
    printk("clock: %s (detected), timer at %lu Hz\n",
           icount ? "cycle counter, exact under icount" : "rdtime, no icount",
           (unsigned long)arch_timebase_hz());
    char said[24];
    if (bootarg_get(args, "clock", said, sizeof said) &&
        strncmp(said, icount ? "icount" : "realtime", sizeof said) != 0)
        printk("clock: the boot arguments say clock=%s, but the machine runs %s; using the "
               "machine's\n",
               said, icount ? "under icount" : "without icount");
}

static uint64_t bootarg_number(const char *args, const char *key, uint64_t fallback)
{
    char value[24];
    if (!bootarg_get(args, key, value, sizeof value)) return fallback;
    uint64_t v = 0;
    for (const char *p = value; *p >= '0' && *p <= '9'; p++) v = v * 10 + (uint64_t)(*p - '0');
    return v;
}

static bool bootarg_is(const char *args, const char *key, const char *want)
{
    char value[24];
    return bootarg_get(args, key, value, sizeof value) && strncmp(value, want, sizeof value) == 0;
}

/* The root task's image: an ELF from -initrd, or pages seL4's elfloader already loaded. */
struct root_image {
    struct elf_image range; /* page-aligned virtual range and entry */
    const void *elf;        /* NULL when preloaded */
    uint64_t paddr;         /* where the preloaded image starts */
};

static void load_root_page(const struct root_image *img, uint64_t vaddr, void *page)
{
    if (img->elf)
        elf_load_page(img->elf, &img->range, vaddr, page);
    else
        memcpy(page, paddr_to_kptr(img->paddr + (vaddr - img->range.start)), BIT(seL4_PageBits));
}

static struct tcb *create_root_task(struct root_builder *b, const struct root_image *img,
                                    const void *dtb)
{
    struct elf_image image = img->range;
    uint64_t v_end = image.end; /* page aligned */
    uint64_t dtb_size = fdt_total_size(dtb);
    uint64_t extra_len = sizeof(seL4_BootInfoHeader) + dtb_size;
    uint64_t extra_pages = (extra_len + BIT(seL4_PageBits) - 1) >> seL4_PageBits;
    uint64_t ipc_vaddr = v_end, bi_vaddr = v_end + BIT(seL4_PageBits);
    uint64_t extra_vaddr = bi_vaddr + BIT(seL4_PageBits);
    uint64_t user_end = extra_vaddr + (extra_pages << seL4_PageBits);
    if (user_end > seL4_UserTop) panic("boot: root task image too high");

    b->cnode = alloc_zeroed(b, SCHEDLAB_ROOT_CNODE_BITS + seL4_SlotBits);
    b->vspace = alloc_zeroed(b, seL4_PageTableBits);
    arch_copy_kernel_mappings(b->vspace);
    struct tcb *tcb = alloc_zeroed(b, seL4_TCBBits);
    struct asid_pool *pool = alloc_zeroed(b, seL4_ASIDPoolBits);
    pool->vspace[ROOT_ASID] = b->vspace;
    vspace_register_pool(0, pool);

    struct cap cnode = cap_set_cnode_radix(cap_make(CAP_CNODE, b->cnode), SCHEDLAB_ROOT_CNODE_BITS);
    cnode = cap_set_cnode_guard_size(cnode, seL4_WordBits - SCHEDLAB_ROOT_CNODE_BITS);
    struct cap vspace = cap_set_pt_is_mapped(mapped(cap_make(CAP_PAGE_TABLE, b->vspace), 0), 1);
    invariants_object_created(cnode);
    invariants_object_created(cap_make(CAP_THREAD, tcb));
    cdt_insert_root(&b->cnode[seL4_CapInitThreadTCB], cap_make(CAP_THREAD, tcb));
    cdt_insert_root(&b->cnode[seL4_CapInitThreadCNode], cnode);
    cdt_insert_root(&b->cnode[seL4_CapInitThreadVSpace], vspace);
    cdt_insert_root(&b->cnode[seL4_CapIRQControl], cap_make(CAP_IRQ_CONTROL, NULL));
    cdt_insert_root(&b->cnode[seL4_CapASIDControl], cap_make(CAP_ASID_CONTROL, NULL));
    cdt_insert_root(&b->cnode[seL4_CapInitThreadASIDPool], cap_make(CAP_ASID_POOL, pool));
    cdt_insert_root(&b->cnode[seL4_CapDomain], cap_make(CAP_DOMAIN, NULL));
    b->next_slot = seL4_NumInitialCaps;

    /* the bootinfo frame and IPC buffer get their fixed slots; their paging comes first */
    seL4_BootInfo scratch = {0};
    b->bi = &scratch;
    make_page_tables(b, image.start, user_end);
    seL4_BootInfo *bi = alloc_zeroed(b, seL4_PageBits);
    *bi = scratch;
    b->bi = bi;
    map_page(b, bi_vaddr, bi);
    cdt_insert_root(&b->cnode[seL4_CapBootInfoFrame],
                    mapped(cap_set_frame_rights(cap_make(CAP_FRAME, bi), VM_READ_WRITE), bi_vaddr));
    void *ipc = alloc_zeroed(b, seL4_PageBits);
    map_page(b, ipc_vaddr, ipc);
    cdt_insert_root(
        &b->cnode[seL4_CapInitThreadIPCBuffer],
        mapped(cap_set_frame_rights(cap_make(CAP_FRAME, ipc), VM_READ_WRITE), ipc_vaddr));

    /* extra bootinfo: the device tree, so the root task can read the boot arguments */
    bi->extraBIPages.start = b->next_slot;
    seL4_BootInfoHeader header = {SEL4_BOOTINFO_HEADER_FDT, extra_len};
    for (uint64_t i = 0; i < extra_pages; i++) {
        uint8_t *page = root_frame(b, extra_vaddr + (i << seL4_PageBits), NULL);
        for (uint64_t off = 0; off < BIT(seL4_PageBits); off++) {
            uint64_t pos = (i << seL4_PageBits) + off;
            if (pos < sizeof header)
                page[off] = ((const uint8_t *)&header)[pos];
            else if (pos < extra_len)
                page[off] = ((const uint8_t *)dtb)[pos - sizeof header];
        }
    }
    bi->extraBIPages.end = b->next_slot;
    bi->extraLen = extra_len;

    bi->userImageFrames.start = b->next_slot;
    for (uint64_t v = image.start; v < image.end; v += BIT(seL4_PageBits))
        load_root_page(img, v, root_frame(b, v, NULL));
    bi->userImageFrames.end = b->next_slot;

    bi->nodeID = 0;
    bi->numNodes = nharts;
    bi->ipcBuffer = (seL4_IPCBuffer *)ipc_vaddr;
    bi->initThreadCNodeSizeBits = SCHEDLAB_ROOT_CNODE_BITS;
    bi->initThreadDomain = 0;

    thread_init(tcb, TRACE_TID_NONE);
    tcb->mcp = seL4_MaxPrio;
    tcb->sched.prio = seL4_MaxPrio;
    /* threads are traced as created at priority 0: the root task's is said here */
    trace_emit(TRACE_PRIO_CHANGE, 0, tcb->tid, 0, seL4_MaxPrio, 0);
    tcb->ipc_buffer_vaddr = ipc_vaddr;
    cdt_insert(cnode, &b->cnode[seL4_CapInitThreadCNode], &tcb->slots[TCB_CTABLE]);
    cdt_insert(vspace, &b->cnode[seL4_CapInitThreadVSpace], &tcb->slots[TCB_VTABLE]);
    struct cap ipc_frame = b->cnode[seL4_CapInitThreadIPCBuffer].cap;
    cdt_insert(cap_set_mapped_asid(cap_set_mapped_vaddr(ipc_frame, 0), 0),
               &b->cnode[seL4_CapInitThreadIPCBuffer], &tcb->slots[TCB_BUFFER]);
    tcb->ctx.regs[REG_ARG0] = bi_vaddr;
    tcb->ctx.regs[REG_FAULT_IP] = tcb->ctx.regs[REG_NEXT_IP] = image.entry;
    memcpy(tcb->name, "root", 5);
    trace_thread_name(tcb->tid, tcb->name);
    return tcb;
}

/* Kernel hart indices: 0 is the boot hart, then the other harts in device-tree order, as many as
 * the kernel supports. Returns how many. */
static unsigned order_harts(const struct machine_description *m, uint64_t boot_id, uint64_t *ids)
{
    unsigned n = 0;
    ids[n++] = boot_id;
    unsigned listed = m->nharts < MACHINE_MAX_HARTS ? m->nharts : MACHINE_MAX_HARTS;
    for (unsigned i = 0; i < listed && n < SCHED_MAX_HARTS; i++)
        if (m->hart_ids[i] != boot_id) ids[n++] = m->hart_ids[i];
    return n;
}

void boot_kernel(void)
{
    struct boot_handoff handoff;
    arch_boot_handoff(&handoff);
    uint64_t hart_id = handoff.hart_id, dtb_paddr = handoff.dtb_paddr;
    arch_init_kernel_vspace();
    struct hart *h = &harts_state[0];
    h->id = 0;
    h->kernel_sp = (uint64_t)kernel_stacks[0] + KERNEL_STACK_SIZE;
    h->timer_deadline = UINT64_MAX;
    arch_set_hart_local(h);
    kernel_lock_acquire();

    const void *dtb = paddr_to_kptr(dtb_paddr);
    struct machine_description m;
    if (!dtb_paddr || !machine_from_device_tree(dtb, &m)) arch_halt(97);
    const char *args = m.bootargs;
    /* seL4's timer frequency on qemu-riscv-virt, should a device tree not say */
    uint64_t timebase_hz = m.timebase_hz ? m.timebase_hz : 10000000;
    arch_init_boot_hart(&(struct arch_boot_info){.isa = m.isa, .timebase_hz = timebase_hz});
    bool wall_clock = arch_clock_source != ARCH_CLOCK_ICOUNT;
    if (bootarg_is(args, "semihost", "1")) arch_enable_semihosting();
    uint64_t hw_ids[SCHED_MAX_HARTS];
    nharts = order_harts(&m, hart_id, hw_ids);
    for (unsigned i = 0; i < nharts; i++) {
        harts_state[i].id = i;
        harts_state[i].sched = &sched_harts[i];
        harts_state[i].many_harts = nharts > 1;
        harts_state[i].fastpath_call = nharts > 1   ? fastpath_call_many_harts
                                       : wall_clock ? fastpath_call_wall_clock
                                                    : fastpath_call;
        harts_state[i].fastpath_reply_recv = nharts > 1   ? fastpath_reply_recv_many_harts
                                             : wall_clock ? fastpath_reply_recv_wall_clock
                                                          : fastpath_reply_recv;
        harts_state[i].clock_is_cycles = !wall_clock;
        harts_state[i].hw_id = hw_ids[i];
        harts_state[i].kernel_sp = (uint64_t)kernel_stacks[i] + KERNEL_STACK_SIZE;
        harts_state[i].timer_deadline = UINT64_MAX;
        hart_vspace_unknown(&harts_state[i]);
        harts_state[i].trace = &trace_buffers[i];
    }
    printk("SchedLab kernel, policy %s, booted on hart %lu, %u of %u hart(s) used, isa %s\n",
           SCHED_POLICY_NAME, (unsigned long)hart_id, nharts, m.nharts, m.isa);
    if (INVARIANTS_CHECKED) printk("invariant checks: on (the kernel checks itself; slow)\n");
    printk("entered from %s; bootargs: %s\n",
           handoff.from_elfloader ? "seL4's elfloader" : "OpenSBI", args);
    printk("memory: %u region(s) from 0x%lx; console %s (uart 0x%lx is user level's); plic 0x%lx "
           "with %u sources\n",
           m.ram.n, (unsigned long)m.ram.r[0].start, arch_console_kind(), (unsigned long)m.uart,
           (unsigned long)m.plic, m.plic_ndev);
    if (!m.timebase_hz) printk("clock: no timebase-frequency in the device tree: 10 MHz assumed\n");
    report_clock(args);

    struct root_builder b = {0};
    for (unsigned i = 0; i < m.ram.n; i++) region_add(&b.free, m.ram.r[i].start, m.ram.r[i].end);
    /* RAM below the kernel that the firmware does not keep is the root task's, as on seL4 */
    reserve_pages(&b.free, KERNEL_ELF_PHYS, kptr_to_paddr(kernel_image_end));
    reserve_pages(&b.free, dtb_paddr, dtb_paddr + fdt_total_size(dtb));
    /* the root task's image: pages the elfloader loaded, or the initrd holding its ELF */
    struct region image_source =
        handoff.from_elfloader ? (struct region){handoff.image_paddr_start, handoff.image_paddr_end}
                               : m.initrd;
    reserve_pages(&b.free, image_source.start, image_source.end);
    for (unsigned i = 0; i < m.reserved.n; i++)
        reserve_pages(&b.free, m.reserved.r[i].start, m.reserved.r[i].end);
    for (unsigned i = 0; i < m.firmware.n; i++)
        reserve_pages(&b.free, m.firmware.r[i].start, m.firmware.r[i].end);
    if (image_source.end <= image_source.start)
        panic("boot: no root task: pass its ELF with -initrd");
    struct root_image root_image = {.elf = NULL, .paddr = image_source.start};
    if (handoff.from_elfloader) {
        root_image.range = (struct elf_image){image_source.start - handoff.pv_offset,
                                              image_source.end - handoff.pv_offset, handoff.entry};
    } else {
        root_image.elf = paddr_to_kptr(m.initrd.start);
        if (!elf_inspect(root_image.elf, m.initrd.end - m.initrd.start, &root_image.range))
            panic("boot: the initrd is not a RISC-V 64-bit ELF executable");
    }

    kernel_set_run_limit(bootarg_number(args, "limit_ms", 0) * 1000000);
    kernel_set_deadlock_halt(bootarg_is(args, "deadlock", "halt"));
    invariants_set_scan_period(bootarg_number(args, "invariants.scan_every", 32));
    uint64_t trace_bytes = bootarg_number(args, "trace_kb", TRACE_DEFAULT_KB) << 10;
    unsigned trace_bits = 12;
    while (BIT(trace_bits) < trace_bytes * nharts) trace_bits++;
    uint64_t trace_pa = region_alloc(&b.free, trace_bits);
    if (!trace_pa)
        panic("boot: no memory for %lu KiB of trace buffers", (unsigned long)(trace_bytes >> 10));
    trace_init(paddr_to_kptr(trace_pa), trace_bytes, nharts, wall_clock);
    uint64_t switch_cost_ns = sched_init();
    printk("context switch (decision, registers, address space) measured at boot: %lu ns\n",
           (unsigned long)switch_cost_ns);
    irq_init(m.plic, m.plic_ndev);

    struct tcb *root = create_root_task(&b, &root_image, dtb);
    /* the root task's image has been copied out: its memory is free again */
    uint64_t initrd_start = image_source.start & ~MASK(seL4_PageBits);
    uint64_t initrd_end = ALIGN_UP(image_source.end, BIT(seL4_PageBits));
    region_remove(&b.free, initrd_start,
                  initrd_end); /* a shared edge page must not be listed twice */
    region_add(&b.free, initrd_start, initrd_end);
    /* QEMU hands over RAM zeroed but for what it loaded, which is reserved or, the initrd, cleared
     * here; seL4's elfloader leaves itself and more in RAM, so its untypeds start out full */
    bool ram_known_zero = !handoff.from_elfloader;
    if (ram_known_zero)
        memset(paddr_to_kptr(image_source.start), 0, image_source.end - image_source.start);
    /* the DTB may share a page with the initrd: keep it out again */
    reserve_pages(&b.free, dtb_paddr, dtb_paddr + fdt_total_size(dtb));
    struct region_list dev = {0};
    device_ranges(&m, &dev);
    unsigned untypeds = 0;
    b.bi->untyped.start = b.next_slot;
    make_untypeds(&b, &dev, true, false, &untypeds);
    /* below the kernel the firmware ran: what it left there is not known to be zero */
    struct region_list below = b.free, above = b.free;
    region_remove(&below, KERNEL_ELF_PHYS, UINT64_MAX);
    region_remove(&above, 0, KERNEL_ELF_PHYS);
    make_untypeds(&b, &below, false, false, &untypeds);
    make_untypeds(&b, &above, false, ram_known_zero, &untypeds);
    b.bi->untyped.end = b.next_slot;
    b.bi->empty = (seL4_SlotRegion){b.next_slot, BIT(SCHEDLAB_ROOT_CNODE_BITS)};

    thread_wake(root, NULL, TRACE_WAKE_RESUME);
    smp_start_secondaries(hw_ids, nharts);
    kernel_exit();
}
