/*
 * The cost table: kernel operation costs in ns, a JSON file (sim/costs/<config>.json, written by
 * `./schedlab calibrate` from QEMU runs; its "method" says how each key is measured). Its
 * "costs_ns", "path_ns" and "user_ns" numbers are read here; the rest (commit, policy, samples,
 * method) is for the record.
 */
#include "sim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sim_costs costs;

/* a scalar of the table, named as its field; an optional one a table measured before the key
 * existed leaves 0 */
// clang-format off
#define KEY(name)      {#name, &costs.name, false}
#define OPTIONAL(name) {#name, &costs.name, true}
// clang-format on
static const struct {
    const char *key;
    uint64_t *field;
    bool optional;
} keys[] = {
    KEY(syscall_entry_ns),
    KEY(syscall_exit_ns),
    KEY(irq_entry_ns),
    KEY(irq_exit_ns),
    KEY(decision_ns),
    KEY(timer_set_ns),
    KEY(switch_exit_ns),
    KEY(idle_wake_ns),
    KEY(ipi_latency_ns),
    KEY(switch_cost_ns),
    KEY(touch_ns_per_line),
    OPTIONAL(boot_ns), /* (a key a line: this comment keeps clang-format from packing them) */
};
#undef KEY
#undef OPTIONAL

/* Record names in path_ns and user_ns keys: trace event names (SWITCH), and for the record
 * before an entry's first one, how the entry began (SYSCALL, IRQ, IDLE). */
static const char *const event_names[SIM_PATH_TAGS] = {
#define EVENT_NAME(name, value, a0, a1, a2, a3, a4) [value] = #name,
    TRACE_EVENTS(EVENT_NAME)
#undef EVENT_NAME
        [SIM_PATH_SYSCALL] = "SYSCALL",
    [SIM_PATH_IRQ] = "IRQ",
    [SIM_PATH_IDLE] = "IDLE",
    [SIM_PATH_PREEMPT_BY_WAKEUP] = "PREEMPT_BY_WAKEUP",
};

/* Entry names (path_ns's ENTRY): system calls (sim_user_key; MARKER_<id> for markers) and the
 * enum sim_entry kinds. */
static const char *const entry_names[SIM_ENTRIES] = {
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
    [SIM_USER_DRAW + 0] = "DRAW_CONSTANT",
    [SIM_USER_DRAW + 1] = "DRAW_UNIFORM",
    [SIM_USER_DRAW + 2] = "DRAW_EXPONENTIAL",
    [SIM_USER_DRAW + 3] = "DRAW_NORMAL",
    [SIM_ENTRY_IRQ] = "IRQ",
    [SIM_ENTRY_IDLE] = "IDLE",
    [SIM_ENTRY_CALL_FAST] = "CALL_FAST",
    [SIM_ENTRY_SIGNAL] = "SIGNAL",
};

/* The index of the name `len` characters long at `name` in names[0..n), or -1. */
static int name_index(const char *const *names, unsigned n, const char *name, size_t len)
{
    for (unsigned i = 0; i < n; i++)
        if (names[i] && strlen(names[i]) == len && !strncmp(names[i], name, len)) return (int)i;
    return -1;
}

/* MARKER_<id> -> `base` + id (id < 16), or -1. */
static int marker_index(const char *name, size_t len, int base)
{
    if (len <= 7 || strncmp(name, "MARKER_", 7)) return -1;
    unsigned marker = (unsigned)strtoul(name + 7, NULL, 10);
    return marker < 16 ? base + (int)marker : -1;
}

/* the engine functions that read the clock, in the order first seen (the table's, then a run's) */
static char clock_sites[16][32];
static unsigned nclock_sites;

unsigned clock_site(const char *name, size_t len)
{
    for (unsigned i = 0; i < nclock_sites; i++)
        if (strlen(clock_sites[i]) == len && !strncmp(clock_sites[i], name, len)) return i;
    if (nclock_sites == 16 || len >= sizeof clock_sites[0]) return 16;
    memcpy(clock_sites[nclock_sites], name, len);
    clock_sites[nclock_sites][len] = 0;
    return nclock_sites++;
}

static int entry_index(const char *name, size_t len)
{
    int marker = marker_index(name, len, SIM_USER_MARKER);
    if (marker >= 0) return marker;
    const char *at = memchr(name, '@', len);
    if (at &&
        name_index(entry_names, SIM_ENTRIES, name, (size_t)(at - name)) == SIM_SYS_CLOCK_NOW) {
        unsigned site = clock_site(at + 1, (size_t)(name + len - at - 1));
        return site < 16 ? SIM_USER_CLOCK + (int)site : -1;
    }
    return name_index(entry_names, SIM_ENTRIES, name, len);
}

