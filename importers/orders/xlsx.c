/* xlsx.c: orders, party lists and BOMs saved by Excel or LibreOffice as .xlsx (Office Open XML
 * workbooks), read like their CSV export (rf_orders__xlsx_read, called by rf_orders_read).
 *
 * The workbook is a zip archive (read with libzip, from memory) of XML parts (read with the
 * shared libxml2 event reader, xml.h: no entities, no DTD, no network). The sheet asked for
 * (by name, else the first visible one in the workbook's order; the others are named in a
 * warning, never left out without a word) becomes CSV text, one spreadsheet row per line so
 * that a party's line is its row number, which then goes through the CSV reader: the same header roles, column maps, BOM guess and errors as a CSV file.
 * Cells are written as Excel shows them where it matters for screening: shared and inline
 * strings as text, dates (numbers in a date format) as YYYY-MM-DD, booleans as TRUE / FALSE,
 * other numbers as stored. A line break inside a cell becomes a space.
 *
 * Hostile workbooks: every part is read with a cap on its size inflated (a zip entry can
 * claim any size, so the cap is enforced on the bytes actually inflated), the number of
 * shared strings, styles, rows and columns are capped, and a cell that refers to a shared
 * string that does not exist is refused with its reference. */
#include "importers/orders/orders.h"
#include "importers/orders/xml.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#define PART_MAX ((size_t)16 << 20)     /* package and workbook relationships, workbook, styles */
#define STRINGS_MAX ((size_t)128 << 20) /* the shared strings part */
#define SHEET_MAX ((size_t)256 << 20)   /* the worksheet part */
#define CSV_MAX ((size_t)256 << 20)     /* the CSV text made of the sheet */
#define MAX_STRINGS 2000000             /* shared strings */
#define MAX_STYLES 65536                /* cell formats */
#define MAX_DATE_FORMATS 1024           /* custom number formats that show dates */
#define MAX_COLUMNS 1024                /* the CSV reader's fields per row */
#define MAX_ROW 1048576                 /* Excel's last row */
#define VALUE_MAX 65536                 /* bytes kept of one cell */

#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define REL_TYPE "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

typedef struct xlsx_in {
    const char *path;
    rf_error *err;
    zip_t *zip;
    rf_buf part;         /* the part being read */
    char workbook[1024]; /* the workbook part's name, "xl/workbook.xml" */
    char sheet[1024];    /* the chosen worksheet's part */
    char strings_part[1024], styles_part[1024];
    /* shared strings, NUL-separated in `strings`, string i at string_off[i] */
    rf_buf strings;
    size_t *string_off;
    size_t n_strings, cap_strings;
    /* cell formats (cellXfs) in order: 1 where the format shows a date */
    unsigned char *date_style;
    size_t n_styles, cap_styles;
    int date_formats[MAX_DATE_FORMATS]; /* custom numFmtIds that show dates */
    size_t n_date_formats;
    int date1904;
    rf_buf csv;
} xlsx_in;

/* ---- parts ------------------------------------------------------------------------------ */

/* Reads the part `name` whole into in->part, failing past `cap` bytes inflated. RF_ENOTFOUND
 * (err untouched) when the archive has no such part. */
static int read_part(xlsx_in *in, const char *name, size_t cap)
{
    zip_int64_t index = zip_name_locate(in->zip, name, ZIP_FL_NOCASE), n;
    zip_file_t *f;
    char chunk[65536];
    int rc = RF_OK;

    rf_buf_reset(&in->part);
    if (index < 0) return RF_ENOTFOUND;
    if (!(f = zip_fopen_index(in->zip, (zip_uint64_t)index, 0)))
        return rf_error_set(in->err, RF_EFORMAT, in->path, 0,
                            "cannot open the workbook part %s: %s", name,
                            zip_strerror(in->zip));
    while ((n = zip_fread(f, chunk, sizeof chunk)) > 0) {
        if (in->part.len + (size_t)n > cap) {
            rc = rf_error_set(in->err, RF_ELIMIT, in->path, 0,
                              "the workbook part %s inflates past %zu MiB: refused (a zip bomb?)",
                              name, cap >> 20);
            break;
        }
        if (rf_buf_append(&in->part, chunk, (size_t)n)) {
            rc = rf_error_set(in->err, RF_ENOMEM, in->path, 0, "out of memory reading %s", name);
            break;
        }
    }
    if (!rc && n < 0)
        rc = rf_error_set(in->err, RF_EFORMAT, in->path, 0, "the workbook part %s is damaged: %s",
                          name, zip_file_strerror(f));
    zip_fclose(f);
    return rc;
}

