/*
 * What every workload thread runs: its group's ops, in order, with loops. CPU work is the
 * runtime's burn loop, so under icount a run of N us is exactly N us of emulated time plus the
 * fixed cost of touching the working set; nothing is calibrated. Every duration and count is
 * drawn from the thread's own random stream when its op runs (draw.c), so the order of draws
 * is the order of the ops.
 *
 * The markers (workloads/README.md, Markers): THREAD_ARRIVAL first, with the instant the
 * thread's group became due; THREAD_DONE after the last phase; before every request
 * (REQUEST_BEGIN) a REQUEST_DUE with the instant the request became due, `due` below.
 */
#include "engine.h"
#include <schedlab/sys.h>

#define NS_PER_US        1000
#define CACHE_LINE_BYTES 64
#define LOOP_DEPTH_MAX   8 /* tools/schedlab/workload_spec.py MAX_LOOP_DEPTH */
#define CALL_WORDS       2 /* a call's message: the request number, the instant of the call */

/* A thread's state across its ops. */
struct thread_state {
    const struct workload_thread *self;
    struct rng rng;
    uint64_t requests;
    /* when the next request is due: the end of the last wait whose end the thread knows, the
     * end of the previous request, or 0: the WAKEUP that last made the thread runnable */
    uint64_t due;
};

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

static void request_begin(struct thread_state *st, uint64_t due)
{
    schedlab_marker(TRACE_MARK_REQUEST_DUE, due);
    schedlab_marker(TRACE_MARK_REQUEST_BEGIN, st->requests);
}

static void request_end(struct thread_state *st)
{
    schedlab_marker(TRACE_MARK_REQUEST_END, st->requests++);
    /* the next request, if nothing waits before it, is due now */
    st->due = schedlab_now_ns();
}

static void run(struct thread_state *st, uint64_t ns, bool request)
{
    if (request) request_begin(st, st->due);
    touch(st->self);
    schedlab_burn(ns / SCHEDLAB_BURN_INSTRUCTIONS_PER_ITERATION);
    if (request) request_end(st);
}

/* End the open job, wait for the next release, and mark the new job with its deadline. The
 * period is drawn per job: it is the gap from this release to the next. */
static void timer(struct thread_state *st, struct job_clock *clock, const struct wl_op *op)
{
    if (clock->open) schedlab_marker(TRACE_MARK_JOB_END, clock->job++);
    clock->period_ns = draw(&st->rng, op->a) * NS_PER_US;
    uint64_t deadline = op->b == WL_NO_VALUE ? clock->period_ns : draw(&st->rng, op->b) * NS_PER_US;
    if (!clock->started) clock->next_release_ns = schedlab_now_ns();
    clock->started = true;
    schedlab_sleep_until(clock->next_release_ns);
    schedlab_marker(TRACE_MARK_JOB_RELEASE, clock->job);
    schedlab_marker(TRACE_MARK_JOB_DEADLINE, clock->next_release_ns + deadline);
    st->due = clock->next_release_ns;
    clock->open = true;
    clock->next_release_ns += clock->period_ns;
}

static void sleep(struct thread_state *st, uint64_t ns)
{
    uint64_t deadline = schedlab_now_ns() + ns;
    schedlab_sleep_until(deadline);
    st->due = deadline;
}

/* The message says when the call was made (MR1): a request the receiver serves is due then. */
static void call(struct thread_state *st, seL4_CPtr server)
{
    uint64_t now = schedlab_now_ns();
    request_begin(st, now);
    seL4_SetMR(0, st->requests);
    seL4_SetMR(1, now);
    seL4_Call(server, seL4_MessageInfo_new(0, 0, 0, CALL_WORDS));
    request_end(st);
}

static void recv(struct thread_state *st, seL4_CPtr server)
{
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(server, &badge);
    st->due = seL4_MessageInfo_get_length(info) >= CALL_WORDS ? seL4_GetMR(1) : 0;
}

/* A wait or lock that did not block ends now; one that blocked ends at the wakeup (0). */
static void take(struct thread_state *st, seL4_CPtr notification)
{
    st->due = notification_take(notification) ? 0 : schedlab_now_ns();
}

static void spawn(unsigned group)
{
    /* the spawned threads read it before anything else, after their Resume below */
    engine.spawned_ns[group] = schedlab_now_ns();
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

/* The instant the thread's group became due, marked as its first action, and reached. */
static uint64_t arrive(struct thread_state *st)
{
    const struct wl_group *g = st->self->group;
    uint64_t base = g->spawned ? engine.spawned_ns[g - wl_spec.groups] : engine.start_ns;
    uint64_t arrival_ns = base + draw(&st->rng, g->arrival_us) * NS_PER_US;
    schedlab_marker(TRACE_MARK_THREAD_ARRIVAL, arrival_ns);
    if (arrival_ns > base) schedlab_sleep_until(arrival_ns);
    return arrival_ns;
}

void interpret(void *arg)
{
    const struct workload_thread *self = arg;
    const struct wl_group *g = self->group;
    struct thread_state st = {.self = self};
    struct job_clock clock = {0};
    struct loop_frame loops[LOOP_DEPTH_MAX];
    unsigned depth = 0;

    rng_seed(&st.rng, engine.seed, self->id);
    st.due = arrive(&st);
    if (self->working_set_bytes && engine.extensions)
        schedlab_set_working_set(self->working_set_bytes);

    for (unsigned pc = g->first_op; pc < g->first_op + g->op_count; pc++) {
        const struct wl_op *op = &wl_spec.ops[pc];
        seL4_CPtr object = 0;
        if (op->code >= WL_CALL && op->code <= WL_UNLOCK) {
            unsigned kind = op->code <= WL_REPLY  ? WL_SERVERS
                            : op->code <= WL_WAIT ? WL_NOTIFICATIONS
                                                  : WL_LOCKS;
            bool signals = op->code == WL_SIGNAL || op->code == WL_UNLOCK;
            object = (signals ? engine.signallers : engine.objects)[kind][op->object];
        }
        switch (op->code) {
        case WL_RUN: run(&st, draw(&st.rng, op->a) * NS_PER_US, op->flags); break;
        case WL_RUN_PERCENT:
            run(&st, clock.period_ns * draw(&st.rng, op->a) / 100, op->flags);
            break;
        case WL_SLEEP: sleep(&st, draw(&st.rng, op->a) * NS_PER_US); break;
        case WL_TIMER: timer(&st, &clock, op); break;
        case WL_CALL: call(&st, object); break;
        case WL_RECV: recv(&st, object); break;
        case WL_REPLY: seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0)); break;
        case WL_SIGNAL: seL4_Signal(object); break;
        case WL_WAIT:
        case WL_LOCK: take(&st, object); break;
        case WL_UNLOCK: lock_release(object); break;
        case WL_BARRIER: {
            uint64_t spin_ns = op->a == WL_NO_VALUE ? 0 : draw(&st.rng, op->a) * NS_PER_US;
            st.due = barrier_wait(&engine.barriers[op->object], self, spin_ns);
            break;
        }
        case WL_YIELD: seL4_Yield(); break;
        case WL_SPAWN: spawn(op->object); break;
        case WL_LOOP:
        case WL_LOOP_FOREVER: {
            uint64_t count = op->code == WL_LOOP ? draw(&st.rng, op->a) : 1;
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
    schedlab_marker(TRACE_MARK_THREAD_DONE, self->id);
    report_done(self);
}
