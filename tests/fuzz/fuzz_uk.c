/* fuzz_uk.c: the UK lists (OFSI and FCDO CSV) through rf_import_list_data into an in-memory
 * store. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const rf_list_format formats[] = {RF_LIST_UK_OFSI_CSV, RF_LIST_UK_FCDO_CSV};
    fuzz_list_import(data, size, formats, sizeof formats / sizeof *formats);
    return 0;
}
