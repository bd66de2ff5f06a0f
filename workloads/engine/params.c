#include "engine.h"
#include <fdt.h>
#include <schedlab/runtime.h>

static const char *const placement_names[] = {
    [PLACEMENT_SPREAD] = "spread", [PLACEMENT_CREATOR] = "creator"};

static bool same(const char *a, const char *b)
{
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

/* engine.placement=spread|creator; -1 (after saying why) for anything else. */
static int placement_read(void)
{
    char value[16];
    engine.placement = PLACEMENT_SPREAD;
    if (!bootarg_get(schedlab_bootargs(), "engine.placement", value, sizeof value)) return 0;
    for (unsigned i = 0; i < sizeof placement_names / sizeof *placement_names; i++)
        if (same(value, placement_names[i])) {
            engine.placement = (enum placement)i;
            return 0;
        }
    printf("%s: FAILED: engine.placement=%s: expected spread or creator\n", wl_spec.name, value);
    return -1;
}

/* Every number of the spec can be replaced by a boot argument of the same key; -1 if what the
 * boot arguments ask for cannot run (the console says why). */
int params_apply(unsigned harts)
{
    for (unsigned i = 0; i < wl_spec.nvalues; i++) {
        struct wl_value *v = &wl_spec.values[i];
        uint64_t fallback = v->from_harts ? harts : v->value;
        v->value = schedlab_param(v->key, fallback);
    }
    engine.seed = schedlab_param("seed", 0);
    /* engine.extensions=0 runs the suite on a kernel without the SMP extension calls */
    engine.extensions = schedlab_param("engine.extensions", 1);
    for (unsigned g = 0; g < wl_spec.ngroups; g++) {
        uint16_t p = wl_spec.groups[g].priority;
        if (value_of(p) >= ROOT_PRIORITY) {
            printf("%s: FAILED: %s=%lu: a workload priority must be below the root task's (%u)\n",
                   wl_spec.name, wl_spec.values[p].key, value_of(p), ROOT_PRIORITY);
            return -1;
        }
    }
    if (placement_read() || quantities_check()) return -1;
    return 0;
}

void params_print(void)
{
    printf("%s: %s\n%s: parameters:", wl_spec.name, wl_spec.description, wl_spec.name);
    for (unsigned i = 0; i < wl_spec.nvalues; i++)
        printf(" %s=%lu", wl_spec.values[i].key, wl_spec.values[i].value);
    printf("\n%s: seed=%lu engine.placement=%s engine.extensions=%u\n", wl_spec.name, engine.seed,
           placement_names[engine.placement], engine.extensions);
}
