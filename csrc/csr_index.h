/*
 * csr_index.h — reading and writing the graph's index arrays (CSR offsets and
 * neighbors), which are 4 bytes (int32_t) or 8 bytes (int64_t) per element; shared by
 * the graph (graph_internal.h) and the executor (exec_internal.h).  Not part of the API.
 *
 * Loops that run per edge are always-inline templates whose width arguments are
 * constants at each call site (GB_BY_WIDTHS makes the instances), so after inlining
 * gb_idx_get is a plain load with no branch on the width.
 */
#ifndef GB_CSR_INDEX_H
#define GB_CSR_INDEX_H

#include <stdint.h>

static inline int64_t gb_idx_get(const void *a, int bytes, int64_t i)
{
    return bytes == 4 ? (int64_t)((const int32_t *)a)[i] : ((const int64_t *)a)[i];
}

static inline void gb_idx_set(void *a, int bytes, int64_t i, int64_t x)
{
    if (bytes == 4)
        ((int32_t *)a)[i] = (int32_t)x;
    else
        ((int64_t *)a)[i] = x;
}

/* Calls CALL(ob, nb) with the offset and neighbor widths OB, NB as constants. */
#define GB_BY_WIDTHS(OB, NB, CALL)                                                    \
    do {                                                                              \
        if ((OB) == 4 && (NB) == 4) CALL(4, 4);                                       \
        else if ((OB) == 8 && (NB) == 4) CALL(8, 4);                                  \
        else if ((OB) == 4) CALL(4, 8);                                               \
        else CALL(8, 8);                                                              \
    } while (0)

#endif
