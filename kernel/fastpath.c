/*
 * The IPC fastpath (DESIGN §3.5), as in seL4's fastpath_call and fastpath_reply_recv: a Call or a
 * ReplyRecv whose message is short, carries no caps and no fault, on an endpoint in the right
 * state, to a thread that may run at once on this hart, switches to that thread
 * directly: no scheduler queues, no generic transfer, no decision at the exit. The trap entry
 * (arch trap.S) jumps here for these two system calls before the generic dispatch; anything else
 * goes to that dispatch (slow_path), having changed nothing.
 *
 * What it leaves is exactly what the slow path leaves: the same message registers, badge and
 * info, thread states, endpoint queue, caller cap, charged time and slice, policy state (the
 * policy agrees to the switch: policy_may_switch_directly, policy_switched_directly) and trace
 * records in the same order.
 */
#include <kernel/cdt.h>
#include <kernel/cspace.h>
#include <kernel/enter.h>
#include <kernel/entry.h>
#include <kernel/fastpath.h>
#include <kernel/invariants.h>
#include <kernel/ipc.h>
#include <kernel/thread.h>
#include <kernel/trace.h>
#include <kernel/fault.h>
#include <kernel/vspace.h>
#include <sel4/syscalls.h>

/* A message that travels in registers alone: no IPC buffer, no caps. The length (bits 0..6), the
 * extra caps (bits 7..8) and capsUnwrapped (bits 9..11, which a sender has no reason to set) in
 * one compare: any of the last two makes the field above 127. Such an info is the receiver's
 * unchanged (transfer_registers). */
static bool short_message(seL4_MessageInfo_t info)
{
    _Static_assert(ARCH_MSG_REGISTERS < 128, "the length field holds the registers' count");
    return (info.words[0] & 0xfff) <= ARCH_MSG_REGISTERS;
}

/* seL4's lookup_fp below the first level: the slot `cptr` names at full depth in the CSpace
 * `root`, or NULL for a lookup the slow path must report. resolve_address_bits without its
 * fault: a loop that calls nothing, so the fastpath keeps its values in scratch registers. */
static ALWAYS_INLINE struct cte *lookup_slot_levels(struct cap root, word_t cptr)
{
    if (cap_type(root) != CAP_CNODE) return NULL;
    for (word_t bits = seL4_WordBits;;) {
        word_t radix = cap_cnode_radix(root), guard_bits = cap_cnode_guard_size(root);
        word_t level = radix + guard_bits;
        if (level > bits ||
            ((cptr >> ((bits - guard_bits) & 63)) & MASK(guard_bits)) != cap_cnode_guard(root))
            return NULL;
        struct cte *slot = (struct cte *)cap_ptr(root) + ((cptr >> (bits - level)) & MASK(radix));
        bits -= level;
        if (!bits || cap_type(slot->cap) != CAP_CNODE) return slot;
        root = slot->cap;
    }
}

/* Does `cptr` name in t's CSpace an endpoint cap (to *cap) that lets t `receive` (or else send)?
 * The common CSpace, one CNode whose guard and radix take the whole word (lookup_slot_one_level's
 * case), is looked up here, where its slot is known to exist; any other through the loop. */
static ALWAYS_INLINE bool endpoint_cap(struct tcb *t, word_t cptr, bool receive, struct cap *cap)
{
    struct cap root = t->slots[TCB_CTABLE].cap;
    struct cte *slot;
    if (!lookup_slot_one_level(root, cptr, &slot)) {
        slot = lookup_slot_levels(root, cptr);
        if (!slot) return false;
    }
    *cap = slot->cap;
    return cap_type(*cap) == CAP_ENDPOINT && (receive ? cap_can_receive(*cap) : cap_can_send(*cap));
}

/* Which clock the fastpath reads: the hart's (clock_now, with more than one hart) or, on the only
 * hart, the one boot chose, known as a constant in the one-hart fastpath picked for it (boot.c):
 * no test of clock_is_cycles at every call. */
enum fastpath_clock { CLOCK_OF_HART, CLOCK_CYCLES, CLOCK_TIME };

