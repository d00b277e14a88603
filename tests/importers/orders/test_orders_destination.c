/* test_orders_destination.c: the destination check (rf_destination_check) on parties as the
 * order readers deliver them: the real samples with their ship-to, end user or consignee
 * moved to Tehran, Havana, Pyongyang, Damascus, Simferopol and Donetsk are findings, each
 * naming the embargo and what in the address gave it away; Kyiv, Dubai, a buyer in Tehran
 * and the samples as published are not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rf_engine.h"
#include "importers/rf_importers.h"
#include "rf_test.h"

/* The destination findings of a document: one line per party found in an embargoed
 * destination, "role|name|code|field|found". */
typedef struct findings {
    rf_buf text;
    int parties;
    int found;
} findings;

static int check(const rf_party *party, void *ctx)
{
    findings *f = ctx;
    rf_destination d;
    int rc = rf_destination_check(&d, party);
    assert_true(rc == 0 || rc == 1);
    f->parties++;
    if (rc == 1) {
        f->found++;
        assert_non_null(strstr(d.reason, d.name));
        assert_non_null(strstr(d.reason, "746"));
        rf_buf_printf(&f->text, "%s|%s|%s|%s|%s\n", party->role, party->name ? party->name : "",
                      d.code, d.field, d.found);
    } else {
        assert_int_equal(d.embargo, RF_EMBARGO_NONE);
    }
    return 0;
}

static void findings_of(findings *f, const char *path)
{
    rf_error err;
    rf_buf_free(&f->text);
    memset(f, 0, sizeof *f);
    rf_error_clear(&err);
    if (rf_orders_read(path, NULL, check, f, &err) != 0) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(err.code, 0);
}

/* A real sample with `from` replaced by `to`, as a scratch file. */
static const char *altered(const char *name, const char *sample, const char *from, const char *to)
{
    size_t len;
    char *text = rf_test_read_file(rf_test_data(sample), &len), *at;
    rf_buf b = {0};
    assert_non_null(text);
    at = strstr(text, from);
    assert_non_null(at);
    rf_buf_append(&b, text, (size_t)(at - text));
    rf_buf_puts(&b, to);
    rf_buf_puts(&b, at + strlen(from));
    assert_int_equal(rf_test_write_file(rf_test_tmpfile(name), b.data, b.len), 0);
    rf_buf_free(&b);
    free(text);
    return rf_test_tmpfile(name);
}

static void test_destination__published_samples_are_clear(void **state)
{
    char **paths;
    size_t n;
    findings f = {0};
    rf_error err;
    (void)state;

    assert_int_equal(rf_orders_list_dir(&paths, &n, NULL, rf_test_data("orders"), &err), 0);
    for (size_t i = 0; i < n; i++) {
        findings_of(&f, paths[i]);
        assert_int_equal(f.found, 0);
    }
    rf_orders_paths_free(paths);
    rf_buf_free(&f.text);
}

/* UBL: the delivery (no party named) goes to Tehran. */
static void test_destination__ubl_delivery_to_tehran(void **state)
{
    findings f = {0};
    (void)state;

    findings_of(
        &f,
        altered("tehran.xml", "orders/ubl/UBL-Order-2.0-Example-International.xml",
                "<cbc:CityName>Bridgtow</cbc:CityName>\n\t\t\t<cbc:PostalZone>ZZ99 "
                "1ZZ</cbc:PostalZone>\n"
                "\t\t\t<cbc:CountrySubentity>Avon</cbc:CountrySubentity>\n\t\t\t<cac:AddressLine>\n"
                "\t\t\t\t<cbc:Line>3rd Floor, Room 5</cbc:Line>\n\t\t\t</cac:AddressLine>\n"
                "\t\t\t<cac:Country>\n\t\t\t\t<cbc:IdentificationCode>GB</cbc:IdentificationCode>\n"
                "\t\t\t</cac:Country>\n\t\t</cac:DeliveryAddress>",
                "<cbc:CityName>Tehran</cbc:CityName>\n<cbc:PostalZone>15875-4413</cbc:PostalZone>\n"
                "<cac:Country><cbc:IdentificationCode>IR</cbc:IdentificationCode></cac:Country>\n"
                "</cac:DeliveryAddress>"));
    assert_int_equal(f.found, 1);
    assert_string_equal(f.text.data, "ship_to||IR|country|IR\n");
    rf_buf_free(&f.text);
}

