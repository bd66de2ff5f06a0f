#include "engine.h"
#include <schedlab/runtime.h>

/* Every number of the spec can be replaced by a boot argument of the same key. */
void params_apply(unsigned harts)
{
    for (unsigned i = 0; i < wl_spec.nvalues; i++) {
        struct wl_value *v = &wl_spec.values[i];
        uint64_t fallback = v->from_harts ? harts : v->value;
        v->value = schedlab_param(v->key, fallback);
    }
}

void params_print(void)
{
    printf("%s: %s\n%s: parameters:", wl_spec.name, wl_spec.description, wl_spec.name);
    for (unsigned i = 0; i < wl_spec.nvalues; i++)
        printf(" %s=%lu", wl_spec.values[i].key, wl_spec.values[i].value);
    printf("\n");
}
