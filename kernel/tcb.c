/* TCB invocations (seL4 non-MCS): configuration, registers, scheduling parameters. */
#include <kernel/invocation.h>
#include <kernel/ipc.h>
#include <kernel/cdt.h>
#include <kernel/smp.h>
#include <kernel/thread.h>

static seL4_Error check_prio(word_t prio, struct invocation *inv, unsigned auth_index,
                             struct syscall_error *err)
{
    struct cap auth = inv->extra[auth_index]->cap;
    if (cap_type(auth) != CAP_THREAD) return error_invalid_cap(err, auth_index + 1);
    struct tcb *a = cap_ptr(auth);
    if (prio > a->mcp) return error_range(err, seL4_MinPrio, a->mcp);
    return seL4_NoError;
}

/* Replace the cap in one of the TCB's own slots by a copy of `src`'s cap. Deleting the old cap
 * may destroy its object (it may have been the last cap), and that may have taken the source
 * with it: install only if the source still holds the same object (seL4 ThreadControl). */
static seL4_Error install(struct tcb *t, enum tcb_slot which, struct cte *src, struct cap cap,
                          struct tcb *caller, struct syscall_error *err)
{
    struct cte *slot = &t->slots[which];
    seL4_Error deleted = cdt_delete(slot, &caller->delete_progress);
    if (deleted != seL4_NoError) return deleted; /* preempted: the invocation restarts */
    /* the TCB holds a derived cap: for a frame that is an unmapped one, so that replacing or
     * deleting it never undoes the source's mapping */
    struct cap derived;
    if (src && cap_same_object_as(cap, src->cap) && !cap_derive(src, cap, &derived, err) &&
        !cap_is_null(derived))
        cdt_insert(derived, src, slot);
    return seL4_NoError;
}

/* seL4's updateCapData for a CNode cap used as a CSpace root. */
static struct cap cnode_with_data(struct cap c, word_t data)
{
    word_t guard_size = data & MASK(seL4_GuardSizeBits);
    if (guard_size + cap_cnode_radix(c) > seL4_WordBits) return cap_null();
    c = cap_set_cnode_guard_size(c, guard_size);
    return cap_set_cnode_guard(c, (data >> seL4_GuardSizeBits) & MASK(guard_size));
}

static bool is_valid_vspace_root(struct cap c)
{
    return cap_type(c) == CAP_PAGE_TABLE && cap_pt_is_mapped(c);
}

static seL4_Error check_ipc_buffer(word_t vaddr, struct cap frame, struct syscall_error *err)
{
    if (cap_type(frame) != CAP_FRAME || cap_frame_is_device(frame))
        return error_plain(err, seL4_IllegalOperation);
    if (!IS_ALIGNED(vaddr, seL4_IPCBufferSizeBits)) return error_plain(err, seL4_AlignmentError);
    return seL4_NoError;
}

struct space_args {
    struct cte *cspace_slot, *vspace_slot;
    struct cap cspace, vspace;
};

static seL4_Error decode_space(struct invocation *inv, unsigned first_cap, word_t cspace_data,
                               struct space_args *out, struct syscall_error *err)
{
    out->cspace_slot = inv->extra[first_cap];
    out->vspace_slot = inv->extra[first_cap + 1];
    out->cspace = out->cspace_slot->cap;
    out->vspace = out->vspace_slot->cap;
    if (cspace_data && cap_type(out->cspace) == CAP_CNODE)
        out->cspace = cnode_with_data(out->cspace, cspace_data);
    if (cap_type(out->cspace) != CAP_CNODE) return error_plain(err, seL4_IllegalOperation);
    if (!is_valid_vspace_root(out->vspace)) return error_plain(err, seL4_IllegalOperation);
    return seL4_NoError;
}

