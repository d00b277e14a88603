/* test_reports.c: the JSON lines, CSV and HTML reports. Hits are built from real Consolidated
 * Screening List rows (Huawei entries of the Entity List and the CMIC list, as listed in the
 * May 2022 CSL) on real order lines (examples/open-orders.csv), plus hostile names; each
 * report is then read back the way its consumer reads it (check_report.py). The last test
 * screens through the public API: the bundled list imported, the engine's matcher, real hits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "importers/rf_importers.h"
#include "reports/report_internal.h"
#include "rf_test.h"

/* ---- real listed entities (CSL, May 2022) ---------------------------------------------- */

static const char el_list[] = "Entity List (EL) - Bureau of Industry and Security";
static const char huawei_license[] =
    "For all items subject to the EAR, see \xC2\xA7\xC2\xA7 736.2(b)(3)(vi), and 744.11 of the "
    "EAR, EXCEPT for technology subject to the EAR that is designated as EAR99, or controlled "
    "on the Commerce Control List for anti-terrorism reasons only, when released to members of "
    "a \xE2\x80\x9Cstandards organization\xE2\x80\x9D (see \xC2\xA7" "772.1) for the purpose of "
    "contributing to the revision or development of a \xE2\x80\x9Cstandard\xE2\x80\x9D (see "
    "\xC2\xA7" "772.1).";

static const rf_name bhdt_names[] = {
    {"Beijing Huawei Digital Technologies Co., Ltd.", RF_NAME_PRIMARY}};
static const rf_address bhdt_addresses[] = {{NULL, "Beijing", "CN"}};
static const rf_entity bhdt = {
    .list_code = "EL",
    .list_name = el_list,
    .source_id = "986d3f15a6adf1e1e6b5674715ad657adbf8d048",
    .type = RF_ENTITY_ORGANIZATION,
    .federal_register = "84 FR 22961, 85 FR 29852, 85 FR 36720, 85 FR 51603",
    .start_date = "2019-05-21",
    .license_requirement = huawei_license,
    .license_policy = "Presumption of denial",
    .source_url = "http://bit.ly/1L47xrV",
    .names = bhdt_names,
    .n_names = 1,
    .addresses = bhdt_addresses,
    .n_addresses = 1,
};

static const rf_name huawei_names[] = {
    {"Huawei Technologies Co., Ltd. (Huawei)", RF_NAME_PRIMARY},
    {"Shenzhen Huawei Technologies", RF_NAME_ALIAS},
    {"Huawei Technology", RF_NAME_ALIAS}};
static const rf_address huawei_addresses[] = {
    {"Bantian Huawei Base, Longgang District, Shenzhen, 518129", NULL, "CN"}};
static const rf_entity huawei = {
    .list_code = "EL",
    .list_name = el_list,
    .source_id = "d05d55fa214aff19c1eb3270d54905e4e362d445",
    .type = RF_ENTITY_ORGANIZATION,
    .federal_register = "84 FR 22963, 84 FR 43495, 85 FR 29853, 85 FR 36720,  85 FR 51603",
    .start_date = "2019-05-21",
    .license_requirement = huawei_license,
    .license_policy = "Presumption of denial",
    .source_url = "javascript:alert(1)", /* a hostile list file must not get a link */
    .names = huawei_names,
    .n_names = 3,
    .addresses = huawei_addresses,
    .n_addresses = 1,
};

static const rf_name cmic_names[] = {{"HUAWEI TECHNOLOGIES CO., LTD.", RF_NAME_PRIMARY}};
static const rf_address cmic_addresses[] = {
    {"Huawei Headquarter Office Building, Bantian, Longgang District, Guangdong", "Shenzhen",
     "CN"}};
static const rf_entity cmic = {
    .list_code = "CMIC",
    .list_name = "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury "
                 "Department",
    .source_id = "30947",
    .type = RF_ENTITY_ORGANIZATION,
    .programs = "CMIC-EO13959",
    .names = cmic_names,
    .n_names = 1,
    .addresses = cmic_addresses,
    .n_addresses = 1,
};

/* ---- parties from examples/open-orders.csv, and hostile ones ----------------------------- */

static const rf_party p_bhdt = {"open-orders.csv", 9, "SO-24-0318", "buyer",
                                "Beijing Huawei Digital Tech Co., Ltd.", NULL, NULL, "CN",
                                "2024-03-14", "MT41K256M16TW-107 DDR3 SDRAM", .format = "csv"};
static const rf_party p_shenzhen = {"open-orders.csv", 8, "SO-24-0317", "end_user",
                                    "Shenzhen Huawei Technologies", NULL, NULL, "CN",
                                    "2024-03-14", NULL, .format = "csv"};
static const rf_party p_script = {"open-orders.csv", 12, NULL, "ship_to",
                                  "<script>alert(1)</script>", NULL, NULL, "CN", NULL, NULL,
                                  .format = "csv"};
static const rf_party p_formula = {"open-orders.csv", 13, "SO-24-0322", "buyer",
                                   "=cmd|'/C calc'!A0", NULL, NULL, "US", NULL, NULL, .format = "csv"};
static const rf_party p_kimball = {"open-orders.csv", 2, "SO-24-0311", "buyer",
                                   "Kimball Electronics, Inc.", NULL, NULL, "US", NULL, NULL,
                                   .format = "csv"};
static const rf_party p_controls = {"suppliers.csv", 4, "V-1003", "supplier",
                                    "Lackmann Z\xC3\xA4hler \"GmbH\" \\ \ttab\x01 \xE4", NULL,
                                    NULL, NULL, NULL, NULL, .format = "csv"};

