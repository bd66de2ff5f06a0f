/* A root task that blocks for ever with no timer armed: every thread is blocked and nothing can
 * wake one. With the boot argument deadlock=halt the kernel stops the machine (status 98); without
 * it the kernel idles, as seL4 does (test_deadlock.py). */
#include <schedlab/alloc.h>
#include <schedlab/runtime.h>
#include <sel4/sel4.h>

int main(const seL4_BootInfo *bi)
{
    (void)bi;
    seL4_CPtr ep = alloc_object(seL4_EndpointObject, 0);
    printf("blocked: waiting on an endpoint nobody can send to\n");
    seL4_Word badge;
    seL4_Recv(ep, &badge);
    printf("blocked: woken, which cannot happen\n");
    return 1;
}
