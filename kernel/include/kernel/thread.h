/* Thread state, message registers and the IPC buffer as the kernel sees them. */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <kernel/fpu.h>
#include <kernel/object.h>
#include <sched/core.h>
#include <sel4/types.h>

/* The thread running on this hart (valid while the kernel handles its trap). */
static inline struct tcb *current_thread(void)
{
    struct sched_thread *s = sched_current();
    return s ? tcb_of_sched(s) : NULL;
}

void thread_init(struct tcb *t, uint32_t creator_tid);
uint32_t thread_next_tid(void);

/* The thread's IPC buffer words (kernel view), or NULL if it has none usable for the purpose. */
word_t *thread_ipc_buffer(struct tcb *t, bool receiving);
word_t get_mr(const struct tcb *t, const word_t *buffer, unsigned i);
/* Returns false if MR i could not be stored (no buffer for i >= 4). */
bool set_mr(struct tcb *t, word_t *buffer, unsigned i, word_t value);

/* The one-shot reply cap to `caller` (non-MCS) that its Call leaves in the receiver's caller
 * slot: its master's (thread_init: the reply type and the TCB, no rights, nothing in w0) as no
 * master, with the grant right `can_grant`. Made from the master's w1, at hand, in three
 * instructions (the grant right or-ed in: the master has none; kernel/invariants.c checks what
 * this takes for granted): the fastpath makes one at every Call. */
static ALWAYS_INLINE struct cap reply_cap_to(const struct tcb *caller, bool can_grant)
{
    struct cap reply = cap_set_reply_master(caller->slots[TCB_REPLY].cap, false);
    reply.w0 = 0;
    reply.w1 |= (uint64_t)can_grant << CAP_BIT_can_grant;
    return reply;
}

static inline seL4_MessageInfo_t thread_msg_info(const struct tcb *t)
{
    return (seL4_MessageInfo_t){{t->ctx.regs[REG_INFO]}};
}

/* Make t runnable (state Running) and tell the scheduler. */
void thread_wake(struct tcb *t, struct tcb *waker, enum trace_wake_reason why);
/* Block t in `state` on `object` and tell the scheduler. */
void thread_block(struct tcb *t, enum thread_state state, void *object,
                  enum trace_block_reason why);
/* seL4 restart (TCB_Resume, WriteRegisters and CopyRegisters with resume): a stopped thread
 * (inactive, or blocked on receive, send, notification, reply or sleep) has its IPC cancelled and
 * restarts at its restart pc: one blocked in a system call executes it again. */
void thread_restart(struct tcb *t, struct tcb *by);
/* seL4 suspend: cancel what the thread waits for; it becomes Inactive. */
void thread_suspend(struct tcb *t);
/* Abort whatever IPC or wait t is blocked in (seL4 cancelIPC). */
void thread_cancel_ipc(struct tcb *t);
/* Kernel exit: a thread in Restart state re-executes its last system call; the thread gets its FP
 * state (or the FPU off) for this hart. Inlined: on every exit. */
static ALWAYS_INLINE void thread_activate(struct tcb *t)
{
    if (t->state == THREAD_RESTART) {
        t->ctx.regs[REG_NEXT_IP] = t->ctx.regs[REG_FAULT_IP];
        t->state = THREAD_RUNNING;
    }
    fpu_prepare(t);
}

#endif
