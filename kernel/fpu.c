/* Who owns each hart's FPU, and moving FP state between harts and TCBs (policy in fpu.h). */
#include <kernel/fpu.h>
#include <kernel/invariants.h>
#include <kernel/thread.h>

/* On hart h itself: its owner's state goes to the owner's TCB (written only if Dirty: a Clean
 * state equals the copy there), and the owner loses the FPU. */
static void release_local(struct hart *h)
{
    struct tcb *o = h->fpu_owner;
    if (!o) return;
    INVARIANT(o->fpu_where == FPU_ON_HART + h->id, "hart %u's FPU owner tid %u says it is at %u",
              h->id, o->tid, o->fpu_where);
    if (arch_fpu_user_dirty(&o->ctx)) arch_fpu_save(&o->fpu);
    arch_fpu_user_set(&o->ctx, false);
    o->fpu_where = FPU_IN_TCB;
    h->fpu_owner = NULL;
}

/* t's state is in another hart's FPU: that hart saves it. It is waiting for the lock we hold, or
 * is about to (the IPI brings it out of user mode or idle); nothing else can change its owner
 * meanwhile, since only the lock holder asks. */
static void release_remote(struct tcb *t)
{
    struct hart *other = &harts_state[t->fpu_where - FPU_ON_HART];
    INVARIANT(other != this_hart() && other->fpu_owner == t,
              "tid %u's FP state is at %u, whose owner is not it", t->tid, t->fpu_where);
    __atomic_store_n(&other->fpu_release_requester, this_hart_id() + 1, __ATOMIC_SEQ_CST);
    arch_send_ipi(1ull << other->hw_id);
    for (;;) {
        /* cleared before the look, so that the answer's IPI after it ends the wfi */
        arch_clear_ipi();
        if (!__atomic_load_n(&other->fpu_release_requester, __ATOMIC_ACQUIRE)) break;
        arch_wait_for_ipi();
    }
}

void fpu_serve_release(struct hart *h)
{
    unsigned requester = __atomic_load_n(&h->fpu_release_requester, __ATOMIC_ACQUIRE);
    if (!requester) return;
    release_local(h);
    __atomic_store_n(&h->fpu_release_requester, 0, __ATOMIC_RELEASE);
    arch_send_ipi(1ull << harts_state[requester - 1].hw_id);
}

void fpu_switch(struct hart *h, struct tcb *t)
{
    struct tcb *o = fpu_hand_over(h, t);
    if (o) {
        arch_fpu_swap(&o->fpu, &t->fpu);
        return;
    }
    if (h->fpu_owner == t) {
        /* fpuDisabled was set since it last ran: its state waits in its TCB until it is cleared */
        release_local(h);
        return;
    }
    /* it migrated: its state is saved where it was before it can run here */
    if (t->fpu_where >= FPU_ON_HART) release_remote(t);
    INVARIANT(!arch_fpu_user_on(&t->ctx), "tid %u has the FPU on but owns none", t->tid);
    if (t->flags & seL4_TCBFlag_fpuDisabled) return;
    release_local(h);
    arch_fpu_load(&t->fpu);
    arch_fpu_user_set(&t->ctx, true);
    t->fpu_where = FPU_ON_HART + h->id;
    h->fpu_owner = t;
}

bool fpu_first_use(void)
{
    struct tcb *t = current_thread();
    if (!t || t->fpu_where != FPU_UNUSED || (t->flags & seL4_TCBFlag_fpuDisabled)) return false;
    /* its state is the zero state thread_init left in its TCB; fpu_prepare loads it at exit */
    t->fpu_where = FPU_IN_TCB;
    return true;
}

void fpu_thread_deleted(struct tcb *t)
{
    if (t->fpu_where >= FPU_ON_HART) harts_state[t->fpu_where - FPU_ON_HART].fpu_owner = NULL;
    t->fpu_where = FPU_UNUSED;
    arch_fpu_user_set(&t->ctx, false);
}