/* Called at each element start and end of a part. */
typedef int (*part_fn)(ox_reader *x, ox_event ev, void *ctx);

/* Reads part `name` and walks its XML; RF_ENOTFOUND when absent and `optional`. */
static int walk_part(xlsx_in *in, const char *name, size_t cap, int optional, part_fn on,
                     void *ctx)
{
    ox_reader *x = NULL;
    ox_event ev;
    int rc = read_part(in, name, cap);

    if (rc == RF_ENOTFOUND) {
        if (optional) return rc;
        return rf_error_set(in->err, RF_EFORMAT, in->path, 0,
                            "not an Excel workbook: the archive has no %s", name);
    }
    if (rc) return rc;
    if ((rc = rf_orders__xml_open(&x, in->path, in->part.data ? in->part.data : "", in->part.len,
                                  in->err)))
        return rc;
    while (!(rc = rf_orders__xml_next(x, &ev, in->err)) && ev != OX_EOF)
        if ((rc = on(x, ev, ctx))) {
            if (rc == RF_ENOMEM) /* the callbacks name every other failure themselves */
                rf_error_set(in->err, rc, in->path, 0, "out of memory reading %s", name);
            break;
        }
    if (rc && rc != RF_ENOMEM && in->err && !strstr(in->err->message, name)) {
        /* malformed XML: say in which part (the line is the part's own) */
        char message[sizeof in->err->message];
        snprintf(message, sizeof message, "%s", in->err->message);
        snprintf(in->err->message, sizeof in->err->message, "in %.100s: %.900s", name, message);
    }
    rf_orders__xml_close(x);
    return rc;
}

static int is(const ox_reader *x, const char *name)
{
    return strcmp(rf_orders__xml_name(x, rf_orders__xml_depth(x)), name) == 0;
}

/* The part a relationship `target` names, relative to the folder of part `from`
 * ("xl/workbook.xml" and "worksheets/sheet1.xml" give "xl/worksheets/sheet1.xml"); a target
 * starting with '/' is from the archive's root. "../" steps up. */