static const rf_span bhdt_party_spans[] = {{0, 7}, {8, 6}, {15, 7}};
static const rf_span bhdt_listed_spans[] = {{15, 7}, {0, 7}, {8, 6}}; /* any order */
static const rf_hit hit_bhdt = {&bhdt, 0, 0.95312,
                                "\"Beijing\" = \"Beijing\" (exact); \"Huawei\" = \"Huawei\" "
                                "(exact); \"Digital\" = \"Digital\" (exact); \"Tech\" = "
                                "\"Technologies\" (abbreviation); \"Co., Ltd.\" = \"Co., Ltd.\" "
                                "(legal form). Country agrees.",
                                bhdt_listed_spans, 3, bhdt_party_spans, 3};
static const rf_span shenzhen_spans[] = {{0, 28}};
static const rf_hit hit_alias = {&huawei, 1, 1.0, "exact alias", shenzhen_spans, 1,
                                 shenzhen_spans, 1};
static const rf_span cmic_listed[] = {{0, 6}, {7, 12}};
static const rf_span cmic_party[] = {{9, 6}, {16, 12}};
static const rf_hit hit_cmic = {&cmic, 0, 0.8333, "\"Huawei Technologies\" matched", cmic_listed,
                                2, cmic_party, 2};
static const rf_span script_spans[] = {{1, 6}};
static const rf_hit hit_script = {&bhdt, 0, 0.81, "<b>not</b> a real match", script_spans, 1,
                                  script_spans, 1};

/* ---- running a report into a file --------------------------------------------------------- */

static char bundled_sha[65];
static const char *bundled_name, *bundled_published;

static void context(rf_report_context *ctx, rf_version_list *vl, rf_version *v)
{
    const unsigned char *data;
    size_t len;
    rf_bundled_list(&data, &len, &bundled_name, &bundled_published);
    rf_sha256_hex(bundled_sha, data, len);
    memset(v, 0, sizeof *v);
    v->id = 1;
    v->feed = "csl";
    v->format = "csl-csv";
    v->source_file = (char *)bundled_name;
    v->sha256 = bundled_sha;
    v->published = (char *)bundled_published;
    v->imported_at = "2024-03-20T08:00:00Z";
    v->entities = 14160;
    vl->items = v;
    vl->count = 1;
    memset(ctx, 0, sizeof *ctx);
    ctx->versions = vl;
    ctx->threshold = 0.8;
    ctx->as_of = "2024-03-20";
    ctx->generated_at = "2024-03-20T09:15:02Z";
    ctx->tool_version = "0.1.0";
}

/* Writes the fixture parties (and one failed document) in `format` to `name`; returns the
 * file's text. */
static char *write_fixture_report(rf_report_format format, const char *name)
{
    rf_report_context ctx;
    rf_version_list vl;
    rf_version v;
    rf_report *rep;
    rf_error err, failure;
    const rf_hit *bhdt_hits[] = {&hit_bhdt};
    const rf_hit *shenzhen_hits[] = {&hit_alias, &hit_cmic};
    const rf_hit *script_hits[] = {&hit_script};
    FILE *f = fopen(rf_test_tmpfile(name), "wb");

    assert_non_null(f);
    context(&ctx, &vl, &v);
    assert_int_equal(rf_report_open(&rep, format, f, &ctx, &err), 0);
    /* the report copied the context: the caller's strings may go */
    memset(&v, 0, sizeof v);
    assert_int_equal(rf_report__add_hits(rep, &p_kimball, NULL, 0, &err), 0);
    assert_int_equal(rf_report__add_hits(rep, &p_shenzhen, shenzhen_hits, 2, &err), 0);
    assert_int_equal(rf_report__add_hits(rep, &p_bhdt, bhdt_hits, 1, &err), 0);
    assert_int_equal(rf_report__add_hits(rep, &p_script, script_hits, 1, &err), 0);
    assert_int_equal(rf_report__add_hits(rep, &p_formula, NULL, 0, &err), 0);
    assert_int_equal(rf_report__add_hits(rep, &p_controls, NULL, 0, &err), 0);
    rf_error_set(&failure, RF_EFORMAT, "broken-orders.csv", 51,
                 "unterminated quoted field: the row starting here never closes its quote");
    assert_int_equal(rf_report_add_failure(rep, &failure, &err), 0);
    assert_int_equal(rf_report_close(rep, &err), 0);
    assert_int_equal(fclose(f), 0);
    return rf_test_read_file(rf_test_tmpfile(name), NULL);
}

/* Runs check_report.py on a report file; returns its output, asserting it succeeded. */
static char *check(const char *kind, const char *name)
{
    char cmd[2048], *out = NULL;
    const char *src = getenv("RF_SOURCE_DIR");
    snprintf(cmd, sizeof cmd, "python3 '%s/tests/reports/check_report.py' %s '%s'",
             src ? src : ".", kind, rf_test_tmpfile(name));
    assert_int_equal(rf_test_run(&out, cmd), 0);
    assert_non_null(out);
    return out;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
    return n;
}

/* Nothing of the input runs: the page's one script is its own (the worklist's), at its end,
 * and check_report.py holds it to the hash the page's policy allows. */
static void assert_own_script_only(const char *page)
{
    assert_int_equal(count(page, "<script"), 1);
    assert_non_null(strstr(page, "</footer>\n</main>\n<script>"));
}

/* ---- the text helpers ------------------------------------------------------------------- */

static void test_reports__format_names(void **state)
{
    rf_report_format f;
    (void)state;
    assert_int_equal(rf_report_format_parse(&f, "jsonl"), 0);
    assert_int_equal(f, RF_REPORT_JSONL);
    assert_int_equal(rf_report_format_parse(&f, "csv"), 0);
    assert_int_equal(f, RF_REPORT_CSV);
    assert_int_equal(rf_report_format_parse(&f, "HTML"), 0);
    assert_int_equal(f, RF_REPORT_HTML);
    assert_int_equal(rf_report_format_parse(&f, "pdf"), RF_EUSAGE);
    assert_int_equal(rf_report_format_parse(&f, NULL), RF_EUSAGE);
}

