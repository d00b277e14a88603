/* fuzz_xlsx.c: Excel workbooks (.xlsx: a zip of XML parts) through rf_orders_read. */
#include "fuzz.h"

#include <string.h>

static int is_zip(const char *data, size_t size)
{
    return size >= 4 && memcmp(data, "PK\x03\x04", 4) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_orders(data, size, is_zip);
    return 0;
}
