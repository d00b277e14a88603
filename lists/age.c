/* age.c: how old a list version is on a date (rf_lists.h), so that screening against lists
 * nobody has updated for months says so instead of passing for a clean result. A version
 * counts from its publication date, or from the day it was imported when the file gives
 * none: the same date rf_store_versions_in_force selects by. */
#include "rf_lists.h"
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil):
 * exact for any year, with no dependence on the time zone or timegm. */
static long days_from_civil(long y, long m, long d)
{
    long era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The day number of the YYYY-MM-DD at the start of `s` (a timestamp's date part will do);
 * -1 when it is not one. */
static int day_number(long *out, const char *s)
{
    char date[11];
    if (!s || strlen(s) < 10) return -1;
    memcpy(date, s, 10);
    date[10] = '\0';
    if (!rf_store__valid_date(date)) return -1;
    *out = days_from_civil(strtol(date, NULL, 10), strtol(date + 5, NULL, 10),
                           strtol(date + 8, NULL, 10));
    return 0;
}

int rf_version_age_on(rf_version_age *out, const rf_version *v, const char *as_of, rf_error *err)
{
    long from, to;

    memset(out, 0, sizeof *out);
    if (!v) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no list version");
    if (day_number(&to, as_of) != 0)
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "date \"%s\" is not YYYY-MM-DD",
                            as_of ? as_of : "");
    out->version = v;
    out->from_import = !v->published;
    out->date = v->published ? v->published : v->imported_at;
    if (day_number(&from, out->date) != 0)
        return rf_error_set(err, RF_EUSAGE, v->source_file, 0,
                            "list version %lld has no date to count its age from", v->id);
    out->days = to - from;
    return RF_OK;
}

int rf_versions_oldest(rf_version_age *out, const rf_version_list *versions, const char *as_of,
                       rf_error *err)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; versions && i < versions->count; i++) {
        rf_version_age age;
        int rc = rf_version_age_on(&age, &versions->items[i], as_of, err);
        if (rc) return rc;
        if (!out->version || age.days > out->days) *out = age;
    }
    return RF_OK;
}
