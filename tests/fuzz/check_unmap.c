/*
 * An unmapped page is unreadable on every hart. Every probe reads the probe page in a loop; then
 * the supervisor unmaps it. When Unmap returns no hart may still see the page: each probe must
 * fault at its next read, at most one loop iteration (already past its load) after Unmap
 * returned. A fault that never comes stops the heartbeat: the watchdog reports it.
 */
#include "probes.h"

static uint64_t round;

void check_unmap(void)
{
    uint64_t magic = 0x9b0be0000ull + ++round, all = (1ull << params.nharts) - 1;
    supervisor_phase = "unmap check: every probe reading the page";
    probes_map(magic);
    probes_start(all, magic);
    probes_unmap();
    uint64_t at_unmap[FUZZ_MAX_WORKERS];
    for (unsigned h = 0; h < params.nharts; h++) at_unmap[h] = probe_reads(h);

    supervisor_phase = "unmap check: waiting for every probe to fault";
    uint64_t faulted = 0;
    for (unsigned n = 0; n < params.nharts; n++) {
        seL4_Word label, addr;
        unsigned h = probe_fault(&label, &addr);
        REQUIRE(!((faulted >> h) & 1), "unmap", "the probe on hart %u faulted twice", h);
        faulted |= 1ull << h;
        REQUIRE(label == seL4_Fault_VMFault && addr == probe_vaddr(), "unmap",
                "the probe on hart %u took fault %lu at 0x%lx, not a VM fault at 0x%lx", h,
                (unsigned long)label, (unsigned long)addr, (unsigned long)probe_vaddr());
        uint64_t more = probe_reads(h) - at_unmap[h];
        REQUIRE(more <= 1, "unmap", "hart %u read the page %lu more times after Unmap returned", h,
                (unsigned long)more);
    }
    for (unsigned h = 0; h < params.nharts; h++) probe_restart(h);
    checks_passed.unmap++;
}
