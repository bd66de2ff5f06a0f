/* seL4 object types for riscv64 non-MCS; ABI sheet §7. */
#ifndef SEL4_OBJECTTYPE_H
#define SEL4_OBJECTTYPE_H

typedef enum {
    seL4_UntypedObject = 0,
    seL4_TCBObject = 1,
    seL4_EndpointObject = 2,
    seL4_NotificationObject = 3,
    seL4_CapTableObject = 4,
    seL4_RISCV_Giga_Page = 5,
    seL4_RISCV_4K_Page = 6,
    seL4_RISCV_Mega_Page = 7,
    seL4_RISCV_PageTableObject = 8,
    seL4_ObjectTypeCount = 9,
} seL4_ObjectType;

#endif
