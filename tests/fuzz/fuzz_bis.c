/* fuzz_bis.c: the native BIS and State Department list files (Entity List, Unverified List,
 * ISN, DDTC) through rf_import_list_data into an in-memory store. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const rf_list_format formats[] = {
        RF_LIST_BIS_EL_CSV, RF_LIST_BIS_UVL_CSV, RF_LIST_STATE_ISN_CSV, RF_LIST_STATE_DTC_CSV};
    fuzz_list_import(data, size, formats, sizeof formats / sizeof *formats);
    return 0;
}
