/* fuzz_x12.c: ANSI X12 850 purchase orders through rf_orders_read. */
#include "fuzz.h"

#include <string.h>

static int is_x12(const char *data, size_t size)
{
    data = fuzz_skip_space(data, &size);
    return size >= 3 && memcmp(data, "ISA", 3) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_orders(data, size, is_x12);
    return 0;
}
