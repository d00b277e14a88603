/* test_versions.c: list versions over time, from the command line. The story behind the
 * project: ZTE Kangxun was on the Denied Persons List under the denial order of April 2018
 * (83 F.R. 17644) and off it from the list of August 2018; an order dated 2018-05-20 is a hit,
 * the same order dated 2018-08-15 is clear and the report says it was delisted and from which
 * version on. Also `lists history`, `lists diff`, and `screen --as-of` with a date or each
 * document's own date. The two DPL files are real excerpts (tests/data/lists). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "e2e_run.h"
#include "rf_test.h"

#define DELISTED_NOTE(may, aug)                                                              \
    "delisted: was on DPL until version " may " published 2018-05-01, removed in version " aug \
    " published 2018-08-01"

/* Imports the May and August 2018 DPL excerpts into `db` (after the bundled CSL, version 1):
 * they become versions 2 and 3. */
static void import_2018(const char *db)
{
    char may[1024], aug[1024];
    e2e_out r;

    e2e_src(may, sizeof may, "tests/data/lists/dpl_2018-05-01_excerpt.txt");
    e2e_src(aug, sizeof aug, "tests/data/lists/dpl_2018-08-01_excerpt.txt");
    r = e2e_redflag(db, "lists import --effective 2018-05-01 '%s'", may);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "published 2018-05-01, version 2"));
    e2e_out_free(&r);
    /* The excerpts are parts of the list: August's lists a fifth fewer than May's. */
    r = e2e_redflag(db, "lists import --allow-shrink --effective 2018-08-01 '%s'", aug);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "published 2018-08-01, version 3"));
    e2e_out_free(&r);
}

/* Writes an order file with one row per (ref, date); returns its path (static). */
static const char *orders(const char *name, const char *rows)
{
    static char path[1024];
    char text[2048];
    int n = snprintf(text, sizeof text, "ref,date,buyer,country\n%s", rows);
    snprintf(path, sizeof path, "%s", rf_test_tmpfile(name));
    assert_int_equal(rf_test_write_file(path, text, (size_t)n), 0);
    return path;
}

/* The n-th line (from 1) of `text`, copied into a static buffer. */
static const char *line_of(const char *text, int n)
{
    static char line[65536];
    const char *p = text, *end;
    for (int i = 1; i < n && p; i++) p = strchr(p, '\n'), p = p ? p + 1 : NULL;
    assert_non_null(p);
    end = strchr(p, '\n');
    snprintf(line, sizeof line, "%.*s", (int)(end ? end - p : (long)strlen(p)), p);
    return line;
}

static void test_e2e_versions__zte_hit_in_may_clear_and_delisted_in_august(void **state)
{
    const char *file;
    const char *first, *second;
    e2e_out r;
    (void)state;

    import_2018("zte.db");
    file = orders("zte-orders.csv",
                  "PO-2018-0520,2018-05-20,ZTE Kangxun Telecommunications Ltd.,CN\n"
                  "PO-2018-0815,2018-08-15,ZTE Kangxun Telecommunications Ltd.,CN\n");

    /* Each order as of its own date: the May order is a Denied Persons List hit. */
    r = e2e_redflag("zte.db", "screen --as-of document --format jsonl '%s'", file);
    if (r.status != 1) fprintf(stderr, "%s\n%s\n", r.out, r.err);
    assert_int_equal(r.status, 1);
    first = line_of(r.out, 1);
    assert_non_null(strstr(first, "\"ref\":\"PO-2018-0520\""));
    assert_non_null(strstr(first, "\"status\":\"review\""));
    assert_non_null(strstr(first, "\"list\":\"DPL\""));
    assert_non_null(strstr(first, "\"name\":\"ZTE KANGXUN TELECOMMUNICATIONS LTD.\""));
    assert_non_null(strstr(first, "83 F.R. 17644"));
    assert_non_null(strstr(first, "\"as_of\":\"2018-05-20\",\"versions\":[2],"));
    assert_non_null(strstr(first, "\"delisted\":[]"));
    /* The August order is clear, and says the party was delisted from version 3 on. */
    second = line_of(r.out, 2);
    assert_non_null(strstr(second, "\"ref\":\"PO-2018-0815\""));
    assert_non_null(strstr(second, "\"status\":\"clear\",\"hits\":[]"));
    assert_non_null(strstr(second, "\"as_of\":\"2018-08-15\",\"versions\":[3]"));
    assert_non_null(strstr(second, DELISTED_NOTE("2", "3")));
    assert_non_null(strstr(second, "\"federal_register\":\"83 F.R. 17644 4/23/18\""));
    e2e_out_free(&r);

    /* The August order alone, as of its date: clear, exit 0, the delisting on record. */
    file = orders("zte-august.csv",
                  "PO-2018-0815,2018-08-15,ZTE Kangxun Telecommunications Ltd.,CN\n");
    r = e2e_redflag("zte.db", "screen --as-of 2018-08-15 --format jsonl '%s'", file);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"status\":\"clear\""));
    assert_non_null(strstr(r.out, DELISTED_NOTE("2", "3")));
    e2e_out_free(&r);
    r = e2e_redflag("zte.db", "screen --as-of 2018-08-15 --format csv '%s'", file);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, ",as_of,versions,delisted"));
    assert_non_null(strstr(r.out, ",clear,"));
    assert_non_null(strstr(r.out, "ZTE KANGXUN TELECOMMUNICATIONS LTD. (DPL, 83 F.R. 17644 4/23/18): "
                                  DELISTED_NOTE("2", "3")));
    e2e_out_free(&r);
    /* ... and as of May, the same order is a hit. */
    r = e2e_redflag("zte.db", "screen --as-of 2018-05-20 --format jsonl '%s'", file);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "\"status\":\"review\""));
    e2e_out_free(&r);
}

