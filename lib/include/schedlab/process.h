/*
 * A process: a copy of this program in its own VSpace. Text and read-only data are shared
 * read-only; data, bss and the thread stacks are private frames filled with a snapshot of this
 * program's memory. The CSpace stays shared, so capabilities mean the same in both.
 */
#ifndef SCHEDLAB_PROCESS_H
#define SCHEDLAB_PROCESS_H

#include <sel4/sel4.h>

struct process {
    seL4_CPtr vspace;
    seL4_CPtr image_frames; /* frame cap of the process's first image page; the rest follow */
};

/* Make the VSpace and map the image into it; 0 on success. */
int process_create(struct process *p);
/* Copy this program's data, bss and stacks as they are now into the process; 0 on success.
 * Call it after everything the process's threads read at start-up is in place. */
int process_load(const struct process *p);
/* The process's frame cap for the image page that holds `vaddr`. */
seL4_CPtr process_frame_cap(const struct process *p, const void *vaddr);

#endif
