/*
 * VSpace invocations (seL4 RISC-V): PageTable Map/Unmap, Page Map/Unmap/GetAddress, ASIDControl
 * MakePool, ASIDPool Assign; checks in seL4's order. A VSpace is a top-level page table with an
 * ASID; tables and frames record in their caps where they are mapped, and deleting a cap undoes
 * its mapping (a frame's entry is cleared only if it still maps that frame).
 */
#include <kernel/cdt.h>
#include <kernel/hart.h>
#include <kernel/invariants.h>
#include <kernel/invocation.h>
#include <kernel/smp.h>
#include <kernel/vspace.h>

static struct asid_pool *asid_table[ASID_POOLS];

void vspace_register_pool(unsigned index, struct asid_pool *pool) { asid_table[index] = pool; }

static arch_pte_t *find_vspace(word_t asid)
{
    struct asid_pool *pool = asid_table[asid >> seL4_ASIDPoolIndexBits];
    return pool ? pool->vspace[asid & MASK(seL4_ASIDPoolIndexBits)] : NULL;
}

arch_pte_t *vspace_of_thread(const struct tcb *t, unsigned *asid)
{
    struct cap c = t->slots[TCB_VTABLE].cap;
    if (cap_type(c) != CAP_PAGE_TABLE || !cap_pt_is_mapped(c)) return NULL;
    *asid = (unsigned)cap_mapped_asid(c);
    arch_pte_t *root = find_vspace(*asid);
    return root == cap_ptr(c) ? root : NULL;
}

/* Walk from the root towards `vaddr`: the entry where the walk stops and the address bits it
 * covers (30, 21 or 12), seL4's lookupPTSlot. */
static arch_pte_t *lookup_pt_slot(arch_pte_t *root, word_t vaddr, word_t *bits_left)
{
    arch_pte_t *table = root;
    for (int level = ARCH_PT_LEVELS - 1;; level--) {
        arch_pte_t *slot = &table[arch_pt_index(vaddr, level)];
        *bits_left = seL4_PageBits + (word_t)level * seL4_PageTableIndexBits;
        if (level == 0 || !arch_pte_is_table(*slot)) return slot;
        table = paddr_to_kptr(arch_pte_paddr(*slot));
    }
}

static bool is_valid_root(struct cap c)
{
    return cap_type(c) == CAP_PAGE_TABLE && cap_pt_is_mapped(c);
}

/* The VSpace named by extra cap 0: a mapped root whose ASID still names it. */
static seL4_Error vspace_argument(struct invocation *inv, arch_pte_t **root, word_t *asid,
                                  struct syscall_error *err)
{
    struct cap c = inv->extra[0]->cap;
    if (!is_valid_root(c)) return error_invalid_cap(err, 1);
    *asid = cap_mapped_asid(c);
    arch_pte_t *found = find_vspace(*asid);
    if (!found)
        return error_failed_lookup(err, false, (struct lookup_fault){.type = seL4_InvalidRoot});
    if (found != cap_ptr(c)) return error_invalid_cap(err, 1);
    *root = found;
    return seL4_NoError;
}

static void unmap_page_table(struct cap c)
{
    arch_pte_t *root = find_vspace(cap_mapped_asid(c)), *pt = cap_ptr(c);
    if (!root) return;
    word_t vaddr = cap_mapped_vaddr(c);
    /* find the entry that points at this table, level by level */
    arch_pte_t *table = root;
    for (int level = ARCH_PT_LEVELS - 1; level > 0; level--) {
        arch_pte_t *slot = &table[arch_pt_index(vaddr, level)];
        if (!arch_pte_is_table(*slot)) return;
        if (paddr_to_kptr(arch_pte_paddr(*slot)) == pt) {
            *slot = 0;
            smp_address_spaces_changed(root);
            return;
        }
        table = paddr_to_kptr(arch_pte_paddr(*slot));
    }
}

static void unmap_frame(struct cap c)
{
    arch_pte_t *root = find_vspace(cap_mapped_asid(c));
    if (!root) return;
    word_t bits;
    arch_pte_t *slot = lookup_pt_slot(root, cap_mapped_vaddr(c), &bits);
    if (bits == frame_size_bits(c) && arch_pte_is_leaf(*slot) &&
        arch_pte_paddr(*slot) == kptr_to_paddr(cap_ptr(c))) {
        *slot = 0;
        smp_address_spaces_changed(root);
    }
}

static void delete_asid(word_t asid, arch_pte_t *root)
{
    struct asid_pool *pool = asid_table[asid >> seL4_ASIDPoolIndexBits];
    if (pool && pool->vspace[asid & MASK(seL4_ASIDPoolIndexBits)] == root) {
        pool->vspace[asid & MASK(seL4_ASIDPoolIndexBits)] = NULL;
        smp_address_spaces_changed(root);
    }
}