static void test_e2e_versions__html_names_every_version_and_the_delisting(void **state)
{
    const char *file;
    char may_file[1024], aug_file[1024];
    e2e_out r;
    (void)state;

    import_2018("html.db");
    e2e_src(may_file, sizeof may_file, "tests/data/lists/dpl_2018-05-01_excerpt.txt");
    e2e_src(aug_file, sizeof aug_file, "tests/data/lists/dpl_2018-08-01_excerpt.txt");
    file = orders("zte-html.csv",
                  "PO-2018-0520,2018-05-20,ZTE Kangxun Telecommunications Ltd.,CN\n"
                  "PO-2018-0815,2018-08-15,ZTE Kangxun Telecommunications Ltd.,CN\n");
    r = e2e_redflag("html.db", "screen --as-of document --format html '%s'", file);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "<h2>Delisted parties</h2>"));
    assert_non_null(strstr(r.out, DELISTED_NOTE("2", "3")));
    assert_non_null(strstr(r.out, "<h3>Dates screened as of</h3>"));
    assert_non_null(strstr(r.out, "each document&#39;s own date") ||
                    strstr(r.out, "each document's own date"));
    /* Both versions used are named with their files: a reviewer can reproduce either. */
    assert_non_null(strstr(r.out, may_file));
    assert_non_null(strstr(r.out, aug_file));
    assert_non_null(strstr(r.out, "screened as of 2018-05-20 against versions 2"));
    e2e_out_free(&r);
}

