/*
 * mixed: two CPU hogs and an interactive thread at the same priority.
 *
 * The interactive thread releases a request every period: it marks REQUEST_BEGIN, does a short
 * burst of work, marks REQUEST_END and sleeps until the next release. Its wakeup latency and
 * request response time show how a policy treats a thread that mostly sleeps while others hog
 * the CPU. Each thread reports completion to the root task over an endpoint.
 */
#include <schedlab/alloc.h>
#include <schedlab/runtime.h>
#include <schedlab/sys.h>
#include <schedlab/thread.h>

struct params {
    uint64_t hog_iters, requests, period_ns, burst_iters, prio;
};

static struct params p;
static seL4_CPtr done_ep;

static void report_done(uint64_t who)
{
    seL4_SetMR(0, who);
    seL4_SetMR(1, schedlab_now_ns());
    seL4_Send(done_ep, seL4_MessageInfo_new(0, 0, 0, 2));
}

static void hog(void *arg)
{
    schedlab_burn(p.hog_iters);
    report_done((uint64_t)arg);
}

static void interactive(void *arg)
{
    uint64_t release = schedlab_now_ns();
    for (uint64_t i = 0; i < p.requests; i++) {
        release += p.period_ns;
        schedlab_sleep_until(release);
        schedlab_marker(TRACE_MARK_REQUEST_BEGIN, i);
        schedlab_burn(p.burst_iters);
        schedlab_marker(TRACE_MARK_REQUEST_END, i);
    }
    report_done((uint64_t)arg);
}

int main(const seL4_BootInfo *bi)
{
    (void)bi;
    p.hog_iters = schedlab_param("mixed.hog_iters", 7500000);
    p.requests = schedlab_param("mixed.requests", 40);
    p.period_ns = schedlab_param("mixed.period_us", 1500) * 1000;
    p.burst_iters = schedlab_param("mixed.burst_iters", 5000);
    p.prio = schedlab_param("mixed.prio", 100);
    printf(
        "mixed: 2 hogs x %lu iterations, %lu requests every %lu us of %lu iterations, prio %lu\n",
        p.hog_iters, p.requests, p.period_ns / 1000, p.burst_iters, p.prio);

    done_ep = alloc_object(seL4_EndpointObject, 0);
    if (!done_ep) {
        printf("mixed: cannot allocate an endpoint\n");
        return 1;
    }
    schedlab_marker(TRACE_MARK_WORKLOAD_BEGIN, 0);
    static struct thread threads[3];
    if (thread_start(&threads[0], "hog0", p.prio, hog, (void *)0) ||
        thread_start(&threads[1], "hog1", p.prio, hog, (void *)1) ||
        thread_start(&threads[2], "interactive", p.prio, interactive, (void *)2)) {
        printf("mixed: cannot start the threads\n");
        return 1;
    }
    uint64_t finished = 0;
    for (int n = 0; n < 3; n++) {
        seL4_Word badge;
        seL4_Recv(done_ep, &badge);
        uint64_t who = seL4_GetMR(0);
        printf("mixed: thread %lu done at %lu ns\n", who, seL4_GetMR(1));
        finished |= 1ull << who;
    }
    if (finished != 7) {
        printf("mixed: FAILED: finished mask %lx\n", finished);
        return 1;
    }
    printf("mixed: PASS\n");
    return 0;
}
