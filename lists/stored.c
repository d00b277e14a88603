/* stored.c: the files kept beside a database, in the directory "<database>.index": copies
 * made from it that a process maps instead of computing again (the index of the listed names,
 * engine/index_file.c; the entities of the versions in force, snapshot.c). A sidecar rather
 * than tables of the database: the database is the evidence and is opened read-only by
 * screen --read-only and by distributed workers, while these are copies that can always be
 * rebuilt; a file can be mapped as it is, shared between processes by the page cache, and
 * replaced whole by rename (never truncated in place, so a mapped file does not shrink under
 * a reader). Each kind of file has its own name suffix, and the oldest of a kind beyond what
 * its writer keeps are removed when one is written. Each file carries a checksum of itself
 * (XXH3-128 of each megabyte, then of those digests; computed here for both kinds), checked
 * when it is read: memory-bound over tens of megabytes, so a second thread starts on it while
 * the reader checks the rest, and the reader takes the megabytes left when it is done. A
 * reader that finds the checksum right leaves a note beside the file ("NAME.checked", written
 * as the files are, never into a read-only store) saying which file it checked: its device, inode, size, modification and change times. A later
 * reader that finds the file as the note says skips the checksum (and reading every page of
 * it): the files are replaced whole by rename, never written in place, and anything that
 * writes to a file changes its change time, which no program can set back. A note is left
 * only for a file changed a while before (NOTE_AFTER_SECONDS), so that a change after the
 * note cannot fall within the same tick of the file system's clock. */
#include "rf_lists.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>
#if defined(__x86_64__)
#include <xxh_x86dispatch.h> /* XXH3 with AVX2 or AVX-512 where the CPU has them */
#define CHECKSUM_128 XXH3_128bits_dispatch
#else
#define CHECKSUM_128 XXH3_128bits
#endif

#define MAX_KEEP 8
#define STALE_TEMP_SECONDS 3600
#define NOTE_AFTER_SECONDS 2
#define NOTE_SUFFIX ".checked"

/* The directory of the stored files of `st` into dir, the file `name` in it into path; 0
 * when `st` has such a directory (a file database) and they fit. */
static int stored_paths(char dir[4096], char path[4200], const rf_store *st, const char *name)
{
    const char *db = st ? rf_store_path(st) : NULL;
    int n;
    if (!db || !*db || strcmp(db, ":memory:") == 0) return -1;
    n = snprintf(dir, 4096, "%s.index", db);
    if (n < 0 || n >= 4096) return -1;
    n = snprintf(path, 4200, "%s/%s", dir, name);
    return n < 0 || n >= 4200 ? -1 : 0;
}

/* 1 when d_name is the temporary file of a writer of a file ending in `suffix`: hidden, as
 * rf_outfile_open names it (".NAME.XXXXXX"), NAME ending in `suffix`. */
static int is_temp_of(const char *d_name, const char *suffix)
{
    size_t len = strlen(d_name), slen = strlen(suffix);
    return d_name[0] == '.' && len > slen + 8 && d_name[len - 7] == '.' &&
           memcmp(d_name + len - 7 - slen, suffix, slen) == 0;
}

/* Removes the oldest files of `dir` whose names end in `suffix` beyond `keep` (`name`, just
 * written, stays), and the temporary files of writers of that kind killed before they
 * renamed theirs (tens of megabytes each) once STALE_TEMP_SECONDS old: a live writer takes
 * seconds. */
