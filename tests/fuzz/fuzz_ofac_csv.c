/* fuzz_ofac_csv.c: OFAC's legacy CSV as the set it is published as: sdn.csv (or
 * cons_prim.csv) with add.csv, alt.csv and sdn_comments.csv beside it, joined on the entry
 * number (cons_prim.csv with cons_add.csv, cons_alt.csv and cons_comments.csv for the non-SDN
 * lists). The input holds the set's files one after the other, separated by lines "--" (the
 * main file first; a file not given is absent); they are written to a scratch directory and
 * imported from there with rf_import_list_file, as `redflag lists import sdn.csv` would. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEPARATOR "\n--\n"

static char dir[64], paths[4][128];

static void remove_dir(void)
{
    for (int k = 0; k < 4; k++) unlink(paths[k]);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const files[2][4] = {
        {"sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"},
        {"cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"}};
    static const char *names[4];
    const char *p = (const char *)data, *end = p + size;
    rf_list_format f;
    int set = 0;

    if (!dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/fuzz-ofac-XXXXXX", tmp ? tmp : "/tmp");
        FUZZ_CHECK(mkdtemp(dir) != NULL, "no scratch directory");
        atexit(remove_dir);
    }
    for (int i = 0; i < 4; i++) {
        const char *sep = NULL;
        FILE *out;
        for (const char *q = p; q && q + sizeof SEPARATOR - 1 <= end; q++)
            if (memcmp(q, SEPARATOR, sizeof SEPARATOR - 1) == 0) {
                sep = q;
                break;
            }
        if (i == 0) {
            f = rf_list_format_detect(p, (size_t)((sep ? sep : end) - p));
            if (f != RF_LIST_OFAC_SDN_CSV && f != RF_LIST_OFAC_CONS_CSV) return 0;
            set = f == RF_LIST_OFAC_CONS_CSV;
            for (int k = 0; k < 4; k++) {
                unlink(paths[k]); /* the last input's files */
                snprintf(paths[k], sizeof paths[k], "%s/%s", dir, files[set][k]);
                names[k] = paths[k];
            }
        }
        if (!p) continue;
        out = fopen(paths[i], "wb");
        FUZZ_CHECK(out != NULL, "cannot write %s", paths[i]);
        fwrite(p, 1, (size_t)((sep ? sep + 1 : end) - p), out);
        FUZZ_CHECK(fclose(out) == 0, "cannot write %s", paths[i]);
        p = sep ? sep + sizeof SEPARATOR - 1 : NULL;
    }
    fuzz_list_import_set(names, 4);
    return 0;
}
