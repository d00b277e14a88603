/* fuzz_ubl.c: UBL orders (OASIS UBL 2.x, PEPPOL BIS) through rf_orders_read. */
#include "fuzz.h"

static int is_ubl(const char *data, size_t size)
{
    data = fuzz_skip_space(data, &size);
    return size && data[0] == '<' && !fuzz_contains(data, size, "cXML");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_orders(data, size, is_ubl);
    return 0;
}
