/*
 * The compiled form of a workload spec (workloads/README.md), generated as C data by
 * tools/schedlab/workload_table.py and interpreted by the engine. Every number of the spec is a
 * wl_value, so a boot argument `<key>=N` overrides it at start-up without rebuilding. Durations,
 * counts and arrivals are wl_quantities: a constant, or a distribution whose parameters are
 * wl_values, drawn from the drawing thread's own random stream each time it is used (draw.c).
 */
#ifndef WORKLOAD_TABLE_H
#define WORKLOAD_TABLE_H

#include <stdint.h>

#define WL_NO_VALUE 0xffff

struct wl_value {
    const char *key;    /* boot-argument name, e.g. "hog.run_us" */
    uint64_t value;     /* the spec's default; replaced by the boot argument when given */
    uint8_t from_harts; /* default is the hart count (spec "$harts") */
};

/* tools/schedlab/workload_spec.py DISTRIBUTIONS: the parameters, in wl_quantity.params order */
enum wl_dist_kind {
    WL_CONSTANT,    /* value */
    WL_UNIFORM,     /* min, max: an integer in [min, max] */
    WL_EXPONENTIAL, /* mean, min, max (0: none): clamped to [min, max] */
    WL_NORMAL,      /* mean, sd, min, max (0: none): clamped to [min, max] */
};

struct wl_quantity {
    uint8_t kind;       /* enum wl_dist_kind */
    uint16_t params[4]; /* wl_values indices; WL_NO_VALUE past the kind's parameters */
};

/* In the ops and groups, a and b and the drawn group fields are wl_quantities indices. */
enum wl_opcode {
    WL_RUN,         /* a = us of CPU work; flags = 1: REQUEST markers around it */
    WL_RUN_PERCENT, /* a = percent of the thread's timer period */
    WL_SLEEP,       /* a = us */
    WL_TIMER,       /* a = period us, b = relative deadline us (or none: the period) */
    WL_CALL,        /* object = server; REQUEST markers around the call */
    WL_RECV,        /* object = server */
    WL_REPLY,
    WL_SIGNAL, /* object = notification */
    WL_WAIT,
    WL_LOCK, /* object = lock */
    WL_UNLOCK,
    WL_BARRIER, /* object = barrier */
    WL_YIELD,
    WL_SPAWN,        /* object = thread group */
    WL_LOOP,         /* a = repetitions */
    WL_LOOP_FOREVER, /* until the workload ends */
    WL_END_LOOP,     /* a = index of its WL_LOOP */
};

struct wl_op {
    uint8_t code; /* enum wl_opcode */
    uint8_t flags;
    uint16_t object;
    uint16_t a, b; /* wl_values indices, WL_NO_VALUE, or an op index for WL_END_LOOP */
};

enum wl_affinity { WL_AFFINITY_ALL, WL_AFFINITY_SPREAD, WL_AFFINITY_MASK };

struct wl_group {
    const char *name;
    uint16_t count;                              /* wl_quantities index: drawn by the root task */
    uint16_t priority, affinity, working_set_kb; /* wl_values indices */
    uint16_t arrival_us;                         /* wl_quantities index: drawn by each thread */
    uint8_t affinity_kind;                       /* enum wl_affinity */
    uint8_t own_space, spawned, daemon, paged;
    uint16_t first_op, op_count;
};

enum wl_object_kind { WL_SERVERS, WL_NOTIFICATIONS, WL_LOCKS, WL_BARRIERS, WL_OBJECT_KINDS };

struct wl_spec {
    const char *name, *description;
    struct wl_value *values;
    uint16_t nvalues;
    const struct wl_quantity *quantities;
    uint16_t nquantities;
    const struct wl_op *ops;
    uint16_t nops;
    const struct wl_group *groups;
    uint16_t ngroups;
    const char *const *object_names[WL_OBJECT_KINDS];
    uint16_t nobjects[WL_OBJECT_KINDS];
    uint16_t pager_frames; /* wl_values index, WL_NO_VALUE without a pager */
};

extern const struct wl_spec wl_spec;

#endif
