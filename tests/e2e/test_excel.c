/* test_excel.c: a reviewer who works in Excel, end to end through the redflag command on the
 * bundled list: the report written as a workbook (-o report.xlsx), decisions filled in it and
 * imported back; the CSV report saved by Excel in German settings (semicolons, byte-order
 * mark), and in Windows-1252, which is refused with the command that converts it. The
 * reviewer's edits are made by tests/e2e/excel.py, which reads and writes the workbook's XML
 * on its own (Python's zipfile), not through redflag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_run.h"
#include "rf_test.h"

#define LOS_ZETAS "11438" /* SDN, the cartel */
/* An order whose buyer is written twice (two rows, the same counterparty and hit). */
#define ORDERS "ref,buyer,country\nSO-1,Los Zetas,MX\nSO-2,Huawei Technologies Co Ltd,CN\n" \
               "SO-3,Los Zetas,MX\n"

static void test_excel__workbook_report_goes_back_to_review_import(void **state)
{
    const char *orders = e2e_tmp("orders.csv"), *report = e2e_tmp("report.xlsx");
    const char *decided = e2e_tmp("decided.xlsx");
    char *cells;
    e2e_out r;
    (void)state;

    assert_int_equal(rf_test_write_file(orders, ORDERS, strlen(ORDERS)), 0);
    r = e2e_redflag("book.db", "screen -o '%s' '%s'", report, orders);
    e2e_expect(&r, 1);
    e2e_out_free(&r);

    /* the CSV report's columns, then the reviewer's decision and reason */
    cells = e2e_python("tests/e2e/excel.py", "cells '%s' 1", report);
    assert_non_null(strstr(cells, "s:ref\ts:document\ts:line\t"));
    assert_non_null(strstr(cells, "\ts:fingerprint\t"));
    assert_non_null(strstr(cells, "\ts:decision\ts:reason\n"));
    free(cells);
    /* row 2, the first hit on Los Zetas: line and score are numbers, the list's id and the
     * 16-hex fingerprint are text (Excel would make numbers of them) */
    cells = e2e_python("tests/e2e/excel.py", "cells '%s' 2", report);
    assert_non_null(strstr(cells, "s:SO-1\t"));
    assert_non_null(strstr(cells, "\tn:2\ts:buyer\ts:Los Zetas\t"));
    assert_non_null(strstr(cells, "\ts:SDN\ts:" LOS_ZETAS "\t"));
    assert_non_null(strstr(cells, "\tn:1\t"));
    free(cells);

    /* the reviewer clears the cartel hit on both rows where it appears */
    free(e2e_python("tests/e2e/excel.py", "decide '%s' '%s' " LOS_ZETAS " clear 'a caterer in Monterrey'", report,
                  decided));
    r = e2e_redflag("book.db", "review import '%s'", decided);
    e2e_expect(&r, 0);
    assert_non_null(strstr(r.err, "1 decision recorded from")); /* the same decision, once */
    assert_non_null(strstr(r.out, "cleared: "));
    assert_non_null(strstr(r.out, "a caterer in Monterrey"));
    e2e_out_free(&r);

    r = e2e_redflag("book.db", "screen --format jsonl '%s'", orders);
    e2e_expect(&r, 1);
    assert_non_null(strstr(r.err, "1 new alarm, 0 known (confirmed or escalated), 2 cleared"));
    e2e_out_free(&r);
}

static void test_excel__csv_saved_by_excel_in_german_settings(void **state)
{
    const char *orders = e2e_tmp("orders-de.csv"), *report = e2e_tmp("report.csv");
    const char *utf8 = e2e_tmp("entscheidungen.csv"), *legacy = e2e_tmp("entscheidungen-1252.csv");
    e2e_out r;
    (void)state;

    assert_int_equal(rf_test_write_file(orders, ORDERS, strlen(ORDERS)), 0);
    r = e2e_redflag("de.db", "screen -o '%s' '%s'", report, orders);
    e2e_expect(&r, 1);
    e2e_out_free(&r);

    /* Windows-1252: refused, nothing recorded, with the iconv line that converts this file */
    free(e2e_python("tests/e2e/excel.py", "csv '%s' '%s' " LOS_ZETAS " clear 'Caterer, geprüft' cp1252", report, legacy));
    r = e2e_redflag("de.db", "review import '%s'", legacy);
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "not UTF-8 (byte 0xFC"));
    assert_non_null(strstr(r.err, "iconv -f WINDOWS-1252 -t UTF-8 '"));
    assert_non_null(strstr(r.err, "entscheidungen-1252.csv' > '"));
    e2e_out_free(&r);

    /* "CSV UTF-8": semicolons, a byte-order mark, CRLF */
    free(e2e_python("tests/e2e/excel.py", "csv '%s' '%s' " LOS_ZETAS " clear 'Caterer, geprüft' utf-8-sig", report, utf8));
    r = e2e_redflag("de.db", "review import '%s'", utf8);
    e2e_expect(&r, 0);
    assert_non_null(strstr(r.err, "1 decision recorded"));
    assert_non_null(strstr(r.out, "Caterer, geprüft"));
    e2e_out_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_excel__workbook_report_goes_back_to_review_import),
        cmocka_unit_test(test_excel__csv_saved_by_excel_in_german_settings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