static void resolve(char *out, size_t size, const char *from, const char *target)
{
    char path[2048];
    size_t n = 0;
    const char *slash = strrchr(from, '/');

    if (target[0] == '/') snprintf(path, sizeof path, "%s", target + 1);
    else snprintf(path, sizeof path, "%.*s%s", slash ? (int)(slash - from + 1) : 0, from, target);
    /* fold "./" and "dir/../" */
    out[0] = '\0';
    char *save = NULL;
    for (char *seg = strtok_r(path, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
        if (strcmp(seg, ".") == 0) continue;
        if (strcmp(seg, "..") == 0) {
            char *last = strrchr(out, '/');
            n = last ? (size_t)(last - out) : 0;
            out[n] = '\0';
            continue;
        }
        n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%s%s", n ? "/" : "", seg);
        if (n >= size) {
            out[size - 1] = '\0';
            return;
        }
    }
}

/* ---- package relationships: where the workbook is ---------------------------------------- */

typedef struct rels_scan {
    xlsx_in *in;
    const char *from;    /* the part the relationships belong to */
    const char *rel_id;  /* a relationship wanted by id (the sheet), or NULL */
} rels_scan;

static int on_rels(ox_reader *x, ox_event ev, void *ctx)
{
    rels_scan *s = ctx;
    const char *v;
    char id[256], kind[256], target[1024];

    /* (each rf_orders__xml_attr call frees the value the previous one returned: copy them out) */
    if (ev != OX_START || !is(x, "Relationship")) return RF_OK;
    if (rf_orders__xml_attr(x, "TargetMode")) return RF_OK; /* External: a link, not a part */
    snprintf(id, sizeof id, "%s", (v = rf_orders__xml_attr(x, "Id")) ? v : "");
    v = rf_orders__xml_attr(x, "Type");
    snprintf(kind, sizeof kind, "%s",
             v && strncmp(v, REL_TYPE, strlen(REL_TYPE)) == 0 ? v + strlen(REL_TYPE) : "");
    if (!(v = rf_orders__xml_attr(x, "Target"))) return RF_OK;
    snprintf(target, sizeof target, "%s", v);
    if (!s->from) { /* the package's own: the office document */
        if (strcmp(kind, "officeDocument") == 0)
            resolve(s->in->workbook, sizeof s->in->workbook, "", target);
        return RF_OK;
    }
    if (s->rel_id && strcmp(id, s->rel_id) == 0)
        resolve(s->in->sheet, sizeof s->in->sheet, s->from, target);
    else if (strcmp(kind, "sharedStrings") == 0)
        resolve(s->in->strings_part, sizeof s->in->strings_part, s->from, target);
    else if (strcmp(kind, "styles") == 0)
        resolve(s->in->styles_part, sizeof s->in->styles_part, s->from, target);
    return RF_OK;
}

/* ---- the workbook: which sheet ---------------------------------------------------------- */

typedef struct book_scan {
    const char *want; /* the sheet asked for, or NULL */
    char rel_id[256];
    int found;
    rf_buf names;  /* every sheet's name, for the error when the asked one is missing */
    rf_buf *others; /* the names of the sheets not read (may be NULL) */
    int date1904;
} book_scan;

static int on_workbook(ox_reader *x, ox_event ev, void *ctx)
{
    book_scan *b = ctx;
    const char *name, *id, *state;
    char own[512];

    if (ev != OX_START) return RF_OK;
    if (is(x, "workbookPr")) {
        const char *v = rf_orders__xml_attr(x, "date1904");
        b->date1904 = v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0);
        return RF_OK;
    }
    if (!is(x, "sheet")) return RF_OK;
    snprintf(own, sizeof own, "%s", (name = rf_orders__xml_attr(x, "name")) ? name : "");
    state = rf_orders__xml_attr(x, "state");
    int hidden = state && strcmp(state, "visible") != 0;
    if (rf_buf_printf(&b->names, "%s\"%s\"%s", b->names.len ? ", " : "", own,
                      hidden ? " (hidden)" : ""))
        return RF_ENOMEM;
    /* by name, as Excel compares them (without regard to case); else the first visible */
    if (!b->found && !(b->want ? strcasecmp(own, b->want) != 0 : hidden) &&
        (id = rf_orders__xml_attr_ns(x, "id", NS_REL))) {
        snprintf(b->rel_id, sizeof b->rel_id, "%s", id);
        b->found = 1;
        return RF_OK;
    }
    if (b->others && rf_buf_printf(b->others, "%s\"%s\"%s", b->others->len ? ", " : "", own,
                                   hidden ? " (hidden)" : ""))
        return RF_ENOMEM;
    return RF_OK;
}

/* ---- shared strings ------------------------------------------------------------------- */

typedef struct strings_scan {
    xlsx_in *in;
    int in_si;
    int phonetic; /* inside <rPh>: the reading of Japanese text, not the text */
} strings_scan;

static int on_strings(ox_reader *x, ox_event ev, void *ctx)
{
    strings_scan *s = ctx;
    xlsx_in *in = s->in;

    if (is(x, "rPh")) {
        s->phonetic += ev == OX_START ? 1 : -1;
        return RF_OK;
    }
    if (is(x, "si")) {
        if (ev == OX_START) {
            if (in->n_strings == MAX_STRINGS)
                return rf_error_set(in->err, RF_ELIMIT, in->path, 0,
                                    "more than %d shared strings", MAX_STRINGS);
            if (in->n_strings == in->cap_strings) {
                size_t cap = in->cap_strings ? in->cap_strings * 2 : 1024;
                size_t *grown = realloc(in->string_off, cap * sizeof *grown);
                if (!grown) return RF_ENOMEM;
                in->string_off = grown;
                in->cap_strings = cap;
            }
            in->string_off[in->n_strings] = in->strings.len;
            s->in_si = 1;
        } else {
            if (rf_buf_putc(&in->strings, '\0')) return RF_ENOMEM;
            in->n_strings++;
            s->in_si = 0;
        }
        return RF_OK;
    }
    if (ev == OX_END && s->in_si && !s->phonetic && is(x, "t")) {
        size_t len;
        const char *text = rf_orders__xml_text(x, &len);
        if (rf_buf_append(&in->strings, text, len)) return RF_ENOMEM;
    }
    return RF_OK;
}