const char *entry_name(unsigned key, char buffer[48])
{
    if (key >= SIM_USER_MARKER && key < SIM_USER_CLOCK) {
        snprintf(buffer, 48, "MARKER_%u", key - SIM_USER_MARKER);
        return buffer;
    }
    if (key >= SIM_USER_CLOCK && key < SIM_USER_DRAW) {
        snprintf(buffer, 48, "CLOCK_NOW@%s", clock_sites[key - SIM_USER_CLOCK]);
        return buffer;
    }
    return key < SIM_ENTRIES && entry_names[key] ? entry_names[key] : "?";
}

const char *record_name(unsigned tag)
{
    return tag < SIM_PATH_TAGS && event_names[tag] ? event_names[tag] : "?";
}

/* a system call's name in a user chain */
static int call_index(const char *name, size_t len)
{
    int entry = entry_index(name, len);
    return entry < SIM_USER_KEYS ? entry : -1;
}

/* a chain's record before: an event or entry-start name, or MARKER_<id> */
static int before_index(const char *name, size_t len)
{
    int marker = marker_index(name, len, SIM_PATH_TAGS);
    return marker >= 0 ? marker : name_index(event_names, SIM_PATH_TAGS, name, len);
}

static uint64_t path_ns[SIM_ENTRIES][SIM_PATH_TAGS][SIM_PATH_TAGS]; /* SIM_NEVER: not measured */

/* One "[ENTRY:]PREV>NEXT": ns entry of path_ns. Unknown names are skipped: a table may hold
 * paths this build does not take. */
static void path_entry_load(const char *key, size_t len, uint64_t ns)
{
    const char *colon = memchr(key, ':', len), *arrow = memchr(key, '>', len);
    if (!arrow) return;
    const char *prev = colon ? colon + 1 : key;
    int a = name_index(event_names, SIM_PATH_TAGS, prev, (size_t)(arrow - prev));
    int b = name_index(event_names, SIM_PATH_TAGS, arrow + 1, (size_t)(key + len - arrow - 1));
    int entry = colon ? entry_index(key, (size_t)(colon - key)) : SIM_ENTRY_ANY;
    if (a >= 0 && b >= 0 && entry >= 0) path_ns[entry][a][b] = ns;
}

uint64_t path_cost(unsigned entry, unsigned prev, unsigned tag)
{
    uint64_t ns = path_ns[entry][prev][tag];
    /* a Signal's path where the calibration saw none: a Send's, which it is */
    if (ns == SIM_NEVER && entry == SIM_ENTRY_SIGNAL) ns = path_ns[SIM_SYS_SEND][prev][tag];
    if (ns == SIM_NEVER) ns = path_ns[SIM_ENTRY_ANY][prev][tag];
    if (ns != SIM_NEVER) return ns;
    if (tag == TRACE_TIMER_SET) return costs.timer_set_ns;
    if (prev >= SIM_PATH_SYSCALL) return 0; /* the entry's cost is charged already */
    if (tag == TRACE_SWITCH) return costs.decision_ns;
    return 0;
}

/*
 * The user chains as a tree: a root per record before, a child per call. Each node holds the
 * least user time of the measured chains through it (`by`) and, if a measured chain ends at
 * it, that chain's (`done`).
 */
/* The steps from a node: a call, the record the chain's last call made (in the kernel's fastpath
 * or not: the kernel's path to it differs, and is in the chain's measured time), or (first,
 * after the record before) the entry that made the record before. A Call's node holds the least
 * of both, since which path the kernel takes shows only in the kernel. */
#define STEP_RECORD      (SIM_USER_KEYS)
#define STEP_FAST_RECORD (STEP_RECORD + SIM_PATH_TAGS) /* ... in a Call the fastpath took */
#define STEP_ENTRY       (STEP_FAST_RECORD + SIM_PATH_TAGS)
#define STEPS            (STEP_ENTRY + SIM_ENTRIES)
struct chain_node {
    uint64_t by_ns, done_ns;
    uint32_t child[STEPS];
};
static struct chain_node *chains;
static uint32_t nchains, chains_capacity;

static uint32_t chain_node_new(void)
{
    if (nchains == chains_capacity) {
        chains_capacity = chains_capacity ? 2 * chains_capacity : 256;
        chains = realloc(chains, chains_capacity * sizeof *chains);
        if (!chains) sim_panic("out of host memory for the cost table");
    }
    struct chain_node *n = &chains[nchains];
    n->by_ns = n->done_ns = SIM_NEVER;
    for (unsigned i = 0; i < STEPS; i++) n->child[i] = SIM_CHAIN_NONE;
    return nchains++;
}

static uint32_t child_of(uint32_t node, unsigned step)
{
    return node == SIM_CHAIN_NONE ? SIM_CHAIN_NONE : chains[node].child[step];
}