static void test_e2e_versions__history_and_diff_from_the_command_line(void **state)
{
    e2e_out r;
    (void)state;

    import_2018("history.db");
    r = e2e_redflag("history.db", "lists history");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "3 list versions"));
    assert_non_null(strstr(r.out, "version 2  bis-dpl  published 2018-05-01\n"
                                  "  replaced by version 3\n"));
    assert_non_null(strstr(r.out, "version 3  bis-dpl  published 2018-08-01  in force\n"));
    assert_non_null(strstr(r.out, "dpl_2018-08-01_excerpt.txt (dpl-tsv)"));
    assert_non_null(strstr(r.out, "lists     DPL 10\n"));
    assert_non_null(strstr(r.out, "EL 2001")); /* the bundled CSL, version 1 */
    e2e_out_free(&r);

    r = e2e_redflag("history.db", "lists history --feed bis-dpl --format jsonl");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(line_of(r.out, 1), "\"id\":2,\"feed\":\"bis-dpl\""));
    assert_non_null(strstr(line_of(r.out, 1), "\"lists\":{\"DPL\":10},\"replaced_by\":3"));
    assert_non_null(strstr(line_of(r.out, 2), "\"replaced_by\":null,\"in_force\":true"));
    assert_null(strstr(r.out, "\"feed\":\"csl\"")); /* only the feed asked for */
    e2e_out_free(&r);

    /* August against May: the two ZTE parties of the denial order were removed. */
    r = e2e_redflag("history.db", "lists diff 2 3");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "removed  DPL    ZHONGXING TELECOMMUNICATIONS EQUIPMENT "
                                  "CORPORATION\n"));
    assert_non_null(strstr(r.out, "removed  DPL    ZTE KANGXUN TELECOMMUNICATIONS LTD.\n"
                                  "         id dpl-"));
    assert_non_null(strstr(r.out, "83 F.R. 17644 4/23/18; listed since 2018-04-15"));
    assert_non_null(strstr(r.out, "0 added, 2 removed, 0 changed, 8 unchanged\n"));
    e2e_out_free(&r);
    r = e2e_redflag("history.db", "lists diff --format jsonl dpl 3 2");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(line_of(r.out, 1), "{\"change\":\"added\",\"list\":\"DPL\""));
    assert_non_null(strstr(line_of(r.out, 2), "\"name\":\"ZTE KANGXUN TELECOMMUNICATIONS LTD.\""));
    e2e_out_free(&r);
    /* Another list: nothing of it in either version. */
    r = e2e_redflag("history.db", "lists diff EL 2 3");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "0 added, 0 removed, 0 changed, 0 unchanged"));
    e2e_out_free(&r);

    /* Each subcommand documents itself, saying that diff takes version ids. */
    for (int i = 0; i < 3; i++) {
        static const char *const sub[] = {"history", "diff", "update"};
        r = e2e_redflag("history.db", "lists %s --help", sub[i]);
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, "usage: redflag lists "));
        assert_non_null(strstr(r.out, "Exit status"));
        assert_non_null(strstr(r.out, "REDFLAG_DB"));
        if (i == 1) assert_non_null(strstr(r.out, "version ids"));
        e2e_out_free(&r);
    }

    r = e2e_redflag("history.db", "lists diff 2 99");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "no list version 99"));
    e2e_out_free(&r);
    r = e2e_redflag("history.db", "lists diff 2");
    assert_int_equal(r.status, 2);
    e2e_out_free(&r);
    r = e2e_redflag("history.db", "lists diff 2018-05-01 2018-08-01");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "not a version id"));
    e2e_out_free(&r);
}

static void test_e2e_versions__as_of_document_falls_back_to_today_and_says_so(void **state)
{
    char today[11];
    const char *file;
    time_t now = time(NULL);
    struct tm tm;
    e2e_out r;
    (void)state;

    gmtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    import_2018("fallback.db");
    file = orders("dates.csv", "A-1,,Kimball Electronics Inc.,US\n"
                               "A-2,20/05/2018,Kimball Electronics Inc.,US\n"
                               "A-3,2017-01-01,Kimball Electronics Inc.,US\n"
                               "A-4,2018-06-01,\"Huawei Technologies Co., Ltd.\",CN\n");
    r = e2e_redflag("fallback.db", "screen --as-of document --format jsonl '%s'", file);
    assert_int_equal(r.status, 0); /* Huawei was not on the lists in force in June 2018 */
    /* No date: today's lists (the bundled CSL and the August DPL). */
    assert_non_null(strstr(line_of(r.out, 1), "\"versions\":[3,1]") ||
                    strstr(line_of(r.out, 1), "\"versions\":[1,3]"));
    assert_non_null(strstr(line_of(r.out, 1), today));
    /* A date that is no date, and one before any list: today's lists, and a warning. */
    assert_non_null(strstr(r.err, "dates.csv:3: warning: the document's date is not YYYY-MM-DD"));
    assert_non_null(strstr(line_of(r.out, 2), today));
    assert_non_null(strstr(line_of(r.out, 3), today));
    assert_non_null(strstr(r.err, "dates.csv:4: warning: no list version was in force on "
                                  "2017-01-01"));
    /* June 2018: only the May DPL was in force. */
    assert_non_null(strstr(line_of(r.out, 4), "\"as_of\":\"2018-06-01\",\"versions\":[2]"));
    e2e_out_free(&r);

    r = e2e_redflag("fallback.db", "screen --as-of 2017-01-01 '%s'", file);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "no list version in force on 2017-01-01"));
    e2e_out_free(&r);
    r = e2e_redflag("fallback.db", "screen --as-of documents '%s'", file);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "'document'"));
    e2e_out_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_e2e_versions__zte_hit_in_may_clear_and_delisted_in_august),
        cmocka_unit_test(test_e2e_versions__html_names_every_version_and_the_delisting),
        cmocka_unit_test(test_e2e_versions__history_and_diff_from_the_command_line),
        cmocka_unit_test(test_e2e_versions__as_of_document_falls_back_to_today_and_says_so),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
