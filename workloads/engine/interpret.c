/*
 * What every workload thread runs: its group's ops, in order, with loops. CPU work is the
 * runtime's burn loop, so under icount a run of N us is exactly N us of emulated time plus the
 * fixed cost of touching the working set; nothing is calibrated.
 */
#include "engine.h"
#include <schedlab/sys.h>

#define NS_PER_US        1000
#define CACHE_LINE_BYTES 64
#define LOOP_DEPTH_MAX   8 /* tools/schedlab/workload_spec.py MAX_LOOP_DEPTH */

/* The periodic release state of a thread that has timer phases. */
struct job_clock {
    uint64_t next_release_ns, period_ns, job;
    bool started, open;
};

struct loop_frame {
    unsigned op;   /* index of the WL_LOOP */
    uint64_t left; /* iterations still to run, this one included */
    bool forever;
};

static void touch(const struct workload_thread *self)
{
    volatile uint8_t *p = self->working_set;
    for (uint64_t offset = 0; offset < self->working_set_bytes; offset += CACHE_LINE_BYTES)
        p[offset]++;
}

static void run(const struct workload_thread *self, uint64_t ns, bool request, uint64_t *requests)
{
    if (request) schedlab_marker(TRACE_MARK_REQUEST_BEGIN, *requests);
    touch(self);
    schedlab_burn(ns / SCHEDLAB_BURN_INSTRUCTIONS_PER_ITERATION);
    if (request) schedlab_marker(TRACE_MARK_REQUEST_END, (*requests)++);
}

/* End the open job, wait for the next release, and mark the new job with its deadline. */
static void timer(struct job_clock *clock, const struct wl_op *op)
{
    if (clock->open) schedlab_marker(TRACE_MARK_JOB_END, clock->job++);
    clock->period_ns = value_of(op->a) * NS_PER_US;
    uint64_t deadline = op->b == WL_NO_VALUE ? clock->period_ns : value_of(op->b) * NS_PER_US;
    if (!clock->started) clock->next_release_ns = schedlab_now_ns();
    clock->started = true;
    schedlab_sleep_until(clock->next_release_ns);
    schedlab_marker(TRACE_MARK_JOB_RELEASE, clock->job);
    schedlab_marker(TRACE_MARK_JOB_DEADLINE, clock->next_release_ns + deadline);
    clock->open = true;
    clock->next_release_ns += clock->period_ns;
}

static void call(seL4_CPtr server, uint64_t *requests)
{
    schedlab_marker(TRACE_MARK_REQUEST_BEGIN, *requests);
    seL4_SetMR(0, *requests);
    seL4_Call(server, seL4_MessageInfo_new(0, 0, 0, 1));
    schedlab_marker(TRACE_MARK_REQUEST_END, (*requests)++);
}

static void spawn(unsigned group)
{
    for (unsigned t = 0; t < engine.nthreads; t++)
        if (engine.threads[t].group == &wl_spec.groups[group])
            seL4_TCB_Resume(engine.threads[t].tcb);
}

/* The index of the WL_END_LOOP that closes the WL_LOOP at `loop`. */
static unsigned loop_end(unsigned loop)
{
    unsigned i = loop + 1;
    while (!(wl_spec.ops[i].code == WL_END_LOOP && wl_spec.ops[i].a == loop)) i++;
    return i;
}

static void report_done(const struct workload_thread *self)
{
    seL4_SetMR(0, self->id);
    seL4_Send(engine.done_ep, seL4_MessageInfo_new(DONE_LABEL, 0, 0, 1));
}

void interpret(void *arg)
{
    const struct workload_thread *self = arg;
    const struct wl_group *g = self->group;
    struct job_clock clock = {0};
    struct loop_frame loops[LOOP_DEPTH_MAX];
    unsigned depth = 0;
    uint64_t requests = 0;
    seL4_Word badge;

    if (self->working_set_bytes && engine.extensions)
        schedlab_set_working_set(self->working_set_bytes);
    uint64_t arrival_ns = value_of(g->arrival_us) * NS_PER_US;
    if (arrival_ns) schedlab_sleep_until(engine.start_ns + arrival_ns);

    for (unsigned pc = g->first_op; pc < g->first_op + g->op_count; pc++) {
        const struct wl_op *op = &wl_spec.ops[pc];
        seL4_CPtr object = 0;
        if (op->code >= WL_CALL && op->code <= WL_UNLOCK) {
            unsigned kind = op->code <= WL_REPLY  ? WL_SERVERS
                            : op->code <= WL_WAIT ? WL_NOTIFICATIONS
                                                  : WL_LOCKS;
            object = engine.objects[kind][op->object];
        }
        switch (op->code) {
        case WL_RUN: run(self, value_of(op->a) * NS_PER_US, op->flags, &requests); break;
        case WL_RUN_PERCENT:
            run(self, clock.period_ns * value_of(op->a) / 100, op->flags, &requests);
            break;
        case WL_SLEEP: schedlab_sleep_ns(value_of(op->a) * NS_PER_US); break;
        case WL_TIMER: timer(&clock, op); break;
        case WL_CALL: call(object, &requests); break;
        case WL_RECV: seL4_Recv(object, &badge); break;
        case WL_REPLY: seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0)); break;
        case WL_SIGNAL: seL4_Signal(object); break;
        case WL_WAIT: seL4_Wait(object, &badge); break;
        case WL_LOCK: lock_acquire(object); break;
        case WL_UNLOCK: lock_release(object); break;
        case WL_BARRIER: barrier_wait(&engine.barriers[op->object], self); break;
        case WL_YIELD: seL4_Yield(); break;
        case WL_SPAWN: spawn(op->object); break;
        case WL_LOOP:
        case WL_LOOP_FOREVER: {
            uint64_t count = op->code == WL_LOOP ? value_of(op->a) : 1;
            if (!count) {
                pc = loop_end(pc);
                break;
            }
            loops[depth++] = (struct loop_frame){pc, count, op->code == WL_LOOP_FOREVER};
            break;
        }
        case WL_END_LOOP: {
            struct loop_frame *top = &loops[depth - 1];
            if (top->forever || --top->left)
                pc = top->op;
            else
                depth--;
            break;
        }
        }
    }
    if (clock.open) schedlab_marker(TRACE_MARK_JOB_END, clock.job);
    report_done(self);
}
