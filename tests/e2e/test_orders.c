/* test_orders.c: end-to-end tests of `redflag screen` on order documents as ERP systems send
 * them: the demo orders in UBL, cXML and X12 flag their Huawei affiliates and the line bound
 * for Sevastopol; a destination alone is a finding (exit 1); every real sample of
 * tests/data/orders is read from a directory argument; a batch with broken documents reports
 * each with its file and line, screens the rest and exits 2; the three report formats carry
 * the document, the order lines and the embargo. Every test has its own database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_run.h"
#include "base/rf_base.h"
#include "rf_test.h"

/* tests/e2e/orders.py MODE over `text`: one summary line per party (see the script). */
static char *summarise(const char *mode, const char *text)
{
    char file[1024], script[1024], cmd[4096];
    char *out = NULL;
    snprintf(file, sizeof file, "%s", rf_test_tmpfile("report.txt"));
    assert_int_equal(rf_test_write_file(file, text, strlen(text)), 0);
    e2e_src(script, sizeof script, "tests/e2e/orders.py");
    snprintf(cmd, sizeof cmd, "python3 '%s' %s '%s'", script, mode, file);
    assert_int_equal(rf_test_run(&out, cmd), 0);
    assert_non_null(out);
    return out;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* A real sample with `from` replaced by `to`, written to a scratch file named `name`; its
 * path in a static buffer of this file (rf_test_tmpfile's is reused by every run). */
static const char *altered(const char *name, const char *sample, const char *from, const char *to)
{
    static char path[1024];
    size_t len;
    char *text = rf_test_read_file(rf_test_data(sample), &len), *at;
    rf_buf b = {0};
    assert_non_null(text);
    at = strstr(text, from);
    assert_non_null(at);
    rf_buf_append(&b, text, (size_t)(at - text));
    rf_buf_puts(&b, to);
    rf_buf_puts(&b, at + strlen(from));
    snprintf(path, sizeof path, "%s", rf_test_tmpfile(name));
    assert_int_equal(rf_test_write_file(path, b.data, b.len), 0);
    rf_buf_free(&b);
    free(text);
    return path;
}

/* ---- the demo ------------------------------------------------------------------------------ */

static void test_e2e_orders__demo_flags_huawei_ship_to_end_user_and_sevastopol(void **state)
{
    char ubl[1024], cxml[1024], x12[1024];
    e2e_out r;
    char *got;
    (void)state;

    e2e_src(ubl, sizeof ubl, "examples/order-ubl.xml");
    e2e_src(cxml, sizeof cxml, "examples/order-cxml.xml");
    e2e_src(x12, sizeof x12, "examples/order-x12.txt");
    r = e2e_redflag("demo.db", "screen --format jsonl '%s' '%s' '%s'", ubl, cxml, x12);
    if (r.status != 1) fprintf(stderr, "%s", r.err);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "18 parties screened in 3 files, 3 flagged, 1 in an embargoed "
                                  "destination"));
    got = summarise("jsonl", r.out);
    assert_string_equal(
        got,
        "clear|buyer|FLEX LTD.|PO-4500118423|-|-|-|-\n"
        "clear|seller|RICHARDSON ELECTRONICS, LTD.|PO-4500118423|-|-|-|-\n"
        "review|ship_to|Huawei Device Co., Ltd.|PO-4500118423|-|-|10,20,30|"
        "Huawei Device Co., Ltd.\n"
        "clear|manufacturer|Analog Devices, Inc.|PO-4500118423|10|-|-|-\n"
        "clear|manufacturer|Advanced Micro Devices, Inc.|PO-4500118423|20|-|-|-\n"
        "embargo|ship_to|-|PO-4500118423|30|UA-43|30|-\n"
        "clear|manufacturer|Texas Instruments Incorporated|PO-4500118423|30|-|-|-\n"
        "review|ship_to|Huawei Technologies (Thailand) Co.|JBL-7781342|-|-|1,2|"
        "Huawei Technologies (Thailand) Co.\n"
        "clear|bill_to|JABIL INC|JBL-7781342|-|-|-|-\n"
        "clear|manufacturer|Texas Instruments Incorporated|JBL-7781342|1|-|-|-\n"
        "clear|manufacturer|Analog Devices, Inc.|JBL-7781342|2|-|-|-\n"
        "clear|buyer|CELESTICA INC|CLS-2024-88812|-|-|-|-\n"
        "clear|seller|RICHARDSON ELECTRONICS, LTD.|CLS-2024-88812|-|-|-|-\n"
        "clear|ship_to|Expeditors International|CLS-2024-88812|-|-|-|-\n"
        "review|end_user|Huawei Cloud Computing Technology|CLS-2024-88812|-|-|1,2|"
        "Huawei Cloud Computing Technology\n"
        "clear|buyer|CELESTICA INC|CLS-2024-88813|-|-|-|-\n"
        "clear|ship_to|Fabrinet|CLS-2024-88813|-|-|-|-\n"
        "clear|manufacturer|Murata Manufacturing Co., Ltd.|CLS-2024-88813|1|-|-|-\n");
    /* what the line bound for Sevastopol carries */
    assert_non_null(strstr(r.out, "\"embargo\":{\"code\":\"UA-43\",\"name\":\"the Crimea region of "
                                  "Ukraine\",\"authority\":\"EAR 15 CFR 746.6; Executive Order "
                                  "13685; 31 CFR part 589\",\"field\":\"city\",\"found\":"
                                  "\"Sevastopol\""));
    assert_non_null(strstr(r.out, "\"lines\":[{\"line\":122,\"number\":\"30\",\"part_number\":"
                                  "\"TPS62130RGTR\""));
    free(got);
    e2e_out_free(&r);
}

