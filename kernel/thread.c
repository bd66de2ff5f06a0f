#include <kernel/hart.h>
#include <kernel/ipc.h>
#include <kernel/cdt.h>
#include <kernel/debug.h>
#include <kernel/fpu.h>
#include <kernel/sleep.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/trace.h>

static uint32_t next_tid = 1;

uint32_t thread_next_tid(void) { return next_tid; }

void thread_init(struct tcb *t, uint32_t creator_tid)
{
    memset(t, 0, sizeof *t);
    arch_init_user_context(&t->ctx);
    t->tid = next_tid++;
    t->state = THREAD_INACTIVE;
    sched_thread_init(&t->sched, t->tid, 0, this_hart_id());
    /* the reply master: the parent of every caller cap that will name this thread */
    cdt_insert_root(&t->slots[TCB_REPLY], cap_set_reply_master(cap_make(CAP_REPLY, t), true));
    debug_thread_created(t);
    trace_emit(TRACE_THREAD_NEW, 0, t->tid, creator_tid, 0, 0);
}

word_t *thread_ipc_buffer(struct tcb *t, bool receiving)
{
    struct cap frame = t->slots[TCB_BUFFER].cap;
    if (cap_type(frame) != CAP_FRAME || !t->ipc_buffer_vaddr) return NULL;
    word_t rights = cap_frame_rights(frame);
    if (rights != VM_READ_WRITE && (receiving || rights != VM_READ_ONLY)) return NULL;
    return (word_t *)((char *)cap_ptr(frame) +
                      (t->ipc_buffer_vaddr & MASK(frame_size_bits(frame))));
}

word_t get_mr(const struct tcb *t, const word_t *buffer, unsigned i)
{
    if (i < ARCH_MSG_REGISTERS) return t->ctx.regs[REG_MR0 + i];
    return buffer ? buffer[i + 1] : 0;
}

bool set_mr(struct tcb *t, word_t *buffer, unsigned i, word_t value)
{
    if (i < ARCH_MSG_REGISTERS) {
        t->ctx.regs[REG_MR0 + i] = value;
        return true;
    }
    if (!buffer) return false;
    buffer[i + 1] = value;
    return true;
}

void thread_wake(struct tcb *t, struct tcb *waker, enum trace_wake_reason why)
{
    t->state = THREAD_RUNNING;
    t->blocked_on = NULL;
    sched_wake(&t->sched, waker ? &waker->sched : NULL, why);
}

void thread_block(struct tcb *t, enum thread_state state, void *object, enum trace_block_reason why)
{
    bool was_runnable = thread_runnable(t);
    t->state = state;
    t->blocked_on = object;
    if (was_runnable) sched_block(&t->sched, why);
}

bool thread_is_runnable(struct sched_thread *s) { return thread_runnable(tcb_of_sched(s)); }

void thread_cancel_ipc(struct tcb *t)
{
    switch (t->state) {
    case THREAD_BLOCKED_ON_SEND:
    case THREAD_BLOCKED_ON_RECEIVE: endpoint_cancel(t); break;
    case THREAD_BLOCKED_ON_NOTIFICATION: notification_cancel(t); break;
    case THREAD_BLOCKED_ON_REPLY: {
        /* the caller cap naming t lives in its server's caller slot: it is the reply master's
         * child; deleting it means nobody can reply any more */
        struct cte *master = &t->slots[TCB_REPLY];
        if (cdt_has_children(master)) cdt_delete_now(mdb_next(master));
        break;
    }
    case THREAD_BLOCKED_ON_SLEEP: sleep_cancel(t); break;
    default: return;
    }
    /* a fault in flight is abandoned with the IPC: the thread re-executes the faulting
     * instruction when it runs again, and faults afresh if the cause is still there */
    t->fault.type = 0;
    t->blocked_on = NULL;
}

/* seL4's isStopped: waiting for something other than the CPU. SchedLab's sleep counts too: it is
 * a wait for the timer's event, as a seL4 program's sleep is a wait on a notification, and its
 * restarted system call sleeps again until the same absolute deadline. */
static bool thread_stopped(const struct tcb *t)
{
    switch (t->state) {
    case THREAD_INACTIVE:
    case THREAD_BLOCKED_ON_RECEIVE:
    case THREAD_BLOCKED_ON_SEND:
    case THREAD_BLOCKED_ON_NOTIFICATION:
    case THREAD_BLOCKED_ON_REPLY:
    case THREAD_BLOCKED_ON_SLEEP: return true;
    default: return false;
    }
}

void thread_restart(struct tcb *t, struct tcb *by)
{
    if (!thread_stopped(t)) return;
    thread_cancel_ipc(t);
    t->state = THREAD_RESTART;
    sched_wake(&t->sched, by ? &by->sched : NULL, TRACE_WAKE_RESUME);
}

void thread_suspend(struct tcb *t)
{
    /* stopped before the invocation that stops it returns, wherever it runs (seL4's
     * remoteTCBStall): another hart running it lets go of it at once */
    smp_stall_thread(&t->sched);
    thread_cancel_ipc(t);
    /* a running thread whose system call has completed (preempted before it returned, or
     * stopped on another hart) resumes after it, not at it (seL4's updateRestartPC). One that
     * suspends itself is inside the invocation doing so, where seL4 holds it in Restart, not
     * Running: resumed, it executes the Suspend again (seL4 issue 870), unless its registers were
     * rewritten meanwhile. */
    if (t->state == THREAD_RUNNING && t != current_thread())
        t->ctx.regs[REG_FAULT_IP] = t->ctx.regs[REG_NEXT_IP];
    thread_block(t, THREAD_INACTIVE, NULL, TRACE_BLOCK_SUSPEND);
}