static seL4_Error invoke_space(struct tcb *t, struct tcb *caller, word_t fault_ep,
                               const struct space_args *s, struct syscall_error *err)
{
    t->fault_ep = fault_ep;
    seL4_Error e = install(t, TCB_CTABLE, s->cspace_slot, s->cspace, caller, err);
    if (e != seL4_NoError) return e;
    return install(t, TCB_VTABLE, s->vspace_slot, s->vspace, caller, err);
}

static seL4_Error decode_ipc_buffer(struct invocation *inv, word_t vaddr, unsigned cap_index,
                                    struct cte **slot, struct syscall_error *err)
{
    *slot = NULL;
    if (!vaddr) return seL4_NoError;
    *slot = inv->extra[cap_index];
    return check_ipc_buffer(vaddr, (*slot)->cap, err);
}

static seL4_Error invoke_ipc_buffer(struct tcb *t, struct tcb *caller, word_t vaddr,
                                    struct cte *slot, struct syscall_error *err)
{
    t->ipc_buffer_vaddr = vaddr;
    return install(t, TCB_BUFFER, slot, slot ? slot->cap : cap_null(), caller, err);
}

static seL4_Error configure(struct invocation *inv, struct tcb *t, struct syscall_error *err)
{
    if (inv->length < 4 || inv->nextra < 3) return error_plain(err, seL4_TruncatedMessage);
    word_t fault_ep = inv_arg(inv, 0), cspace_data = inv_arg(inv, 1), buffer = inv_arg(inv, 3);
    struct cte *buffer_slot;
    struct space_args space;
    if (decode_ipc_buffer(inv, buffer, 2, &buffer_slot, err) ||
        decode_space(inv, 0, cspace_data, &space, err))
        return err->type;
    seL4_Error e = invoke_space(t, inv->caller, fault_ep, &space, err);
    if (e != seL4_NoError) return e;
    return invoke_ipc_buffer(t, inv->caller, buffer, buffer_slot, err);
}

static seL4_Error set_space(struct invocation *inv, struct tcb *t, struct syscall_error *err)
{
    if (inv->length < 3 || inv->nextra < 2) return error_plain(err, seL4_TruncatedMessage);
    struct space_args space;
    if (decode_space(inv, 0, inv_arg(inv, 1), &space, err)) return err->type;
    return invoke_space(t, inv->caller, inv_arg(inv, 0), &space, err);
}

static seL4_Error set_ipc_buffer(struct invocation *inv, struct tcb *t, struct syscall_error *err)
{
    if (inv->length < 1 || inv->nextra < 1) return error_plain(err, seL4_TruncatedMessage);
    struct cte *slot;
    word_t vaddr = inv_arg(inv, 0);
    if (decode_ipc_buffer(inv, vaddr, 0, &slot, err)) return err->type;
    return invoke_ipc_buffer(t, inv->caller, vaddr, slot, err);
}

static seL4_Error read_registers(struct invocation *inv, struct tcb *t, struct syscall_error *err)
{
    if (inv->length < 2) return error_plain(err, seL4_TruncatedMessage);
    word_t flags = inv_arg(inv, 0), count = inv_arg(inv, 1);
    if (count < 1 || count > ARCH_USER_CONTEXT_WORDS)
        return error_range(err, 1, ARCH_USER_CONTEXT_WORDS);
    if (t == inv->caller) return error_plain(err, seL4_IllegalOperation);
    if (flags & 1) thread_suspend(t);
    for (word_t i = 0; i < count; i++) inv_reply_mr(inv, i, t->ctx.regs[arch_user_context_reg[i]]);
    return seL4_NoError;
}

static seL4_Error write_registers(struct invocation *inv, struct tcb *t, struct syscall_error *err)
{
    if (inv->length < 2) return error_plain(err, seL4_TruncatedMessage);
    word_t flags = inv_arg(inv, 0), count = inv_arg(inv, 1);
    if (inv->length - 2 < count) return error_plain(err, seL4_TruncatedMessage);
    if (t == inv->caller) return error_plain(err, seL4_IllegalOperation);
    count = MIN(count, (word_t)ARCH_USER_CONTEXT_WORDS);
    for (word_t i = 0; i < count; i++) t->ctx.regs[arch_user_context_reg[i]] = inv_arg(inv, i + 2);
    t->ctx.regs[REG_NEXT_IP] = t->ctx.regs[REG_FAULT_IP];
    if (flags & 1) thread_restart(t, inv->caller);
    return seL4_NoError;
}