/* ---- styles: which cell formats show dates ------------------------------------------------ */

/* 1 when a number format code shows a date: it has a day or year part outside quoted text,
 * [brackets] (colours, locales, elapsed time) and escaped characters. */
static int date_format_code(const char *code)
{
    for (const char *c = code; *c; c++) {
        if (*c == '"') {
            while (c[1] && c[1] != '"') c++;
            if (c[1]) c++;
        } else if (*c == '[') {
            while (c[1] && c[1] != ']') c++;
            if (c[1]) c++;
        } else if (*c == '\\' || *c == '_' || *c == '*') {
            if (c[1]) c++;
        } else if (*c == 'd' || *c == 'D' || *c == 'y' || *c == 'Y' || *c == 'e') {
            return 1;
        }
    }
    return 0;
}

/* Excel's built-in date formats: 14-17 and 22 (date, date and time), 27-36 and 50-58 (East
 * Asian dates). 18-21 and 45-47 are times of day, left as numbers. */
static int builtin_date_format(int id)
{
    return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58);
}

static int on_styles(ox_reader *x, ox_event ev, void *ctx)
{
    xlsx_in *in = ctx;
    const char *v;
    int depth = rf_orders__xml_depth(x), id;

    if (ev != OX_START || depth < 1) return RF_OK;
    if (is(x, "numFmt") && (v = rf_orders__xml_attr(x, "numFmtId"))) {
        id = atoi(v);
        if ((v = rf_orders__xml_attr(x, "formatCode")) && date_format_code(v) &&
            in->n_date_formats < MAX_DATE_FORMATS)
            in->date_formats[in->n_date_formats++] = id;
        return RF_OK;
    }
    if (!is(x, "xf") || strcmp(rf_orders__xml_name(x, depth - 1), "cellXfs") != 0) return RF_OK;
    if (in->n_styles == MAX_STYLES)
        return rf_error_set(in->err, RF_ELIMIT, in->path, 0, "more than %d cell formats",
                            MAX_STYLES);
    if (in->n_styles == in->cap_styles) {
        size_t cap = in->cap_styles ? in->cap_styles * 2 : 64;
        unsigned char *grown = realloc(in->date_style, cap);
        if (!grown) return RF_ENOMEM;
        in->date_style = grown;
        in->cap_styles = cap;
    }
    id = (v = rf_orders__xml_attr(x, "numFmtId")) ? atoi(v) : 0;
    int date = builtin_date_format(id);
    for (size_t i = 0; !date && i < in->n_date_formats; i++) date = in->date_formats[i] == id;
    in->date_style[in->n_styles++] = (unsigned char)date;
    return RF_OK;
}

/* ---- the sheet -------------------------------------------------------------------------- */

typedef struct sheet_scan {
    xlsx_in *in;
    long row, last_row; /* the open row's number; the last one written */
    size_t next_col;    /* fields written on the open row */
    size_t width;       /* the most fields of any row */
    /* the open cell */
    char ref[32], type[16];
    size_t col, style;
    int in_inline, phonetic;
    rf_buf value;
} sheet_scan;

/* "BC12" -> column 54 (0-based), row 12; 0 when not a cell reference. */
static int parse_ref(size_t *col, long *row, const char *ref)
{
    size_t c = 0;
    long r = 0;
    const char *p = ref;
    for (; *p >= 'A' && *p <= 'Z'; p++) {
        c = c * 26 + (size_t)(*p - 'A' + 1);
        if (c > 16384) return 0;
    }
    if (p == ref || c == 0) return 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        r = r * 10 + (*p - '0');
        if (r > MAX_ROW) return 0;
    }
    if (*p) return 0;
    *col = c - 1;
    *row = r;
    return 1;
}

/* Days since 1970-01-01 -> "YYYY-MM-DD" (Howard Hinnant's civil_from_days). */
static void civil_date(char out[11], long days)
{
    long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    /* serial_date keeps the year within 1900..9999; the modulos tell the compiler so */
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)((y + (m <= 2)) % 10000), (unsigned)(m % 100),
             (unsigned)(d % 100));
}

/* An Excel date serial as YYYY-MM-DD; 0 when it is none (negative, past 9999, not a number).
 * The 1900 system counts the 29 February 1900 that never was (serial 60, shown here as
 * 1 March), as Lotus did. */
