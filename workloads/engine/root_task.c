/*
 * The workload engine's root task: it builds the threads, processes and objects a compiled spec
 * describes (table.h), starts them together, and waits for every thread that is not a daemon.
 * Every workload thread's faults come here too (or to the pager for paged threads), so a broken
 * workload fails the run with a message instead of hanging it.
 *
 * The start instant (engine.start_ns) is when the boot groups become due. At 1 hart the root
 * task takes it after it resumed every boot thread, just before it blocks: it outranks every
 * workload thread (params.c refuses a priority that does not), so none has run before. At N
 * harts a resumed thread may start at once on another hart, and must find the instant set: the
 * root task takes it just before the resumes (a thread resumed later waits for them, ~1.3 us
 * each). Threads are on their start harts (engine.placement, place()) before they are resumed.
 */
#include "engine.h"
#include <schedlab/alloc.h>
#include <schedlab/runtime.h>
#include <schedlab/sys.h>
#include <schedlab/vspace.h>

#define PAGE_SIZE      4096ul
#define PAGER_PRIORITY 254 /* above every workload thread: a fault is served at once */
/* Where the root task maps one page of a process to write the start instant into it. */
#define POKE_WINDOW_VADDR 0x2100000000ul

struct engine engine;
static struct rng root_rng; /* draws the group counts, in group order */
static unsigned root_hart;

static int fail(const char *what) { return engine_fail(what); }

/* The working set of a thread that is not paged: frames mapped before it starts. */
static int working_set_map(const struct workload_thread *t)
{
    seL4_CPtr vspace = t->process ? t->process->vspace : alloc_vspace();
    for (uint64_t offset = 0; offset < t->working_set_bytes; offset += PAGE_SIZE) {
        seL4_CPtr frame = alloc_object(seL4_RISCV_4K_Page, 0);
        if (!frame ||
            vspace_map_frame(vspace, frame, (seL4_Word)t->working_set + offset, seL4_ReadWrite))
            return -1;
    }
    return 0;
}

/* The fault endpoint of a thread: a badged copy of the supervisor's or the pager's endpoint. */
static seL4_CPtr fault_endpoint(const struct workload_thread *t)
{
    seL4_CPtr slot = alloc_slot();
    seL4_CPtr ep = t->group->paged ? engine.pager_ep : engine.done_ep;
    if (!slot || seL4_CNode_Mint(seL4_CapInitThreadCNode, slot, 64, seL4_CapInitThreadCNode, ep, 64,
                                 seL4_AllRights, t->id + 1))
        return 0;
    return slot;
}

static void refused(const char *what, uint64_t value, const struct workload_thread *t)
{
    printf("%s: %s %lx of %s refused\n", wl_spec.name, what, value, t->name);
}

static void place(const struct workload_thread *t)
{
    const char *refused_what = engine_place(t);
    if (refused_what) refused(refused_what, t->start_hart, t);
}

static int threads_create(void)
{
    for (unsigned i = 0; i < engine.nthreads; i++) {
        struct workload_thread *t = &engine.threads[i];
        struct thread_options options = {.process = t->process, .suspended = 1};
        if (!(t->wake = alloc_object(seL4_NotificationObject, 0)) ||
            !(options.fault_ep = fault_endpoint(t)))
            return fail("out of kernel objects");
        if (t->working_set_bytes && !t->group->paged && working_set_map(t))
            return fail("cannot map a working set");
        if (thread_create(&t->thread, t->name, value_of(t->group->priority), interpret, t,
                          &options))
            return fail("cannot create a thread");
        t->tcb = t->thread.tcb;
        place(t); /* while it is suspended: it only moves, and a wake-placing policy still
                   * places it when it is resumed */
    }
    return 0;
}

static int processes_create(void)
{
    for (unsigned g = 0; g < wl_spec.ngroups; g++)
        if (wl_spec.groups[g].own_space && process_create(&engine.processes[g]))
            return fail("cannot create a process");
    return 0;
}

static int processes_load(void)
{
    for (unsigned g = 0; g < wl_spec.ngroups; g++)
        if (wl_spec.groups[g].own_space && process_load(&engine.processes[g]))
            return fail("cannot load a process");
    return 0;
}