static seL4_Error set_priority(struct invocation *inv, struct tcb *t, struct syscall_error *err)
{
    if (inv->length < 1 || inv->nextra < 1) return error_plain(err, seL4_TruncatedMessage);
    word_t prio = inv_arg(inv, 0);
    if (check_prio(prio, inv, 0, err)) return err->type;
    sched_set_priority(&t->sched, (uint8_t)prio);
    return seL4_NoError;
}

static seL4_Error set_mc_priority(struct invocation *inv, struct tcb *t, struct syscall_error *err)
{
    if (inv->length < 1 || inv->nextra < 1) return error_plain(err, seL4_TruncatedMessage);
    word_t mcp = inv_arg(inv, 0);
    if (check_prio(mcp, inv, 0, err)) return err->type;
    t->mcp = (uint8_t)mcp;
    return seL4_NoError;
}

static seL4_Error set_sched_params(struct invocation *inv, struct tcb *t, struct syscall_error *err)
{
    if (inv->length < 2 || inv->nextra < 1) return error_plain(err, seL4_TruncatedMessage);
    word_t mcp = inv_arg(inv, 0), prio = inv_arg(inv, 1);
    if (check_prio(mcp, inv, 0, err) || check_prio(prio, inv, 0, err)) return err->type;
    t->mcp = (uint8_t)mcp;
    sched_set_priority(&t->sched, (uint8_t)prio);
    return seL4_NoError;
}

static seL4_Error bind_notification(struct invocation *inv, struct tcb *t,
                                    struct syscall_error *err)
{
    if (inv->nextra < 1) return error_plain(err, seL4_TruncatedMessage);
    if (t->bound_notification) return error_plain(err, seL4_IllegalOperation);
    struct cap c = inv->extra[0]->cap;
    if (cap_type(c) != CAP_NOTIFICATION) return error_invalid_cap(err, 1);
    struct notification *n = cap_ptr(c);
    if (!cap_can_receive(c)) return error_plain(err, seL4_IllegalOperation);
    if (n->head || ntfn_bound(n)) return error_plain(err, seL4_IllegalOperation);
    t->bound_notification = n;
    ntfn_set_bound(n, t);
    return seL4_NoError;
}

static seL4_Error unbind_notification(struct tcb *t, struct syscall_error *err)
{
    if (!t->bound_notification) return error_plain(err, seL4_IllegalOperation);
    ntfn_set_bound(t->bound_notification, NULL);
    t->bound_notification = NULL;
    return seL4_NoError;
}

static seL4_Error copy_registers(struct invocation *inv, struct tcb *t, struct syscall_error *err)
{
    if (inv->length < 1 || inv->nextra < 1) return error_plain(err, seL4_TruncatedMessage);
    word_t flags = inv_arg(inv, 0);
    struct cap src_cap = inv->extra[0]->cap;
    if (cap_type(src_cap) != CAP_THREAD) return error_invalid_cap(err, 1);
    struct tcb *src = cap_ptr(src_cap);
    /* its registers are in its TCB only while it does not run */
    if (src != inv->caller) smp_stall_thread(&src->sched);
    if (flags & 1) thread_suspend(src);
    if (flags & 2) thread_restart(t, inv->caller);
    /* bit 2: the frame registers (context words 0..15), bit 3: the integer ones (16..31) */
    for (unsigned group = 0; group < 2; group++) {
        if (!(flags & (4u << group))) continue;
        for (unsigned i = group * ARCH_FRAME_REGISTERS; i < (group + 1) * ARCH_FRAME_REGISTERS; i++)
            t->ctx.regs[arch_user_context_reg[i]] = src->ctx.regs[arch_user_context_reg[i]];
    }
    if (flags & 4) t->ctx.regs[REG_NEXT_IP] = t->ctx.regs[REG_FAULT_IP];
    return seL4_NoError;
}

