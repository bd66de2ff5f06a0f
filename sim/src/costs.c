/*
 * The cost table: kernel operation costs in ns, a JSON file (sim/costs/<config>.json, written by
 * `./schedlab calibrate` from QEMU runs; sim/costs/README.md says how each is measured). Only its
 * "costs_ns" numbers are read here; the rest (commit, policy, method) is for the record.
 */
#include "sim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sim_costs costs;

static const struct {
    const char *key;
    uint64_t *field;
} keys[] = {
    {"syscall_entry_ns", &costs.syscall_entry_ns},
    {"syscall_exit_ns", &costs.syscall_exit_ns},
    {"irq_entry_ns", &costs.irq_entry_ns},
    {"irq_exit_ns", &costs.irq_exit_ns},
    {"decision_ns", &costs.decision_ns},
    {"timer_set_ns", &costs.timer_set_ns},
    {"switch_exit_ns", &costs.switch_exit_ns},
    {"idle_wake_ns", &costs.idle_wake_ns},
    {"ipi_latency_ns", &costs.ipi_latency_ns},
    {"switch_cost_ns", &costs.switch_cost_ns},
    {"touch_ns_per_line", &costs.touch_ns_per_line},
};

/* "path_ns": {"PREV>NEXT": ns, ...}: PREV and NEXT are trace event names (SWITCH) or, for
 * PREV, SYSCALL / IRQ / IDLE (how the entry began). */
static const char *const event_names[SIM_PATH_TAGS] = {
#define EVENT_NAME(name, value, a0, a1, a2, a3, a4) [value] = #name,
    TRACE_EVENTS(EVENT_NAME)
#undef EVENT_NAME
        [SIM_PATH_SYSCALL] = "SYSCALL",
    [SIM_PATH_IRQ] = "IRQ",
    [SIM_PATH_IDLE] = "IDLE",
    [SIM_PATH_PREEMPT_BY_WAKEUP] = "PREEMPT_BY_WAKEUP",
};

static const char *const call_names[SIM_USER_KEYS] = {
    [SIM_SYS_CALL] = "CALL",
    [SIM_SYS_SEND] = "SEND",
    [SIM_SYS_RECV] = "RECV",
    [SIM_SYS_NBRECV] = "NBRECV",
    [SIM_SYS_REPLY] = "REPLY",
    [SIM_SYS_YIELD] = "YIELD",
    [SIM_SYS_TCB_RESUME] = "TCB_RESUME",
    [SIM_SYS_TCB_SET_AFFINITY] = "TCB_SET_AFFINITY",
    [SIM_SYS_CLOCK_NOW] = "CLOCK_NOW",
    [SIM_SYS_SLEEP_UNTIL] = "SLEEP_UNTIL",
    [SIM_SYS_SET_AFFINITY_MASK] = "SET_AFFINITY_MASK",
    [SIM_SYS_SET_WORKING_SET] = "SET_WORKING_SET",
    [SIM_SYS_HART_ID] = "HART_ID",
    [SIM_SYS_SUSPEND_SELF] = "SUSPEND_SELF",
};

/* "user_ns": {"PREV>CALL": ns, ...}: PREV as in path_ns, CALL a call_names entry or MARKER_<id> */
static void users_load(const char *text)
{
    const char *table = strstr(text, "\"user_ns\"");
    const char *end = table ? strchr(table, '}') : NULL;
    if (!table || !end) return;
    for (unsigned a = 0; a < SIM_PATH_TAGS; a++)
        for (unsigned k = 0; k < SIM_USER_KEYS; k++) {
            char call[24], quoted[64];
            if (!event_names[a]) continue;
            if (k >= SIM_USER_MARKER)
                snprintf(call, sizeof call, "MARKER_%u", k - SIM_USER_MARKER);
            else if (call_names[k])
                snprintf(call, sizeof call, "%s", call_names[k]);
            else
                continue;
            snprintf(quoted, sizeof quoted, "\"%s>%s\"", event_names[a], call);
            const char *at = strstr(table, quoted);
            if (at && at < end)
                user_ns[a][k] = strtoull(strchr(at + strlen(quoted), ':') + 1, NULL, 10);
        }
}

static void paths_load(const char *text)
{
    for (unsigned a = 0; a < SIM_PATH_TAGS; a++)
        for (unsigned b = 0; b < SIM_PATH_TAGS; b++) {
            path_ns[a][b] = SIM_NEVER;
            for (unsigned k = 0; k < SIM_PATH_ENTRY_KINDS; k++) path_in_ns[k][a][b] = SIM_NEVER;
        }
    const char *table = strstr(text, "\"path_ns\"");
    const char *end = table ? strchr(table, '}') : NULL;
    if (!table || !end) return;
    for (unsigned a = 0; a < SIM_PATH_TAGS; a++)
        for (unsigned b = 0; b < SIM_PATH_TAGS; b++) {
            if (!event_names[a] || !event_names[b]) continue;
            char quoted[64];
            snprintf(quoted, sizeof quoted, "\"%s>%s\"", event_names[a], event_names[b]);
            const char *at = strstr(table, quoted);
            if (at && at < end)
                path_ns[a][b] = strtoull(strchr(at + strlen(quoted), ':') + 1, NULL, 10);
            for (unsigned k = 0; k < SIM_PATH_ENTRY_KINDS; k++) {
                snprintf(quoted, sizeof quoted, "\"%s:%s>%s\"", event_names[SIM_PATH_SYSCALL + k],
                         event_names[a], event_names[b]);
                at = strstr(table, quoted);
                if (at && at < end)
                    path_in_ns[k][a][b] = strtoull(strchr(at + strlen(quoted), ':') + 1, NULL, 10);
            }
        }
}

int costs_load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "sim: --costs %s: cannot open it\n", path);
        return -1;
    }
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    const char *table = strstr(text, "\"costs_ns\"");
    if (!table) {
        fprintf(stderr, "sim: --costs %s: no \"costs_ns\" object\n", path);
        return -1;
    }
    for (unsigned i = 0; i < sizeof keys / sizeof *keys; i++) {
        char quoted[64];
        snprintf(quoted, sizeof quoted, "\"%s\"", keys[i].key);
        const char *at = strstr(table, quoted);
        const char *colon = at ? strchr(at, ':') : NULL;
        char *end;
        unsigned long long value = colon ? strtoull(colon + 1, &end, 10) : 0;
        if (!colon || end == colon + 1) {
            fprintf(stderr, "sim: --costs %s: costs_ns.%s is missing or not a whole number of ns\n",
                    path, keys[i].key);
            return -1;
        }
        *keys[i].field = value;
    }
    paths_load(text);
    users_load(text);
    return 0;
}
