/*
 * An unmapped page is unreadable on every hart. A probe thread pinned to each hart reads a page
 * of ours in a loop; once every probe has read it, the supervisor unmaps it. When Unmap returns
 * no hart may still see the page: each probe must fault at its next read, at most one loop
 * iteration (already past its load) after Unmap returned.
 */
#include "supervisor.h"

#include <schedlab/vspace.h>

#define PROBE_VADDR    0x2100000000ul
#define PROBE_READ_NS  (100 * MS) /* bound for every probe to have read the mapped page */

static struct sup_thread probes[FUZZ_MAX_WORKERS];
static seL4_CPtr probe_go[FUZZ_MAX_WORKERS];
static seL4_CPtr probe_fault_ep, probe_frame;
static volatile uint64_t reads[FUZZ_MAX_WORKERS], last_value[FUZZ_MAX_WORKERS];
static uint64_t probe_round;

static void probe(seL4_Word hart)
{
    seL4_Word badge;
    seL4_Wait(probe_go[hart], &badge);
    for (;;) {
        last_value[hart] = *(volatile uint64_t *)PROBE_VADDR;
        reads[hart]++;
    }
}

void check_unmap_init(void)
{
    probe_fault_ep = alloc_object(seL4_EndpointObject, 0);
    probe_frame = alloc_object(seL4_RISCV_4K_Page, 0);
    REQUIRE(probe_fault_ep && probe_frame, "setup", "no memory for the unmap check");
    kept_frame_add(probe_frame);
    for (unsigned h = 0; h < params.nharts; h++) {
        seL4_CPtr fault_ep = alloc_slot();
        probe_go[h] = alloc_object(seL4_NotificationObject, 0);
        REQUIRE(fault_ep && probe_go[h], "setup", "no memory for the unmap check");
        MUST(seL4_CNode_Mint(ROOT, fault_ep, 64, ROOT, probe_fault_ep, 64, seL4_AllRights, h + 1));
        REQUIRE(sup_thread_start(&probes[h], "probe", probe, h, PROBE_PRIO, h, fault_ep), "setup",
                "cannot start the probe of hart %u", h);
    }
}

static bool every_probe_read(uint64_t magic)
{
    for (unsigned h = 0; h < params.nharts; h++)
        if (reads[h] < 2 || last_value[h] != magic) return false;
    return true;
}

void check_unmap(void)
{
    uint64_t magic = 0x9b0be0000ull + ++probe_round;
    supervisor_phase = "unmap check: mapping the probe page";
    MUST(vspace_map_frame(seL4_CapInitThreadVSpace, probe_frame, PROBE_VADDR, seL4_ReadWrite));
    *(volatile uint64_t *)PROBE_VADDR = magic;
    for (unsigned h = 0; h < params.nharts; h++) {
        reads[h] = last_value[h] = 0;
        seL4_Signal(probe_go[h]);
    }
    uint64_t deadline = schedlab_now_ns() + PROBE_READ_NS;
    while (!every_probe_read(magic)) {
        for (unsigned h = 0; h < params.nharts; h++)
            REQUIRE(schedlab_now_ns() < deadline, "unmap",
                    "the probe on hart %u read the mapped page %lu times (last value 0x%lx, want "
                    "0x%lx) in %llu ms",
                    h, (unsigned long)reads[h], (unsigned long)last_value[h],
                    (unsigned long)magic, PROBE_READ_NS / MS);
        schedlab_sleep_ns(20 * US);
    }

    MUST(seL4_RISCV_Page_Unmap(probe_frame));
    uint64_t at_unmap[FUZZ_MAX_WORKERS];
    for (unsigned h = 0; h < params.nharts; h++) at_unmap[h] = reads[h];

    supervisor_phase = "unmap check: waiting for every probe to fault";
    bool faulted[FUZZ_MAX_WORKERS] = {0};
    for (unsigned n = 0; n < params.nharts; n++) {
        seL4_Word badge = 0;
        seL4_MessageInfo_t info = seL4_Recv(probe_fault_ep, &badge);
        unsigned h = (unsigned)badge - 1;
        REQUIRE(badge >= 1 && badge <= params.nharts && !faulted[h], "unmap",
                "a fault message with badge %lu", (unsigned long)badge);
        faulted[h] = true;
        REQUIRE(seL4_MessageInfo_get_label(info) == seL4_Fault_VMFault &&
                    seL4_GetMR(seL4_VMFault_Addr) == PROBE_VADDR,
                "unmap", "the probe on hart %u took fault %lu at 0x%lx, not a VM fault at 0x%lx",
                h, (unsigned long)seL4_MessageInfo_get_label(info),
                (unsigned long)seL4_GetMR(seL4_VMFault_Addr), PROBE_VADDR);
        REQUIRE(reads[h] <= at_unmap[h] + 1, "unmap",
                "hart %u read the page %lu more times after Unmap returned", h,
                (unsigned long)(reads[h] - at_unmap[h]));
    }
    for (unsigned h = 0; h < params.nharts; h++) MUST(sup_thread_restart(&probes[h], probe, h));
    checks_passed.unmap++;
}
