/* fuzz_orders_csv.c: order documents and bills of materials in CSV through rf_orders_read
 * (the structured formats have harnesses of their own). */
#include "fuzz.h"

#include <string.h>

static int is_csv(const char *data, size_t size)
{
    data = fuzz_skip_space(data, &size);
    return !(size >= 1 && data[0] == '<') && !(size >= 3 && (memcmp(data, "ISA", 3) == 0 ||
                                                            memcmp(data, "UNA", 3) == 0 ||
                                                            memcmp(data, "UNB", 3) == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_orders(data, size, is_csv);
    return 0;
}
