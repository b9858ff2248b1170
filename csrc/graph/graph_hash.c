/*
 * graph_hash.c — a fast 128-bit hash of bytes, for graph cache keys (a file's content)
 * and for the binary graph file's checksums.
 *
 * Not cryptographic: it guards against changed and damaged files, not against someone
 * who can write the cache anyway.  Four 64-bit lanes take 32-byte stripes; each step,
 * lane = rotl((lane ^ word) * odd, 31), is a bijection of the lane for a fixed word and
 * of the word for a fixed lane, so changing any one word always changes the result.
 * Long inputs are cut into SEGMENT-sized pieces hashed on their own, then the list of
 * piece hashes and the length are hashed: pieces spread over threads, and the result
 * is the same for any thread count.  Files are read with pread, one piece per read.
 */
#define _DEFAULT_SOURCE   /* pread, O_CLOEXEC under -std=c11 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graph_internal.h"

enum { SEGMENT = 8 << 20, READ_CHUNK = 1 << 20 };

static const uint64_t PRIME = 0x9E3779B97F4A7C15ull;

static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t fmix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    return h ^ (h >> 33);
}

static void stripes(uint64_t lane[4], const unsigned char *p, size_t count)
{
    uint64_t a = lane[0], b = lane[1], c = lane[2], d = lane[3];
    for (size_t i = 0; i < count; i++, p += 32) {
        uint64_t w[4];
        memcpy(w, p, 32);
        a = rotl((a ^ w[0]) * PRIME, 31);
        b = rotl((b ^ w[1]) * PRIME, 31);
        c = rotl((c ^ w[2]) * PRIME, 31);
        d = rotl((d ^ w[3]) * PRIME, 31);
    }
    lane[0] = a;
    lane[1] = b;
    lane[2] = c;
    lane[3] = d;
}

void gb_hasher_init(gb_hasher *h)
{
    memset(h, 0, sizeof *h);
    for (int i = 0; i < 4; i++)
        h->lane[i] = fmix(PRIME * (uint64_t)(i + 1));
}

void gb_hasher_update(gb_hasher *h, const void *data, size_t len)
{
    const unsigned char *p = data;
    h->total += len;
    if (h->ntail > 0) {
        size_t take = 32 - h->ntail < len ? 32 - h->ntail : len;
        memcpy(h->tail + h->ntail, p, take);
        h->ntail += take;
        p += take;
        len -= take;
        if (h->ntail < 32)
            return;
        stripes(h->lane, h->tail, 1);
        h->ntail = 0;
    }
    stripes(h->lane, p, len / 32);
    p += len / 32 * 32;
    h->ntail = len % 32;
    memcpy(h->tail, p, h->ntail);
}

void gb_hasher_final(const gb_hasher *h, uint64_t out[2])
{
    uint64_t lane[4];
    unsigned char last[32] = { 0 };
    memcpy(lane, h->lane, sizeof lane);
    memcpy(last, h->tail, h->ntail);
    stripes(lane, last, 1);
    out[0] = fmix(lane[0] ^ fmix(lane[1] ^ h->total));
    out[1] = fmix(lane[2] ^ fmix(lane[3] ^ out[0]));
}

void gb_seghash_init(gb_seghash *h)
{
    gb_hasher_init(&h->piece);
    gb_hasher_init(&h->outer);
    h->piece_len = h->total = 0;
}

void gb_seghash_update(gb_seghash *h, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len > 0) {
        size_t take = SEGMENT - h->piece_len < len ? SEGMENT - h->piece_len : len;
        gb_hasher_update(&h->piece, p, take);
        h->piece_len += take;
        h->total += take;
        p += take;
        len -= take;
        if (h->piece_len == SEGMENT) {
            uint64_t sum[2];
            gb_hasher_final(&h->piece, sum);
            gb_hasher_update(&h->outer, sum, sizeof sum);
            gb_hasher_init(&h->piece);
            h->piece_len = 0;
        }
    }
}

void gb_seghash_final(gb_seghash *h, uint64_t out[2])
{
    if (h->piece_len > 0) {
        uint64_t sum[2];
        gb_hasher_final(&h->piece, sum);
        gb_hasher_update(&h->outer, sum, sizeof sum);
    }
    gb_hasher_update(&h->outer, &h->total, sizeof h->total);
    gb_hasher_final(&h->outer, out);
}

