/* output.c: the one way a redflag command writes its -o file (rf_outfile): refused, naming
 * the path, when it is a directory, the database or one of its journals, or an input of the
 * command; otherwise written beside its target and renamed over it only when complete. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

int cli_output_open(cli_output *o, const char *path, const char *db_path,
                    const char *const *inputs, size_t n_inputs)
{
    static const char *const journals[] = {"", "-wal", "-shm", "-journal"};
    enum { N_JOURNALS = sizeof journals / sizeof *journals };
    char db[1024], names[N_JOURNALS][1100];
    const char **protect = NULL;
    rf_error err;
    int rc;

    memset(o, 0, sizeof *o);
    o->stream = stdout;
    if (!path) return 0;
    if (cli_db_path(db, sizeof db, db_path)) return CLI_EXIT_ERROR;
    if (!(protect = malloc((N_JOURNALS + n_inputs) * sizeof *protect))) {
        fprintf(stderr, "redflag: out of memory\n");
        return CLI_EXIT_ERROR;
    }
    for (size_t i = 0; i < N_JOURNALS; i++) {
        snprintf(names[i], sizeof names[i], "%s%s", db, journals[i]);
        protect[i] = names[i];
    }
    if (n_inputs) memcpy(protect + N_JOURNALS, inputs, n_inputs * sizeof *inputs);
    rf_error_clear(&err);
    rc = rf_outfile_check(path, protect, N_JOURNALS + n_inputs, &err);
    free(protect);
    if (rc == 0) rc = rf_outfile_open(&o->file, path, &err);
    if (rc < 0) {
        cli_report_error(&err);
        return CLI_EXIT_ERROR;
    }
    o->stream = rf_outfile_stream(o->file);
    o->path = path;
    return 0;
}

int cli_output_close(cli_output *o, int complete)
{
    rf_error err;
    int rc = 0;

    rf_error_clear(&err);
    if (!o->file) {
        if (complete && (fflush(o->stream) != 0 || ferror(o->stream))) {
            fprintf(stderr, "redflag: could not write to standard output\n");
            rc = CLI_EXIT_ERROR;
        }
    } else if (!complete) {
        rf_outfile_free(o->file);
        fprintf(stderr, "redflag: %s was left as it was\n", o->path);
    } else if (rf_outfile_commit(o->file, &err) < 0) {
        cli_report_error(&err);
        fprintf(stderr, "redflag: %s was left as it was\n", o->path);
        rc = CLI_EXIT_ERROR;
    }
    o->file = NULL;
    o->stream = stdout;
    return rc;
}