static void test_reports__json_strings_escape_what_json_requires(void **state)
{
    rf_buf b = {0};
    (void)state;
    assert_int_equal(rf_json_string(&b, p_controls.name), 0);
    /* quotes, backslash, tab and U+0001 escaped; UTF-8 passed through; a stray Latin-1 byte
     * (0xE4) becomes U+FFFD instead of breaking the line for a JSON parser */
    assert_string_equal(b.data, "\"Lackmann Z\xC3\xA4hler \\\"GmbH\\\" \\\\ \\ttab\\u0001 "
                                "\\ufffd\"");
    rf_buf_reset(&b);
    assert_int_equal(rf_json_string(&b, NULL), 0);
    assert_string_equal(b.data, "null");
    rf_buf_free(&b);
}

static void test_reports__csv_cells_neutralise_formulas(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"=cmd|'/C calc'!A0", "\"'=cmd|'/C calc'!A0\""},
        {"+1+1", "\"'+1+1\""},
        {"-2+3", "\"'-2+3\""},
        {"@SUM(A1:A2)", "\"'@SUM(A1:A2)\""},
        {"\t=1", "\"'\t=1\""},
        {"\r=1", "\"'\r=1\""},
        {"HiSilicon Technologies", "HiSilicon Technologies"},
        {"Beijing Huawei Digital Tech Co., Ltd.", "\"Beijing Huawei Digital Tech Co., Ltd.\""},
        {"JSC \"Ural Factories\"", "\"JSC \"\"Ural Factories\"\"\""},
        {"line\nbreak", "\"line\nbreak\""},
        {"", ""},
    };
    rf_buf b = {0};
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rf_buf_reset(&b);
        assert_int_equal(rf_csv_cell(&b, cases[i].in), 0);
        assert_string_equal(b.data, cases[i].out);
    }
    rf_buf_free(&b);
}

static void test_reports__html_marks_whole_words_and_escapes(void **state)
{
    rf_buf b = {0};
    /* "Zähler": a span that cuts the two bytes of "ä" in half is widened to the character */
    static const rf_span cut[] = {{9, 2}};
    static const rf_span messy[] = {{19, 3}, {0, 4}, {2, 5}, {100, 3}, {23, 1000}};
    (void)state;

    assert_int_equal(rf_html__marked(&b, "Lackmann Z\xC3\xA4hler", cut, 1), 0);
    assert_string_equal(b.data, "Lackmann <mark>Z\xC3\xA4</mark>hler");

    /* overlapping spans merge, out-of-range ones are dropped or clamped, text is escaped */
    rf_buf_reset(&b);
    assert_int_equal(rf_html__marked(&b, "AT&T <Labs> 'Bell' Co\" Ltd", messy, 5), 0);
    assert_string_equal(b.data, "<mark>AT&amp;T &lt;L</mark>abs&gt; &#39;Bell&#39; "
                                "<mark>Co&quot;</mark> <mark>Ltd</mark>");

    rf_buf_reset(&b);
    assert_int_equal(rf_html_text(&b, p_script.name, strlen(p_script.name)), 0);
    assert_string_equal(b.data, "&lt;script&gt;alert(1)&lt;/script&gt;");
    rf_buf_free(&b);
}

static void test_reports__scores_and_addresses(void **state)
{
    char s[8];
    rf_buf b = {0};
    (void)state;
    rf_report__score(s, 0.95312);
    assert_string_equal(s, "0.953");
    rf_report__score(s, 0.9995);
    assert_string_equal(s, "1.000");
    rf_report__score(s, 0.8);
    assert_string_equal(s, "0.800");
    assert_int_equal(rf_report__address(&b, &bhdt_addresses[0]), 0);
    assert_string_equal(b.data, "Beijing, CN");
    rf_buf_reset(&b);
    assert_int_equal(rf_report__address(&b, &cmic_addresses[0]), 0);
    assert_string_equal(b.data, "Huawei Headquarter Office Building, Bantian, Longgang District, "
                                "Guangdong, Shenzhen, CN");
    rf_buf_free(&b);
}

/* ---- the three reports ------------------------------------------------------------------ */

