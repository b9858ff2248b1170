/*
 * test_graph_util.h — small helpers the graph tests share: a temporary directory,
 * writing files into it, loading, and a CSR written out as text.
 */
#ifndef GB_TEST_GRAPH_UTIL_H
#define GB_TEST_GRAPH_UTIL_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "csr64.h"
#include "graph_internal.h"

static char tmpdir[64];

static inline const char *path_of(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

static inline const char *write_text(const char *name, const char *text)
{
    const char *path = path_of(name);
    FILE *f = fopen(path, "wb");
    if (f != NULL) {
        fwrite(text, 1, strlen(text), f);
        fclose(f);
    }
    return path;
}

/* The CSR of one direction written as "v:a,b;..." for compact comparisons. */
static inline const char *csr_text(const gb_graph *g, int dir)
{
    static char buf[2048];
    csr64 c = csr64_get(g, dir);
    const int64_t *off = c.off, *nbr = c.nbr;
    size_t at = 0;
    buf[0] = '\0';
    for (int64_t v = 0; off != NULL && v < gb_graph_node_count(g) && at < sizeof buf - 64; v++) {
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%lld:", v ? ";" : "", (long long)v);
        for (int64_t k = off[v]; k < off[v + 1] && at < sizeof buf - 64; k++)
            at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%lld", k > off[v] ? "," : "",
                                   (long long)nbr[k]);
    }
    csr64_free(&c);
    return buf;
}

static inline gb_graph *load(const char *path, gb_load_options opts)
{
    gb_graph *g = NULL;
    gb_error err;
    gb_status st = gb_graph_load_edgelist(path, &opts, &g, &err);
    CHECK_EQ_I(st, GB_OK);
    if (st != GB_OK)
        fprintf(stderr, "    %s: %s\n", path, err.message);
    return g;
}

/* gb_graph_save into a new file at path (one that is there is replaced), as the graph
 * cache does it: through the descriptor of the file it created. */
static inline gb_status save_graph(const gb_graph *g, const char *path, gb_error *err)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return GB_EIO;
    gb_status st = gb_graph_save(g, fd, path, NULL, err);
    close(fd);
    return st;
}

static inline int make_tmpdir(const char *pattern)
{
    snprintf(tmpdir, sizeof tmpdir, "%s", pattern);
    if (mkdtemp(tmpdir) == NULL) {
        fprintf(stderr, "cannot create a temporary directory\n");
        return 0;
    }
    return 1;
}

static inline void remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
}

#endif
