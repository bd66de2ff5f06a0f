/*
 * Floating point for user threads (seL4 16 with CONFIG_HAVE_FPU: every thread may use the FPU
 * unless its TCB has seL4_TCBFlag_fpuDisabled). The FP state is switched lazily:
 *  - a thread that never used the FPU runs with it off (arch: FS Off) and pays nothing at a
 *    switch; its first FP instruction traps, and is re-executed with the FPU given to it;
 *  - each hart's FPU has an owner, the thread whose state its registers hold. Switching to the
 *    owner costs nothing; switching to another thread that has FP state loads that state, first
 *    saving the owner's only if the hart marked it Dirty;
 *  - a thread whose state is in another hart's FPU (it migrated) has that hart save it first
 *    (an IPI; the other hart does it while it waits for the kernel lock, fpu_serve_release);
 *  - a deleted owner just stops being the owner: its registers are never read again.
 * Invariant: a thread runs with the FPU on exactly when it owns its hart's FPU and has no
 * fpuDisabled flag; a thread that owns no FPU has FS Off in its saved context.
 */
#ifndef KERNEL_FPU_H
#define KERNEL_FPU_H

#include <kernel/hart.h>
#include <kernel/invariants.h>
#include <kernel/object.h>

/* tcb.fpu_where */
enum fpu_where {
    FPU_UNUSED = 0, /* never used the FPU: its state is all zero */
    FPU_IN_TCB = 1, /* in tcb.fpu */
    FPU_ON_HART = 2 /* FPU_ON_HART + i: in hart i's FPU (hart i's fpu_owner is the thread) */
};

void fpu_switch(struct hart *h, struct tcb *t);

/* fpu_switch's common case, for the exits that switch threads: t's state waits in its TCB (it
 * has used the FPU and no hart holds its state), t may use the FPU, and h's FPU holds another
 * thread's state. Then the bookkeeping moves to t (the old owner owns no FPU and will find it
 * Off) and the old owner is returned: the caller moves the registers, the old owner's to its TCB
 * and t's in (arch_fpu_swap, or arch_fpu_swap_restore_user). Otherwise NULL, nothing changed.
 * The old owner's state is saved even if Clean, as seL4 saves it: an owner is usually Dirty, and
 * the test would cost every switch. */
static ALWAYS_INLINE struct tcb *fpu_hand_over(struct hart *h, struct tcb *t)
{
    struct tcb *o = h->fpu_owner;
    if (t->fpu_where != FPU_IN_TCB || !o || (t->flags & seL4_TCBFlag_fpuDisabled)) return NULL;
    /* (t's state is in its TCB: so t is not o) */
    INVARIANT(o->fpu_where == FPU_ON_HART + h->id, "hart %u's FPU owner tid %u says it is at %u",
              h->id, o->tid, o->fpu_where);
    arch_fpu_user_set(&o->ctx, false);
    o->fpu_where = FPU_IN_TCB;
    arch_fpu_user_set(&t->ctx, true);
    t->fpu_where = FPU_ON_HART + h->id;
    h->fpu_owner = t;
    return o;
}

/* May t resume on hart h as its FP state is: it never used the FPU (which stays off), or its state
 * is in h's FPU and enabled? */
static inline bool fpu_in_place(const struct hart *h, const struct tcb *t)
{
    return t->fpu_where == FPU_UNUSED ||
           (h->fpu_owner == t && !(t->flags & seL4_TCBFlag_fpuDisabled));
}

/* The thread resumes on this hart now: give it its FP state, or the FPU off. The common cases
 * (a thread that never used the FPU; the hart's owner again) cost a load and a branch, and
 * two loads and a compare more. */
static ALWAYS_INLINE void fpu_prepare(struct tcb *t)
{
    struct hart *h = this_hart();
    if (!fpu_in_place(h, t)) fpu_switch(h, t);
}

/* The current thread executed an illegal instruction with the FPU off. True if that was its
 * first FP instruction: it now has FP state and re-executes the instruction with the FPU on.
 * False (a thread with fpuDisabled, or a genuinely illegal instruction): it is a user exception,
 * as on seL4. */
bool fpu_first_use(void);

/* Its TCB is going away: no hart may keep it as the owner. */
void fpu_thread_deleted(struct tcb *t);

/* Called by a hart waiting for the kernel lock: the holder may ask it to save its FPU owner's
 * state to memory (the holder wants to run that thread elsewhere). */
void fpu_serve_release(struct hart *h);

#endif
