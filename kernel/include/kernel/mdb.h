/* The capability derivation tree: a doubly linked list of slots in depth-first order (seL4's
 * MDB). A slot's children follow it directly. */
#ifndef KERNEL_MDB_H
#define KERNEL_MDB_H

#include <kernel/cap.h>

/* Put `cap` into the empty slot `dest` as a child of `parent` (placed right after it). */
void mdb_insert_child(struct cte *parent, struct cte *dest, struct cap cap);
/* Put `cap` into the empty slot `dest` as a root of its own (boot-time objects). */
void mdb_insert_root(struct cte *dest, struct cap cap);
/* Empty `slot` and unlink it; its children move up to its parent. */
void mdb_remove(struct cte *slot);
/* Does `slot` have derived children? */
bool mdb_has_children(const struct cte *slot);
/* Is `b` derived from `a` (the object test seL4's isMDBParentOf makes for these cap types)? */
bool mdb_is_parent_of(const struct cte *a, const struct cte *b);

#endif