static int serial_date(char out[11], const char *v, int date1904)
{
    char *end;
    double serial = strtod(v, &end);
    long days;

    if (end == v || *end || !(serial >= 1 && serial < 2958466)) return 0;
    days = (long)serial;
    if (date1904) days += 1462;   /* serial 0 is 1 January 1904 */
    else if (days < 61) days++;   /* before the phantom day, 1 is 1 January 1900 */
    civil_date(out, days - 25569); /* from then on, 25569 is 1 January 1970 */
    return 1;
}

/* Appends `s` as one quoted CSV field, line breaks as spaces. */
static int put_field(rf_buf *csv, const char *s, size_t len)
{
    int rc = rf_buf_putc(csv, '"');
    for (size_t i = 0; !rc && i < len; i++) {
        char c = s[i];
        if (c == '"') rc = rf_buf_puts(csv, "\"\"");
        else rc = rf_buf_putc(csv, c == '\n' || c == '\r' ? ' ' : c);
    }
    return rc ? rc : rf_buf_putc(csv, '"');
}

/* `rc` of a write to the CSV text, with the message when the text outgrew its cap. */
static int grown(sheet_scan *s, int rc)
{
    if (rc == RF_ELIMIT)
        rf_error_set(s->in->err, rc, s->in->path, s->row,
                     "the sheet is larger than %zu MiB as text: refused", CSV_MAX >> 20);
    return rc;
}

static int cell_error(sheet_scan *s, const char *what)
{
    return rf_error_set(s->in->err, RF_EFORMAT, s->in->path, s->row, "cell %s: %s",
                        s->ref[0] ? s->ref : "?", what);
}

/* Writes the open cell's value at its column of the open row. */
static int end_cell(sheet_scan *s)
{
    xlsx_in *in = s->in;
    const char *text = s->value.data ? s->value.data : "";
    size_t len = s->value.len;
    char date[11];
    int rc = RF_OK;

    if (strcmp(s->type, "s") == 0) {
        char *end;
        unsigned long i = strtoul(text, &end, 10);
        if (!len || *end || i >= in->n_strings) {
            char what[128];
            snprintf(what, sizeof what, "refers to shared string '%.20s', the workbook has %zu",
                     text, in->n_strings);
            return cell_error(s, what);
        }
        text = in->strings.data + in->string_off[i];
        len = strlen(text);
    } else if (strcmp(s->type, "b") == 0) {
        text = len && text[0] == '1' ? "TRUE" : "FALSE";
        len = strlen(text);
    } else if (strcmp(s->type, "d") == 0) {
        len = len > 10 ? 10 : len; /* an ISO 8601 date-time: the date */
    } else if (len && (!s->type[0] || strcmp(s->type, "n") == 0) && s->style < in->n_styles &&
               in->date_style[s->style] && serial_date(date, text, in->date1904)) {
        text = date;
        len = 10;
    }
    for (; s->next_col < s->col; s->next_col++)
        if (s->next_col && (rc = rf_buf_putc(&in->csv, ','))) return grown(s, rc);
    if (s->col && (rc = rf_buf_putc(&in->csv, ','))) return grown(s, rc);
    s->next_col = s->col + 1;
    return len ? grown(s, put_field(&in->csv, text, len)) : RF_OK;
}

