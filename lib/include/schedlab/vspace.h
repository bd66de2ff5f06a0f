/* Mapping frames into an address space, with the page tables made on demand. */
#ifndef SCHEDLAB_VSPACE_H
#define SCHEDLAB_VSPACE_H

#include <sel4/sel4.h>

/* Map `frame` at `vaddr` in `vspace` with `rights`; missing page tables are allocated from this
 * program's untyped memory. Returns the seL4 error (0 on success). */
seL4_Error vspace_map_frame(seL4_CPtr vspace, seL4_CPtr frame, seL4_Word vaddr, seL4_Word rights);

#endif