static seL4_Error set_tls_base(struct invocation *inv, struct tcb *t, struct syscall_error *err)
{
    if (inv->length < 1) return error_plain(err, seL4_TruncatedMessage);
    t->ctx.regs[arch_user_context_reg[ARCH_USER_CONTEXT_TLS]] = inv_arg(inv, 0);
    return seL4_NoError;
}

static seL4_Error set_flags(struct invocation *inv, struct tcb *t, struct syscall_error *err)
{
    if (inv->length < 2) return error_plain(err, seL4_TruncatedMessage);
    /* fpuDisabled takes effect when the thread next resumes (kernel/fpu.c): its FP state is kept
     * in its TCB meanwhile, and is its own again once the flag is cleared */
    t->flags = (t->flags & ~inv_arg(inv, 0)) | (inv_arg(inv, 1) & seL4_TCBFlag_MASK);
    inv_reply_mr(inv, 0, t->flags);
    return seL4_NoError;
}

#if SCHEDLAB_SMP
/* seL4's TCB_SetAffinity: the thread runs on hart `core` from now on. */
static seL4_Error set_affinity(struct invocation *inv, struct tcb *t, struct syscall_error *err)
{
    if (inv->length < 1) return error_plain(err, seL4_TruncatedMessage);
    word_t core = inv_arg(inv, 0);
    if (core >= nharts) return error_plain(err, seL4_IllegalOperation);
    sched_set_affinity(&t->sched, hartmask_one((unsigned)core));
    return seL4_NoError;
}
#endif

seL4_Error tcb_set_affinity_mask(struct tcb *caller, word_t tcb_cptr, word_t mask)
{
    struct cte *slot;
    struct lookup_fault lookup;
    if (!lookup_slot(caller, tcb_cptr, &slot, &lookup) || cap_type(slot->cap) != CAP_THREAD)
        return seL4_InvalidCapability;
    if (!mask || (nharts < 64 && mask >> nharts)) return seL4_InvalidArgument;
    struct tcb *t = cap_ptr(slot->cap);
    if (t != caller) smp_stall_thread(&t->sched);
    sched_set_affinity(&t->sched, hartmask_from_word(mask));
    return seL4_NoError;
}

seL4_Error decode_tcb(struct invocation *inv, struct syscall_error *err)
{
    struct tcb *t = cap_ptr(inv->cap);
    /* whatever the invocation changes, the thread must not be running on another hart meanwhile */
    if (t != inv->caller) smp_stall_thread(&t->sched);
    switch (inv->label) {
    case TCBConfigure: return configure(inv, t, err);
    case TCBSetSpace: return set_space(inv, t, err);
    case TCBSetIPCBuffer: return set_ipc_buffer(inv, t, err);
    case TCBReadRegisters: return read_registers(inv, t, err);
    case TCBWriteRegisters: return write_registers(inv, t, err);
    case TCBSetPriority: return set_priority(inv, t, err);
    case TCBSetMCPriority: return set_mc_priority(inv, t, err);
    case TCBSetSchedParams: return set_sched_params(inv, t, err);
    case TCBBindNotification: return bind_notification(inv, t, err);
    case TCBUnbindNotification: return unbind_notification(t, err);
    case TCBCopyRegisters: return copy_registers(inv, t, err);
    case TCBSetTLSBase: return set_tls_base(inv, t, err);
    case TCBSetFlags: return set_flags(inv, t, err);
    case TCBSuspend: thread_suspend(t); return seL4_NoError;
    case TCBResume: thread_restart(t, inv->caller); return seL4_NoError;
#if SCHEDLAB_SMP
    case TCBSetAffinity: return set_affinity(inv, t, err);
#endif
    default: return error_plain(err, seL4_IllegalOperation);
    }
}
