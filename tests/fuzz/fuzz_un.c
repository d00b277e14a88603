/* fuzz_un.c: the UN Security Council Consolidated List (XML) through rf_import_list_data into
 * an in-memory store. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const rf_list_format formats[] = {RF_LIST_UN_XML};
    fuzz_list_import(data, size, formats, sizeof formats / sizeof *formats);
    return 0;
}