static ALWAYS_INLINE uint64_t fastpath_now(enum fastpath_clock clock)
{
    if (clock == CLOCK_CYCLES) return arch_cycles_ns();
    if (clock == CLOCK_TIME) return arch_time_ns();
    return clock_now();
}

/* This hart's index: with one hart (not `locked`) it is 0 (boot.c), a constant that the per-hart
 * lookups below fold into their addresses (sched_switch_directly checks it). */
static ALWAYS_INLINE unsigned fastpath_hart(bool locked) { return locked ? this_hart_id() : 0; }

/* `from` is about to wake `to` and block itself: may it switch to `to` now, which may run at once
 * here? (A thread without a live VSpace runs, as on the slow path, in the kernel's, where it
 * faults: the exit, kernel_exit_switched, sees to that.) */
static ALWAYS_INLINE bool may_switch_to(unsigned hart, struct tcb *from, struct tcb *to,
                                        bool locked)
{
    /* the locked fastpath is the one for more than one hart */
    return sched_may_switch_directly(hart, &from->sched, &to->sched, !locked);
}

/* Trace records a direct switch makes, whose room is checked once: the message, the wakeup, block
 * and switch in one (DIRECT_SWITCH, include/schedlab/trace.h), and the one a policy may make in
 * policy_switched_directly (tstune's slice, sched_trace_policy_at_switch), all written unchecked.
 * No flush happens inside the switch. */
#define FASTPATH_RECORDS 3

/* The system call, which the fastpath does not take, through the generic dispatch. It never
 * returns, but is not declared _Noreturn, so that the fastpath jumps to it (FALL_BACK: a tail
 * call; gcc never makes one of a call to a _Noreturn function) and saves no return address. */
static __attribute__((noipa)) void slow_path(int64_t number)
{
    kernel_handle_syscall(number);
    kernel_exit();
}

/* slow_path as a tail call: the fastpath function it is in returns (for the compiler) at once. */
#define FALL_BACK(number)                                                                          \
    do {                                                                                           \
        slow_path(number);                                                                         \
        return;                                                                                    \
    } while (0)

/* Room for the records the fastpath makes itself (the switch's is the scheduler's), the first
 * check of each (once the lock is held, with more than one hart: locked below): else the slow
 * path, which flushes a full buffer as every record does, by a tail call like every other
 * fall-back (no return address saved). The trap entry has set the return address past the call
 * already (arch trap.S). */
static ALWAYS_INLINE bool room_for_records(void) { return trace_has_room(FASTPATH_RECORDS); }

/* With more than one hart, `fastpath` after taking the kernel lock and checking that no other
 * hart stalled this one's thread meanwhile (kernel_trap_proceeds). Apart from the one-hart path,
 * where no lock is taken and no value lives across a call. While this hart waits for the lock,
 * another may stop the thread and read or rewrite its registers: until the call is taken they
 * must be those of a trap not yet handled (arch_handle_trap returns past a call only once its
 * trap proceeds), so that a thread stopped meanwhile executes the call again when it runs. */
#define LOCKED(name, fastpath)                                                                     \
    static __attribute__((noipa, flatten)) void name(struct arch_context *ctx)                     \
    {                                                                                              \
        ctx->regs[REG_NEXT_IP] = ctx->regs[REG_FAULT_IP];                                          \
        kernel_lock_acquire();                                                                     \
        if (!kernel_trap_proceeds()) kernel_exit();                                                \
        arch_syscall_return_past(ctx);                                                             \
        fastpath(ctx, true, CLOCK_OF_HART);                                                        \
    }

/* exit_switched's case where t's FP state is not in place and not in fpu_hand_over's common
 * case: the whole FP switch, then the same register restore. A function of its own, reached by
 * a tail call (noipa, as kernel_exit_switched), so that the common exit saves nothing for it. t
 * was blocked, so it is in no Restart state: of thread_activate only the FP part applies. */
static __attribute__((noipa, flatten)) void exit_switched_fpu(struct tcb *t)
{
    fpu_switch(this_hart(), t);
    arch_restore_user_jump(&t->ctx);
}

