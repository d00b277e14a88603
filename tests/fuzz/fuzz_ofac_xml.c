/* fuzz_ofac_xml.c: OFAC's XML (sdn.xml, consolidated.xml, SDN_ADVANCED.xml) through
 * rf_import_list_data into an in-memory store. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const rf_list_format formats[] = {
        RF_LIST_OFAC_SDN_XML, RF_LIST_OFAC_CONS_XML, RF_LIST_SDN_ADVANCED};
    fuzz_list_import(data, size, formats, sizeof formats / sizeof *formats);
    return 0;
}
