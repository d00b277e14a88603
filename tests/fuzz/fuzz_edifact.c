/* fuzz_edifact.c: UN/EDIFACT ORDERS messages through rf_orders_read. */
#include "fuzz.h"

#include <string.h>

static int is_edifact(const char *data, size_t size)
{
    data = fuzz_skip_space(data, &size);
    return size >= 3 && (memcmp(data, "UNA", 3) == 0 || memcmp(data, "UNB", 3) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_orders(data, size, is_edifact);
    return 0;
}