static int on_sheet(ox_reader *x, ox_event ev, void *ctx)
{
    sheet_scan *s = ctx;
    xlsx_in *in = s->in;
    const char *v;
    int rc = RF_OK;

    if (is(x, "row")) {
        if (ev == OX_END) {
            s->last_row = s->row;
            if (s->next_col > s->width) s->width = s->next_col;
            return grown(s, rf_buf_putc(&in->csv, '\n'));
        }
        s->row = (v = rf_orders__xml_attr(x, "r")) ? atol(v) : s->last_row + 1;
        if (s->row <= s->last_row || s->row > MAX_ROW)
            return rf_error_set(in->err, RF_EFORMAT, in->path, s->last_row,
                                "row %ld comes after row %ld: rows out of order", s->row,
                                s->last_row);
        /* blank lines for rows the sheet leaves out, so that line numbers are row numbers */
        for (long r = s->last_row + 1; !rc && r < s->row; r++) rc = rf_buf_putc(&in->csv, '\n');
        s->next_col = 0;
        return grown(s, rc);
    }
    if (is(x, "c")) {
        if (ev == OX_END) return end_cell(s);
        long row = 0;
        snprintf(s->ref, sizeof s->ref, "%s", (v = rf_orders__xml_attr(x, "r")) ? v : "");
        if (!s->ref[0]) s->col = s->next_col;
        else if (!parse_ref(&s->col, &row, s->ref) || row != s->row)
            return cell_error(s, "not a cell reference of this row");
        if (s->col < s->next_col) return cell_error(s, "cells out of order");
        if (s->col >= MAX_COLUMNS) {
            char what[96];
            snprintf(what, sizeof what, "past the %d columns read", MAX_COLUMNS);
            return cell_error(s, what);
        }
        snprintf(s->type, sizeof s->type, "%s", (v = rf_orders__xml_attr(x, "t")) ? v : "");
        s->style = (v = rf_orders__xml_attr(x, "s")) ? strtoul(v, NULL, 10) : 0;
        rf_buf_reset(&s->value);
        return RF_OK;
    }
    if (is(x, "rPh")) {
        s->phonetic += ev == OX_START ? 1 : -1;
        return RF_OK;
    }
    /* the value: <v> (numbers, shared string indexes, formula results) or the <t> runs of an
     * inline string */
    if (ev == OX_END && !s->phonetic && (is(x, "v") || is(x, "t"))) {
        size_t len;
        const char *text = rf_orders__xml_text(x, &len);
        if (s->value.len + len > VALUE_MAX) return cell_error(s, "value too long");
        return rf_buf_append(&s->value, text, len);
    }
    return RF_OK;
}

/* Pads every row of `csv` with empty fields to `width`, as Excel's own CSV export does (a row
 * may have cells past the header's last column, a note beside the table). Blank lines, the
 * rows the sheet leaves out, stay blank. */
static int pad_rows(rf_buf *csv, size_t width)
{
    rf_buf out = {0};
    size_t start = 0;
    int rc = RF_OK;

    out.max = csv->max + width * MAX_ROW;
    for (size_t i = 0; !rc && i < csv->len; i++) {
        size_t fields = 1;
        int quoted = 0;
        if (csv->data[i] == '\n' && i == start) { /* a blank line */
            rc = rf_buf_putc(&out, '\n');
            start = i + 1;
            continue;
        }
        while (csv->data[i] != '\n') {
            if (csv->data[i] == '"') quoted = !quoted;
            else if (csv->data[i] == ',' && !quoted) fields++;
            i++;
        }
        rc = rf_buf_append(&out, csv->data + start, i - start);
        for (; !rc && fields < width; fields++) rc = rf_buf_putc(&out, ',');
        if (!rc) rc = rf_buf_putc(&out, '\n');
        start = i + 1;
    }
    if (rc) {
        rf_buf_free(&out);
        return rc;
    }
    rf_buf_free(csv);
    *csv = out;
    return RF_OK;
}

/* ---- the whole ------------------------------------------------------------------------ */

/* Finds the part of `sheet` (NULL: the first visible) and reads the shared strings and
 * styles; the names of the other sheets go to `others` (may be NULL). */
