/*
 * Planning the threads of a spec (shared by the root task and the simulator, sim/): how many
 * each group has (drawn from the root task's stream, in group order), their names, working
 * sets, and where each starts (engine.placement) with which harts it may use.
 */
#include "engine.h"
#include <schedlab/runtime.h>
#include <schedlab/sys.h>
#include <stddef.h>

static unsigned group_count[ENGINE_OBJECT_MAX];

int engine_fail(const char *what)
{
    printf("%s: FAILED: %s\n", wl_spec.name, what);
    return 1;
}

static int too_many_threads(void)
{
    printf("%s: FAILED: more than %u threads\n", wl_spec.name, (unsigned)ENGINE_THREAD_MAX);
    return 1;
}

static void name_thread(struct workload_thread *t)
{
    const char *src = t->group->name;
    unsigned n = 0;
    while (*src && n < sizeof t->name - 7) t->name[n++] = *src++; /* room for 6 digits */
    if (group_count[t->group - wl_spec.groups] > 1) {
        char digits[10];
        unsigned i = t->index_in_group, count = 0;
        do digits[count++] = (char)('0' + i % 10);
        while ((i /= 10) && count < sizeof digits);
        while (count) t->name[n++] = digits[--count];
    }
    t->name[n] = 0;
}

/* Every hart: a mask of all ones also names the harts past 63 of a machine that has them (the
 * simulator's; the kernel starts at most 8). */
static uint64_t all_harts(void) { return engine.harts >= 64 ? ~0ull : (1ull << engine.harts) - 1; }

/* Where thread t starts and which harts it may use; `all_index` counts the threads of
 * affinity-"all" groups in creation order (spread placement deals them round the harts). */
static void plan_placement(struct workload_thread *t, unsigned *all_index, unsigned root_hart)
{
    uint64_t all = all_harts();
    switch (t->group->affinity_kind) {
    case WL_AFFINITY_SPREAD: /* pinned: TCB_SetAffinity names its one hart, no mask needed */
        t->mask = 0;
        t->start_hart = t->id % engine.harts;
        return;
    case WL_AFFINITY_MASK:
        t->mask = value_of(t->group->affinity) & all;
        if (t->mask) break;
        __attribute__((fallthrough)); /* a mask of no existing hart means every hart */
    default:
        t->mask = all;
        t->start_hart =
            engine.placement == PLACEMENT_SPREAD ? (*all_index)++ % engine.harts : root_hart;
        return;
    }
    t->start_hart = (t->mask >> root_hart) & 1 ? root_hart : (unsigned)__builtin_ctzll(t->mask);
}

int threads_plan(struct rng *root_rng, unsigned root_hart)
{
    unsigned all_index = 0;
    if (wl_spec.ngroups > ENGINE_OBJECT_MAX) return engine_fail("more than 32 thread groups");
    for (unsigned g = 0; g < wl_spec.ngroups; g++) {
        const struct wl_group *group = &wl_spec.groups[g];
        uint64_t count = draw(root_rng, group->count);
        uint64_t ws = value_of(group->working_set_kb) * 1024;
        if (ws > WORKING_SET_STRIDE) return engine_fail("a working set is larger than 16 MiB");
        if (count > ENGINE_THREAD_MAX) return too_many_threads();
        group_count[g] = (unsigned)count;
        for (unsigned i = 0; i < count; i++) {
            if (engine.nthreads == ENGINE_THREAD_MAX) return too_many_threads();
            struct workload_thread *t = &engine.threads[engine.nthreads];
            *t = (struct workload_thread){.group = group,
                                          .index_in_group = i,
                                          .id = engine.nthreads,
                                          .working_set_bytes = ws};
            t->working_set = (uint8_t *)(WORKING_SET_BASE + WORKING_SET_STRIDE * t->id);
            if (group->own_space) t->process = &engine.processes[g];
            name_thread(t);
            plan_placement(t, &all_index, root_hart);
            engine.nthreads++;
        }
    }
    return 0;
}

/* Put t on its start hart with its mask: seL4's TCB_SetAffinity moves it there (it names one
 * hart), then the mask extension widens what it may use. Both always, whatever the thread was
 * given at creation: a policy may start a new thread with any mask (affinity.c gives every hart),
 * so nothing here may assume the creator's hart. Without the extension a thread keeps the one
 * hart TCB_SetAffinity names. Returns the refusal's kind, or NULL. */
const char *engine_place(const struct workload_thread *t)
{
    if (engine.harts == 1) return NULL;
    if (seL4_TCB_SetAffinity(t->tcb, t->start_hart)) return "hart";
    if (engine.extensions && t->mask && schedlab_set_affinity_mask(t->tcb, t->mask))
        return "affinity mask";
    return NULL;
}
