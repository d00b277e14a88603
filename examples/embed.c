/* embed.c: screening an order in-process with libredflag, as an ERP integration would.
 *
 *   embed DATABASE ORDER
 *
 * Opens the list database (importing the list bundled with libredflag when it holds none),
 * opens a screening session (the lists in force today, their index, the review state of each
 * counterparty and the run record: what `redflag screen` does), reads the order in any format
 * redflag reads (CSV, UBL, cXML, X12 850, EDIFACT) straight into the session, prints one line
 * per party and the session's verdict. The run is in the database's audit trail afterwards
 * (`redflag history --db DATABASE`). Exit status: 0 clear, 1 something to review, 2 an error.
 *
 * Build against an installed redflag:
 *   cc -o embed embed.c $(pkg-config --cflags --libs redflag)
 * or with CMake: find_package(redflag) and target_link_libraries(embed redflag::redflag). */
#include <redflag.h>

#include <stdio.h>

/* Called by the session for each party it screened: prints what was found. */
static int print_party(const rf_session_result *r, void *ctx)
{
    const char *role = r->party->role ? r->party->role : "";
    const char *name = r->party->name ? r->party->name : "(an address only)";
    const rf_hit *best;
    (void)ctx;
    if (r->n_hits == 0) {
        printf("%-8s %-14s %s\n", r->embargo ? "EMBARGO" : "clear", role, name);
        return 0;
    }
    best = r->hits[0];
    printf("%-8s %-14s %s\n         %.3f %s (%s)\n", r->alarm ? "REVIEW" : "known", role,
           name, best->score, best->entity->names[best->name_index].text,
           best->entity->list_code);
    return 0;
}

/* Imports the list bundled with libredflag into an empty database. */
static int seed(rf_store *store, rf_error *err)
{
    const unsigned char *data;
    const char *name, *published;
    size_t len;
    rf_import_summary summary;
    if (!rf_store_is_empty(store)) return 0;
    rf_bundled_list(&data, &len, &name, &published);
    return rf_import_list_data(&summary, store, name, data, len, NULL, err);
}

int main(int argc, char **argv)
{
    rf_store *store = NULL;
    rf_session *session = NULL;
    rf_session_options options = {0};
    rf_session_totals totals;
    rf_error err = {0}, read_err = {0};
    int read_rc, rc = 2;

    if (argc != 3) {
        fprintf(stderr, "usage: %s DATABASE ORDER\n", argv[0]);
        return 2;
    }
    options.argc = argc - 1; /* recorded as the run's command line: "embed ORDER" */
    options.argv = argv + 1;
    options.on_result = print_party;
    if (rf_store_open(&store, argv[1], &err) != 0 || seed(store, &err) != 0 ||
        rf_session_open(&session, store, &options, &err) != 0)
        goto cleanup;
    /* the reader hands each party to the session; the input is then recorded with its sha256
     * and whether it was read to its end */
    read_rc = rf_orders_read(argv[2], NULL, rf_session_screen, session, &read_err);
    if (rf_session_input_done(session, argv[2], read_rc ? &read_err : NULL, &err) != 0) goto cleanup;
    rc = rf_session_close(session, &totals, &err);
    session = NULL;
    if (rc != 0) {
        rc = 2;
        goto cleanup;
    }
    printf("%lld parties screened: %s (run %lld)\n", totals.run.parties,
           rf_verdict_name(totals.verdict), totals.run_id);
    if (read_rc) err = read_err; /* the order could not be read to its end */
    rc = rf_verdict_exit_status(totals.verdict);

cleanup:
    if (rc == 2) {
        char message[2048];
        fprintf(stderr, "embed: %s\n", rf_error_format(&err, message, sizeof message));
    }
    rf_session_free(session);
    rf_store_close(store);
    return rc;
}
