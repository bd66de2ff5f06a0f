/*
 * An unmapped page is unreadable on every hart. A probe thread pinned to each hart reads a page
 * of ours in a loop; once every probe has read it (and said so), the supervisor unmaps it. When Unmap returns
 * no hart may still see the page: each probe must fault at its next read, at most one loop
 * iteration (already past its load) after Unmap returned.
 */
#include "supervisor.h"

#include <schedlab/vspace.h>

#define PROBE_VADDR 0x2100000000ul

static struct sup_thread probes[FUZZ_MAX_WORKERS];
static seL4_CPtr probe_go[FUZZ_MAX_WORKERS];
static seL4_CPtr probe_fault_ep, probe_frame, probes_ready, probe_ready[FUZZ_MAX_WORKERS];
static volatile uint64_t reads[FUZZ_MAX_WORKERS], last_value[FUZZ_MAX_WORKERS];
static uint64_t probe_round;

static void probe(seL4_Word hart)
{
    seL4_Word badge;
    seL4_Wait(probe_go[hart], &badge);
    for (int i = 0; i < 2; i++) {
        last_value[hart] = *(volatile uint64_t *)PROBE_VADDR;
        reads[hart]++;
    }
    /* it has the page in its TLB now; the supervisor sleeps until every probe says so */
    seL4_Signal(probe_ready[hart]);
    for (;;) {
        last_value[hart] = *(volatile uint64_t *)PROBE_VADDR;
        reads[hart]++;
    }
}

void check_unmap_init(void)
{
    probe_fault_ep = alloc_object(seL4_EndpointObject, 0);
    probe_frame = alloc_object(seL4_RISCV_4K_Page, 0);
    probes_ready = alloc_object(seL4_NotificationObject, 0);
    REQUIRE(probe_fault_ep && probe_frame && probes_ready, "setup", "no memory for the unmap check");
    kept_frame_add(probe_frame);
    for (unsigned h = 0; h < params.nharts; h++) {
        seL4_CPtr fault_ep = alloc_slot();
        probe_go[h] = alloc_object(seL4_NotificationObject, 0);
        probe_ready[h] = alloc_slot();
        REQUIRE(fault_ep && probe_go[h] && probe_ready[h], "setup", "no memory for the unmap check");
        MUST(seL4_CNode_Mint(ROOT, probe_ready[h], 64, ROOT, probes_ready, 64, seL4_AllRights,
                             1ull << h));
        MUST(seL4_CNode_Mint(ROOT, fault_ep, 64, ROOT, probe_fault_ep, 64, seL4_AllRights, h + 1));
        REQUIRE(sup_thread_start(&probes[h], "probe", probe, h, PROBE_PRIO, h, fault_ep), "setup",
                "cannot start the probe of hart %u", h);
    }
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
    supervisor_phase = "unmap check: waiting for every probe to read the mapped page";
    uint64_t all = (1ull << params.nharts) - 1, ready = 0;
    while (ready != all) {
        seL4_Word badge = 0;
        seL4_Wait(probes_ready, &badge);
        ready |= badge;
    }
    for (unsigned h = 0; h < params.nharts; h++)
        REQUIRE(last_value[h] == magic, "unmap",
                "the probe on hart %u read 0x%lx from the mapped page, not 0x%lx", h,
                (unsigned long)last_value[h], (unsigned long)magic);

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
