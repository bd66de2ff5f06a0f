#include "fdt.h"

enum { FDT_BEGIN_NODE = 1, FDT_END_NODE = 2, FDT_PROP = 3, FDT_NOP = 4, FDT_END = 9 };
#define MAX_PATH 128

uint32_t fdt_be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

uint64_t fdt_be64(const void *p)
{
    return (uint64_t)fdt_be32(p) << 32 | fdt_be32((const uint8_t *)p + 4);
}

uint64_t fdt_cells(const void *p, unsigned cells) { return cells == 2 ? fdt_be64(p) : fdt_be32(p); }

bool fdt_valid(const void *fdt) { return fdt && fdt_be32(fdt) == FDT_MAGIC; }
uint32_t fdt_total_size(const void *fdt) { return fdt_be32((const uint8_t *)fdt + 4); }

bool fdt_walk(const void *fdt, fdt_property_fn fn, void *ctx)
{
    if (!fdt_valid(fdt)) return false;
    const uint8_t *base = fdt;
    const uint8_t *p = base + fdt_be32(base + 8);
    const char *strings = (const char *)base + fdt_be32(base + 12);
    char path[MAX_PATH] = "";
    unsigned len = 0;
    unsigned depth = 0;
    for (;;) {
        uint32_t token = fdt_be32(p);
        p += 4;
        if (token == FDT_BEGIN_NODE) {
            const char *name = (const char *)p;
            unsigned n = 0;
            while (name[n]) n++;
            if (depth > 0 || n > 0) {
                if (len + n + 2 >= MAX_PATH) return false;
                if (len != 1) path[len++] = '/';
                for (unsigned i = 0; i < n; i++) path[len++] = name[i];
            } else {
                path[len++] = '/';
            }
            path[len] = 0;
            depth++;
            p += (n + 4) & ~3u;
        } else if (token == FDT_END_NODE) {
            if (depth == 0) return false;
            depth--;
            while (len > 1 && path[len - 1] != '/') len--;
            if (len > 1) len--;
            if (depth == 0) len = 0;
            path[len] = 0;
        } else if (token == FDT_PROP) {
            uint32_t vlen = fdt_be32(p);
            const char *name = strings + fdt_be32(p + 4);
            if (!fn(path, name, p + 8, vlen, ctx)) return true;
            p += 8 + ((vlen + 3) & ~3u);
        } else if (token == FDT_NOP) {
            continue;
        } else {
            return token == FDT_END;
        }
    }
}

bool fdt_node_is(const char *path, const char *name)
{
    const char *last = path;
    for (const char *p = path; *p; p++)
        if (*p == '/') last = p + 1;
    while (*name && *last == *name) last++, name++;
    return !*name && (*last == 0 || *last == '@');
}

struct bootargs_search {
    const char *value;
};

static bool find_bootargs(const char *path, const char *name, const void *value, uint32_t len,
                          void *ctx)
{
    struct bootargs_search *s = ctx;
    const char *want = "bootargs";
    if (!fdt_node_is(path, "chosen") || len == 0) return true;
    const char *n = name;
    while (*want && *n == *want) n++, want++;
    if (*want || *n) return true;
    s->value = value;
    return false;
}

const char *fdt_bootargs(const void *fdt)
{
    struct bootargs_search s = {""};
    fdt_walk(fdt, find_bootargs, &s);
    return s.value;
}

bool bootarg_get(const char *args, const char *key, char *value, unsigned size)
{
    const char *p = args;
    while (*p) {
        while (*p == ' ') p++;
        const char *k = key, *q = p;
        while (*k && *q == *k) k++, q++;
        if (!*k && *q == '=') {
            q++;
            unsigned n = 0;
            while (*q && *q != ' ') {
                if (n + 1 < size) value[n++] = *q;
                q++;
            }
            if (size) value[n] = 0;
            return true;
        }
        while (*p && *p != ' ') p++;
    }
    return false;
}