void vspace_unmap_on_delete(struct cap c, bool final)
{
    switch (cap_type(c)) {
    case CAP_FRAME:
        if (cap_mapped_asid(c)) unmap_frame(c);
        break;
    case CAP_PAGE_TABLE:
        if (!final || !cap_pt_is_mapped(c)) break;
        if (cap_mapped_vaddr(c) == 0 && find_vspace(cap_mapped_asid(c)) == cap_ptr(c))
            delete_asid(cap_mapped_asid(c), cap_ptr(c));
        else
            unmap_page_table(c);
        break;
    case CAP_ASID_POOL:
        if (final) {
            word_t base = cap_asid_base(c);
            if (asid_table[base >> seL4_ASIDPoolIndexBits] == cap_ptr(c)) {
                asid_table[base >> seL4_ASIDPoolIndexBits] = NULL;
                smp_address_spaces_changed(SMP_ANY_ADDRESS_SPACE);
            }
        }
        break;
    default: break;
    }
}

static seL4_Error page_table_map(struct invocation *inv, struct syscall_error *err)
{
    if (inv->length < 2 || inv->nextra < 1) return error_plain(err, seL4_TruncatedMessage);
    if (cap_pt_is_mapped(inv->cap)) return error_invalid_cap(err, 0);
    word_t vaddr = inv_arg(inv, 0), asid;
    arch_pte_t *root;
    if (!is_valid_root(inv->extra[0]->cap)) return error_invalid_cap(err, 1);
    if (vaddr >= seL4_UserTop) return error_invalid_argument(err, 0);
    if (vspace_argument(inv, &root, &asid, err)) return err->type;
    word_t bits;
    arch_pte_t *slot = lookup_pt_slot(root, vaddr, &bits);
    if (bits == seL4_PageBits || arch_pte_valid(*slot)) return error_plain(err, seL4_DeleteFirst);
    *slot = arch_pte_table(kptr_to_paddr(cap_ptr(inv->cap)));
    struct cap c = cap_set_mapped_vaddr(inv->cap, vaddr & ~MASK(bits));
    inv->slot->cap = cap_set_pt_is_mapped(cap_set_mapped_asid(c, asid), 1);
    smp_address_spaces_changed(NULL);
    return seL4_NoError;
}

static seL4_Error page_table_unmap(struct invocation *inv, struct syscall_error *err)
{
    if (!cdt_is_final(inv->slot)) return error_plain(err, seL4_RevokeFirst);
    struct cap c = inv->cap;
    if (cap_pt_is_mapped(c)) {
        if (cap_mapped_vaddr(c) == 0 && find_vspace(cap_mapped_asid(c)) == cap_ptr(c))
            return error_plain(err, seL4_IllegalOperation); /* a VSpace root is not "mapped" */
        unmap_page_table(c);
        memset(cap_ptr(c), 0, BIT(seL4_PageTableBits));
    }
    inv->slot->cap = cap_set_pt_is_mapped(cap_set_mapped_asid(cap_set_mapped_vaddr(c, 0), 0), 0);
    return seL4_NoError;
}

seL4_Error decode_page_table(struct invocation *inv, struct syscall_error *err)
{
    switch (inv->label) {
    case RISCVPageTableMap: return page_table_map(inv, err);
    case RISCVPageTableUnmap: return page_table_unmap(inv, err);
    default: return error_plain(err, seL4_IllegalOperation);
    }
}

static seL4_Error page_map(struct invocation *inv, struct syscall_error *err)
{
    if (inv->length < 3 || inv->nextra < 1) return error_plain(err, seL4_TruncatedMessage);
    word_t vaddr = inv_arg(inv, 0), rights = inv_arg(inv, 1), attr = inv_arg(inv, 2), asid;
    arch_pte_t *root;
    if (vspace_argument(inv, &root, &asid, err)) return err->type;
    struct cap c = inv->cap;
    word_t size_bits = frame_size_bits(c);
    word_t vm = cap_frame_rights(cap_mask_rights(c, rights));
    if (!IS_ALIGNED(vaddr, size_bits)) return error_plain(err, seL4_AlignmentError);
    if (vaddr + BIT(size_bits) - 1 >= seL4_UserTop) return error_invalid_argument(err, 0);
    word_t bits;
    arch_pte_t *slot = lookup_pt_slot(root, vaddr, &bits);
    if (bits != size_bits)
        return error_failed_lookup(err, false,
                                   (struct lookup_fault){seL4_MissingCapability, bits, 0, 0});
    if (cap_mapped_asid(c)) {
        if (cap_mapped_asid(c) != asid) return error_invalid_cap(err, 1);
        if (cap_mapped_vaddr(c) != vaddr) return error_invalid_argument(err, 0);
    } else if (arch_pte_valid(*slot)) {
        return error_plain(err, seL4_DeleteFirst);
    }
    bool exec = !(attr & seL4_RISCV_ExecuteNever);
    bool read = vm != VM_KERNEL_ONLY, write = vm == VM_READ_WRITE;
    /* a remap replaces a live entry: rights it had may be gone (a shootdown, as for unmap) */
    bool replaced = arch_pte_valid(*slot);
    *slot = (read || exec) ? arch_pte_page(kptr_to_paddr(cap_ptr(c)), read, write, exec) : 0;
    inv->slot->cap = cap_set_mapped_asid(cap_set_mapped_vaddr(c, vaddr), asid);
    smp_address_spaces_changed(replaced ? root : NULL);
    return seL4_NoError;
}