static int open_workbook(xlsx_in *in, const char *sheet, rf_buf *others)
{
    rels_scan rels = {in, NULL, NULL};
    book_scan book = {0};
    char rels_part[2048];
    const char *slash;
    int rc;

    book.want = sheet;
    book.others = others;
    if ((rc = walk_part(in, "_rels/.rels", PART_MAX, 0, on_rels, &rels))) goto cleanup;
    if (!in->workbook[0]) {
        rc = rf_error_set(in->err, RF_EFORMAT, in->path, 0,
                          "not an Excel workbook: the package names no office document");
        goto cleanup;
    }
    if ((rc = walk_part(in, in->workbook, PART_MAX, 0, on_workbook, &book))) goto cleanup;
    in->date1904 = book.date1904;
    if (!book.found) {
        rc = rf_error_set(in->err, RF_ENOTFOUND, in->path, 0,
                          book.want ? "no sheet named \"%s\" (the workbook has %s)"
                                    : "%sno visible sheet (the workbook has %s)",
                          book.want ? book.want : "", book.names.len ? book.names.data : "none");
        goto cleanup;
    }
    /* the workbook's relationships: "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels" */
    slash = strrchr(in->workbook, '/');
    snprintf(rels_part, sizeof rels_part, "%.*s_rels/%s.rels",
             slash ? (int)(slash - in->workbook + 1) : 0, in->workbook,
             slash ? slash + 1 : in->workbook);
    rels.from = in->workbook;
    rels.rel_id = book.rel_id;
    if ((rc = walk_part(in, rels_part, PART_MAX, 0, on_rels, &rels))) goto cleanup;
    if (!in->sheet[0]) {
        rc = rf_error_set(in->err, RF_EFORMAT, in->path, 0,
                          "the workbook names no part for its sheet (relationship %s)",
                          book.rel_id);
        goto cleanup;
    }
    if (in->strings_part[0]) {
        strings_scan strings = {in, 0, 0};
        rc = walk_part(in, in->strings_part, STRINGS_MAX, 1, on_strings, &strings);
        if (rc && rc != RF_ENOTFOUND) goto cleanup;
    }
    if (in->styles_part[0]) {
        rc = walk_part(in, in->styles_part, PART_MAX, 1, on_styles, in);
        if (rc && rc != RF_ENOTFOUND) goto cleanup;
    }
    rc = RF_OK;

cleanup:
    rf_buf_free(&book.names);
    return rc;
}

void rf_orders__warn_other_sheets(const char *path, const char *others,
                           void (*on_warning)(const char *, long, const char *, void *), void *ctx)
{
    char msg[1024];
    if (!others || !others[0] || !on_warning) return;
    snprintf(msg, sizeof msg,
             "the workbook's other sheets are not read: %.900s; screen a sheet with --sheet NAME",
             others);
    on_warning(path, 0, msg, ctx);
}

int rf_orders__xlsx_csv(rf_buf *csv, rf_buf *others, const char *path, const char *data, size_t len,
                 const char *sheet, rf_error *err)
{
    xlsx_in in;
    sheet_scan scan = {0};
    zip_source_t *src;
    zip_error_t zerr;
    int rc;

    memset(&in, 0, sizeof in);
    in.path = path;
    in.err = err;
    in.csv.max = CSV_MAX;
    zip_error_init(&zerr);
    if (!(src = zip_source_buffer_create(data, len, 0, &zerr)) ||
        !(in.zip = zip_open_from_source(src, ZIP_RDONLY, &zerr))) {
        rc = rf_error_set(err, RF_EFORMAT, path, 0, "not a readable .xlsx workbook: %s",
                          zip_error_strerror(&zerr));
        zip_source_free(src); /* NULL is a no-op; after a failed open it is still ours */
        goto cleanup;
    }
    if ((rc = open_workbook(&in, sheet, others))) goto cleanup;
    scan.in = &in;
    if ((rc = walk_part(&in, in.sheet, SHEET_MAX, 0, on_sheet, &scan))) goto cleanup;
    if ((rc = pad_rows(&in.csv, scan.width))) {
        rf_error_set(err, rc, path, 0, "out of memory");
        goto cleanup;
    }
    rf_buf_free(csv);
    *csv = in.csv;
    memset(&in.csv, 0, sizeof in.csv);

cleanup:
    if (in.zip) zip_discard(in.zip);
    zip_error_fini(&zerr);
    rf_buf_free(&in.part);
    rf_buf_free(&in.strings);
    rf_buf_free(&in.csv);
    rf_buf_free(&scan.value);
    free(in.string_off);
    free(in.date_style);
    return rc;
}

int rf_orders__xlsx_read(const char *path, const char *data, size_t len,
                         const rf_order_options *opts, rf_party_fn fn, void *ctx, rf_error *err)
{
    rf_buf csv = {0}, others = {0};
    rf_reader *r = NULL;
    int rc;

    if (!(rc = rf_orders__xlsx_csv(&csv, &others, path, data, len, opts ? opts->sheet : NULL,
                                   err)) &&
        !(rc = rf_reader_open_memory(&r, csv.data ? csv.data : "", csv.len, path, err))) {
        rf_orders__warn_other_sheets(path, others.data, opts ? opts->on_warning : NULL,
                              opts ? opts->warning_ctx : NULL);
        rc = rf_orders__csv_read(path, r, "", 0, opts, fn, ctx, err);
    }
    rf_reader_close(r);
    rf_buf_free(&csv);
    rf_buf_free(&others);
    return rc;
}