static void test_reports__jsonl_one_valid_object_per_party(void **state)
{
    char *text = write_fixture_report(RF_REPORT_JSONL, "report.jsonl");
    char *parsed = check("jsonl", "report.jsonl");
    (void)state;

    /* six parties, in input order; the failed document is not a party */
    assert_int_equal(count(text, "\n"), 6);
    assert_int_equal(count(parsed, "\n"), 6);
    assert_true(strstr(text, "\"Kimball") < strstr(text, "\"Shenzhen Huawei"));
    assert_true(strstr(text, "\"Shenzhen Huawei") < strstr(text, "\"Beijing Huawei Digital Tech"));

    /* the Entity List hit with everything a reviewer needs */
    assert_non_null(strstr(text,
        "{\"ref\":\"SO-24-0318\",\"document\":\"open-orders.csv\",\"line\":9,\"role\":\"buyer\","
        "\"name\":\"Beijing Huawei Digital Tech Co., Ltd.\",\"country\":\"CN\","
        "\"status\":\"review\",\"hits\":[{\"source_id\":\"986d3f15a6adf1e1e6b5674715ad657adbf8d048\","
        "\"list\":\"EL\",\"list_name\":\"Entity List (EL) - Bureau of Industry and Security\","
        "\"entity_type\":\"organization\",\"name\":\"Beijing Huawei Digital Technologies Co., "
        "Ltd.\",\"matched\":\"Beijing Huawei Digital Technologies Co., Ltd.\",\"score\":0.953,"
        "\"programs\":null,\"federal_register\":\"84 FR 22961, 85 FR 29852, 85 FR 36720, 85 FR "
        "51603\",\"start_date\":\"2019-05-21\",\"license_requirement\":\"For all items"));
    assert_non_null(strstr(text, "\"license_policy\":\"Presumption of denial\","
                                 "\"addresses\":[\"Beijing, CN\"],\"explanation\":\"\\\"Beijing\\\""));
    /* a hit on an alias: name is the listed primary name, matched the alias */
    assert_non_null(strstr(parsed, "\"matched\": \"Shenzhen Huawei Technologies\", \"name\": "
                                   "\"Huawei Technologies Co., Ltd. (Huawei)\""));
    assert_non_null(strstr(parsed, "\"list\": \"CMIC\""));
    /* a hit on the list itself, not through an owner */
    assert_non_null(strstr(parsed, "\"chain\": null"));
    assert_non_null(strstr(parsed, "\"kind\": \"listed\""));
    assert_non_null(strstr(parsed, "\"programs\": \"CMIC-EO13959\""));
    /* a party without a ref is named by document:line; hostile names survive parsing intact */
    assert_non_null(strstr(parsed, "\"name\": \"<script>alert(1)</script>\", \"order_line\": "
                                   "null, \"origin\": null, \"part_number\": null, "
                                   "\"party_id\": null, \"ref\": \"open-orders.csv:12\""));
    assert_non_null(strstr(parsed, "\"name\": \"=cmd|'/C calc'!A0\""));
    /* screened as of 2024-03-20 against the list of 2022-05-01: 689 days, stale */
    assert_non_null(strstr(parsed, "\"hits\": [], \"hs_code\": null, \"line\": 2, \"lines\": [], "
                                   "\"list_age_days\": 689, \"list_date\": \"2022-05-01\", "
                                   "\"list_date_from\": \"published\", \"list_feed\": \"csl\", "
                                   "\"lists_stale\": true, \"name\": "
                                   "\"Kimball Electronics, Inc.\", \"order_line\": null, "
                                   "\"origin\": null, \"part_number\": null, \"party_id\": null, "
                                   "\"ref\": \"SO-24-0311\", \"region\": null, \"role\": "
                                   "\"buyer\", \"status\": \"clear\""));
    assert_non_null(strstr(parsed, "\"name\": \"Lackmann Z\\u00e4hler \\\"GmbH\\\" \\\\ \\ttab"
                                   "\\u0001 \\ufffd\""));
    free(text);
    free(parsed);
}

static void test_reports__csv_one_row_per_hit_and_no_formulas(void **state)
{
    char *text = write_fixture_report(RF_REPORT_CSV, "report.csv");
    char *rows = check("csv", "report.csv");
    (void)state;

    /* header + Kimball + 2 Shenzhen hits + Beijing + script + formula + controls */
    assert_int_equal(count(rows, "\n"), 8);
    assert_non_null(strstr(text, "ref,document,line,role,name,country,status,list,source_id,"
                                 "listed_name,matched,score,entity_type,federal_register,"
                                 "license_requirement,license_policy,programs,explanation,"
                                 "fingerprint,state,decided_by,decided_at,reason,changes,"
                                 "as_of,versions,delisted,format,doc_type,date,order_line,"
                                 "part_number,eccn,hs_code,lines,embargo,embargo_reason,"
                                 "list_age_days,list_date,list_date_from,list_feed,lists_stale\r\n"));
    assert_non_null(strstr(rows, "[\"SO-24-0311\", \"open-orders.csv\", \"2\", \"buyer\", "
                                 "\"Kimball Electronics, Inc.\", \"US\", \"clear\", \"\", \"\", "
                                 "\"\", \"\", \"\", \"\", \"\", \"\", \"\", \"\", \"\", "
                                 "\"\", \"\", \"\", \"\", \"\", \"\", \"2024-03-20\", \"1\", "
                                 "\"\", \"csv\", \"\", \"\", \"\", \"\", \"\", \"\", \"\", "
                                 "\"\", \"\", \"689\", \"2022-05-01\", \"published\", \"csl\", "
                                 "\"true\"]"));
    assert_non_null(strstr(rows, "[\"SO-24-0317\", \"open-orders.csv\", \"8\", \"end_user\", "
                                 "\"Shenzhen Huawei Technologies\", \"CN\", \"review\", \"EL\", "
                                 "\"d05d55fa214aff19c1eb3270d54905e4e362d445\", \"Huawei "
                                 "Technologies Co., Ltd. (Huawei)\", \"Shenzhen Huawei "
                                 "Technologies\", \"1.000\", \"organization\""));
    assert_non_null(strstr(rows, "\"review\", \"CMIC\", \"30947\""));
    assert_non_null(strstr(rows, "\"Presumption of denial\""));
    /* the formula reaches the spreadsheet as text */
    assert_non_null(strstr(text, ",\"'=cmd|'/C calc'!A0\","));
    assert_non_null(strstr(rows, "\"'=cmd|'/C calc'!A0\""));
    assert_null(strstr(text, ",=cmd"));
    free(text);
    free(rows);
}

