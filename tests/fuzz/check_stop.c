/*
 * A thread stopped from another hart is stopped when the invocation returns (DESIGN §3.4): a
 * probe spinning on its hart is stopped by Suspend, by ReadRegisters or CopyRegisters with
 * suspend_source; from then on it must not read its page even once more (one loop iteration
 * already past its load may still count).
 */
#include "probes.h"

#define STOPPED_WATCH_NS (1 * MS) /* how long a stopped probe is watched */

static seL4_CPtr scratch_tcb; /* CopyRegisters' target: never runs */
static uint64_t round;

void check_stop_init(void)
{
    scratch_tcb = alloc_object(seL4_TCBObject, 0);
    REQUIRE(scratch_tcb, "setup", "no memory for the stop check");
}

static const char *stop(seL4_CPtr tcb, unsigned how)
{
    seL4_UserContext regs;
    switch (how) {
    case 0: MUST(seL4_TCB_Suspend(tcb)); return "Suspend";
    case 1: MUST(seL4_TCB_ReadRegisters(tcb, 1, 0, 32, &regs)); return "ReadRegisters(suspend)";
    default:
        MUST(seL4_TCB_CopyRegisters(scratch_tcb, tcb, 1, 0, 1, 1, 0));
        return "CopyRegisters(suspend_source)";
    }
}

void check_stop(void)
{
    /* the last hart first: on SMP it is another hart than ours */
    unsigned h = params.nharts - 1 - (unsigned)(round % params.nharts), how = round++ % 3;
    uint64_t magic = 0x570900000ull + round;
    supervisor_phase = "stop check: a probe reading the page";
    probes_map(magic);
    probes_start(1ull << h, magic);
    const char *what = stop(probe_tcb(h), how);
    uint64_t at_stop = probe_reads(h);
    supervisor_phase = "stop check: watching the stopped probe";
    schedlab_sleep_ns(STOPPED_WATCH_NS);
    uint64_t more = probe_reads(h) - at_stop;
    REQUIRE(more <= 1, "stop",
            "the probe on hart %u read its page %lu more times after %s returned", h,
            (unsigned long)more, what);
    probe_restart(h);
    probes_unmap();
    checks_passed.stop++;
}
