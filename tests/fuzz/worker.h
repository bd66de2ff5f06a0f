/*
 * Worker side of the fuzzer: what the fuzz thread's operations share. Everything here runs in a
 * worker's own address space, so it keeps its state in the worker page and on the stack only.
 */
#ifndef FUZZ_WORKER_H
#define FUZZ_WORKER_H

#include "fuzz.h"
#include "rng.h"

#define PAGE ((struct worker_page *)WORKER_PAGE_VADDR)

static inline uint64_t rnd(void) { return rng_next(&PAGE->rng); }
static inline uint64_t below(uint64_t n) { return rng_below(&PAGE->rng, n); }
static inline uint64_t between(uint64_t lo, uint64_t hi) { return rng_range(&PAGE->rng, lo, hi); }
static inline bool percent(unsigned p) { return rng_percent(&PAGE->rng, p); }

/* The message and the extra caps of the next system call, in the IPC buffer. */
static inline void mr(unsigned i, seL4_Word v) { seL4_GetIPCBuffer()->msg[i] = v; }
static inline void cap(unsigned i, seL4_CPtr c) { seL4_GetIPCBuffer()->caps_or_badges[i] = c; }

/* Choosing capabilities (worker_choose.c). */
unsigned pick_slot(void);      /* a root slot that likely holds a cap */
unsigned pick_free_slot(void); /* a slot of the free range, remembered as maybe occupied */
void note_occupied(unsigned slot);
unsigned pick_other_tcb_slot(void); /* another worker's fuzz thread, or our own TCB */
seL4_CPtr pick_cptr(void);          /* valid, near-valid or random */
seL4_CPtr pick_cptr_of(unsigned slot);
/* A slot named relative to our CNode: mostly (slot, WORKER_SLOT_DEPTH), sometimes a two-level
 * or a random (index, depth). */
void pick_index_depth(seL4_Word *index, seL4_Word *depth);
/* A word that is often an interesting value: 0, 1, ~0, a small number, a power of two. */
seL4_Word interesting_word(void);
/* A page-aligned address in the play region, or sometimes anywhere. */
seL4_Word pick_vaddr(unsigned align_bits);

/* Issuing system calls: every one is counted; Call replies are counted by label. */
seL4_MessageInfo_t fuzz_syscall(seL4_Word sys, seL4_CPtr cptr, seL4_MessageInfo_t info,
                                seL4_Word *badge);
seL4_Word fuzz_call(seL4_CPtr cptr, seL4_Word label, seL4_Word ncaps, seL4_Word length);
seL4_Word fuzz_identify(seL4_CPtr cptr);
void count_reply(seL4_Word label);

/* The operations, one family per file. */
void op_invoke(void);         /* worker_invoke.c: a typed invocation of some cap */
void op_invoke_random(void);  /* worker_invoke.c: anything with any label */
void op_tcb_other(void);      /* worker_invoke.c: TCB invocations on other workers' threads */
void op_retype(void);         /* worker_invoke.c */
void op_cnode(void);          /* worker_invoke.c */
void op_map(void);            /* worker_invoke.c */
void op_untyped_copies(void); /* worker_untyped.c */
void op_ipc(void);            /* worker_ipc.c */
void op_syscall_number(void); /* worker_syscall.c: every number, and invalid ones */
void op_fault(void);          /* worker_syscall.c: deliberate faults */
void op_touch(void);          /* worker_syscall.c: loads and stores in the play region */
void op_self_destruct(void);  /* worker_syscall.c */

#endif