static void test_reports__html_self_contained_escaped_and_explained(void **state)
{
    char *page = write_fixture_report(RF_REPORT_HTML, "report.html");
    char *visible = check("html", "report.html");
    (void)state;

    /* nothing runs, nothing loads: the hostile name is text, the javascript: URL no link */
    assert_own_script_only(page);
    assert_non_null(strstr(page, "&lt;<mark>script</mark>&gt;alert(1)&lt;/script&gt;"));
    assert_null(strstr(page, "href=\"javascript"));
    assert_non_null(strstr(page, "<a href=\"http://bit.ly/1L47xrV\">"));
    assert_null(strstr(page, "<b>not</b>"));

    /* reproducibility: the list version and its digest */
    assert_non_null(strstr(page, bundled_sha));
    assert_non_null(strstr(visible, bundled_name));
    assert_non_null(strstr(visible, "2022-05-01"));
    /* the summary */
    assert_non_null(strstr(visible, "3 of 6 parties matched listed parties"));
    assert_non_null(strstr(visible, "Screening incomplete: 1 document could not be read"));
    assert_non_null(strstr(visible, "broken-orders.csv 51 unterminated quoted field"));
    assert_non_null(strstr(visible, "Match threshold 0.800"));
    assert_non_null(strstr(visible, "Screened as of 2024-03-20"));
    assert_non_null(strstr(visible, "EL Entity List (EL) - Bureau of Industry and Security 3 3"));
    assert_non_null(strstr(visible, "CMIC Non-SDN Chinese Military-Industrial Complex Companies "
                                    "List (CMIC) - Treasury Department 1 1"));

    /* each hit explained: matched words marked on both sides, the legal facts */
    assert_non_null(strstr(page, "<h3><bdi><mark>Beijing</mark> <mark>Huawei</mark> "
                                 "<mark>Digital</mark> Tech Co., Ltd.</bdi></h3>"));
    assert_non_null(strstr(page, "<mark>Beijing</mark> <mark>Huawei</mark> <mark>Digital</mark> "
                                 "Technologies Co., Ltd."));
    assert_non_null(strstr(visible, "License policy Presumption of denial"));
    assert_non_null(strstr(visible, "Federal Register 84 FR 22961, 85 FR 29852, 85 FR 36720, "
                                    "85 FR 51603"));
    assert_non_null(strstr(visible, "Listed since 2019-05-21"));
    assert_non_null(strstr(visible, "see \xC2\xA7\xC2\xA7 736.2(b)(3)(vi)"));
    assert_non_null(strstr(visible, "\"Tech\" = \"Technologies\" (abbreviation)"));
    /* the alias hit shows the alias and the name the entity is listed under */
    assert_non_null(strstr(page, "<mark>Shenzhen Huawei Technologies</mark></bdi> "
                                 "<span class=\"kind\">alias</span>"));
    assert_non_null(strstr(visible, "Listed as Huawei Technologies Co., Ltd. (Huawei)"));
    assert_non_null(strstr(visible, "Bantian Huawei Base, Longgang District, Shenzhen, 518129, CN"));
    /* likely (>= 0.95) red, weaker amber; the clear parties listed (in print too) */
    assert_int_equal(count(page, "<article class=\"party red\" id=\"c"), 2);
    assert_int_equal(count(page, "<article class=\"party amber\" id=\"c"), 1);
    assert_non_null(strstr(visible, "3 parties matched no listed name at the threshold"));
    /* the worklist: a row per flagged party, in card order, each linking to its card */
    assert_int_equal(count(page, "<tr data-state=\"review\">"), 3);
    assert_non_null(strstr(visible, "open-orders.csv SO-24-0317 end_user Shenzhen Huawei "
                                    "Technologies Huawei Technologies Co., Ltd. (Huawei) EL "
                                    "1.000 review"));
    assert_non_null(strstr(page, "<a href=\"#c3\">"));
    assert_non_null(strstr(visible, "=cmd|'/C calc'!A0"));
    free(page);
    free(visible);
}

/* Buyer and ship-to the same company on one CSV order row: one card naming both roles, one
 * worklist row; each CSV order is its own group; the Entity List's long license requirement,
 * shared by both entities hit, is written out once; each hit offers the exact review command;
 * the header names the run, who ran it and the command. */
static void test_reports__html_one_card_per_counterparty_per_order(void **state)
{
    static const rf_party ship_to = {"open-orders.csv", 9, "SO-24-0318", "ship_to",
                                     "Beijing Huawei Digital Tech Co., Ltd.", NULL, NULL, "CN",
                                     "2024-03-14", "MT41K256M16TW-107 DDR3 SDRAM",
                                     .format = "csv"};
    const rf_hit *bhdt_hits[] = {&hit_bhdt};
    const rf_hit *shenzhen_hits[] = {&hit_alias};
    rf_report_context ctx;
    rf_version_list vl;
    rf_version v;
    rf_report *rep;
    rf_error err;
    char *page, *visible;
    FILE *f = fopen(rf_test_tmpfile("cards.html"), "wb");
    (void)state;

    assert_non_null(f);
    context(&ctx, &vl, &v);
    ctx.run_id = 7;
    ctx.user = "alice";
    ctx.command = "redflag screen -o cards.html open-orders.csv";
    assert_int_equal(rf_report_open(&rep, RF_REPORT_HTML, f, &ctx, &err), 0);
    assert_int_equal(rf_report_add_reviewed(rep, &p_shenzhen, shenzhen_hits, 1,
                                            "b94abf0ff9e6d4de", NULL, &err), 0);
    assert_int_equal(rf_report_add_reviewed(rep, &p_bhdt, bhdt_hits, 1, "9bd1a6670e6d18a0",
                                            NULL, &err), 0);
    assert_int_equal(rf_report_add_reviewed(rep, &ship_to, bhdt_hits, 1, "9bd1a6670e6d18a0",
                                            NULL, &err), 0);
    assert_int_equal(rf_report_close(rep, &err), 0);
    assert_int_equal(fclose(f), 0);
    page = rf_test_read_file(rf_test_tmpfile("cards.html"), NULL);
    visible = check("html", "cards.html");

    assert_int_equal(count(page, "<article class=\"party"), 2);
    assert_int_equal(count(page, "<tr data-state="), 2);
    assert_non_null(strstr(page, "open-orders.csv:9 &middot; <b>buyer, ship_to</b> &middot; "
                                 "ref SO-24-0318"));
    assert_non_null(strstr(visible, "SO-24-0318 buyer, ship_to Beijing Huawei Digital Tech Co., "
                                    "Ltd. Beijing Huawei Digital Technologies Co., Ltd. EL 0.953 "
                                    "review"));
    /* each order its own group, with its parties */
    assert_int_equal(count(page, "<section class=\"document\">"), 2);
    assert_non_null(strstr(visible, "Ref SO-24-0318 of 2024-03-14 open-orders.csv \xC2\xB7 csv "
                                    "\xC2\xB7 2 of 2 parties flagged"));
    /* the long text once; the second entity points to it */
    assert_int_equal(count(visible, "the purpose of contributing to the revision"), 1);
    assert_int_equal(count(page, "(in full above)</a>"), 1);
    assert_non_null(strstr(visible, "redflag review clear --party 9bd1a6670e6d18a0 --entity "
                                    "986d3f15a6adf1e1e6b5674715ad657adbf8d048 --list EL --run 7 "
                                    "--reason '...'"));
    assert_non_null(strstr(visible, "Run 7 ( redflag history show 7 ) by alice on "
                                    "2024-03-20T09:15:02Z Command redflag screen -o cards.html "
                                    "open-orders.csv"));
    assert_non_null(strstr(page, "@bottom-left{content:\"redflag run 7, 2024-03-20T09:15:02Z\""));
    free(page);
    free(visible);
}