/* Write the start instant into every process's copy of the engine (process_load copied the
 * rest before it was known). */
static int start_ns_publish(void)
{
    static seL4_CPtr window;
    if (!window && !(window = alloc_slot())) return -1;
    seL4_Word page = (seL4_Word)&engine.start_ns & ~(PAGE_SIZE - 1);
    for (unsigned g = 0; g < wl_spec.ngroups; g++) {
        if (!wl_spec.groups[g].own_space) continue;
        if (seL4_CNode_Copy(seL4_CapInitThreadCNode, window, 64, seL4_CapInitThreadCNode,
                            process_frame_cap(&engine.processes[g], (void *)page), 64,
                            seL4_AllRights) ||
            vspace_map_frame(alloc_vspace(), window, POKE_WINDOW_VADDR, seL4_ReadWrite))
            return -1;
        *(volatile uint64_t *)(POKE_WINDOW_VADDR + ((seL4_Word)&engine.start_ns - page)) =
            engine.start_ns;
        if (seL4_RISCV_Page_Unmap(window) || seL4_CNode_Delete(seL4_CapInitThreadCNode, window, 64))
            return -1;
    }
    return 0;
}

static void boot_threads_resume(void)
{
    for (unsigned i = 0; i < engine.nthreads; i++)
        if (!engine.threads[i].group->spawned) seL4_TCB_Resume(engine.threads[i].tcb);
}

static int supervise(void)
{
    unsigned expected = 0;
    for (unsigned i = 0; i < engine.nthreads; i++) expected += !engine.threads[i].group->daemon;
    for (unsigned done = 0; done < expected;) {
        seL4_Word badge;
        seL4_MessageInfo_t info = seL4_Recv(engine.done_ep, &badge);
        if (seL4_MessageInfo_get_label(info) == DONE_LABEL) {
            done++;
            continue;
        }
        const char *who = badge && badge <= engine.nthreads ? engine.threads[badge - 1].name : "?";
        printf("%s: FAILED: thread %s took fault %lu (MR0 %lx MR1 %lx)\n", wl_spec.name, who,
               seL4_MessageInfo_get_label(info), seL4_GetMR(0), seL4_GetMR(1));
        return 1;
    }
    if (engine.pager_ep)
        printf("%s: the pager served %u page faults\n", wl_spec.name, pager_faults_served());
    printf("%s: %u threads done at %lu ns\n%s: PASS\n", wl_spec.name, expected,
           schedlab_now_ns() - engine.start_ns, wl_spec.name);
    return 0;
}

int main(const seL4_BootInfo *bi)
{
    engine.harts = bi->numNodes ? (unsigned)bi->numNodes : 1;
    if (params_apply(engine.harts)) return 1;
    params_print();
    root_hart = engine.extensions ? schedlab_hart_id() : 0;
    rng_seed(&root_rng, engine.seed, ROOT_STREAM);
    engine.done_ep = alloc_object(seL4_EndpointObject, 0);
    if (!engine.done_ep) return fail("cannot allocate an endpoint");
    if (wl_spec.pager_frames != WL_NO_VALUE &&
        !(engine.pager_ep = alloc_object(seL4_EndpointObject, 0)))
        return fail("cannot allocate the pager's endpoint");
    if (threads_plan(&root_rng, root_hart) || objects_create() || processes_create() ||
        threads_create())
        return 1;
    if (engine.pager_ep && pager_start(value_of(wl_spec.pager_frames), PAGER_PRIORITY))
        return fail("cannot start the pager");
    /* the processes get a copy of everything above: thread table, caps; the start instant is
     * written into them once it is known */
    if (processes_load()) return 1;
    schedlab_marker(TRACE_MARK_WORKLOAD_BEGIN, 0);
    if (engine.harts == 1) boot_threads_resume();
    engine.start_ns = schedlab_now_ns();
    if (start_ns_publish()) return fail("cannot write the start instant into a process");
    if (engine.harts > 1) boot_threads_resume();
    return supervise();
}
