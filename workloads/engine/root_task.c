/*
 * The workload engine's root task: it builds the threads, processes and objects a compiled spec
 * describes (table.h), starts them together, and waits for every thread that is not a daemon.
 * Every workload thread's faults come here too (or to the pager for paged threads), so a broken
 * workload fails the run with a message instead of hanging it.
 */
#include "engine.h"
#include <schedlab/alloc.h>
#include <schedlab/runtime.h>
#include <schedlab/sys.h>
#include <schedlab/vspace.h>

#define PAGE_SIZE      4096ul
#define PAGER_PRIORITY 254 /* above every workload thread: a fault is served at once */

struct engine engine;

static int fail(const char *what)
{
    printf("%s: FAILED: %s\n", wl_spec.name, what);
    return 1;
}

static void name_thread(struct workload_thread *t)
{
    const char *src = t->group->name;
    unsigned n = 0;
    while (*src && n < sizeof t->name - 4) t->name[n++] = *src++;
    if (value_of(t->group->count) > 1) {
        unsigned i = t->index_in_group;
        if (i >= 10) t->name[n++] = (char)('0' + i / 10 % 10);
        t->name[n++] = (char)('0' + i % 10);
    }
    t->name[n] = 0;
}

static int threads_plan(void)
{
    for (unsigned g = 0; g < wl_spec.ngroups; g++) {
        const struct wl_group *group = &wl_spec.groups[g];
        uint64_t count = value_of(group->count), ws = value_of(group->working_set_kb) * 1024;
        if (ws > WORKING_SET_STRIDE) return fail("a working set is larger than 16 MiB");
        for (unsigned i = 0; i < count; i++) {
            if (engine.nthreads == ENGINE_THREAD_MAX) return fail("more than 63 threads");
            struct workload_thread *t = &engine.threads[engine.nthreads];
            *t = (struct workload_thread){.group = group,
                                          .index_in_group = i,
                                          .id = engine.nthreads,
                                          .working_set_bytes = ws};
            t->working_set = (uint8_t *)(WORKING_SET_BASE + WORKING_SET_STRIDE * t->id);
            if (group->own_space) t->process = &engine.processes[g];
            name_thread(t);
            engine.nthreads++;
        }
    }
    return 0;
}

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

static void set_affinity(const struct workload_thread *t)
{
    uint64_t all = engine.harts >= 64 ? ~0ull : (1ull << engine.harts) - 1, mask = all;
    if (t->group->affinity_kind == WL_AFFINITY_SPREAD) mask = 1ull << (t->id % engine.harts);
    if (t->group->affinity_kind == WL_AFFINITY_MASK) mask = value_of(t->group->affinity) & all;
    if (!mask) mask = all;
    /* a mask of every hart is the default: no call needed */
    if (engine.extensions && mask != all && schedlab_set_affinity_mask(t->tcb, mask))
        printf("%s: affinity mask %lx of %s refused\n", wl_spec.name, mask, t->name);
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
        set_affinity(t);
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
    /* engine.extensions=0 runs the suite on a kernel without the SMP extension calls */
    engine.extensions = schedlab_param("engine.extensions", 1);
    params_apply(engine.harts);
    params_print();
    engine.done_ep = alloc_object(seL4_EndpointObject, 0);
    if (!engine.done_ep) return fail("cannot allocate an endpoint");
    if (wl_spec.pager_frames != WL_NO_VALUE &&
        !(engine.pager_ep = alloc_object(seL4_EndpointObject, 0)))
        return fail("cannot allocate the pager's endpoint");
    if (threads_plan() || objects_create() || processes_create() || threads_create()) return 1;
    if (engine.pager_ep && pager_start(value_of(wl_spec.pager_frames), PAGER_PRIORITY))
        return fail("cannot start the pager");
    engine.start_ns = schedlab_now_ns();
    /* the processes get a copy of everything above: thread table, caps, start time */
    if (processes_load()) return 1;
    schedlab_marker(TRACE_MARK_WORKLOAD_BEGIN, 0);
    for (unsigned i = 0; i < engine.nthreads; i++)
        if (!engine.threads[i].group->spawned) seL4_TCB_Resume(engine.threads[i].tcb);
    return supervise();
}
