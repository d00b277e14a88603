/* fuzz_ofac_csv.c: OFAC's legacy CSV (sdn.csv, cons_prim.csv) through rf_import_list_data into
 * an in-memory store. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const rf_list_format formats[] = {RF_LIST_OFAC_SDN_CSV, RF_LIST_OFAC_CONS_CSV};
    fuzz_list_import(data, size, formats, sizeof formats / sizeof *formats);
    return 0;
}
