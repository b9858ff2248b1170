/*
 * graph_names.c — interning node names: an open-addressing hash table.
 *
 * Loading a file with millions of named endpoints is bound by memory latency, one
 * lookup per token, so the layout keeps a lookup to two cache misses: a slot is 8 bytes
 * (16-bit hash tag, 48-bit record offset) and a record holds the name's length, index
 * and bytes together.  Tags skip almost every record that is not the name.  Linear
 * probing with load <= 1/2; names and records grow by doubling, never per name.
 */
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

enum { REC_HEADER = 12 };   /* u32 length, i64 index */

static const uint64_t EMPTY = UINT64_MAX;
static const uint64_t PAYLOAD = (1ull << 48) - 1;

static uint64_t tag_of(uint64_t hash) { return hash & ~PAYLOAD; }

uint64_t gb_names_hash(const char *s, int64_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
        s += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    memcpy(&tail, s, (size_t)len);
    h = (h ^ tail) * 0x94D049BB133111EBull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 32);
}

/* A table of the given capacity holding every name; slots point at records before
 * finish and at indices after. */
static gb_status rehash(gb_names *t, uint64_t capacity)
{
    uint64_t *table = malloc(capacity * sizeof *table);
    if (table == NULL)
        return GB_ENOMEM;
    gb_advise_hugepages(table, capacity * sizeof *table);
    memset(table, 0xff, capacity * sizeof *table);
    int64_t rec = 0;
    for (int64_t k = 0; k < t->count; k++) {
        const char *s;
        int64_t len;
        uint64_t payload;
        if (t->finished) {
            s = t->bytes + t->offsets[k];
            len = t->offsets[k + 1] - t->offsets[k];
            payload = (uint64_t)k;
        } else {
            uint32_t len32;
            memcpy(&len32, t->records + rec, 4);
            s = t->records + rec + REC_HEADER;
            len = len32;
            payload = (uint64_t)rec;
            rec += REC_HEADER + len;
        }
        uint64_t h = gb_names_hash(s, len), i = h & (capacity - 1);
        while (table[i] != EMPTY)
            i = (i + 1) & (capacity - 1);
        table[i] = tag_of(h) | payload;
    }
    free(t->table);
    t->table = table;
    t->mask = capacity - 1;
    return GB_OK;
}

gb_status gb_names_init(gb_names *t)
{
    memset(t, 0, sizeof *t);
    t->cap_records = 4096;
    t->records = malloc((size_t)t->cap_records);
    if (t->records == NULL || rehash(t, 1024) != GB_OK) {
        gb_names_free(t);
        return GB_ENOMEM;
    }
    return GB_OK;
}

void gb_names_prefetch_slot(const gb_names *t, uint64_t hash)
{
    __builtin_prefetch(&t->table[hash & t->mask]);
}

void gb_names_prefetch_record(const gb_names *t, uint64_t hash)
{
    uint64_t slot = t->table[hash & t->mask];
    if (slot != EMPTY && tag_of(slot) == tag_of(hash))
        __builtin_prefetch(t->records + (slot & PAYLOAD));
}

int64_t gb_names_lookup(const gb_names *t, const char *s, int64_t len)
{
    uint64_t hash = gb_names_hash(s, len), i = hash & t->mask, tag = tag_of(hash);
    for (uint64_t slot; (slot = t->table[i]) != EMPTY; i = (i + 1) & t->mask) {
        if (tag_of(slot) != tag)
            continue;
        const char *rec = t->records + (slot & PAYLOAD);
        uint32_t len32;
        int64_t index;
        memcpy(&len32, rec, 4);
        if (len32 == (uint64_t)len && memcmp(rec + REC_HEADER, s, (size_t)len) == 0) {
            memcpy(&index, rec + 4, 8);
            return index;
        }
    }
    return -1;
}