/* The exit of a direct switch to t, whose slice ends at `slice_end`, in the common case: one hart
 * (not `locked`: no lock to give back, no in_user to set), the timer armed no later than that
 * (kernel_exit_switched says why that is enough), t's address space loaded on this hart, and its
 * FP state in place or in fpu_hand_over's case (two FPU users: the FP registers are swapped on the
 * way). Then only t's registers go back: t, blocked, made a system call on the only hart, so an
 * exit here prepared its return (arch_prepare_return) and nothing has changed it since (checked
 * builds check it in kernel_exit_switched). Any other case takes the whole exit,
 * kernel_exit_switched. Nothing here returns to the fastpath, which therefore saves no registers,
 * and this path calls nothing: it jumps to the register restore (arch_restore_user_jump), so it
 * saves no return address. */
static ALWAYS_INLINE void exit_switched(struct tcb *t, uint64_t slice_end, bool locked)
{
    struct hart *h = this_hart();
    if (locked || INVARIANTS_CHECKED || slice_end < h->timer_deadline || !vspace_loaded_for(h, t)) {
        kernel_exit_switched(t, slice_end);
        return;
    }
    if (fpu_in_place(h, t)) {
        arch_restore_user_jump(&t->ctx);
        return;
    }
    struct tcb *o = fpu_hand_over(h, t);
    if (o) {
        arch_fpu_swap_restore_user(&o->fpu, &t->fpu, &t->ctx);
        return;
    }
    exit_switched_fpu(t);
}

/* The message registers, badge and info of a short message (transfer_message's result). */
static ALWAYS_INLINE void transfer_registers(uint64_t at, struct tcb *from, struct tcb *to,
                                             seL4_MessageInfo_t info, word_t badge, uint16_t kind)
{
    word_t length = seL4_MessageInfo_get_length(info);
    /* the common empty message skips the loop at once */
    if (length)
        for (unsigned i = 0; i < length; i++)
            to->ctx.regs[REG_MR0 + i] = from->ctx.regs[REG_MR0 + i];
    to->ctx.regs[REG_BADGE] = badge;
    /* its label and length as they were, no caps and none unwrapped (short_message) */
    to->ctx.regs[REG_INFO] = info.words[0];
    trace_emit_reserved_at(at, TRACE_IPC, kind, from->tid, to->tid, (uint32_t)length, badge);
}

/* thread_wake's effect on a thread the caller switches to directly (traced with the block). */
static ALWAYS_INLINE void wake_directly(struct tcb *t)
{
    t->state = THREAD_RUNNING;
    t->blocked_on = NULL;
}

/* thread_block's effect on the running thread that switches away directly to `to`, and the one
 * record of the wakeup, the block and the switch, whose switch instant the core fills in
 * (sched_switch_directly: trace_switched_directly). */
static ALWAYS_INLINE void block_directly(uint64_t at, struct tcb *t, enum thread_state state,
                                         void *object, enum trace_block_reason why, struct tcb *to)
{
    t->state = state;
    t->blocked_on = object;
    trace_direct_switch_begin(at, why, t->tid, to->tid);
}

static ALWAYS_INLINE void call(struct arch_context *ctx, bool locked, enum fastpath_clock clock)
{
    if (!room_for_records()) FALL_BACK(seL4_SysCall);
    struct tcb *caller = tcb_of_context(ctx);
    unsigned hart = fastpath_hart(locked);
    seL4_MessageInfo_t info = thread_msg_info(caller);
    if (!short_message(info) || caller->fault.type != seL4_Fault_NullFault) FALL_BACK(seL4_SysCall);
    struct cap cap;
    if (!endpoint_cap(caller, caller->ctx.regs[REG_CAP], false, &cap)) FALL_BACK(seL4_SysCall);
    struct endpoint *ep = cap_ptr(cap); /* an endpoint cap's object is never NULL */
    /* without a grant right the caller gets no reply cap and becomes inactive: slow path */
    if (ep_state(ep) != EP_RECV || !(cap_can_grant(cap) || cap_can_grant_reply(cap)))
        FALL_BACK(seL4_SysCall);
    struct tcb *server = ep->head; /* ep_state says there is one */
    if (!may_switch_to(hart, caller, server, locked)) FALL_BACK(seL4_SysCall);
    /* its receive emptied its caller slot, which only a Call can fill (as in seL4, not asked) */
    INVARIANT(cap_is_null(server->slots[TCB_CALLER].cap), "tid %u receives with a caller cap",
              server->tid);
    INVARIANT(!mdb_next(&caller->slots[TCB_REPLY]), "tid %u calls with a reply cap to it",
              caller->tid);

    /* the switch's charge and the message, wake and block records */
    uint64_t now = fastpath_now(clock);
    tcb_queue_pop_head(&ep->head, &ep->tail);
    transfer_registers(now, caller, server, info, cap_badge(cap), TRACE_IPC_ENDPOINT);
    wake_directly(server);
    block_directly(now, caller, THREAD_BLOCKED_ON_REPLY, NULL, TRACE_BLOCK_REPLY, server);
    cdt_insert_reply(reply_cap_to(caller, server->blocked_can_grant), &caller->slots[TCB_REPLY],
                     &server->slots[TCB_CALLER]);
    invariants_caps_changed();
    exit_switched(server, sched_switch_directly(hart, &caller->sched, &server->sched, now), locked);
}

