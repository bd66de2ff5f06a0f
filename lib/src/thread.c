#include <schedlab/alloc.h>
#include <schedlab/thread.h>

/* Threads live in the program's image: stacks and 1 KiB IPC buffers are static arrays, so their
 * frame caps are the image frames of the program (or of the process copy they run in). */
static seL4_IPCBuffer ipc_buffers[THREAD_MAX];
static uint64_t stacks[THREAD_MAX][THREAD_STACK_SIZE / 8] __attribute__((aligned(16)));
static unsigned used;

/* First code a new thread runs: a0 = fn, a1 = arg, a2 = its own TCB cap, tp = its IPC buffer. */
static void thread_entry(thread_fn fn, void *arg, seL4_CPtr self)
{
    fn(arg);
    seL4_TCB_Suspend(self);
}

int thread_start(struct thread *t, const char *name, seL4_Word prio, thread_fn fn, void *arg)
{
    static const struct thread_options defaults;
    return thread_create(t, name, prio, fn, arg, &defaults);
}

int thread_create(struct thread *t, const char *name, seL4_Word prio, thread_fn fn, void *arg,
                  const struct thread_options *options)
{
    const struct process *process = options->process;
    if (used == THREAD_MAX) return -1;
    unsigned i = used++;
    seL4_CPtr tcb = alloc_object(seL4_TCBObject, 0);
    if (!tcb) return -1;
    seL4_IPCBuffer *buffer = &ipc_buffers[i];
    seL4_CPtr vspace = process ? process->vspace : alloc_vspace();
    seL4_CPtr buffer_frame = process ? process_frame_cap(process, buffer) : image_frame_cap(buffer);
    seL4_Error e = seL4_TCB_Configure(tcb, options->fault_ep, seL4_CapInitThreadCNode, 0, vspace, 0,
                                      (seL4_Word)buffer, buffer_frame);
    if (!e) e = seL4_TCB_SetSchedParams(tcb, seL4_CapInitThreadTCB, prio, prio);
    if (e) return -1;
    seL4_DebugNameThread(tcb, name);
    seL4_UserContext regs = {0};
    regs.pc = (seL4_Word)thread_entry;
    regs.sp = (seL4_Word)&stacks[i][THREAD_STACK_SIZE / 8];
    regs.a0 = (seL4_Word)fn;
    regs.a1 = (seL4_Word)arg;
    regs.a2 = tcb;
    regs.tp = (seL4_Word)buffer;
    e = seL4_TCB_WriteRegisters(tcb, !options->suspended, 0, sizeof regs / sizeof(seL4_Word),
                                &regs);
    if (e) return -1;
    t->tcb = tcb;
    t->ipc_buffer = buffer;
    return 0;
}