gb_status gb_names_intern(gb_names *t, const char *s, int64_t len, uint64_t hash,
                          int64_t *index)
{
    uint64_t i = hash & t->mask, tag = tag_of(hash);
    for (uint64_t slot; (slot = t->table[i]) != EMPTY; i = (i + 1) & t->mask) {
        if (tag_of(slot) != tag)
            continue;
        const char *rec = t->records + (slot & PAYLOAD);
        uint32_t len32;
        memcpy(&len32, rec, 4);
        if (len32 == (uint64_t)len && memcmp(rec + REC_HEADER, s, (size_t)len) == 0) {
            memcpy(index, rec + 4, 8);
            return GB_OK;
        }
    }
    if (len > UINT32_MAX)
        return GB_ENOMEM;
    int64_t need = t->nrecords + REC_HEADER + len, cap = t->cap_records;
    while (need > cap)
        cap *= 2;
    /* The budget, before anything grows: the records, and the table (the old one is
     * alive while the new one fills) once it would pass half full. */
    uint64_t slots = t->mask + 1;
    int64_t table_bytes = (int64_t)slots * 8;
    if ((uint64_t)(t->count + 1) * 2 > slots)
        table_bytes += (int64_t)slots * 16;
    if (t->limit > 0 && gb_bytes_add(cap, table_bytes) > t->limit)
        return GB_EBUDGET;
    if (need > t->cap_records) {
        char *records = realloc(t->records, (size_t)cap);
        if (records == NULL)
            return GB_ENOMEM;
        gb_advise_hugepages(records, (size_t)cap);
        t->records = records;
        t->cap_records = cap;
    }
    char *rec = t->records + t->nrecords;
    uint32_t len32 = (uint32_t)len;
    int64_t k = t->count;
    memcpy(rec, &len32, 4);
    memcpy(rec + 4, &k, 8);
    memcpy(rec + REC_HEADER, s, (size_t)len);
    t->table[i] = tag | (uint64_t)t->nrecords;
    t->nrecords = need;
    t->count++;
    *index = k;
    if ((uint64_t)t->count * 2 > t->mask + 1)
        return rehash(t, (t->mask + 1) * 2);
    return GB_OK;
}

gb_status gb_names_finish(gb_names *t)
{
    int64_t nbytes = t->nrecords - REC_HEADER * t->count;
    t->bytes = malloc((size_t)(nbytes > 0 ? nbytes : 1));
    t->offsets = malloc(((size_t)t->count + 1) * sizeof *t->offsets);
    if (t->bytes == NULL || t->offsets == NULL)
        return GB_ENOMEM;
    int64_t rec = 0, at = 0;
    for (int64_t k = 0; k < t->count; k++) {
        uint32_t len32;
        memcpy(&len32, t->records + rec, 4);
        t->offsets[k] = at;
        memcpy(t->bytes + at, t->records + rec + REC_HEADER, len32);
        at += len32;
        rec += REC_HEADER + len32;
    }
    t->offsets[t->count] = at;
    t->finished = 1;
    free(t->records);
    t->records = NULL;
    t->nrecords = t->cap_records = 0;
    return rehash(t, t->mask + 1);
}

gb_status gb_names_adopt(gb_names *t, const char *bytes, const int64_t *offsets, int64_t count)
{
    uint64_t capacity = 1024;
    memset(t, 0, sizeof *t);
    while (capacity < (uint64_t)count * 2)
        capacity *= 2;
    t->finished = 1;
    t->borrowed = 1;
    t->count = count;
    t->bytes = (char *)bytes;
    t->offsets = (int64_t *)offsets;
    return rehash(t, capacity);
}

int64_t gb_names_find(const gb_names *t, const char *s, int64_t len)
{
    if (!t->finished)
        return -1;
    uint64_t hash = gb_names_hash(s, len), i = hash & t->mask, tag = tag_of(hash);
    for (uint64_t slot; (slot = t->table[i]) != EMPTY; i = (i + 1) & t->mask) {
        int64_t k = (int64_t)(slot & PAYLOAD);
        if (tag_of(slot) == tag && t->offsets[k + 1] - t->offsets[k] == len &&
            memcmp(t->bytes + t->offsets[k], s, (size_t)len) == 0)
            return k;
    }
    return -1;
}

int64_t gb_names_bytes(const gb_names *t)
{
    return gb_bytes_add(t->cap_records, (int64_t)(t->mask + 1) * 8);
}

gb_status gb_names_put_first(gb_names *t, const char *s0, int64_t n0, const char *s1, int64_t n1,
                             int64_t **perm, int64_t *i0, int64_t *i1)
{
    gb_names nt;
    int64_t *map = malloc(((size_t)t->count + 1) * sizeof *map);
    if (map == NULL || gb_names_init(&nt) != GB_OK) {
        free(map);
        return GB_ENOMEM;
    }
    if (gb_names_intern(&nt, s0, n0, gb_names_hash(s0, n0), i0) != GB_OK ||
        gb_names_intern(&nt, s1, n1, gb_names_hash(s1, n1), i1) != GB_OK)
        goto nomem;
    int64_t rec = 0;
    for (int64_t k = 0; k < t->count; k++) {   /* records are in index order */
        uint32_t len32;
        memcpy(&len32, t->records + rec, 4);
        const char *s = t->records + rec + REC_HEADER;
        if (gb_names_intern(&nt, s, len32, gb_names_hash(s, len32), &map[k]) != GB_OK)
            goto nomem;
        rec += REC_HEADER + len32;
    }
    gb_names_free(t);
    *t = nt;
    *perm = map;
    return GB_OK;
nomem:
    gb_names_free(&nt);
    free(map);
    return GB_ENOMEM;
}

void gb_names_free(gb_names *t)
{
    free(t->table);
    free(t->records);
    if (!t->borrowed) {
        free(t->bytes);
        free(t->offsets);
    }
    memset(t, 0, sizeof *t);
}
