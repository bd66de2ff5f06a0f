/* A minimal reader of flattened device trees (DTB), freestanding; shared by kernel and user code.
 */
#ifndef COMMON_FDT_H
#define COMMON_FDT_H

#include <stdbool.h>
#include <stdint.h>

#define FDT_MAGIC 0xd00dfeed

/* Called for each property: the path of its node ("/", "/chosen", "/cpus/cpu@0", ...),
 * its name, and its raw big-endian value. Return false to stop the walk. */
typedef bool (*fdt_property_fn)(const char *path, const char *name, const void *value, uint32_t len,
                                void *ctx);

bool fdt_valid(const void *fdt);
uint32_t fdt_total_size(const void *fdt);
bool fdt_walk(const void *fdt, fdt_property_fn fn, void *ctx);
uint32_t fdt_be32(const void *p);
uint64_t fdt_be64(const void *p);
/* A value of `cells` 32-bit cells (1 or 2), as used by reg and linux,initrd-*. */
uint64_t fdt_cells(const void *p, unsigned cells);
/* Does `path`'s last component equal `name` up to an optional "@unit" suffix? */
bool fdt_node_is(const char *path, const char *name);
/* The string value of /chosen/bootargs, or "" if there is none. */
const char *fdt_bootargs(const void *fdt);
/* Find `key`=value in a space-separated argument string; copies value; false if absent. */
bool bootarg_get(const char *args, const char *key, char *value, unsigned size);

#endif