/* cXML: the ship-to in Havana, the country written as a name only. */
static void test_destination__cxml_ship_to_havana(void **state)
{
    findings f = {0};
    (void)state;

    findings_of(
        &f,
        altered(
            "havana.xml", "orders/cxml/OrderRequest.xml",
            "<Street>123 Anystreet</Street>\n                             <City>Sunnyvale</City>\n"
            "                             <State>CA</State>\n"
            "                             <PostalCode>90489</PostalCode>\n"
            "                             <Country isoCountryCode=\"US\">United States</Country>",
            "<Street>Calle 23 No. 156, Vedado</Street><City>La Habana</City>"
            "<Country>Cuba</Country>"));
    assert_int_equal(f.found, 1);
    assert_string_equal(f.text.data, "ship_to|Acme|CU|country|Cuba\n");
    rf_buf_free(&f.text);
}

/* X12: the end user in Pyongyang, the reseller in Damascus (a reseller is not a destination:
 * only the end user is a finding), and a line's ship-to in Simferopol, Crimea. */
static void test_destination__x12_end_user_and_line_ship_to(void **state)
{
    const char *path;
    findings f = {0};
    (void)state;

    path = altered(
        "pyongyang.x12", "orders/x12-850/Example2_Adobe_TLP.txt",
        "N2~EndUser NameII\r\n        N3~123 MAIN STREET\r\n        N4~CEDAR RAPIDS~IA~524032140",
        "N2~EndUser NameII\r\n        N3~Sosong District\r\n        N4~Pyongyang~~~KP");
    findings_of(&f, path);
    assert_int_equal(f.found, 1);
    assert_string_equal(f.text.data, "end_user|END USER EndUser NameII|KP|country|KP\n");

    path = altered(
        "damascus.x12", "orders/x12-850/Example2_Adobe_TLP.txt",
        "N2~Reseller NameII\r\n        N3~123 MAIN STREET\r\n        N4~CEDAR RAPIDS~IA~524032140",
        "N2~Reseller NameII\r\n        N3~Baramkeh\r\n        N4~Damascus~~~SY");
    findings_of(&f, path);
    assert_int_equal(f.found, 0);

    path = altered(
        "simferopol.x12", "orders/x12-850/Example3_Adobe_CLP.txt",
        "N2~SHIPTO NameII*\r\n          N3~123 MAIN STREET*\r\n          N4~CEDAR "
        "RAPIDS~IA~524032140*",
        "N2~SHIPTO NameII*\r\n          N3~vul. Kyivska 77*\r\n          N4~Simferopol~~95000~UA*");
    findings_of(&f, path);
    assert_int_equal(f.found, 1);
    assert_string_equal(f.text.data, "ship_to|SHIP TO SHIPTO NameII|UA-43|city|Simferopol\n");
    rf_buf_free(&f.text);
}

/* EDIFACT: the delivery party in Donetsk, written in Cyrillic with Russia as the country. */
static void test_destination__edifact_delivery_to_donetsk(void **state)
{
    findings f = {0};
    (void)state;

    findings_of(&f,
                altered("donetsk.edi", "orders/edifact/ORDERS_D01B_EAN010_example_order_ok.edi",
                        "Teststra\xEF\xBF\xBD"
                        "e 7+TestCity++46149+DE'",
                        "\xD1\x83\xD0\xBB. \xD0\x90\xD1\x80\xD1\x82\xD0\xB5\xD0\xBC\xD0\xB0 100+"
                        "\xD0\x94\xD0\xBE\xD0\xBD\xD0\xB5\xD1\x86\xD0\xBA++83001+RU'"));
    assert_int_equal(f.found, 1);
    assert_string_equal(f.text.data, "ship_to|A+A K\xEF\xBF\xBDlte GmbH|UA-14|city|"
                                     "\xD0\x94\xD0\xBE\xD0\xBD\xD0\xB5\xD1\x86\xD0\xBA\n");
    rf_buf_free(&f.text);
}

