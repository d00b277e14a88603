/* tests/importers/lists/test_list_more.c: the CSL as JSON (a sample of the trade.gov API's
 * results[] written with real listed parties), the JSON tokenizer's strictness and caps, the
 * native BIS and State list files of 2019, the XML reader's refusals (XXE, billion laughs,
 * entities, depth) and errors with lines, detection of every format from its content, and
 * `redflag lists import` on a set and on an XML file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "importers/lists/list_import.h"
#include "importers/rf_importers.h"
#include "list_test_util.h"
#include "rf_test.h"

/* ---- the CSL as JSON -------------------------------------------------------------------- */

static void test_csl_json__results_with_structured_addresses_and_ids(void **state)
{
    rf_store *st = rf_test_store("csljson.db");
    rf_import_summary sum;
    warnings w = {0};
    rf_snapshot *snap;
    const rf_entity *e;
    list_count counts[] = {{"EL", 2, -1}, {"SDN", 2, -1}, {"SSI", 1, -1}, {NULL, 0, 0}};
    char path[1024];
    (void)state;

    snprintf(path, sizeof path, "%s", rf_test_data("lists/csl_sample.json"));
    assert_int_equal(import_ok(&sum, st, path, "2022-05-04", &w), RF_OK);
    assert_int_equal(sum.format, RF_LIST_CSL_JSON);
    assert_string_equal(rf_list_format_name(sum.format), "csl-json");
    assert_int_equal(sum.entities, 5);
    assert_int_equal(w.count, 0);
    assert_counts(st, sum.version_id, counts);

    snap = load_snapshot(st);
    assert_string_equal(rf_snapshot_versions(snap)->items[0].feed, "csl"); /* as the CSV */
    /* Names split as the CSV's are: the affiliate and its parent. */
    e = find(snap, "EL", "Hangzhou Huawei Enterprises");
    assert_non_null(e);
    assert_string_equal(e->parent_name, "Huawei Technologies Co., Ltd.");
    assert_string_equal(e->addresses[0].text, "No. 410 Jianghong Road, Building 1, Hangzhou");
    assert_string_equal(e->addresses[0].city, "Hangzhou");
    assert_string_equal(e->addresses[0].country, "CN");
    e = find(snap, "EL", "Huawei Technologies Co., Ltd. (Huawei)");
    assert_non_null(e);
    assert_true(has_name(e, "Shenzhen Huawei Technologies", RF_NAME_ALIAS));
    assert_string_equal(e->license_policy, "Presumption of denial");
    assert_string_equal(e->start_date, "2019-05-21");
    assert_non_null(strstr(e->license_requirement, "\xC2\xA7\xC2\xA7 736.2(b)(3)(vi)")); /* \u00a7 */
    assert_int_equal(e->type, RF_ENTITY_ORGANIZATION);
    e = find(snap, "SDN", "JIM'ALE, Ahmed Nur Ali");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_PERSON);
    assert_int_equal(e->n_addresses, 3);
    assert_string_equal(e->addresses[0].text, "P.O. Box 3312, Dubai");
    assert_string_equal(e->nationalities, "SO; DJ");
    assert_string_equal(e->ids, "Passport A0181988 (SO)");
    assert_string_equal(e->programs, "SDGT");
    e = find(snap, "SSI", "ROSTEC");
    assert_non_null(e);
    assert_string_equal(e->ids, "Registration ID 1077799030847 (RU); Tax ID No. 7704274402 (RU); "
                                "Website www.rostec.ru");
    rf_snapshot_free(snap);
    rf_store_close(st);
}

static void test_csl_json__a_syntax_error_names_its_line(void **state)
{
    rf_store *st = rf_test_store("csljsonbad.db");
    rf_import_summary sum;
    rf_error err;
    static const char bad[] = "{\"results\": [\n"
                              "  {\"id\": \"1\", \"source\": \"Entity List (EL) - BIS\", \"name\": \"A Co\"},\n"
                              "  {\"id\": \"2\", \"source\": \"Entity List (EL) - BIS\", \"name\": \"B Co\",}\n"
                              "]}\n";
    (void)state;

    assert_int_equal(rf_import_list_data(&sum, st, "bad.json", bad, strlen(bad), NULL, &err),
                     RF_EFORMAT);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.file, "bad.json");
    assert_non_null(strstr(err.message, "bad JSON"));
    assert_int_equal(count_versions(st), 0); /* the first result is not kept either */
    rf_store_close(st);
}

