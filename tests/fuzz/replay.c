/* replay.c: runs a fuzz harness without libFuzzer, so that its corpus (every input that found
 * new code, and every input that once crashed) is an ordinary ctest test in every build, gcc
 * included. Usage: fuzz_<harness> FILE_OR_DIR...; each file is handed to
 * LLVMFuzzerTestOneInput once, in name order, from a buffer of exactly its size so that a
 * sanitizer build catches a read past the end. Fails when nothing was replayed. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    long size;

    if (!f) {
        perror(path);
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
        !(data = malloc(size ? (size_t)size : 1)) ||
        fread(data, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(data);
        fclose(f);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, (size_t)size);
    free(data);
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Replays `path` (a file, or the files of a directory); returns files replayed or -1. */
static long replay(const char *path)
{
    struct dirent **names;
    struct stat sb;
    long n = 0;
    int count;

    if (stat(path, &sb) != 0) {
        perror(path);
        return -1;
    }
    if (!S_ISDIR(sb.st_mode)) return replay_file(path) == 0 ? 1 : -1;
    if ((count = scandir(path, &names, NULL, by_name)) < 0) {
        perror(path);
        return -1;
    }
    for (int i = 0; i < count; i++) {
        char file[4096];
        snprintf(file, sizeof file, "%s/%s", path, names[i]->d_name);
        if (n >= 0 && names[i]->d_name[0] != '.' && stat(file, &sb) == 0 && S_ISREG(sb.st_mode))
            n = replay_file(file) == 0 ? n + 1 : -1;
        free(names[i]);
    }
    free(names);
    return n;
}

int main(int argc, char **argv)
{
    long total = 0;
    for (int i = 1; i < argc; i++) {
        long n = replay(argv[i]);
        if (n < 0) return 1;
        printf("%s: %ld inputs replayed\n", argv[i], n);
        total += n;
    }
    if (total == 0) {
        fprintf(stderr, "usage: %s FILE_OR_DIR... (a corpus with at least one file)\n", argv[0]);
        return 1;
    }
    return 0;
}
