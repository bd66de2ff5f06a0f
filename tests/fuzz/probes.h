/* The probe threads (probes.c) that the unmap and stop checks watch. */
#ifndef FUZZ_PROBES_H
#define FUZZ_PROBES_H

#include "supervisor.h"

void probes_init(void);
/* Map the probe page (holding `magic`) / unmap it. */
void probes_map(uint64_t magic);
void probes_unmap(void);
/* Start the probes of the harts in the mask; returns once each has read `magic` and spins. */
void probes_start(uint64_t harts, uint64_t magic);
/* Reads so far by the probe of `hart`. */
uint64_t probe_reads(unsigned hart);
seL4_Word probe_vaddr(void);
seL4_CPtr probe_tcb(unsigned hart);
/* Back to waiting for its next start, from wherever it is (spinning, faulted, suspended). */
void probe_restart(unsigned hart);
/* The next fault of a probe: its hart, label and (for a VM fault) address. */
unsigned probe_fault(seL4_Word *label, seL4_Word *addr);

#endif
