/* The simulator's stand-in for lib/include/schedlab/process.h: engine.h names struct process.
 * The simulator does not model address spaces: a spec with own_space threads is refused
 * (sim/src/setup.c says so). */
#ifndef SIM_SCHEDLAB_PROCESS_H
#define SIM_SCHEDLAB_PROCESS_H

#include <sel4/sel4.h>

struct process {
    seL4_CPtr vspace;
};

#endif