/* ---- the JSON tokenizer ----------------------------------------------------------------- */

/* Tokenizes `s` to its end; returns the first error code (0 when the whole is valid). */
static int tokenize(const char *s, size_t len, rf_error *err, char *last_string, size_t size)
{
    rf_list_ctx cx;
    rf_list_input in;
    rf_json j;
    rf_json_token tok;
    int rc;

    memset(&cx, 0, sizeof cx);
    memset(&in, 0, sizeof in);
    in.name = cx.name = "t.json";
    in.data = s;
    in.len = len;
    cx.input = &in;
    cx.err = err;
    rc = rf_json__open(&j, &cx);
    while (rc == 0 && (rc = rf_json__next(&j, &tok)) == 0 && tok != RF_JSON_END)
        if (tok == RF_JSON_STRING && last_string) snprintf(last_string, size, "%s", j.text.data);
    rf_json__free(&j);
    return rc;
}

static void test_json__strict_grammar(void **state)
{
    static const char *const bad[] = {
        "[1,]", "{\"a\":1,}", "01", "/*x*/1", "['a']", "\"a\x01\"", "\"\\ud800\"",
        "\"\\udc00x\"", "\"\xff\"", "1 2", "[", "{\"a\" 1}", "{1:2}", "tru", "nul", "-", "1.",
        "1e", "\"\\x41\"", "[1 2]", "{\"a\":}", "", "\"abc", "+1", ".5", "0x10", "\"\\u12\"",
        "\"\\u0000\"", "{\"a\":1]", "[}"};
    char s[64];
    rf_error err;
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = tokenize(bad[i], strlen(bad[i]), &err, NULL, 0);
        if (rc != RF_EFORMAT) fprintf(stderr, "accepted: %s\n", bad[i]);
        assert_int_equal(rc, RF_EFORMAT);
    }
    /* Escapes decoded, a surrogate pair joined, UTF-8 passed through. */
    {
        static const char good[] = "{\"a\":[1,-2.5e+3,0,true,false,null,{},[],"
                                   "\"x\\u00e9\\ud83d\\ude00\\n\\/\\\"\xc3\xbc\"]}";
        assert_int_equal(tokenize(good, strlen(good), &err, s, sizeof s), 0);
    }
    assert_string_equal(s, "x\xc3\xa9\xf0\x9f\x98\x80\n/\"\xc3\xbc");
    /* The line of an error is the line it is on. */
    assert_int_equal(tokenize("[\n1,\n2,\n]", 9, &err, NULL, 0), RF_EFORMAT);
    assert_int_equal(err.line, 4);
}

static void test_json__caps_on_depth_and_string_size(void **state)
{
    char deep[80];
    char *big = malloc((size_t)RF_MAX_FIELD + 16);
    rf_error err;
    (void)state;

    memset(deep, '[', 33);
    memset(deep + 33, ']', 33);
    assert_int_equal(tokenize(deep, 66, &err, NULL, 0), RF_ELIMIT);
    assert_non_null(strstr(err.message, "deeper"));
    assert_int_equal(tokenize(deep + 1, 64, &err, NULL, 0), 0); /* 32 levels are fine */

    assert_non_null(big);
    big[0] = '"';
    memset(big + 1, 'a', (size_t)RF_MAX_FIELD + 1);
    big[RF_MAX_FIELD + 2] = '"';
    assert_int_equal(tokenize(big, (size_t)RF_MAX_FIELD + 3, &err, NULL, 0), RF_ELIMIT);
    free(big);
}

/* ---- the native BIS and State files ----------------------------------------------------- */