/* The ZTE story: an order dated 2018-08-15, after the Denied Persons List's August 2018
 * version dropped ZTE Kangxun (83 F.R. 17644), is clear, and every format says the party was
 * listed until the May version; each party names the date and versions it was screened
 * against. */
static void test_reports__delisted_party_stays_clear_and_says_since_when(void **state)
{
    static const rf_name zte_names[] = {{"ZTE KANGXUN TELECOMMUNICATIONS LTD.", RF_NAME_PRIMARY}};
    static const rf_entity zte = {
        .list_code = "DPL",
        .list_name = "Denied Persons List (DPL) - Bureau of Industry and Security",
        .source_id = "dpl-57b69027b288e1b304ca9b5fc349b52e",
        .type = RF_ENTITY_ORGANIZATION,
        .federal_register = "83 F.R. 17644 4/23/18",
        .start_date = "2018-04-15",
        .names = zte_names,
        .n_names = 1,
    };
    static const rf_party order = {"orders-2018.csv", 2, "PO-2018-0815", "buyer",
                                   "ZTE Kangxun Telecommunications Ltd.", NULL, NULL, "CN",
                                   "2018-08-15", NULL, .format = "csv"};
    static const char note[] = "delisted: was on DPL until version 2 published 2018-05-01, "
                               "removed in version 3 published 2018-08-01";
    const rf_hit hit = {&zte, 0, 1.0, "exact", NULL, 0, NULL, 0};
    rf_version may = {.id = 2, .feed = "bis-dpl", .format = "dpl-tsv",
                      .source_file = "dpl_2018-05-01_excerpt.txt", .sha256 = "e867",
                      .published = "2018-05-01", .imported_at = "2024-03-20T08:00:00Z"};
    rf_version aug = {.id = 3, .feed = "bis-dpl", .format = "dpl-tsv",
                      .source_file = "dpl_2018-08-01_excerpt.txt", .sha256 = "6d50",
                      .published = "2018-08-01", .imported_at = "2024-03-20T08:00:00Z"};
    rf_version_list in_force = {&aug, 1};
    const rf_delisting d = {&hit, &may, &aug};
    const rf_screening scr = {.as_of = "2018-08-15", .versions = &in_force, .delisted = &d,
                              .n_delisted = 1};
    static const char *const names[] = {"delisted.jsonl", "delisted.csv", "delisted.html"};
    static const char *const kinds[] = {"jsonl", "csv", "html"};
    (void)state;

    for (int f = RF_REPORT_JSONL; f <= RF_REPORT_HTML; f++) {
        rf_report_context ctx = {0};
        rf_report *rep;
        rf_error err;
        FILE *out = fopen(rf_test_tmpfile(names[f]), "wb");
        char *text, *read;

        assert_non_null(out);
        ctx.threshold = 0.8;
        assert_int_equal(rf_report_open(&rep, (rf_report_format)f, out, &ctx, &err), 0);
        assert_int_equal(rf_report_set_screening(rep, &scr, &err), 0);
        assert_int_equal(rf_report__add_hits(rep, &order, NULL, 0, &err), 0);
        assert_int_equal(rf_report__add_hits(rep, &p_kimball, NULL, 0, &err), 0); /* no context */
        assert_int_equal(rf_report_close(rep, &err), 0);
        assert_int_equal(fclose(out), 0);
        text = rf_test_read_file(rf_test_tmpfile(names[f]), NULL);
        read = check(kinds[f], names[f]);
        assert_non_null(strstr(text, note));
        if (f == RF_REPORT_JSONL) {
            assert_non_null(strstr(read, "\"as_of\": \"2018-08-15\""));
            assert_non_null(strstr(read, "\"status\": \"clear\""));
            assert_non_null(strstr(read, "\"versions\": [3]"));
            assert_non_null(strstr(read, "\"federal_register\": \"83 F.R. 17644 4/23/18\""));
            assert_non_null(strstr(read, "\"listed_until_version\": 2"));
            assert_non_null(strstr(read, "\"removed_in_published\": \"2018-08-01\""));
            assert_non_null(strstr(read, "\"delisted\": []")); /* Kimball */
        } else if (f == RF_REPORT_CSV) {
            assert_non_null(strstr(read, "\"clear\""));
            assert_non_null(strstr(read, "\"2018-08-15\", \"3\", \"ZTE KANGXUN TELECOMMUNICATIONS "
                                         "LTD. (DPL, 83 F.R. 17644 4/23/18): delisted: was on DPL"));
        } else {
            assert_non_null(strstr(read, "Delisted parties"));
            assert_non_null(strstr(read, "Dates screened as of As of Versions Parties "
                                         "2018-08-15 3 1"));
            assert_non_null(strstr(read, "83 F.R. 17644 4/23/18"));
            /* the version the party used is named with its file, though the run gave none */
            assert_non_null(strstr(read, "dpl_2018-08-01_excerpt.txt"));
            assert_non_null(strstr(read, "No match"));
        }
        free(text);
        free(read);
    }
}