/* ---- the destination check alone ------------------------------------------------------------ */

/* The ship-to address of tests/data/orders/cxml/order_request_fixture.xml. */
static const char columbus[] =
    "<Street>22 E 4th Ave</Street>\n"
    "                            <City>Columbus</City>\n"
    "                            <State>OH</State>\n"
    "                            <PostalCode>43201-3551</PostalCode>\n"
    "                            <Country isoCountryCode=\"US\">United States</Country>";

static void test_e2e_orders__embargoed_destination_alone_exits_1(void **state)
{
    const char *sample = "orders/cxml/order_request_fixture.xml";
    char havana[1024], kyiv[1024];
    e2e_out r;
    char *got;
    (void)state;

    /* the cXML sample's clean parties, shipped to Havana */
    snprintf(havana, sizeof havana, "%s",
             altered("havana.xml", sample, columbus,
                     "<Street>Calle 23 No. 156, Vedado</Street><City>La Habana</City>"
                     "<Country isoCountryCode=\"CU\">Cuba</Country>"));
    r = e2e_redflag("havana.db", "screen --format jsonl '%s'", havana);
    assert_int_equal(r.status, 1);
    got = summarise("jsonl", r.out);
    assert_string_equal(got, "embargo|ship_to|TEST.USA ACME|acme-1-1|-|CU|1|-\n"
                             "clear|bill_to|TEST.USA ACME|acme-1-1|-|-|-|-\n");
    assert_non_null(strstr(r.err, "1 in an embargoed destination"));
    free(got);
    e2e_out_free(&r);

    /* the same, shipped to Kyiv: nothing */
    snprintf(kyiv, sizeof kyiv, "%s",
             altered("kyiv.xml", sample, columbus,
                     "<Street>Khreshchatyk St 22</Street><City>Kyiv</City>"
                     "<Country isoCountryCode=\"UA\">Ukraine</Country>"));
    r = e2e_redflag("havana.db", "screen --format jsonl '%s'", kyiv);
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.out, "\"status\":\"embargo\""));
    e2e_out_free(&r);
}

/* ---- every real sample, from a directory ----------------------------------------------------- */

static void test_e2e_orders__directory_of_real_samples(void **state)
{
    char dir[1024];
    e2e_out r;
    char *got;
    (void)state;

    snprintf(dir, sizeof dir, "%s/", rf_test_data("orders"));
    r = e2e_redflag("samples.db", "screen --format jsonl '%s'", dir);
    /* no file left unread; names like Maxim or Molex come close to listed ones */
    assert_null(strstr(r.err, "not read"));
    assert_true(r.status == 0 || r.status == 1);
    assert_non_null(strstr(r.err, "449 parties screened in 15 files"));
    got = summarise("jsonl", r.out);
    assert_int_equal(count_lines(got), 449);
    /* one of each format, in the order of the sorted paths */
    assert_non_null(strstr(got, "clear|buyer|Helseforetak AS|34|-|-|-|-\n"));
    assert_non_null(strstr(got, "|ship_to|A+A K\xEF\xBF\xBDlte GmbH|2019265563|-|-|"));
    assert_non_null(strstr(got, "|ship_to|SHIP TO SHIPTO NameII|ANSI-X12-CLP|1|-|"));
    assert_non_null(strstr(got, "|consignee|Coop Extra Bergen|exi000073|-|-|"));
    /* the same paths as given, a trailing slash or not */
    assert_null(strstr(r.out, "//"));
    free(got);
    e2e_out_free(&r);
}

/* ---- malformed documents in a batch ---------------------------------------------------------- */

