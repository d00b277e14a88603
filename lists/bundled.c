/* bundled.c: the list snapshot compiled into redflag (lists/data/consolidated_2022-05.csv.gz,
 * embedded by cmake/embed.cmake), so that a fresh install screens against real data at once. */
#include "rf_lists.h"

extern const unsigned char rf_bundled_csl[];
extern const size_t rf_bundled_csl_size;

/* The file carries no publication date. Its newest start_date is 2022-04-21 (a Denied Persons
 * List order, AVIASTAR-TU) and its source describes it as the list of May 2022, so it is
 * recorded as published on 2022-05-01: no listing in it postdates that day, and screening as
 * of any date from May 2022 on finds it in force. */
#define BUNDLED_PUBLISHED "2022-05-01"

void rf_bundled_list(const unsigned char **data, size_t *len, const char **name,
                     const char **published)
{
    if (data) *data = rf_bundled_csl;
    if (len) *len = rf_bundled_csl_size;
    if (name) *name = "consolidated_2022-05.csv.gz";
    if (published) *published = BUNDLED_PUBLISHED;
}
