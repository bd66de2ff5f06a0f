/*
 * Slice accounting: how much of a thread's timeslice the kernel uses (sched.h, policy_charge).
 * Two CPU-bound threads of equal priority alternate by slice expiry; each spins reading the
 * cycle counter (the kernel's clock under icount) and notes each stretch it ran without a gap,
 * so a stretch is the user time it got from one slice. The slice is SCHED_TIMESLICE_NS of
 * charged time; what the thread did not get of it is what the kernel charged to the slice:
 *   bench slice_user_ns <mean user time per slice>
 *   bench slice_kernel_ns <timeslice - that: the kernel time a slice pays, per switch>
 *   bench slice_switch_gap_ns <mean time between one thread's stretch and the other's: the
 *                               whole switch path, expiry interrupt to the next user instruction>
 * Exact under -icount shift=0 on one hart. Meaningful for a fixed-slice policy (rr, affinity).
 */
#include <sched_config.h>
#include <schedlab/alloc.h>
#include <schedlab/runtime.h>
#include <schedlab/sys.h>
#include <schedlab/thread.h>

#define SLICES 34  /* stretches noted per thread; the first (a partial slice) is not counted */
#define GAP_NS 200 /* a longer jump between two reads: the thread was off the hart */

static seL4_CPtr done;
static uint64_t starts[2][SLICES], ends[2][SLICES];

static inline uint64_t cycles(void)
{
    uint64_t v;
    __asm__ volatile("rdcycle %0" : "=r"(v));
    return v;
}

static void spinner(void *arg)
{
    unsigned me = (unsigned)(uintptr_t)arg, n = 0;
    uint64_t start = cycles(), last = start;
    while (n < SLICES) {
        uint64_t now = cycles();
        if (now - last > GAP_NS) {
            starts[me][n] = start;
            ends[me][n++] = last;
            start = now;
        }
        last = now;
    }
    seL4_Send(done, seL4_MessageInfo_new(0, 0, 0, 0));
    for (;;) seL4_Yield(); /* until the root task has read the results */
}

int main(const seL4_BootInfo *bi)
{
    (void)bi;
    static struct thread t[2];
    done = alloc_object(seL4_EndpointObject, 0);
    if (thread_start(&t[0], "spin-a", 100, spinner, (void *)0) ||
        thread_start(&t[1], "spin-b", 100, spinner, (void *)1))
        return 1;
    seL4_Word badge;
    seL4_Recv(done, &badge);
    /* stretches 1..SLICES-3 of both are whole slices, each followed by one of the other thread's
     * (the last ones may not be noted yet when the first thread is done) */
    uint64_t user = 0, gap = 0, n = 0;
    for (unsigned s = 1; s + 2 < SLICES; s++)
        for (unsigned i = 0; i < 2; i++) {
            user += ends[i][s] - starts[i][s];
            /* the other thread's next stretch starts after this one ends */
            unsigned other = 1 - i, next = starts[other][s] > ends[i][s] ? s : s + 1;
            gap += starts[other][next] - ends[i][s];
            n++;
        }
    printf("bench slice_user_ns %lu\n", user / n);
    printf("bench slice_kernel_ns %lu\n", SCHED_TIMESLICE_NS - user / n);
    printf("bench slice_switch_gap_ns %lu\n", gap / n);
    return 0;
}