struct user_chain user_chain_begin(unsigned before, unsigned entry)
{
    uint32_t made_by = before < SIM_PATH_TAGS && entry < SIM_ENTRIES
                           ? child_of(before, STEP_ENTRY + entry)
                           : SIM_CHAIN_NONE;
    return (struct user_chain){made_by, before};
}

struct user_chain user_chain_step(struct user_chain chain, unsigned call)
{
    if (call >= SIM_USER_KEYS) return (struct user_chain){SIM_CHAIN_NONE, SIM_CHAIN_NONE};
    return (struct user_chain){child_of(chain.made_by, call), child_of(chain.any, call)};
}

static uint64_t by_ns(uint32_t node)
{
    return node == SIM_CHAIN_NONE || chains[node].by_ns == SIM_NEVER ? 0 : chains[node].by_ns;
}

uint64_t user_chain_by(struct user_chain chain)
{
    return chain.made_by != SIM_CHAIN_NONE ? by_ns(chain.made_by) : by_ns(chain.any);
}

uint64_t user_chain_done(struct user_chain chain, unsigned tag, bool fastpath)
{
    unsigned step = (fastpath ? STEP_FAST_RECORD : STEP_RECORD) + tag;
    uint32_t end = child_of(chain.made_by, step);
    if (end == SIM_CHAIN_NONE) end = child_of(chain.any, step);
    return end == SIM_CHAIN_NONE ? user_chain_by(chain) : chains[end].done_ns;
}

/* A new or existing step from `node`, into the tree. */
static uint32_t chain_child(uint32_t node, unsigned step)
{
    if (chains[node].child[step] == SIM_CHAIN_NONE) {
        uint32_t child = chain_node_new(); /* may move chains[] */
        chains[node].child[step] = child;
    }
    return chains[node].child[step];
}

/* One "[ENTRY:]BEFORE>CALL>...>CALL=RECORD": ns entry of user_ns, into the tree. */
static void user_entry_load(const char *key, size_t len, uint64_t ns)
{
    const char *end = key + len, *arrow = memchr(key, '>', len), *equals = memchr(key, '=', len);
    if (!arrow || !equals || equals < arrow) return;
    const char *colon = memchr(key, ':', (size_t)(arrow - key));
    const char *before_name = colon ? colon + 1 : key;
    int before = before_index(before_name, (size_t)(arrow - before_name));
    int entry = colon ? entry_index(key, (size_t)(colon - key)) : 0;
    int record = name_index(event_names, SIM_PATH_TAGS, equals + 1, (size_t)(end - equals - 1));
    if (before < 0 || entry < 0 || record < 0) return;
    uint32_t path[64], depth = 0, node = (uint32_t)before;
    if (colon) node = chain_child(node, STEP_ENTRY + (unsigned)entry);
    bool fastpath = false;
    while (arrow && depth < 63) {
        const char *name = arrow + 1;
        arrow = memchr(name, '>', (size_t)(equals - name));
        int call = call_index(name, (size_t)((arrow ? arrow : equals) - name));
        if (call < 0 && !arrow && entry_index(name, (size_t)(equals - name)) == SIM_ENTRY_CALL_FAST)
            fastpath = true, call = SIM_SYS_CALL; /* the last call, in the fastpath */
        if (call < 0) return;
        node = path[depth++] = chain_child(node, (unsigned)call);
    }
    if (arrow) return;
    node = chain_child(node, (fastpath ? STEP_FAST_RECORD : STEP_RECORD) + (unsigned)record);
    chains[node].done_ns = ns;
    for (uint32_t i = 0; i < depth; i++)
        if (ns < chains[path[i]].by_ns) chains[path[i]].by_ns = ns;
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

static void tables_load(const char *text)
{
    for (unsigned k = 0; k < SIM_ENTRIES; k++)
        for (unsigned a = 0; a < SIM_PATH_TAGS; a++)
            for (unsigned b = 0; b < SIM_PATH_TAGS; b++) path_ns[k][a][b] = SIM_NEVER;
    object_entries(text, "\"path_ns\"", path_entry_load);
    nchains = 0;
    while (nchains < SIM_CHAIN_BEFORE_KEYS) chain_node_new();
    object_entries(text, "\"user_ns\"", user_entry_load);
}

int costs_load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "sim: --costs %s: cannot open it\n", path);
        return -1;
    }
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    if (n == sizeof text - 1) {
        fprintf(stderr, "sim: --costs %s: larger than the %zu bytes read\n", path, n);
        return -1;
    }
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
        if (!at && keys[i].optional) {
            *keys[i].field = 0;
            continue;
        }
        unsigned long long value = colon ? strtoull(colon + 1, &end, 10) : 0;
        if (!colon || end == colon + 1) {
            fprintf(stderr, "sim: --costs %s: costs_ns.%s is missing or not a whole number of ns\n",
                    path, keys[i].key);
            return -1;
        }
        *keys[i].field = value;
    }
    tables_load(text);
    return 0;
}
