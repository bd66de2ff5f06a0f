#include "engine.h"
#include <schedlab/alloc.h>
#include <schedlab/runtime.h>

/* Which thread groups use barrier `b` (every thread of such a group takes part). */
static bool group_uses_barrier(const struct wl_group *g, unsigned b)
{
    for (unsigned i = g->first_op; i < g->first_op + g->op_count; i++)
        if (wl_spec.ops[i].code == WL_BARRIER && wl_spec.ops[i].object == b) return true;
    return false;
}

static int barriers_init(void)
{
    for (unsigned b = 0; b < wl_spec.nobjects[WL_BARRIERS]; b++) {
        struct barrier *barrier = &engine.barriers[b];
        for (unsigned t = 0; t < engine.nthreads; t++)
            if (group_uses_barrier(engine.threads[t].group, b))
                barrier->participants[barrier->parties++] = t;
    }
    return 0;
}

int objects_create(void)
{
    static const seL4_Word types[WL_OBJECT_KINDS] = {
        [WL_SERVERS] = seL4_EndpointObject,
        [WL_NOTIFICATIONS] = seL4_NotificationObject,
        [WL_LOCKS] = seL4_NotificationObject,
        [WL_BARRIERS] = 0, /* memory only */
    };
    for (unsigned kind = 0; kind < WL_OBJECT_KINDS; kind++) {
        if (wl_spec.nobjects[kind] > ENGINE_OBJECT_MAX) return -1;
        if (kind == WL_BARRIERS) continue;
        for (unsigned i = 0; i < wl_spec.nobjects[kind]; i++) {
            seL4_CPtr cap = alloc_object(types[kind], 0);
            if (!cap) return -1;
            engine.objects[kind][i] = cap;
            if (kind == WL_NOTIFICATIONS || kind == WL_LOCKS) {
                seL4_CPtr badged = alloc_slot();
                if (!badged || seL4_CNode_Mint(seL4_CapInitThreadCNode, badged, 64,
                                               seL4_CapInitThreadCNode, cap, 64, seL4_AllRights, 1))
                    return -1;
                engine.signallers[kind][i] = badged;
            }
            if (kind == WL_LOCKS) seL4_Signal(engine.signallers[kind][i]); /* a lock starts free */
        }
    }
    return barriers_init();
}
