/* The simulator's stand-in for lib/include/schedlab/runtime.h: printf is the host's (the
 * simulator's console), boot arguments are the simulator's --args string. */
#ifndef SIM_SCHEDLAB_RUNTIME_H
#define SIM_SCHEDLAB_RUNTIME_H

#include <sel4/sel4.h>
#include <stdio.h>
#include <string.h>

const char *schedlab_bootargs(void);
uint64_t schedlab_param(const char *key, uint64_t fallback);

#endif
