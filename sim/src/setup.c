/*
 * The root task's work (workloads/engine/root_task.c), as the simulator's thread 1 at the root
 * task's priority: the same parameters (params.c), the same thread plan (plan.c), the same
 * objects (objects.c), then thread creation, placement, the resumes, the start instant and the
 * supervision of the workload threads, in the root task's order and with its system calls.
 * What the simulator does not model it refuses: the pager (VM faults and their handler).
 */
#include "engine.h"
#include "sim.h"
#include <fdt.h>
#include <schedlab/alloc.h>
#include <schedlab/runtime.h>
#include <schedlab/sys.h>
#include <stdlib.h>

struct engine engine;
static struct rng root_rng;
static unsigned root_hart;
static char bootargs[8192];

const char *schedlab_bootargs(void) { return bootargs; }

uint64_t schedlab_param(const char *key, uint64_t fallback)
{
    char value[32];
    if (!bootarg_get(bootargs, key, value, sizeof value)) return fallback;
    char *end;
    unsigned long long n = strtoull(value, &end, 0);
    return *value && !*end ? n : fallback;
}

int setup_workload(unsigned harts, const char *args)
{
    snprintf(bootargs, sizeof bootargs, "%s", args);
    engine.harts = harts;
    if (params_apply(harts)) return -1;
    params_print();
    if (wl_spec.pager_frames != WL_NO_VALUE) {
        printf("%s: FAILED: the simulator does not model the pager (demand paging: VM faults and "
               "their handler); run it with --engine qemu\n",
               wl_spec.name);
        return -1;
    }
    /* A group in its own address space runs here in the one address space the simulator has:
     * its switches cost what the cost table's switch paths cost (measured over workloads that
     * include such switches, ipc-server), not an address-space switch of their own. */
    return 0;
}

static int threads_create(void)
{
    for (unsigned i = 0; i < engine.nthreads; i++) {
        struct workload_thread *t = &engine.threads[i];
        t->wake = alloc_object(seL4_NotificationObject, 0);
        if (t->working_set_bytes && !(t->working_set = calloc(1, t->working_set_bytes)))
            return engine_fail("out of host memory for a working set");
        struct sim_thread *st =
            thread_new(t->name, (uint8_t)value_of(t->group->priority), root_hart, interpret, t, 1);
        st->touch_ns = (t->working_set_bytes + 63) / 64 * costs.touch_ns_per_line;
        t->tcb = cap_new(SIM_CAP_TCB, st);
        t->thread.tcb = t->tcb;
        engine_place(t);
    }
    return 0;
}

static void boot_threads_resume(void)
{
    for (unsigned i = 0; i < engine.nthreads; i++)
        if (!engine.threads[i].group->spawned) seL4_TCB_Resume(engine.threads[i].tcb);
}

static void finish(int status)
{
    machine_finished = true;
    machine_status = status;
    schedlab_marker(TRACE_MARK_WORKLOAD_END, (uint64_t)status);
    sim_panic("the root task ran after the workload ended");
}

void root_task(void *arg)
{
    (void)arg;
    root_hart = engine.extensions ? schedlab_hart_id() : 0;
    rng_seed(&root_rng, engine.seed, ROOT_STREAM);
    engine.done_ep = alloc_object(seL4_EndpointObject, 0);
    if (threads_plan(&root_rng, root_hart) || objects_create() || threads_create()) finish(1);
    schedlab_marker(TRACE_MARK_WORKLOAD_BEGIN, 0);
    if (engine.harts == 1) boot_threads_resume();
    engine.start_ns = schedlab_now_ns();
    if (engine.harts > 1) boot_threads_resume();
    unsigned expected = 0;
    for (unsigned i = 0; i < engine.nthreads; i++) expected += !engine.threads[i].group->daemon;
    for (unsigned done = 0; done < expected;) {
        seL4_Word badge;
        seL4_MessageInfo_t info = seL4_Recv(engine.done_ep, &badge);
        if (seL4_MessageInfo_get_label(info) == DONE_LABEL) done++;
    }
    printf("%s: %u threads done at %lu ns\n%s: PASS\n", wl_spec.name, expected,
           schedlab_now_ns() - engine.start_ns, wl_spec.name);
    finish(0);
}