/* A warning about an input document (a column of names the reader did not read) in each
 * format, read back as its consumer reads it: a JSON object of its own, a CSV row with as
 * many cells as the header, an HTML table whose verdict is no longer green. The header it
 * names comes from the file, so it is hostile here. */
static void test_reports__input_warning_in_every_format(void **state)
{
    static const char message[] =
        "column \"<script>Lieferant</script>\" (column 6) is not read, but its cells read as "
        "company names (\"Huawei Technologies Deutschland GmbH\"): its parties are not "
        "screened; screen them with --map 'party=<script>Lieferant</script>'";
    static const char *const names[] = {"warning.jsonl", "warning.csv", "warning.html"};
    static const char *const kinds[] = {"jsonl", "csv", "html"};
    static const rf_report_format formats[] = {RF_REPORT_JSONL, RF_REPORT_CSV, RF_REPORT_HTML};
    (void)state;

    for (int f = 0; f < 3; f++) {
        rf_report_context ctx;
        rf_version_list vl;
        rf_version v;
        rf_report *rep;
        rf_error err;
        FILE *out = fopen(rf_test_tmpfile(names[f]), "wb");
        char *text, *got;

        assert_non_null(out);
        context(&ctx, &vl, &v);
        assert_int_equal(rf_report_open(&rep, formats[f], out, &ctx, &err), 0);
        assert_int_equal(rf_report_add_warning(rep, "stueckliste.csv", 1, message, &err), 0);
        assert_int_equal(rf_report__add_hits(rep, &p_kimball, NULL, 0, &err), 0);
        assert_int_equal(rf_report_close(rep, &err), 0);
        assert_int_equal(fclose(out), 0);
        text = rf_test_read_file(rf_test_tmpfile(names[f]), NULL);
        got = check(kinds[f], names[f]);
        switch (formats[f]) {
        case RF_REPORT_JSONL:
            assert_int_equal(count(got, "\n"), 2);
            assert_non_null(strstr(got, "{\"document\": \"stueckliste.csv\", \"line\": 1, "
                                        "\"warning\": \"column \\\"<script>Lieferant"));
            break;
        case RF_REPORT_CSV:
            /* check_report.py holds every row to the header's column count */
            assert_int_equal(count(got, "\n"), 3);
            assert_non_null(strstr(got, "[\"\", \"stueckliste.csv\", \"1\", \"\", \"\", "
                                        "\"\", \"warning\", \"\", \"\", \"\", \"\", \"\", "
                                        "\"\", \"\", \"\", \"\", \"\", \"column \\\"<script>"));
            break;
        case RF_REPORT_HTML:
            assert_non_null(strstr(got, "Warnings"));
            assert_non_null(strstr(got, "column \"<script>Lieferant</script>\" (column 6)"));
            assert_non_null(strstr(got, "1 warning about the input"));
            assert_non_null(strstr(text, "<p class=\"verdict amber\">"));
            assert_own_script_only(text);
            break;
        case RF_REPORT_XLSX: break; /* the CSV rows: tests/e2e/test_excel.c */
        }
        free(text);
        free(got);
    }
}

/* The destination finding a screener made is the one the report shows, in every format:
 * the report does not check the party again (a session makes it once per party); without
 * one, the report makes it from the party itself. A ship-to in Tehran (real EAR wording). */
static void test_reports__destination_finding_from_the_screener(void **state)
{
    static const rf_party tehran = {"open-orders.csv", 14, "SO-24-0330", "ship_to",
                                    "Pars Electronic Supply", "Enghelab St. 12", "Tehran", "IR",
                                    NULL, NULL, .format = "csv"};
    static const char *const names[] = {"dest.jsonl", "dest.csv", "dest.html"};
    static const char *const kinds[] = {"jsonl", "csv", "html"};
    (void)state;

    for (int f = RF_REPORT_JSONL; f <= RF_REPORT_HTML; f++) {
        rf_report_context ctx;
        rf_version_list vl;
        rf_version v;
        rf_report *rep;
        rf_error err;
        rf_destination found;
        rf_screening handed = {.destination_checked = 1};
        FILE *out = fopen(rf_test_tmpfile(names[f]), "wb");
        char *got;

        assert_int_equal(rf_destination_check(&found, &tehran), 1);
        /* what the report shows of it (the place in HTML, the reason in CSV, both in JSON) */
        snprintf(found.found, sizeof found.found, "Tehran (the screener's reading)");
        snprintf(found.reason, sizeof found.reason, "Tehran (the screener's reading)");
        handed.destination = &found;
        assert_non_null(out);
        context(&ctx, &vl, &v);
        assert_int_equal(rf_report_open(&rep, (rf_report_format)f, out, &ctx, &err), 0);
        /* 1: the screener's finding, as handed */
        assert_int_equal(rf_report_set_screening(rep, &handed, &err), 0);
        assert_int_equal(rf_report__add_hits(rep, &tehran, NULL, 0, &err), 0);
        /* 2: the report's own, from the party */
        assert_int_equal(rf_report__add_hits(rep, &tehran, NULL, 0, &err), 0);
        /* 3: the screener found nothing (its reading of the party wins) */
        handed.destination = NULL;
        assert_int_equal(rf_report_set_screening(rep, &handed, &err), 0);
        assert_int_equal(rf_report__add_hits(rep, &tehran, NULL, 0, &err), 0);
        assert_int_equal(rf_report_close(rep, &err), 0);
        assert_int_equal(fclose(out), 0);
        got = check(kinds[f], names[f]);
        assert_non_null(strstr(got, "Tehran (the screener's reading)"));
        if (f == RF_REPORT_JSONL) {
            assert_int_equal(count(got, "\"status\": \"embargo\""), 2); /* 1 and 2 */
            assert_int_equal(count(got, "\"status\": \"clear\""), 1);   /* 3 */
        } else if (f == RF_REPORT_CSV) {
            assert_int_equal(count(got, "\"embargo\", \"\""), 2);
            assert_int_equal(count(got, "\"clear\", \"\""), 1);
        } else { /* 1 and 2 are one counterparty of one order: one card */
            assert_int_equal(count(got, "Embargoed destination: Iran"), 1);
        }
        free(got);
    }
}

