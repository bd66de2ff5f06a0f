/*
 * The kernel's invariants, checked in a kernel built with SCHEDLAB_CHECK_INVARIANTS=ON (the
 * fuzzer and the test suite run on one): a broken invariant panics with what broke, instead of
 * corrupting state that fails somewhere else much later. In other builds the checks compile out.
 *
 * What is checked (kernel/invariants.c and the INVARIANT lines next to the code they guard):
 *  - scheduling: a thread runs on at most one hart; a running thread is runnable and not held by
 *    the policy (unless its hart's decision is due); every runnable thread that does not run is
 *    held by the policy, every held thread is runnable, and no dead thread is held or running;
 *  - memory: no two live objects overlap, every object lies inside an untyped it was made from,
 *    below that untyped's watermark; memory above a watermark is zero;
 *  - the capability derivation tree: its links agree both ways, and no slot of a live CNode or
 *    TCB holds a capability to an object that is gone;
 *  - reply caps, as the fastpath's Call takes them for granted: a thread that may run has the
 *    reply master thread_init made, a reply cap to a thread exists only while it is blocked on
 *    reply, and a thread blocked on receive has an empty caller slot.
 */
#ifndef KERNEL_INVARIANTS_H
#define KERNEL_INVARIANTS_H

#include <sched_config.h>

#if SCHEDLAB_CHECK_INVARIANTS
#include <kernel/printk.h>
#define INVARIANTS_CHECKED 1
#define INVARIANT(cond, ...)                                                                       \
    do {                                                                                           \
        if (!(cond)) panic("invariant broken: " __VA_ARGS__);                                      \
    } while (0)
#else
#define INVARIANTS_CHECKED 0
/* compiled (so it keeps compiling) but never evaluated */
#define INVARIANT(cond, ...)                                                                       \
    do {                                                                                           \
        if (0) (void)(cond);                                                                       \
    } while (0)
#endif

#if SCHEDLAB_CHECK_INVARIANTS
#include <kernel/cap.h>
#include <kernel/types.h>
/* Every check that spans the whole kernel, at a kernel exit. */
void invariants_check_all(void);
/* The memory of a boot untyped (objects there must be recorded). */
void invariants_boot_untyped(void *base, word_t bits);
/* An object was made (panics if it overlaps a live one) / its last capability went. */
void invariants_object_created(struct cap c);
void invariants_object_destroyed(struct cap c);
/* Capabilities may have changed: check every slot at the next exit (or the scan period's). */
void invariants_caps_changed(void);
void invariants_set_scan_period(uint64_t every);
#else
#define invariants_check_all()                                                                     \
    do {                                                                                           \
    } while (0)
#define invariants_boot_untyped(base, bits) ((void)(base), (void)(bits))
#define invariants_object_created(c)        ((void)(c))
#define invariants_object_destroyed(c)      ((void)(c))
#define invariants_caps_changed()                                                                  \
    do {                                                                                           \
    } while (0)
#define invariants_set_scan_period(every) ((void)(every))
#endif

#endif
