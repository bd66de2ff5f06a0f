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

/* The index of the name `len` characters long at `name` in names[0..n), or -1. */
static int name_index(const char *const *names, unsigned n, const char *name, size_t len)
{
    for (unsigned i = 0; i < n; i++)
        if (names[i] && strlen(names[i]) == len && !strncmp(names[i], name, len)) return (int)i;
    return -1;
}

static int call_index(const char *name, size_t len)
{
    if (len > 7 && !strncmp(name, "MARKER_", 7)) {
        unsigned marker = (unsigned)strtoul(name + 7, NULL, 10);
        return marker < SIM_USER_KEYS - SIM_USER_MARKER ? (int)(SIM_USER_MARKER + marker) : -1;
    }
    return name_index(call_names, SIM_USER_KEYS, name, len);
}

/* One "[WHERE:]PREV>NEXT": ns entry of path_ns; WHERE is how the entry began (SYSCALL, IRQ,
 * IDLE) or the system call that made it (CALL, SEND, ..., MARKER_<id>). Unknown names are
 * skipped: a table may hold paths this build does not take. */
static void path_entry_load(const char *key, size_t len, uint64_t ns)
{
    const char *colon = memchr(key, ':', len), *arrow = memchr(key, '>', len);
    if (!arrow) return;
    const char *prev = colon ? colon + 1 : key;
    int a = name_index(event_names, SIM_PATH_TAGS, prev, (size_t)(arrow - prev));
    int b = name_index(event_names, SIM_PATH_TAGS, arrow + 1, (size_t)(key + len - arrow - 1));
    if (a < 0 || b < 0) return;
    if (!colon) {
        path_ns[a][b] = ns;
        return;
    }
    /* SYSCALL, IRQ, IDLE: looked up among the entry kinds only (IRQ is an event's name too) */
    int entry = name_index(event_names + SIM_PATH_SYSCALL, SIM_PATH_ENTRY_KINDS, key,
                           (size_t)(colon - key));
    if (entry >= 0) {
        path_in_ns[entry][a][b] = ns;
        return;
    }
    int call = call_index(key, (size_t)(colon - key));
    if (call >= 0) path_call_ns[call][a][b] = ns;
}

/* Each "KEY": number entry of the JSON object named `name` in text, to `entry`. */
static void object_entries(const char *text, const char *name,
                           void (*entry)(const char *key, size_t len, uint64_t value))
{
    const char *table = strstr(text, name);
    const char *end = table ? strchr(table, '}') : NULL;
    if (!table || !end) return;
    const char *at = strchr(table + strlen(name), '{');
    while (at && at < end) {
        const char *key = strchr(at, '"');
        if (!key || key >= end) break;
        const char *close = strchr(key + 1, '"');
        if (!close || close >= end) break;
        const char *value = strchr(close, ':');
        if (!value || value >= end) break;
        entry(key + 1, (size_t)(close - key - 1), strtoull(value + 1, NULL, 10));
        at = close + 1;
    }
}

/* One "PREV>CALL": ns entry of user_ns: PREV as in path_ns, or MARKER_<id> (the marker the
 * hart recorded last), CALL a call_names entry or MARKER_<id>. */
static void user_entry_load(const char *key, size_t len, uint64_t ns)
{
    const char *arrow = memchr(key, '>', len);
    if (!arrow) return;
    int call = call_index(arrow + 1, (size_t)(key + len - arrow - 1));
    if (call < 0) return;
    int marker = call_index(key, (size_t)(arrow - key)) - SIM_USER_MARKER;
    if (marker >= 0) {
        user_marker_ns[marker][call] = ns;
        return;
    }
    int prev = name_index(event_names, SIM_PATH_TAGS, key, (size_t)(arrow - key));
    if (prev >= 0) user_ns[prev][call] = ns;
}

static void users_load(const char *text)
{
    for (unsigned m = 0; m < SIM_USER_KEYS - SIM_USER_MARKER; m++)
        for (unsigned k = 0; k < SIM_USER_KEYS; k++) user_marker_ns[m][k] = SIM_NEVER;
    object_entries(text, "\"user_ns\"", user_entry_load);
}

static void paths_load(const char *text)
{
    for (unsigned a = 0; a < SIM_PATH_TAGS; a++)
        for (unsigned b = 0; b < SIM_PATH_TAGS; b++) {
            path_ns[a][b] = SIM_NEVER;
            for (unsigned k = 0; k < SIM_PATH_ENTRY_KINDS; k++) path_in_ns[k][a][b] = SIM_NEVER;
            for (unsigned k = 0; k < SIM_USER_KEYS; k++) path_call_ns[k][a][b] = SIM_NEVER;
        }
    object_entries(text, "\"path_ns\"", path_entry_load);
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
