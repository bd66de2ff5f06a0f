/*
 * sim-<workload>: one workload (its compiled spec is linked in) under the configured policy on
 * a simulated machine of N harts. Usage:
 *   sim-<workload> --harts N --costs FILE --trace FILE [--args "k=v ..."] [--limit-ms MS]
 * --annotate FILE writes what preceded each trace record in its kernel entry (for calibrate).
 * --args are the boot arguments the root task would get (seed=, engine.placement=, workload
 * parameters). The console (what the root task prints) goes to stdout; exit status 0 = PASS.
 */
#include "engine.h"
#include "sim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(const char *why)
{
    fprintf(stderr,
            "sim: %s\nusage: sim --harts N --costs FILE --trace FILE [--args \"k=v ...\"] "
            "[--limit-ms MS]\n",
            why);
    return 2;
}

int main(int argc, char **argv)
{
    unsigned long harts = 1, limit_ms = 10000;
    const char *costs_path = NULL, *trace_path = NULL, *args = "", *annotate = NULL;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (!strcmp(argv[i], "--harts") && value) {
            harts = strtoul(value, &end, 10);
            if (*end || harts < 1 || harts > SIM_MAX_HARTS) {
                fprintf(stderr, "sim: --harts %s: valid values are 1..%u\n", value, SIM_MAX_HARTS);
                return 2;
            }
        } else if (!strcmp(argv[i], "--limit-ms") && value) {
            limit_ms = strtoul(value, &end, 10);
            if (*end) return usage("--limit-ms takes a whole number of ms (0: none)");
        } else if (!strcmp(argv[i], "--costs") && value) {
            costs_path = value;
        } else if (!strcmp(argv[i], "--trace") && value) {
            trace_path = value;
        } else if (!strcmp(argv[i], "--annotate") && value) {
            annotate = value;
        } else if (!strcmp(argv[i], "--args") && value) {
            args = value;
        } else {
            return usage("unknown argument or missing value");
        }
        i++;
    }
    if (!costs_path || !trace_path) return usage("--costs and --trace are required");
    if (costs_load(costs_path)) return 2;
    trace_out_init((unsigned)harts, annotate);
    machine_init((unsigned)harts);
    printf("context switch (decision, registers, address space) measured at boot: %lu ns\n",
           (unsigned long)costs.switch_cost_ns);
    if (setup_workload((unsigned)harts, args)) return 1;
    struct sim_thread *root = thread_new("root", seL4_MaxPrio, 0, root_task, NULL, TRACE_TID_NONE);
    thread_wake(root, NULL, TRACE_WAKE_RESUME);
    machine_start();
    int status = machine_run(limit_ms * 1000000ull);
    if (trace_out_write(trace_path, (unsigned)harts)) return 1;
    printf("schedlab: halt, status %d, trace records dropped: 0\n", status ? 1 : 0);
    return status ? 1 : 0;
}