seL4_Error decode_frame(struct invocation *inv, struct syscall_error *err)
{
    switch (inv->label) {
    case RISCVPageMap: return page_map(inv, err);
    case RISCVPageUnmap:
        if (cap_mapped_asid(inv->cap)) unmap_frame(inv->cap);
        inv->slot->cap = cap_set_mapped_asid(cap_set_mapped_vaddr(inv->cap, 0), 0);
        return seL4_NoError;
    case RISCVPageGetAddress:
        inv_reply_mr(inv, 0, kptr_to_paddr(cap_ptr(inv->cap)));
        return seL4_NoError;
    default: return error_plain(err, seL4_IllegalOperation);
    }
}

seL4_Error decode_asid_control(struct invocation *inv, struct syscall_error *err)
{
    if (inv->label != RISCVASIDControlMakePool) return error_plain(err, seL4_IllegalOperation);
    if (inv->length < 2 || inv->nextra < 2) return error_plain(err, seL4_TruncatedMessage);
    unsigned index = 0;
    while (index < ASID_POOLS && asid_table[index]) index++;
    if (index == ASID_POOLS) return error_plain(err, seL4_DeleteFirst);
    struct cte *parent = inv->extra[0];
    struct cap ut = parent->cap;
    if (cap_type(ut) != CAP_UNTYPED || cap_untyped_size_bits(ut) != seL4_ASIDPoolBits ||
        cap_untyped_is_device(ut))
        return error_invalid_cap(err, 1);
    if (cdt_has_children(parent)) return error_plain(err, seL4_RevokeFirst);
    struct cte *dest;
    if (lookup_target_slot(inv->extra[1]->cap, inv_arg(inv, 0), inv_arg(inv, 1), &dest, false, err))
        return err->type;
    if (!cap_is_null(dest->cap)) return error_plain(err, seL4_DeleteFirst);
    struct asid_pool *pool = cap_ptr(ut);
    memset(pool, 0, sizeof *pool);
    parent->cap = cap_set_untyped_free_offset(ut, BIT(seL4_ASIDPoolBits));
    struct cap c =
        cap_set_asid_base(cap_make(CAP_ASID_POOL, pool), index << seL4_ASIDPoolIndexBits);
    invariants_object_created(c);
    cdt_insert(c, parent, dest);
    asid_table[index] = pool;
    return seL4_NoError;
}

seL4_Error decode_asid_pool(struct invocation *inv, struct syscall_error *err)
{
    if (inv->label != RISCVASIDPoolAssign) return error_plain(err, seL4_IllegalOperation);
    if (inv->nextra < 1) return error_plain(err, seL4_TruncatedMessage);
    struct cte *vslot = inv->extra[0];
    struct cap v = vslot->cap;
    if (cap_type(v) != CAP_PAGE_TABLE || cap_pt_is_mapped(v)) return error_invalid_cap(err, 1);
    word_t base = cap_asid_base(inv->cap);
    struct asid_pool *pool = asid_table[base >> seL4_ASIDPoolIndexBits];
    if (!pool)
        return error_failed_lookup(err, false, (struct lookup_fault){.type = seL4_InvalidRoot});
    if (pool != cap_ptr(inv->cap)) return error_invalid_cap(err, 0);
    word_t i = 0;
    while (i < ASID_POOL_ENTRIES && (base + i == 0 || pool->vspace[i])) i++;
    if (i == ASID_POOL_ENTRIES) return error_plain(err, seL4_DeleteFirst);
    arch_pte_t *root = cap_ptr(v);
    arch_copy_kernel_mappings(root);
    pool->vspace[i] = root;
    v = cap_set_mapped_asid(cap_set_mapped_vaddr(v, 0), base + i);
    vslot->cap = cap_set_pt_is_mapped(v, 1);
    return seL4_NoError;
}