static void test_bis_native__pre_csl_files_of_2019(void **state)
{
    static const struct {
        const char *file;
        rf_list_format format;
        const char *code;
        long rows, entities;
    } files[] = {
        {"lists/bis/entity_list_sample_2019.csv", RF_LIST_BIS_EL_CSV, "EL", 18, 5},
        {"lists/bis/unverified_list_sample_2019.csv", RF_LIST_BIS_UVL_CSV, "UVL", 19, 13},
        {"lists/bis/isn_sample_2019.csv", RF_LIST_STATE_ISN_CSV, "ISN", 5, 3},
        {"lists/bis/itar_debarred_sample_2019.csv", RF_LIST_STATE_DTC_CSV, "DTC", 4, 4},
        {"lists/bis/dpl_sample_2019.txt", RF_LIST_DPL_TSV, "DPL", 9, 9},
    };
    rf_store *st = rf_test_store("bis.db");
    rf_snapshot *snap;
    const rf_entity *e;
    (void)state;

    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        rf_import_summary sum;
        warnings w = {0};
        list_count counts[] = {{files[i].code, files[i].entities, -1}, {NULL, 0, 0}};
        char path[1024];
        snprintf(path, sizeof path, "%s", rf_test_data(files[i].file));
        assert_int_equal(import_ok(&sum, st, path, NULL, &w), RF_OK);
        assert_int_equal(sum.format, files[i].format);
        assert_int_equal(sum.rows, files[i].rows);
        assert_int_equal(sum.entities, files[i].entities);
        assert_int_equal(w.count, 0);
        assert_counts(st, sum.version_id, counts);
    }
    snap = load_snapshot(st);
    /* Entity List: one row per address and alias, gathered. */
    e = find(snap, "EL", "Fazal Rahim Farid");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_PERSON);
    assert_true(has_name(e, "Engineer Idris", RF_NAME_ALIAS));
    assert_int_equal(e->n_addresses, 2);
    assert_string_equal(e->license_policy, "Presumption of denial.");
    assert_string_equal(e->federal_register, "76 FR 71867");
    assert_string_equal(e->start_date, "2011-11-21");
    /* Unverified List: an inline a.k.a. repeated in the list of aliases; Windows-1252. */
    e = find(snap, "UVL", "Training 2 Business Academy");
    assert_non_null(e);
    assert_true(has_name(e, "T2BA", RF_NAME_ALIAS));
    assert_true(has_name(e, "Academy of Business Training", RF_NAME_ALIAS));
    e = find(snap, "UVL", "Advent International Limited");
    assert_non_null(e);
    assert_non_null(strstr(e->addresses[0].text, "53\xE2\x80\x93" "59 Wuhu Street")); /* en dash */
    /* ISN: one row per program. */
    e = find(snap, "ISN", "Abdul Qadeer Khan");
    assert_non_null(e);
    assert_string_equal(e->programs, "E.O. 13382; Export-Import Bank Act; Nuclear Proliferation Prevention Act");
    /* ITAR debarred: "(a.k.a. X; Y)". */
    e = find(snap, "DTC", "Hukic, Bajro");
    assert_non_null(e);
    assert_true(has_name(e, "Bob Hukic", RF_NAME_ALIAS));
    assert_true(has_name(e, "Bab Hucici", RF_NAME_ALIAS));
    /* The older DPL: unquoted, rows stopping short, M/D/YYYY dates. */
    e = find(snap, "DPL", "KAL TEK LABS");
    assert_non_null(e);
    assert_string_equal(e->start_date, "1988-08-26");
    assert_string_equal(e->federal_register, "65 FR 42664 7/11/00");
    rf_snapshot_free(snap);
    rf_store_close(st);
}

/* ---- XML safety --------------------------------------------------------------------------- */