static void prune(const char *dir, const char *suffix, const char *name, size_t keep)
{
    struct {
        char name[64];
        time_t mtime;
    } files[MAX_KEEP + 1];
    size_t n = 0, slen = strlen(suffix);
    DIR *d = opendir(dir);
    struct dirent *de;

    if (!d) return;
    if (keep > MAX_KEEP) keep = MAX_KEEP;
    while ((de = readdir(d)) != NULL) {
        char path[4096 + 320]; /* the directory, '/', a d_name */
        struct stat sb;
        size_t len = strlen(de->d_name), oldest = 0;
        if (is_temp_of(de->d_name, suffix)) {
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_mtime < time(NULL) - STALE_TEMP_SECONDS)
                unlink(path);
            continue;
        }
        if (len <= slen || len >= sizeof files[0].name || strcmp(de->d_name, name) == 0 ||
            strcmp(de->d_name + len - slen, suffix) != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) continue;
        memcpy(files[n].name, de->d_name, len + 1);
        files[n++].mtime = sb.st_mtime;
        if (n + 1 <= keep) continue;
        /* One too many kept besides `name`: the oldest goes. */
        for (size_t i = 1; i < n; i++)
            if (files[i].mtime < files[oldest].mtime) oldest = i;
        snprintf(path, sizeof path, "%s/%.63s", dir, files[oldest].name);
        unlink(path);
        snprintf(path, sizeof path, "%s/%.63s" NOTE_SUFFIX, dir, files[oldest].name);
        unlink(path);
        files[oldest] = files[--n];
    }
    closedir(d);
}

int rf_store_file_put(const rf_store *st, const char *name, const char *suffix, size_t keep,
                      const void *data, size_t len)
{
    char dir[4096], path[4200], wal[4200], shm[4200], journal[4200];
    const char *protect[4];
    rf_outfile *o = NULL;
    struct stat sb;
    rf_error err;
    int rc;

    if (stored_paths(dir, path, st, name) != 0) return RF_ELIMIT;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) return RF_EIO;
    if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) return RF_EIO;
    if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) return RF_EIO;
    snprintf(wal, sizeof wal, "%s-wal", rf_store_path(st));
    snprintf(shm, sizeof shm, "%s-shm", rf_store_path(st));
    snprintf(journal, sizeof journal, "%s-journal", rf_store_path(st));
    protect[0] = rf_store_path(st);
    protect[1] = wal;
    protect[2] = shm;
    protect[3] = journal;
    if ((rc = rf_outfile_check(path, protect, 4, &err)) != 0) return rc;
    if ((rc = rf_outfile_open(&o, path, &err)) != RF_OK) return rc;
    if (fwrite(data, 1, len, rf_outfile_stream(o)) != len) {
        rf_outfile_free(o);
        return RF_EIO;
    }
    if ((rc = rf_outfile_commit(o, &err)) == RF_OK) prune(dir, suffix, name, keep);
    return rc;
}

/* 1 when the note of `id` says what its identity says. */
static int note_agrees(const rf_store_file_id *id)
{
    char dir[4096], path[4200], text[sizeof id->identity];
    ssize_t n;
    int fd;
    if (stored_paths(dir, path, id->st, id->note) != 0) return 0;
    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) return 0;
    n = read(fd, text, sizeof text - 1);
    close(fd);
    return n > 0 && (size_t)n == strlen(id->identity) && memcmp(text, id->identity, (size_t)n) == 0;
}

/* Leaves the note that the file of `id` was checked whole, written as the files themselves
 * are (rf_store_file_put), when it changed long enough ago and the store may be written; a
 * note that cannot be written is no matter (the next reader checks the file again). */
static void leave_note(const rf_store_file_id *id)
{
    if (!id->note[0] || rf_store_readonly(id->st) || (long long)time(NULL) - id->changed < NOTE_AFTER_SECONDS)
        return;
    rf_store_file_put(id->st, id->note, NOTE_SUFFIX, MAX_KEEP, id->identity, strlen(id->identity));
}

int rf_store_file_map(void **map, size_t *len, rf_store_file_id *id, const rf_store *st, const char *name,
                      size_t min_len)
{
    char dir[4096], path[4200];
    struct stat sb;
    int fd;

    *map = NULL;
    *len = 0;
    memset(id, 0, sizeof *id);
    if (stored_paths(dir, path, st, name) != 0) return RF_ENOTFOUND;
    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) return RF_ENOTFOUND;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size < min_len ||
        (uint64_t)sb.st_size > SIZE_MAX) {
        close(fd);
        return RF_EFORMAT;
    }
    *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (*map == MAP_FAILED) {
        *map = NULL;
        return RF_EIO;
    }
    *len = (size_t)sb.st_size;
    snprintf(id->identity, sizeof id->identity, "%llu %llu %llu %lld.%09ld %lld.%09ld\n",
             (unsigned long long)sb.st_dev, (unsigned long long)sb.st_ino, (unsigned long long)sb.st_size,
             (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec, (long long)sb.st_ctim.tv_sec, sb.st_ctim.tv_nsec);
    id->changed = (long long)sb.st_ctim.tv_sec;
    id->st = st;
    if (snprintf(id->note, sizeof id->note, "%s" NOTE_SUFFIX, name) >= (int)sizeof id->note) id->note[0] = '\0';
    id->checked = id->note[0] && note_agrees(id);
    return RF_OK;
}