static void test_e2e_orders__malformed_documents_exit_2_and_the_rest_is_screened(void **state)
{
    char good[1024], html[1024], cut[1024], broken[1024], dangling[1024], lying[1024];
    char *page, *text;
    size_t len;
    e2e_out r;
    (void)state;

    text = rf_test_read_file(rf_test_data("orders/x12-850/Example1_PGWGlass.txt"), &len);
    assert_non_null(text);
    assert_int_equal(rf_test_write_file(rf_test_tmpfile("cut.x12"), text, 700), 0);
    free(text);
    snprintf(cut, sizeof cut, "%s", rf_test_tmpfile("cut.x12"));
    snprintf(broken, sizeof broken, "%s",
             altered("broken.xml", "orders/ubl/UBL-Order-2.1-Example.xml",
                     "Johnssons byggvaror</cbc:Name>", "Johnssons byggvaror</cbc:Nam>"));
    snprintf(dangling, sizeof dangling, "%s",
             altered("dangling.edi", "orders/edifact/ORDERS_D01B_EAN010_example_order_ok.edi",
                     "42553+DE'", "42553+DE?'"));
    snprintf(lying, sizeof lying, "%s",
             altered("lying.x12", "orders/x12-850/Example1_PGWGlass.txt", "*P*~|", "*P*~!"));
    e2e_src(good, sizeof good, "examples/order-ubl.xml");
    snprintf(html, sizeof html, "%s", rf_test_tmpfile("batch.html"));
    r = e2e_redflag("batch.db", "screen -o '%s' '%s' '%s' '%s' '%s' '%s'", html, cut, broken, good,
                    dangling, lying);
    if (r.status != 2) fprintf(stderr, "%s", r.err);
    assert_int_equal(r.status, 2);
    /* each broken document named with its file and line, and why */
    assert_non_null(strstr(r.err, "cut.x12:19: the file ends inside transaction set 0001"));
    assert_non_null(strstr(r.err, "broken.xml:58: malformed XML at column"));
    assert_non_null(strstr(r.err, "dangling.edi:12: segment 11: the release character '?'"));
    assert_non_null(strstr(r.err, "lying.x12:2: segment 2 (GS*PO*828513) runs on"));
    assert_non_null(strstr(r.err, "4 files not read"));
    page = rf_test_read_file(html, NULL);
    assert_non_null(page);
    assert_non_null(strstr(page, "Screening incomplete: 4 documents could not be read."));
    assert_non_null(strstr(page, "<h2>Documents not read</h2>"));
    /* the good order is screened and grouped under its number, its lines listed */
    assert_non_null(strstr(page, "<h3 class=\"doc\">Order PO-4500118423 <span class=\"meta\">of "
                                 "2024-03-21</span></h3>"));
    assert_non_null(strstr(page, "<h4>Order lines concerned</h4>"));
    assert_non_null(strstr(page, "<td>XC7K325T-2FFG900I</td>"));
    assert_non_null(strstr(page, "Embargoed destination: the Crimea region of Ukraine"));
    /* the parties read before the cut still appear */
    assert_non_null(strstr(page, "GENERAL SUPPLY CO"));
    free(page);
    e2e_out_free(&r);
}

/* ---- the reports ----------------------------------------------------------------------------- */

static void test_e2e_orders__csv_report_carries_lines_and_embargo(void **state)
{
    char ubl[1024];
    e2e_out r;
    char *got;
    (void)state;

    e2e_src(ubl, sizeof ubl, "examples/order-ubl.xml");
    r = e2e_redflag("csv.db", "screen --format csv '%s'", ubl);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, ",format,doc_type,date,order_line,part_number,eccn,hs_code,"
                                  "lines,embargo,embargo_reason,list_age_days,"));
    got = summarise("csv", r.out);
    assert_non_null(strstr(got, "review|ship_to|Huawei Device Co., Ltd.|PO-4500118423|-|-|"
                                "10 AD9361BBCZ (ECCN 5A991.b, HS 854239); 20 XC7K325T-2FFG900I "
                                "(ECCN 3A991.d, HS 854231); 30 TPS62130RGTR (ECCN EAR99)|"
                                "Huawei Device Co., Ltd.\n"));
    assert_non_null(strstr(got, "embargo|ship_to|-|PO-4500118423|30|UA-43|30 TPS62130RGTR "
                                "(ECCN EAR99)|-\n"));
    free(got);
    e2e_out_free(&r);
}

static void test_e2e_orders__bom_without_named_columns(void **state)
{
    e2e_out r;
    (void)state;

    r = e2e_redflag("bom.db", "screen --format jsonl '%s'",
                    rf_test_data("orders/bom-csv/hackrf-one-bom_semicolon-per-ref.csv"));
    assert_true(r.status == 0 || r.status == 1);
    assert_int_equal(count_lines(r.out), 318);
    assert_non_null(strstr(r.out, "\"ref\":\"C1\",\"document\""));
    assert_non_null(strstr(r.out, "\"role\":\"manufacturer\",\"name\":\"Murata\""));
    /* do-not-place marks are not screened: one matched an SDN alias */
    assert_null(strstr(r.out, "\"name\":\"DNP\""));
    e2e_out_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_e2e_orders__demo_flags_huawei_ship_to_end_user_and_sevastopol),
        cmocka_unit_test(test_e2e_orders__embargoed_destination_alone_exits_1),
        cmocka_unit_test(test_e2e_orders__directory_of_real_samples),
        cmocka_unit_test(test_e2e_orders__malformed_documents_exit_2_and_the_rest_is_screened),
        cmocka_unit_test(test_e2e_orders__csv_report_carries_lines_and_embargo),
        cmocka_unit_test(test_e2e_orders__bom_without_named_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