static ALWAYS_INLINE void reply_recv(struct arch_context *ctx, bool locked,
                                     enum fastpath_clock clock)
{
    if (!room_for_records()) FALL_BACK(seL4_SysReplyRecv);
    struct tcb *server = tcb_of_context(ctx);
    unsigned hart = fastpath_hart(locked);
    seL4_MessageInfo_t info = thread_msg_info(server);
    struct cte *caller_slot = &server->slots[TCB_CALLER];
    if (!short_message(info) || cap_type(caller_slot->cap) != CAP_REPLY)
        FALL_BACK(seL4_SysReplyRecv);
    struct tcb *caller = cap_ptr(caller_slot->cap);
    if (caller->state != THREAD_BLOCKED_ON_REPLY || caller->fault.type != seL4_Fault_NullFault)
        FALL_BACK(seL4_SysReplyRecv);
    struct cap cap;
    if (!endpoint_cap(server, server->ctx.regs[REG_CAP], true, &cap)) FALL_BACK(seL4_SysReplyRecv);
    struct endpoint *ep = cap_ptr(cap); /* an endpoint cap's object is never NULL */
    /* a waiting sender is received at once; a pending bound signal is taken instead */
    if (ep_state(ep) == EP_SEND) FALL_BACK(seL4_SysReplyRecv);
    struct notification *bound = server->bound_notification;
    if ((bound && ntfn_state(bound) == NTFN_ACTIVE) || !may_switch_to(hart, server, caller, locked))
        FALL_BACK(seL4_SysReplyRecv);

    /* the switch's charge and the message, wake and block records */
    uint64_t now = fastpath_now(clock);
    cdt_empty_slot(caller_slot);
    transfer_registers(now, server, caller, info, 0, TRACE_IPC_REPLY);
    wake_directly(caller);
    server->blocked_can_grant = cap_can_grant(cap);
    block_directly(now, server, THREAD_BLOCKED_ON_RECEIVE, ep, TRACE_BLOCK_RECV, caller);
    tcb_queue_append(&ep->head, &ep->tail, server);
    exit_switched(caller, sched_switch_directly(hart, &server->sched, &caller->sched, now), locked);
}

LOCKED(call_locked, call)
LOCKED(reply_recv_locked, reply_recv)

/* flatten: the core's and the policy's parts inline (the kernel is one unit: kernel/CMakeLists.txt)
 */
__attribute__((flatten)) void fastpath_call(struct arch_context *ctx)
{
    call(ctx, false, CLOCK_CYCLES);
}

__attribute__((flatten)) void fastpath_reply_recv(struct arch_context *ctx)
{
    reply_recv(ctx, false, CLOCK_CYCLES);
}

__attribute__((flatten)) void fastpath_call_wall_clock(struct arch_context *ctx)
{
    call(ctx, false, CLOCK_TIME);
}

__attribute__((flatten)) void fastpath_reply_recv_wall_clock(struct arch_context *ctx)
{
    reply_recv(ctx, false, CLOCK_TIME);
}

/* (the locked ones stay static and noipa: these only jump to them) */
void fastpath_call_many_harts(struct arch_context *ctx) { call_locked(ctx); }

void fastpath_reply_recv_many_harts(struct arch_context *ctx) { reply_recv_locked(ctx); }