/* The checksum in pieces that two threads can share: each SUM_CHUNK bytes hashed on its own
 * (XXH3-128), then the list of those digests hashed in order. A reader's second thread and
 * the reader itself, once it has checked the rest of the file, take the pieces in turn. */
#define SUM_CHUNK (1u << 20)

static size_t sum_chunks(size_t len)
{
    return len / SUM_CHUNK + (len % SUM_CHUNK != 0);
}

static void sum_chunk(uint8_t *digest, const void *data, size_t len, size_t k)
{
    size_t at = k * SUM_CHUNK, n = len - at < SUM_CHUNK ? len - at : SUM_CHUNK;
    XXH128_canonical_t out;
    XXH128_canonicalFromHash(&out, CHECKSUM_128((const char *)data + at, n));
    memcpy(digest, out.digest, 16);
}

static void sum_digests(uint8_t sum[16], const uint8_t *digests, size_t n_chunks)
{
    XXH128_canonical_t out;
    XXH128_canonicalFromHash(&out, CHECKSUM_128(digests, n_chunks * 16));
    memcpy(sum, out.digest, 16);
}

struct rf_store_sum {
    rf_store_file_id id; /* the file summed, for its note; checked: no sum to take */
    const void *data;
    size_t len, n_chunks;
    atomic_size_t next; /* the next piece to hash, whoever takes it */
    uint8_t *digests;
    pthread_t thread;
    int threaded;
};

/* Hashes pieces until none is left. */
static void *sum_work(void *arg)
{
    rf_store_sum *job = arg;
    for (size_t k; (k = atomic_fetch_add(&job->next, 1)) < job->n_chunks;)
        sum_chunk(job->digests + 16 * k, job->data, job->len, k);
    return NULL;
}

void rf_store_checksum(uint8_t sum[16], const void *data, size_t len)
{
    rf_store_sum job = {.data = data, .len = len, .n_chunks = sum_chunks(len)};
    atomic_init(&job.next, 0);
    if (!(job.digests = malloc(job.n_chunks ? job.n_chunks * 16 : 1))) {
        memset(sum, 0, 16); /* no sum: the file is taken for damaged and made again */
        return;
    }
    sum_work(&job);
    sum_digests(sum, job.digests, job.n_chunks);
    free(job.digests);
}

rf_store_sum *rf_store_sum_start(const void *data, size_t len, const rf_store_file_id *id)
{
    rf_store_sum *job = malloc(sizeof *job);
    if (!job) return NULL;
    job->id = *id;
    job->data = data;
    job->len = len;
    job->n_chunks = id->checked ? 0 : sum_chunks(len);
    job->threaded = 0;
    atomic_init(&job->next, 0);
    if (!(job->digests = malloc(job->n_chunks ? job->n_chunks * 16 : 1))) {
        free(job);
        return NULL;
    }
    if (!id->checked) job->threaded = pthread_create(&job->thread, NULL, sum_work, job) == 0;
    return job;
}

int rf_store_sum_matches(rf_store_sum *job, const uint8_t expected[16])
{
    uint8_t sum[16];
    int matches;
    if (!job) return 0;
    if (job->id.checked) {
        matches = 1;
    } else {
        sum_work(job); /* the pieces the thread has not taken yet */
        if (job->threaded) pthread_join(job->thread, NULL);
        sum_digests(sum, job->digests, job->n_chunks);
        matches = memcmp(sum, expected, 16) == 0;
        if (matches) leave_note(&job->id);
    }
    free(job->digests);
    free(job);
    return matches;
}
