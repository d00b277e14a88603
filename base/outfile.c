/* outfile.c: writing a command's output file so that no failure can destroy something: the
 * target is checked against the files the command must never overwrite (the database, its
 * journals, its inputs) before anything is opened for writing, and the output goes to a
 * temporary file beside the target that is renamed over it only once complete and synced. An
 * interrupted or failed write leaves the previous target as it was. */
#define _DEFAULT_SOURCE /* realpath, fchmod, mkstemp */
#include "rf_base.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct rf_outfile {
    FILE *file;
    int direct; /* a device or pipe (-o /dev/stdout): written in place, nothing renamed */
    char target[PATH_MAX];
    char temp[PATH_MAX];
};

/* The absolute path `path` names, following symlinks through its directory and, when it
 * exists, itself; a name that does not exist yet is its resolved directory plus its name.
 * -1 when its directory does not exist. */
static int resolve(char out[PATH_MAX], const char *path)
{
    char dir[PATH_MAX], real_dir[PATH_MAX];
    const char *slash, *base;
    size_t n;

    if (realpath(path, out)) return 0;
    slash = strrchr(path, '/');
    base = slash ? slash + 1 : path;
    n = slash ? (size_t)(slash - path) : 0;
    if (slash && n == 0) n = 1; /* "/name" */
    if (n >= sizeof dir) return -1;
    memcpy(dir, slash ? path : ".", slash ? n : 1);
    dir[slash ? n : 1] = '\0';
    if (!realpath(dir, real_dir)) return -1;
    if (snprintf(out, PATH_MAX, "%s/%s", strcmp(real_dir, "/") ? real_dir : "", base) >=
        PATH_MAX)
        return -1;
    return 0;
}

int rf_outfile_check(const char *path, const char *const *protect, size_t n_protect,
                     rf_error *err)
{
    char target[PATH_MAX];
    struct stat st;
    int exists;

    if (!path || !path[0]) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no output path");
    exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
        return rf_error_set(err, RF_EUSAGE, path, 0,
                            "is a directory: give the output a file name");
    if (resolve(target, path) < 0)
        return rf_error_set(err, RF_EIO, path, 0, "cannot write there: %s", strerror(errno));
    for (size_t i = 0; i < n_protect; i++) {
        char other[PATH_MAX];
        struct stat ost;
        size_t len;
        if (!protect[i] || strcmp(protect[i], "-") == 0) continue;
        /* The same file under another name, a symlink or a hard link: same device and inode. */
        if (exists && stat(protect[i], &ost) == 0) {
            if (S_ISDIR(ost.st_mode)) {
                /* A directory being read stands for every file in it. */
                if (resolve(other, protect[i]) == 0 && (len = strlen(other)) > 0 &&
                    strncmp(target, other, len) == 0 &&
                    (target[len] == '/' || other[len - 1] == '/'))
                    return rf_error_set(err, RF_EUSAGE, path, 0,
                                        "refusing to write the output inside %s, which this "
                                        "command reads",
                                        protect[i]);
                continue;
            }
            if (ost.st_dev == st.st_dev && ost.st_ino == st.st_ino)
                return rf_error_set(err, RF_EUSAGE, path, 0,
                                    "refusing to write the output over %s (the database, its "
                                    "journals and the command's inputs are never overwritten)",
                                    protect[i]);
        }
        /* A file that does not exist yet (a database's -wal) is compared by name. */
        if (resolve(other, protect[i]) == 0 && strcmp(other, target) == 0)
            return rf_error_set(err, RF_EUSAGE, path, 0,
                                "refusing to write the output over %s (the database, its "
                                "journals and the command's inputs are never overwritten)",
                                protect[i]);
    }
    return RF_OK;
}

int rf_outfile_open(rf_outfile **out, const char *path, rf_error *err)
{
    rf_outfile *o;
    const char *base;
    struct stat st;
    int fd;

    *out = NULL;
    if (!path || !path[0]) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no output path");
    if (!(o = calloc(1, sizeof *o))) return rf_error_set(err, RF_ENOMEM, path, 0, "out of memory");
    /* A device or a pipe is no file to replace: renaming over /dev/null would be a disaster. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(o->target, sizeof o->target, "%s", path);
        o->direct = 1;
        if (!(o->file = fopen(path, "w"))) {
            int saved = errno;
            free(o);
            return rf_error_set(err, RF_EIO, path, 0, "cannot write there: %s", strerror(saved));
        }
        *out = o;
        return RF_OK;
    }
    /* A symlink is written through: its target is replaced, the link stays. */
    if (resolve(o->target, path) < 0) {
        free(o);
        return rf_error_set(err, RF_EIO, path, 0, "cannot write there: %s", strerror(errno));
    }
    base = strrchr(o->target, '/') + 1;
    /* Hidden, so that a directory being screened does not take it for an order. */
    if (snprintf(o->temp, sizeof o->temp, "%.*s.%s.XXXXXX", (int)(base - o->target), o->target,
                 base) >= (int)sizeof o->temp) {
        free(o);
        return rf_error_set(err, RF_ELIMIT, path, 0, "output path too long");
    }
    if ((fd = mkstemp(o->temp)) < 0) {
        int saved = errno;
        free(o);
        return rf_error_set(err, RF_EIO, path, 0, "cannot write there: %s", strerror(saved));
    }
    /* mkstemp makes it 0600; a report is as readable as any file the user creates. */
    {
        mode_t mask = umask(0);
        umask(mask);
        if (fchmod(fd, 0666 & ~mask) != 0 || !(o->file = fdopen(fd, "w"))) {
            int saved = errno;
            close(fd);
            unlink(o->temp);
            free(o);
            return rf_error_set(err, RF_EIO, path, 0, "cannot write there: %s", strerror(saved));
        }
    }
    *out = o;
    return RF_OK;
}

FILE *rf_outfile_stream(const rf_outfile *o)
{
    return o ? o->file : NULL;
}

int rf_outfile_commit(rf_outfile *o, rf_error *err)
{
    int rc = RF_OK, dir_fd;
    char dir[PATH_MAX];

    if (!o) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no output file");
    if (fflush(o->file) != 0 || ferror(o->file) || (!o->direct && fsync(fileno(o->file)) != 0)) {
        rc = rf_error_set(err, RF_EIO, o->target, 0, "could not write the output: %s",
                          strerror(errno));
        goto cleanup;
    }
    if (fclose(o->file) != 0) {
        o->file = NULL;
        rc = rf_error_set(err, RF_EIO, o->target, 0, "could not write the output: %s",
                          strerror(errno));
        goto cleanup;
    }
    o->file = NULL;
    if (o->direct) goto cleanup;
    if (rename(o->temp, o->target) != 0) {
        rc = rf_error_set(err, RF_EIO, o->target, 0, "could not replace it: %s", strerror(errno));
        goto cleanup;
    }
    o->temp[0] = '\0';
    /* The rename is durable once the directory is synced. */
    snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(o->target, '/') - o->target + 1), o->target);
    if ((dir_fd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0) {
        fsync(dir_fd);
        close(dir_fd);
    }

cleanup:
    rf_outfile_free(o);
    return rc;
}

void rf_outfile_free(rf_outfile *o)
{
    if (!o) return;
    if (o->file) fclose(o->file);
    if (o->temp[0]) unlink(o->temp);
    free(o);
}