static const char xxe[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE sdnList [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
    "<sdnList xmlns=\"http://tempuri.org/sdnList.xsd\">\n"
    "  <sdnEntry><uid>1</uid><lastName>&xxe;</lastName><sdnType>Entity</sdnType></sdnEntry>\n"
    "</sdnList>\n";

/* Nine levels of ten: a billion "lol"s when expanded. */
static char *laughs(const char *root_open, const char *inner, const char *root_close)
{
    rf_buf b = {0};
    assert_int_equal(rf_buf_printf(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE x [\n <!ENTITY lol0 \"lol\">\n"), 0);
    for (int i = 1; i < 10; i++) {
        assert_int_equal(rf_buf_printf(&b, " <!ENTITY lol%d \"", i), 0);
        for (int k = 0; k < 10; k++) assert_int_equal(rf_buf_printf(&b, "&lol%d;", i - 1), 0);
        assert_int_equal(rf_buf_puts(&b, "\">\n"), 0);
    }
    assert_int_equal(rf_buf_printf(&b, "]>\n%s%s%s\n", root_open, inner, root_close), 0);
    return rf_buf_detach(&b);
}

typedef struct seen {
    int records;
    int leaked;
} seen;

static int on_any(const rf_xml_record *rec, void *ctx)
{
    seen *s = ctx;
    s->records++;
    for (size_t i = 0; i < rec->n; i++)
        if (rec->nodes[i].value && (strstr(rec->nodes[i].value, "root:") ||
                                    strstr(rec->nodes[i].value, "lollol")))
            s->leaked = 1;
    return 0;
}

/* rf_xml__read on data whose DTD sits behind a 70 KB comment, past the prolog check: the
 * reader itself must refuse it. */
static int read_behind_comment(const char *doc, const char *const *records, seen *s, rf_error *err)
{
    rf_list_ctx cx;
    rf_list_input in;
    rf_import_summary sum;
    rf_buf b = {0};
    const char *nl = strchr(doc, '\n');
    char *pad = malloc(70001);
    int rc;

    assert_non_null(pad);
    memset(pad, 'x', 70000);
    pad[70000] = '\0';
    assert_int_equal(rf_buf_printf(&b, "%.*s<!--%s-->\n%s", (int)(nl - doc + 1), doc, pad, nl + 1), 0);
    memset(&cx, 0, sizeof cx);
    memset(&sum, 0, sizeof sum);
    memset(&in, 0, sizeof in);
    in.name = cx.name = "behind.xml";
    in.data = b.data;
    in.len = b.len;
    cx.input = &in;
    cx.err = err;
    cx.sum = &sum;
    rc = rf_xml__read(&cx, records, on_any, s);
    rf_buf_free(&b);
    free(pad);
    return rc;
}

static void test_xml__xxe_is_refused_and_nothing_leaks(void **state)
{
    static const char *const records[] = {"sdnList/sdnEntry", NULL};
    rf_store *st = rf_test_store("xxe.db");
    rf_import_summary sum;
    rf_error err;
    seen s = {0, 0};
    (void)state;

    assert_int_equal(rf_import_list_data(&sum, st, "xxe.xml", xxe, strlen(xxe), NULL, &err), RF_EFORMAT);
    assert_non_null(strstr(err.message, "DTD"));
    assert_int_equal(count_versions(st), 0);
    assert_int_equal(read_behind_comment(xxe, records, &s, &err), RF_EFORMAT);
    assert_non_null(strstr(err.message, "DTD"));
    assert_int_equal(s.leaked, 0);
    assert_int_equal(s.records, 0);
    /* A reference to an entity nobody declared is not well-formed. */
    {
        const char *undeclared = strstr(xxe, "<sdnList");
        assert_int_equal(rf_import_list_data(&sum, st, "undeclared.xml", undeclared, strlen(undeclared),
                                             NULL, &err),
                         RF_EFORMAT);
        assert_int_equal(err.line, 2);
    }
    assert_int_equal(count_versions(st), 0);
    rf_store_close(st);
}

static void test_xml__billion_laughs_is_refused_quickly(void **state)
{
    static const char *const records[] = {"CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL", NULL};
    char *doc = laughs("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>",
                       "<REFERENCE_NUMBER>X</REFERENCE_NUMBER><FIRST_NAME>&lol9;</FIRST_NAME>",
                       "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>");
    rf_store *st = rf_test_store("laughs.db");
    rf_import_summary sum;
    rf_error err;
    seen s = {0, 0};
    (void)state;

    assert_int_equal(rf_import_list_data(&sum, st, "laughs.xml", doc, strlen(doc), NULL, &err), RF_EFORMAT);
    assert_non_null(strstr(err.message, "DTD"));
    assert_int_equal(count_versions(st), 0);
    assert_int_equal(read_behind_comment(doc, records, &s, &err), RF_EFORMAT);
    assert_int_equal(s.leaked, 0);
    free(doc);
    rf_store_close(st);
}

static void test_xml__depth_cap_and_errors_with_lines(void **state)
{
    static const char *const records[] = {"CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL", NULL};
    rf_buf doc = {0};
    rf_list_ctx cx;
    rf_list_input in;
    rf_import_summary sum;
    rf_error err;
    rf_store *st = rf_test_store("xmlerr.db");
    seen s = {0, 0};
    static const char broken_head[] =
        "<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST>\n <INDIVIDUALS>\n  <INDIVIDUAL>\n"
        "   <REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER><FIRST_NAME>A B</FIRST_NAME>\n";
    static const char broken_tail[] =
        "  </INDIVIDUAL>\n  <INDIVIDUAL>\n   <REFERENCE_NUMBER>QDi.2</REFERENCE_NUMBER>\n"
        "   <FIRST_NAME>C D</SECOND_NAME>\n  </INDIVIDUAL>\n </INDIVIDUALS>\n</CONSOLIDATED_LIST>\n";
    char broken[8192];
    static const char nameless[] =
        "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL>\n<REFERENCE_NUMBER>QDi.9</REFERENCE_NUMBER>\n"
        "</INDIVIDUAL>\n</INDIVIDUALS>\n</CONSOLIDATED_LIST>\n";
    (void)state;

    assert_int_equal(rf_buf_puts(&doc, "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>"), 0);
    for (int i = 0; i < RF_XML_MAX_DEPTH; i++) assert_int_equal(rf_buf_puts(&doc, "<a>"), 0);
    memset(&cx, 0, sizeof cx);
    memset(&sum, 0, sizeof sum);
    memset(&in, 0, sizeof in);
    in.name = cx.name = "deep.xml";
    in.data = doc.data;
    in.len = doc.len;
    cx.input = &in;
    cx.err = &err;
    cx.sum = &sum;
    assert_int_equal(rf_xml__read(&cx, records, on_any, &s), RF_ELIMIT);
    assert_non_null(strstr(err.message, "nested too deep"));
    rf_buf_free(&doc);

    /* A mismatched tag: the line it is on and about where in the document (a long comment
     * before it, on line 6, puts it past what libxml2 reads ahead). */
    snprintf(broken, sizeof broken, "%s   <COMMENTS1>%04000d</COMMENTS1>\n%s", broken_head, 0,
             broken_tail);
    assert_int_equal(rf_import_list_data(&sum, st, "broken.xml", broken, strlen(broken), NULL, &err),
                     RF_EFORMAT);
    assert_int_equal(err.line, 10);
    assert_non_null(strstr(err.message, "not well-formed"));
    assert_non_null(strstr(err.message, "SECOND_NAME"));
    assert_non_null(strstr(err.message, "(near /CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL"));
    /* A record without a name: its reference and line. */
    assert_int_equal(rf_import_list_data(&sum, st, "nameless.xml", nameless, strlen(nameless), NULL, &err),
                     RF_EFORMAT);
    assert_non_null(strstr(err.message, "QDi.9 has no name"));
    assert_int_equal(err.line, 3);
    assert_int_equal(count_versions(st), 0);
    rf_store_close(st);
}

/* ---- detection and the command ---------------------------------------------------------- */

static void test_detect__every_format_from_its_content(void **state)
{
    static const struct {
        const char *file;
        rf_list_format format;
    } files[] = {
        {"lists/csl_sample.json", RF_LIST_CSL_JSON},
        {"lists/sdn_advanced_sample.xml", RF_LIST_SDN_ADVANCED},
        {"lists/eu_fsf_sample.xml", RF_LIST_EU_XML},
        {"lists/ofac/sdn_xml_sample_2019.xml", RF_LIST_OFAC_SDN_XML},
        {"lists/ofac/consolidated_xml_sample_2019.xml", RF_LIST_OFAC_CONS_XML},
        {"lists/ofac/sdn_2021-07/sdn.csv.gz", RF_LIST_OFAC_SDN_CSV},
        {"lists/ofac/non_sdn_2025-12/cons_prim.csv", RF_LIST_OFAC_CONS_CSV},
        {"lists/ofac/sdn_2021-07/alt.csv", RF_LIST_UNKNOWN},
        {"lists/un/UN_consolidated_2026-02-27.xml.gz", RF_LIST_UN_XML},
        {"lists/uk/sanctionsconlist_2018-04-13.csv.gz", RF_LIST_UK_OFSI_CSV},
        {"lists/uk/uk_sanctions_list_sample.csv", RF_LIST_UK_FCDO_CSV},
        {"lists/eu/EUSanctionsShort_2018-07-04_partial.csv", RF_LIST_EU_CSV},
        {"lists/bis/entity_list_sample_2019.csv", RF_LIST_BIS_EL_CSV},
        {"lists/bis/unverified_list_sample_2019.csv", RF_LIST_BIS_UVL_CSV},
        {"lists/bis/isn_sample_2019.csv", RF_LIST_STATE_ISN_CSV},
        {"lists/bis/itar_debarred_sample_2019.csv", RF_LIST_STATE_DTC_CSV},
        {"lists/bis/dpl_sample_2019.txt", RF_LIST_DPL_TSV},
        {"lists/consolidated_current_sample.csv", RF_LIST_CSL_CSV},
    };
    (void)state;

    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        rf_buf data = {0};
        rf_error err;
        rf_list_format f;
        assert_int_equal(rf_file_read(&data, NULL, rf_test_data(files[i].file), 0, &err), RF_OK);
        f = rf_list_format_detect(data.data, data.len);
        if (f != files[i].format)
            fprintf(stderr, "%s: detected %s\n", files[i].file, rf_list_format_name(f));
        assert_int_equal(f, files[i].format);
        rf_buf_free(&data);
    }
}

static void test_cli__lists_import_a_set_and_an_xml_file(void **state)
{
    char cmd[4096], dir[1024], un[1024];
    char *out = NULL;
    const char *bin = getenv("RF_BIN");
    (void)state;

    assert_non_null(bin);
    snprintf(dir, sizeof dir, "%s", rf_test_data("lists/ofac/non_sdn_2025-12"));
    snprintf(un, sizeof un, "%s", rf_test_data("lists/un/UN_consolidated_2026-02-27.xml.gz"));
    snprintf(cmd, sizeof cmd, "'%s' lists import --db '%s' --no-bundled '%s' '%s' 2>&1", bin,
             rf_test_tmpfile("cli.db"), dir, un);
    assert_int_equal(rf_test_run(&out, cmd), 0);
    assert_non_null(out);
    assert_non_null(strstr(out, "ofac-cons-csv, 442 rows, 442 entities"));
    assert_non_null(strstr(out, "un-xml, 1003 rows, 1003 entities"));
    assert_non_null(strstr(out, "published 2026-02-27"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csl_json__results_with_structured_addresses_and_ids),
        cmocka_unit_test(test_csl_json__a_syntax_error_names_its_line),
        cmocka_unit_test(test_json__strict_grammar),
        cmocka_unit_test(test_json__caps_on_depth_and_string_size),
        cmocka_unit_test(test_bis_native__pre_csl_files_of_2019),
        cmocka_unit_test(test_xml__xxe_is_refused_and_nothing_leaks),
        cmocka_unit_test(test_xml__billion_laughs_is_refused_quickly),
        cmocka_unit_test(test_xml__depth_cap_and_errors_with_lines),
        cmocka_unit_test(test_detect__every_format_from_its_content),
        cmocka_unit_test(test_cli__lists_import_a_set_and_an_xml_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
