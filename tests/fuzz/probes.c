/*
 * Probe threads, one pinned to each hart: started, each reads a page of ours in a tight loop,
 * counting, until it faults or is stopped. The unmap and stop checks watch their counts.
 */
#include "probes.h"

#include <schedlab/vspace.h>

#define PROBE_VADDR 0x2100000000ul

static struct sup_thread probes[FUZZ_MAX_WORKERS];
static seL4_CPtr probe_go[FUZZ_MAX_WORKERS], probe_ready[FUZZ_MAX_WORKERS];
static seL4_CPtr fault_ep, ready, frame;
static volatile uint64_t reads[FUZZ_MAX_WORKERS], last_value[FUZZ_MAX_WORKERS];

static void probe(seL4_Word hart)
{
    seL4_Word badge;
    seL4_Wait(probe_go[hart], &badge);
    for (int i = 0; i < 2; i++) {
        last_value[hart] = *(volatile uint64_t *)PROBE_VADDR;
        reads[hart]++;
    }
    /* it has the page in its TLB now, and says so */
    seL4_Signal(probe_ready[hart]);
    for (;;) {
        last_value[hart] = *(volatile uint64_t *)PROBE_VADDR;
        reads[hart]++;
    }
}

void probes_init(void)
{
    fault_ep = alloc_object(seL4_EndpointObject, 0);
    frame = alloc_object(seL4_RISCV_4K_Page, 0);
    ready = alloc_object(seL4_NotificationObject, 0);
    REQUIRE(fault_ep && frame && ready, "setup", "no memory for the probes");
    kept_frame_add(frame);
    for (unsigned h = 0; h < params.nharts; h++) {
        seL4_CPtr badged_fault_ep = alloc_slot();
        probe_go[h] = alloc_object(seL4_NotificationObject, 0);
        probe_ready[h] = alloc_slot();
        REQUIRE(badged_fault_ep && probe_go[h] && probe_ready[h], "setup",
                "no memory for the probes");
        MUST(seL4_CNode_Mint(ROOT, badged_fault_ep, 64, ROOT, fault_ep, 64, seL4_AllRights, h + 1));
        MUST(seL4_CNode_Mint(ROOT, probe_ready[h], 64, ROOT, ready, 64, seL4_AllRights, 1ull << h));
        REQUIRE(sup_thread_start(&probes[h], "probe", probe, h, PROBE_PRIO, h, badged_fault_ep),
                "setup", "cannot start the probe of hart %u", h);
    }
}

void probes_map(uint64_t magic)
{
    MUST(vspace_map_frame(seL4_CapInitThreadVSpace, frame, PROBE_VADDR, seL4_ReadWrite));
    *(volatile uint64_t *)PROBE_VADDR = magic;
}

void probes_unmap(void) { MUST(seL4_RISCV_Page_Unmap(frame)); }

void probes_start(uint64_t harts, uint64_t magic)
{
    for (unsigned h = 0; h < params.nharts; h++) {
        if (!((harts >> h) & 1)) continue;
        reads[h] = last_value[h] = 0;
        seL4_Signal(probe_go[h]);
    }
    for (uint64_t seen = 0; seen != harts;) {
        seL4_Word badge = 0;
        seL4_Wait(ready, &badge);
        seen |= badge;
    }
    for (unsigned h = 0; h < params.nharts; h++)
        REQUIRE(!((harts >> h) & 1) || last_value[h] == magic, "probe",
                "the probe on hart %u read 0x%lx from the mapped page, not 0x%lx", h,
                (unsigned long)last_value[h], (unsigned long)magic);
}

uint64_t probe_reads(unsigned hart) { return reads[hart]; }
seL4_Word probe_vaddr(void) { return PROBE_VADDR; }
seL4_CPtr probe_tcb(unsigned hart) { return probes[hart].tcb; }
void probe_restart(unsigned hart) { MUST(sup_thread_restart(&probes[hart], probe, hart)); }

unsigned probe_fault(seL4_Word *label, seL4_Word *addr)
{
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    REQUIRE(badge >= 1 && badge <= params.nharts, "probe", "a fault message with badge %lu",
            (unsigned long)badge);
    *label = seL4_MessageInfo_get_label(info);
    *addr = seL4_GetMR(seL4_VMFault_Addr);
    return (unsigned)badge - 1;
}
