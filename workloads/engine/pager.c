/*
 * A user-level pager on seL4's fault model: "paged" threads have this thread's endpoint as their
 * fault endpoint (badge = thread id + 1). A touch of an unmapped page of a working set arrives
 * as a VMFault message; the pager maps the next frame of its pool there (evicting the frame's
 * oldest mapping once the pool is used up, FIFO) and replies, which restarts the access.
 */
#include "engine.h"
#include <schedlab/alloc.h>
#include <schedlab/runtime.h>
#include <schedlab/sys.h>
#include <schedlab/vspace.h>

#define PAGE_SIZE      4096ul
#define POOL_FRAME_MAX 256

static seL4_CPtr pool[POOL_FRAME_MAX];
static bool mapped[POOL_FRAME_MAX];
static unsigned pool_size, next_frame; /* next_frame also counts the faults served */

static bool in_working_set(const struct workload_thread *t, seL4_Word addr)
{
    seL4_Word base = (seL4_Word)t->working_set;
    return addr >= base && addr < base + t->working_set_bytes;
}

static void serve(void *unused)
{
    (void)unused;
    for (;;) {
        seL4_Word badge;
        seL4_MessageInfo_t info = seL4_Recv(engine.pager_ep, &badge);
        seL4_Word addr = seL4_GetMR(seL4_VMFault_Addr);
        const struct workload_thread *t =
            badge && badge <= engine.nthreads ? &engine.threads[badge - 1] : 0;
        if (seL4_MessageInfo_get_label(info) != seL4_Fault_VMFault || !t ||
            !in_working_set(t, addr)) {
            printf("pager: FAILED: fault label %lu from badge %lu at %lx (pc %lx)\n",
                   seL4_MessageInfo_get_label(info), badge, addr, seL4_GetMR(seL4_VMFault_IP));
            schedlab_halt(1);
        }
        unsigned f = next_frame++ % pool_size;
        if (mapped[f]) seL4_RISCV_Page_Unmap(pool[f]);
        if (vspace_map_frame(t->process->vspace, pool[f], addr & ~(PAGE_SIZE - 1),
                             seL4_ReadWrite)) {
            printf("pager: FAILED: cannot map a frame at %lx\n", addr);
            schedlab_halt(1);
        }
        mapped[f] = true;
        seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    }
}

int pager_start(uint64_t frames, seL4_Word priority)
{
    static struct thread pager_thread;
    if (frames == 0 || frames > POOL_FRAME_MAX) return -1;
    pool_size = (unsigned)frames;
    for (unsigned i = 0; i < pool_size; i++)
        if (!(pool[i] = alloc_object(seL4_RISCV_4K_Page, 0))) return -1;
    return thread_start(&pager_thread, "pager", priority, serve, 0);
}

unsigned pager_faults_served(void) { return next_frame; }
