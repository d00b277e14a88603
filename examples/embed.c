/* embed.c: screening an order in-process with libredflag, as an ERP integration would.
 *
 *   embed DATABASE ORDER
 *
 * Opens the list database (importing the list bundled with libredflag when it holds none),
 * builds the index of the lists in force today, reads the order in any format redflag reads
 * (CSV, UBL, cXML, X12 850, EDIFACT), screens each party and prints one line per party and a
 * verdict. Exit status: 0 all clear, 1 something to review, 2 an error.
 *
 * Build against an installed redflag:
 *   cc -o embed embed.c $(pkg-config --cflags --libs redflag)
 * or with CMake: find_package(redflag) and target_link_libraries(embed redflag::redflag). */
#include <redflag.h>

#include <stdio.h>

typedef struct screening {
    const rf_matcher *matcher;
    rf_result *result;
    rf_error *err;
    int parties, flagged;
} screening;

/* Called by the order reader for each party: screens it and prints what was found. */
static int screen_party(const rf_party *party, void *ctx)
{
    screening *s = ctx;
    const rf_hit *best;

    if (!party->name || !party->name[0]) return 0; /* an address-only ship-to */
    if (rf_matcher_screen(s->result, s->matcher, party, NULL, s->err) != 0) return -1;
    s->parties++;
    if (rf_result_count(s->result) == 0) {
        printf("clear    %-14s %s\n", party->role ? party->role : "", party->name);
        return 0;
    }
    s->flagged++;
    best = rf_result_hit(s->result, 0);
    printf("REVIEW   %-14s %s\n         %.3f %s (%s)\n", party->role ? party->role : "",
           party->name, best->score, best->entity->names[best->name_index].text,
           best->entity->list_code);
    return 0;
}

int main(int argc, char **argv)
{
    rf_store *store = NULL;
    rf_snapshot *snapshot = NULL;
    rf_matcher *matcher = NULL;
    rf_error err = {0};
    screening s = {0};
    int rc = 2;

    if (argc != 3) {
        fprintf(stderr, "usage: %s DATABASE ORDER\n", argv[0]);
        return 2;
    }
    if (rf_store_open(&store, argv[1], &err) != 0) goto cleanup;
    if (rf_store_is_empty(store)) {
        const unsigned char *data;
        const char *name, *published;
        size_t len;
        rf_import_summary summary;
        rf_bundled_list(&data, &len, &name, &published);
        if (rf_import_list_data(&summary, store, name, data, len, NULL, &err) != 0) goto cleanup;
    }
    if (rf_snapshot_load(&snapshot, store, NULL, &err) != 0) goto cleanup;
    if (rf_matcher_new(&matcher, snapshot, &err) != 0) goto cleanup;
    if (rf_result_new(&s.result) != 0) goto cleanup;
    s.matcher = matcher;
    s.err = &err;
    if (rf_orders_read(argv[2], NULL, screen_party, &s, &err) != 0) goto cleanup;
    printf("%d parties screened against %zu listed names: %s\n", s.parties,
           rf_matcher_name_count(matcher), s.flagged ? "REVIEW" : "clear");
    rc = s.flagged ? 1 : 0;

cleanup:
    if (rc == 2) {
        char message[2048];
        fprintf(stderr, "embed: %s\n", rf_error_format(&err, message, sizeof message));
    }
    rf_result_free(s.result);
    rf_matcher_free(matcher);
    rf_snapshot_free(snapshot);
    rf_store_close(store);
    return rc;
}