/* Parties as a CSV order gives them, each checked alone. */
static void test_destination__addresses(void **state)
{
    static const struct {
        const char *role, *address, *city, *region, *country;
        int found;
        const char *code, *field, *word;
    } cases[] = {
        {"ship_to", "No. 1, Shahid Beheshti Ave", "Tehran", NULL, "IR", 1, "IR", "country", "IR"},
        {"ship_to", "Calle 23 No. 156, Vedado", "Havana", NULL, "CU", 1, "CU", "country", "CU"},
        {"end_user", "Sosong District", "Pyongyang", NULL, "Democratic People's Republic of Korea",
         1, "KP", "country", "Democratic People's Republic of Korea"},
        {"ultimate_consignee", "Baramkeh", "Damascus", NULL, "Syrian Arab Republic", 1, "SY",
         "country", "Syrian Arab Republic"},
        {"ship_to", "vul. Kyivska 77", "Simferopol", "Autonomous Republic of Crimea", "UA", 1,
         "UA-43", "region", "Crimea"},
        {"ship_to", "ul. Bolshaya Morskaya 12", "Sevastopol", NULL, "RU", 1, "UA-43", "city",
         "Sevastopol"},
        {"end_user", "pr. Illicha 100", "Donetsk", NULL, NULL, 1, "UA-14", "city", "Donetsk"},
        {"ship_to", "vul. Sadova 3", "Kramatorsk", "Donetska oblast", "UA", 1, "UA-14", "region",
         "Donetska"},
        {"consignee",
         "\xD0\xB2\xD1\x83\xD0\xBB. \xD0\xA1\xD0\xB0\xD0\xB4\xD0\xBE\xD0\xB2\xD0\xB0 3",
         "\xD0\x9B\xD1\x83\xD0\xB3\xD0\xB0\xD0\xBD\xD1\x81\xD1\x8C\xD0\xBA", NULL, "UA", 1, "UA-09",
         "city", "\xD0\x9B\xD1\x83\xD0\xB3\xD0\xB0\xD0\xBD\xD1\x81\xD1\x8C\xD0\xBA"},
        {"ship_to", "Lugansk, ul. Oboronnaya 2", NULL, NULL, "", 1, "UA-09", "address", "Lugansk"},
        /* not embargoed */
        {"ship_to", "Khreshchatyk St 22", "Kyiv", NULL, "UA", 0, NULL, NULL, NULL},
        {"ship_to", "Jebel Ali Free Zone, LOB 15", "Dubai", NULL, "AE", 0, NULL, NULL, NULL},
        {"end_user", "Kyivska St 5", "Kharkiv", NULL, "UA", 0, NULL, NULL, NULL},
        {"ship_to", "ul. Lenina 1", "Krymsk", "Krasnodar Krai", "RU", 0, NULL, NULL, NULL},
        {"ship_to", "Krimstrasse 5", "Berlin", NULL, "DE", 0, NULL, NULL, NULL},
        /* a buyer in Tehran is not where the goods go */
        {"buyer", "No. 1, Shahid Beheshti Ave", "Tehran", NULL, "IR", 0, NULL, NULL, NULL},
    };
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rf_party p = {0};
        rf_destination d;
        p.role = cases[i].role;
        p.name = "Shahid Industrial Group";
        p.address = cases[i].address;
        p.city = cases[i].city;
        p.region = cases[i].region;
        p.country = cases[i].country;
        if (rf_destination_check(&d, &p) != cases[i].found)
            fprintf(stderr, "case %zu: %s, %s: %s\n", i, cases[i].city ? cases[i].city : "",
                    cases[i].country ? cases[i].country : "", d.reason);
        assert_int_equal(rf_destination_check(&d, &p), cases[i].found);
        if (!cases[i].found) continue;
        assert_string_equal(d.code, cases[i].code);
        assert_string_equal(d.field, cases[i].field);
        assert_string_equal(d.found, cases[i].word);
        assert_non_null(strstr(d.reason, cases[i].role));
    }
    assert_int_equal(rf_destination_role("installed_at"), 1);
    assert_int_equal(rf_destination_role("seller"), 0);
    assert_int_equal(rf_destination_check(NULL, NULL), RF_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_destination__published_samples_are_clear),
        cmocka_unit_test(test_destination__ubl_delivery_to_tehran),
        cmocka_unit_test(test_destination__cxml_ship_to_havana),
        cmocka_unit_test(test_destination__x12_end_user_and_line_ship_to),
        cmocka_unit_test(test_destination__edifact_delivery_to_donetsk),
        cmocka_unit_test(test_destination__addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
