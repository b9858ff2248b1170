/*
 * driver.h — the command-line start every baseline's main shares: check the argument count,
 * read TRIALS (argv[2]) and load the CSR file (argv[1]).  Drivers print; common.h does not.
 */
#ifndef BL_DRIVER_H
#define BL_DRIVER_H

#include <stdio.h>

#include "common.h"

/* 0 with *g loaded and *trials >= 1, else the exit code to return (the reason printed). */
static inline int bl_start(int argc, char **argv, int nargs, const char *usage, int weighted,
                           csr_graph *g, long long *trials)
{
    if (argc != nargs + 1) {
        fprintf(stderr, "usage: %s %s\n", argv[0], usage);
        return 2;
    }
    *trials = parse_count(argv[2]);
    if (*trials < 1) {
        fprintf(stderr, "bad TRIALS\n");
        return 2;
    }
    bl_status st = csr_load(argv[1], weighted, g);
    if (st != BL_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], bl_message(st));
        return 1;
    }
    return 0;
}

#endif
