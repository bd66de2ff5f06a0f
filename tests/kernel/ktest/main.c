/*
 * Kernel API test suite: one line per case, then "N passed, M failed". The exit status is the
 * number of failures (0 = all passed).
 */
#include "ktest.h"

const seL4_BootInfo *ktest_bootinfo;

seL4_CPtr ktest_untyped(unsigned min_bits)
{
    const seL4_BootInfo *bi = ktest_bootinfo;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++)
        if (!bi->untypedList[i].isDevice && bi->untypedList[i].sizeBits >= min_bits)
            return bi->untyped.start + i;
    return 0;
}

int ktest_spawn(const char *name, seL4_Word prio, thread_fn fn, void *arg, seL4_CPtr *tcb)
{
    static struct thread threads[THREAD_MAX];
    static unsigned n;
    if (n == THREAD_MAX) return -1;
    struct thread *t = &threads[n++];
    if (thread_start(t, name, prio, fn, arg)) return -1;
    if (tcb) *tcb = t->tcb;
    return 0;
}

/* one group per line */
// clang-format off
static const struct ktest_case *const groups[] = {
    ktest_boot,
    ktest_retype,
    ktest_tcb,
    ktest_ipc,
    ktest_notif,
    ktest_fault,
    ktest_cnode,
    ktest_vspace,
    ktest_irq,
    ktest_more,
};
// clang-format on

int main(const seL4_BootInfo *bi)
{
    ktest_bootinfo = bi;
    int passed = 0, failed = 0;
    for (unsigned g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        for (const struct ktest_case *c = groups[g]; c->run; c++) {
            int line = c->run();
            printf("%s %-7s %s\n", line ? "FAIL" : "ok  ", c->group, c->name);
            if (line)
                failed++;
            else
                passed++;
        }
    }
    if (failed || schedlab_param("ktest.dump", 0)) seL4_DebugDumpScheduler();
    printf("%d passed, %d failed\n", passed, failed);
    return failed;
}