/* Piece hashes of memory (data) or of a regular file (fd, read with pread). */
typedef struct hash_job {
    const unsigned char *data;
    const volatile int32_t *interrupt;   /* polled between pieces */
    int fd;
    uint64_t len, pieces;
    int threads;
    uint64_t (*sums)[2];
    int read_errno;            /* first pread failure, or 0 */
} hash_job;

static void hash_worker(void *arg, int t)
{
    hash_job *job = arg;
    unsigned char *buf = job->data == NULL ? malloc(READ_CHUNK) : NULL;
    if (job->data == NULL && buf == NULL) {
        job->read_errno = ENOMEM;
        return;
    }
    for (uint64_t s = (uint64_t)t; s < job->pieces && job->read_errno == 0 &&
                                   !gb_stop_requested(job->interrupt);
         s += (uint64_t)job->threads) {
        uint64_t at = s * SEGMENT, end = at + SEGMENT < job->len ? at + SEGMENT : job->len;
        gb_hasher h;
        gb_hasher_init(&h);
        if (job->data != NULL) {
            gb_hasher_update(&h, job->data + at, (size_t)(end - at));
        } else {
            while (at < end) {
                size_t want = end - at < READ_CHUNK ? (size_t)(end - at) : READ_CHUNK;
                ssize_t k = pread(job->fd, buf, want, (off_t)at);
                if (k < 0 && errno == EINTR)
                    continue;
                if (k <= 0) {   /* 0: the file shrank while we read it */
                    job->read_errno = k < 0 ? errno : EIO;
                    break;
                }
                gb_hasher_update(&h, buf, (size_t)k);
                at += (uint64_t)k;
            }
        }
        gb_hasher_final(&h, job->sums[s]);
    }
    free(buf);
}

/* Same value as gb_seghash over the same bytes; 0 or an errno. */
static int hash_parallel(hash_job *job, int threads, uint64_t out[2])
{
    gb_hasher outer;
    job->pieces = (job->len + SEGMENT - 1) / SEGMENT;
    job->threads = gb_thread_count(threads, (int64_t)job->pieces);
    job->read_errno = 0;
    job->sums = malloc((size_t)(job->pieces > 0 ? job->pieces : 1) * sizeof *job->sums);
    if (job->sums == NULL)
        return ENOMEM;
    gb_parallel(job->threads, hash_worker, job);
    gb_hasher_init(&outer);
    gb_hasher_update(&outer, job->sums, (size_t)job->pieces * sizeof *job->sums);
    gb_hasher_update(&outer, &job->len, sizeof job->len);
    gb_hasher_final(&outer, out);
    free(job->sums);
    return job->read_errno;
}

gb_status gb_hash_file(const char *path, int threads, const volatile int32_t *interrupt,
                       uint64_t *out, gb_error *err)
{
    struct stat info;
    gb_status st = GB_OK;
    gb_graph_clear_error(err);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return gb_graph_fail(err, GB_EIO, 0, 0, "cannot open '%s': %s", path, strerror(errno));
    if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        close(fd);
        return gb_graph_fail(err, GB_EIO, 0, 0, "cannot hash '%s': not a regular file", path);
    }
    hash_job job = { .fd = fd, .len = (uint64_t)info.st_size, .interrupt = interrupt };
    int e = hash_parallel(&job, threads, out);
    if (gb_stop_requested(interrupt))
        st = gb_graph_fail(err, GB_EINTR, 0, 0, "hashing '%s' was interrupted", path);
    else if (e == ENOMEM)
        st = gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory hashing '%s'", path);
    else if (e != 0)
        st = gb_graph_fail(err, GB_EIO, 0, 0, "cannot read '%s': %s", path, strerror(e));
    close(fd);
    return st;
}

gb_status gb_hash_memory(const void *data, uint64_t len, int threads, uint64_t out[2])
{
    hash_job job = { .data = data, .len = len };
    return hash_parallel(&job, threads, out) == 0 ? GB_OK : GB_ENOMEM;
}