static void test_reports__write_failure_is_an_error(void **state)
{
    rf_report_context ctx;
    rf_version_list vl;
    rf_version v;
    rf_report *rep;
    rf_error err;
    FILE *f = fopen("/dev/full", "wb");
    (void)state;

    if (!f) skip();
    setvbuf(f, NULL, _IONBF, 0);
    context(&ctx, &vl, &v);
    assert_int_equal(rf_report_open(&rep, RF_REPORT_CSV, f, &ctx, &err), RF_EIO);
    assert_null(rep);
    assert_non_null(strstr(err.message, "cannot write the report"));
    assert_int_equal(rf_report_open(&rep, RF_REPORT_JSONL, f, &ctx, &err), 0);
    assert_int_equal(rf_report__add_hits(rep, &p_kimball, NULL, 0, &err), RF_EIO);
    rf_report_free(rep);
    fclose(f);
}

/* ---- through the public API, with the engine ----------------------------------------------- */

static int screen_into(rf_report *const *reps, size_t n_reps, const rf_matcher *m,
                       rf_result *res, const rf_party *party)
{
    rf_error err;
    int rc = rf_matcher_screen(res, m, party, NULL, &err);
    for (size_t i = 0; rc == 0 && i < n_reps; i++) rc = rf_report_add(reps[i], party, res, &err);
    return rc;
}

static void test_reports__screened_parties_through_the_engine(void **state)
{
    const unsigned char *data;
    size_t len;
    const char *name, *published;
    rf_import_summary sum;
    rf_import_options opts = {0};
    rf_store *st;
    rf_snapshot *snap;
    rf_matcher *m;
    rf_result *res;
    rf_report *reps[2];
    rf_report_context ctx = {0};
    rf_error err;
    FILE *html = fopen(rf_test_tmpfile("engine.html"), "wb");
    FILE *jsonl = fopen(rf_test_tmpfile("engine.jsonl"), "wb");
    const rf_party listed = {"open-orders.csv", 9, "SO-24-0318", "buyer",
                             "Beijing Huawei Digital Technologies Co., Ltd.", NULL, NULL, "CN",
                             NULL, NULL, .format = "csv"};
    char *page, *lines;
    (void)state;

    rf_bundled_list(&data, &len, &name, &published);
    opts.effective = published;
    assert_int_equal(rf_store_open(&st, rf_test_tmpfile("engine.db"), &err), 0);
    assert_int_equal(rf_import_list_data(&sum, st, name, data, len, &opts, &err), 0);
    assert_int_equal(rf_snapshot_load(&snap, st, NULL, &err), 0);
    assert_int_equal(rf_matcher_new(&m, snap, &err), 0);
    assert_int_equal(rf_result_new(&res), 0);

    ctx.versions = rf_snapshot_versions(snap);
    ctx.generated_at = "2024-03-20T09:15:02Z";
    assert_int_equal(rf_report_open(&reps[0], RF_REPORT_HTML, html, &ctx, &err), 0);
    assert_int_equal(rf_report_open(&reps[1], RF_REPORT_JSONL, jsonl, &ctx, &err), 0);
    assert_int_equal(screen_into(reps, 2, m, res, &p_kimball), 0);
    assert_int_equal(screen_into(reps, 2, m, res, &listed), 0);
    assert_int_equal(screen_into(reps, 2, m, res, &p_script), 0);
    /* the report keeps its own copy of the versions: the snapshot may go first */
    rf_matcher_free(m);
    rf_snapshot_free(snap);
    rf_result_free(res);
    assert_int_equal(rf_report_close(reps[0], &err), 0);
    assert_int_equal(rf_report_close(reps[1], &err), 0);
    fclose(html);
    fclose(jsonl);
    rf_store_close(st);

    page = rf_test_read_file(rf_test_tmpfile("engine.html"), NULL);
    lines = check("jsonl", "engine.jsonl");
    free(check("html", "engine.html"));
    rf_sha256_hex(bundled_sha, data, len);
    assert_non_null(strstr(page, bundled_sha));
    assert_non_null(strstr(page, "Presumption of denial"));
    assert_non_null(strstr(page, "986d3f15a6adf1e1e6b5674715ad657adbf8d048"));
    assert_own_script_only(page);
    assert_int_equal(count(lines, "\n"), 3);
    assert_non_null(strstr(lines, "\"source_id\": \"986d3f15a6adf1e1e6b5674715ad657adbf8d048\""));
    free(page);
    free(lines);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reports__format_names),
        cmocka_unit_test(test_reports__json_strings_escape_what_json_requires),
        cmocka_unit_test(test_reports__csv_cells_neutralise_formulas),
        cmocka_unit_test(test_reports__html_marks_whole_words_and_escapes),
        cmocka_unit_test(test_reports__scores_and_addresses),
        cmocka_unit_test(test_reports__jsonl_one_valid_object_per_party),
        cmocka_unit_test(test_reports__csv_one_row_per_hit_and_no_formulas),
        cmocka_unit_test(test_reports__html_self_contained_escaped_and_explained),
        cmocka_unit_test(test_reports__html_one_card_per_counterparty_per_order),
        cmocka_unit_test(test_reports__delisted_party_stays_clear_and_says_since_when),
        cmocka_unit_test(test_reports__input_warning_in_every_format),
        cmocka_unit_test(test_reports__destination_finding_from_the_screener),
        cmocka_unit_test(test_reports__write_failure_is_an_error),
        cmocka_unit_test(test_reports__screened_parties_through_the_engine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
