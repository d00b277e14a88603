/* json.c: a small strict pull tokenizer for JSON list files (the CSL's JSON, GLEIF's golden
 * copy, FollowTheMoney's JSON lines): tokens in order, strings decoded, the grammar of RFC
 * 8259 enforced (one value, or a sequence of them for JSON lines; no comments, trailing
 * commas, single quotes, leading zeros, control characters in strings or lone surrogates),
 * nesting capped at RF_JSON_MAX_DEPTH and strings at RF_MAX_FIELD bytes, errors naming the
 * line. It streams the file through a window of RF_JSON_WINDOW bytes and keeps only the
 * current token, so a list file of any size needs little memory.
 *
 * Why not a JSON library (jansson, json-c): both build the whole document as a tree before
 * the first entity can be read. Measured with jansson 2.14 on the bundled CSL written as the
 * CSL's JSON (14,160 entities, 11.8 MB): 70 MB resident to load it; twenty times that file
 * (237 MB, what a hostile download can be): 1.37 GB. This tokenizer's memory does not grow
 * with the file: one window and one token. */
#include "list_import.h"

#include <stdlib.h>
#include <string.h>

/* What may come next. */
enum {
    S_VALUE,         /* a value (the document's, after ':' or after ',' in an array) */
    S_VALUE_OR_END,  /* after '[' */
    S_KEY_OR_END,    /* after '{' */
    S_KEY,           /* after ',' in an object */
    S_COLON,         /* after a key */
    S_NEXT,          /* after a value in a container: ',' or its end */
    S_DONE           /* after the document's value */
};

/* Bytes the window holds ahead of a token's start (or the file's end): more than the longest
 * string the cap allows, each byte written as a \u escape. So a token never runs off the
 * window, and one that seems to is over its cap. */
#define LOOKAHEAD ((size_t)6 * (RF_MAX_FIELD + 1) + 16)

/* Slides the window on when less than LOOKAHEAD is left in it; only between tokens. */
static int fill(rf_json *j)
{
    long n = 1;

    if (j->eof || j->len - j->pos >= LOOKAHEAD) return 0;
    memmove(j->data, j->data + j->pos, j->len - j->pos);
    j->len -= j->pos;
    j->pos = 0;
    while (j->len < RF_JSON_WINDOW &&
           (n = rf_list__stream_read(j->in, j->data + j->len, RF_JSON_WINDOW - j->len)) > 0)
        j->len += (size_t)n;
    if (n < 0) return (int)n;
    j->eof = n == 0;
    return 0;
}

int rf_json__open(rf_json *j, rf_list_ctx *cx)
{
    int rc;

    memset(j, 0, sizeof *j);
    j->line = 1;
    j->state = S_VALUE;
    j->text.max = RF_MAX_FIELD;
    j->cx = cx;
    if (!(j->data = malloc(RF_JSON_WINDOW)))
        return rf_list__fail(cx, RF_ENOMEM, 0, "out of memory");
    if ((rc = rf_list__stream_open(&j->in, cx, cx->input, RF_TEXT_AS_IS)) != 0 ||
        (rc = fill(j)) != 0)
        return rc;
    if (j->len >= 3 && memcmp(j->data, "\xEF\xBB\xBF", 3) == 0) j->pos = 3;
    return 0;
}

void rf_json__free(rf_json *j)
{
    rf_list__stream_close(j->in);
    free(j->data);
    rf_buf_free(&j->text);
    memset(j, 0, sizeof *j);
}

static int fail(rf_json *j, const char *what)
{
    return rf_list__fail(j->cx, RF_EFORMAT, j->line, "bad JSON: %s", what);
}

static int too_long(rf_json *j)
{
    return rf_list__fail(j->cx, RF_ELIMIT, j->line, "a JSON string is longer than %d bytes",
                        RF_MAX_FIELD);
}

/* Skips white space, through as many windows as it takes. */
static int skip_ws(rf_json *j)
{
    for (;;) {
        int rc = fill(j);
        if (rc) return rc;
        while (j->pos < j->len) {
            char c = j->data[j->pos];
            if (c == '\n') j->line++;
            else if (c != ' ' && c != '\t' && c != '\r') return 0;
            j->pos++;
        }
        if (j->eof) return 0;
    }
}

static int hex4(rf_json *j, unsigned *out)
{
    *out = 0;
    if (j->len - j->pos < 4) return 0;
    for (int i = 0; i < 4; i++) {
        char c = j->data[j->pos++];
        unsigned v = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
        if (v == 16) return 0;
        *out = *out << 4 | v;
    }
    return 1;
}

static int put_utf8(rf_buf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) u[0] = (char)cp, n = 1;
    else if (cp < 0x800) u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000)
        u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
        u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    else
        u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    return rf_buf_append(b, u, n);
}

/* The string after the opening quote, decoded into j->text. */
static int read_string(rf_json *j)
{
    size_t run = j->pos;

    rf_buf_reset(&j->text);
    if (rf_buf_puts(&j->text, "")) return fail(j, "out of memory");
    for (;;) {
        unsigned char c;
        if (j->pos >= j->len) return j->eof ? fail(j, "a string is not closed") : too_long(j);
        c = (unsigned char)j->data[j->pos];
        if (c == '"' || c == '\\') {
            /* The plain run before it, checked as UTF-8 as it is copied. */
            if (!rf_utf8_valid(j->data + run, j->pos - run, NULL))
                return fail(j, "a string is not valid UTF-8");
            if (rf_buf_append(&j->text, j->data + run, j->pos - run)) return too_long(j);
            j->pos++;
            if (c == '"') return 0;
            if (j->pos >= j->len) return j->eof ? fail(j, "a string is not closed") : too_long(j);
            c = (unsigned char)j->data[j->pos++];
            {
                static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
                const char *k = c ? strchr(from, c) : NULL;
                unsigned cp;
                int rc;
                if (k) {
                    rc = rf_buf_putc(&j->text, to[k - from]);
                } else if (c == 'u') {
                    if (!hex4(j, &cp)) return fail(j, "a \\u escape needs four hex digits");
                    if (cp >= 0xD800 && cp < 0xDC00) {
                        unsigned lo;
                        if (j->len - j->pos < 6 || j->data[j->pos] != '\\' || j->data[j->pos + 1] != 'u')
                            return fail(j, "a lone surrogate in a \\u escape");
                        j->pos += 2;
                        if (!hex4(j, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                            return fail(j, "a lone surrogate in a \\u escape");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    } else if (cp >= 0xDC00 && cp < 0xE000) {
                        return fail(j, "a lone surrogate in a \\u escape");
                    } else if (cp == 0) {
                        return fail(j, "a NUL character in a string");
                    }
                    rc = put_utf8(&j->text, cp);
                } else {
                    return fail(j, "an unknown escape in a string");
                }
                if (rc) return too_long(j);
            }
            run = j->pos;
        } else if (c < 0x20) {
            return fail(j, "a control character in a string");
        } else {
            j->pos++;
        }
    }
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int read_number(rf_json *j)
{
    size_t start = j->pos, p = j->pos;
    const char *d = j->data;

    if (p < j->len && d[p] == '-') p++;
    if (p < j->len && d[p] == '0') p++;
    else if (p < j->len && is_digit(d[p])) while (p < j->len && is_digit(d[p])) p++;
    else return fail(j, "a number has no digits");
    if (p < j->len && d[p] == '.') {
        if (++p >= j->len || !is_digit(d[p])) return fail(j, "a number has no digits after '.'");
        while (p < j->len && is_digit(d[p])) p++;
    }
    if (p < j->len && (d[p] == 'e' || d[p] == 'E')) {
        if (++p < j->len && (d[p] == '+' || d[p] == '-')) p++;
        if (p >= j->len || !is_digit(d[p])) return fail(j, "a number has no exponent digits");
        while (p < j->len && is_digit(d[p])) p++;
    }
    if (p < j->len && (is_digit(d[p]) || d[p] == '.' || d[p] == 'x'))
        return fail(j, "a malformed number");
    if (p == j->len && !j->eof) return fail(j, "a number too long");
    rf_buf_reset(&j->text);
    if (rf_buf_append(&j->text, d + start, p - start) || rf_buf_puts(&j->text, ""))
        return fail(j, "a number too long");
    j->pos = p;
    return 0;
}

/* A value has ended: what may follow depends on where it stood. */
static void value_done(rf_json *j)
{
    j->state = j->depth ? S_NEXT : S_DONE;
}

int rf_json__next(rf_json *j, rf_json_token *tok)
{
    char c;
    int rc;

    if ((rc = skip_ws(j)) != 0) return rc;
    if (j->state == S_DONE) {
        if (j->pos >= j->len) {
            *tok = RF_JSON_END;
            return 0;
        }
        if (!j->sequence) return fail(j, "data after the end of the document");
        j->state = S_VALUE; /* the next value of a sequence */
    }
    if (j->pos >= j->len) return fail(j, "the document ends too early");
    c = j->data[j->pos];

    if (j->state == S_COLON) {
        if (c != ':') return fail(j, "':' expected after a key");
        j->pos++;
        j->state = S_VALUE;
        if ((rc = skip_ws(j)) != 0) return rc;
        if (j->pos >= j->len) return fail(j, "the document ends too early");
        c = j->data[j->pos];
    } else if (j->state == S_NEXT) {
        unsigned char open = j->stack[j->depth - 1];
        if (c == ',') {
            j->pos++;
            j->state = open == '{' ? S_KEY : S_VALUE;
            if ((rc = skip_ws(j)) != 0) return rc;
            if (j->pos >= j->len) return fail(j, "the document ends too early");
            c = j->data[j->pos];
        } else if (c == (open == '{' ? '}' : ']')) {
            j->pos++;
            j->depth--;
            *tok = open == '{' ? RF_JSON_OBJECT_END : RF_JSON_ARRAY_END;
            value_done(j);
            return 0;
        } else {
            return fail(j, open == '{' ? "',' or '}' expected" : "',' or ']' expected");
        }
    }

    if (j->state == S_KEY_OR_END || j->state == S_KEY) {
        if (c == '}' && j->state == S_KEY_OR_END) {
            j->pos++;
            j->depth--;
            *tok = RF_JSON_OBJECT_END;
            value_done(j);
            return 0;
        }
        if (c != '"') return fail(j, "a key (a string) expected");
        j->pos++;
        if ((rc = read_string(j)) != 0) return rc;
        j->state = S_COLON;
        *tok = RF_JSON_KEY;
        return 0;
    }

    /* S_VALUE or S_VALUE_OR_END */
    if (c == ']' && j->state == S_VALUE_OR_END) {
        j->pos++;
        j->depth--;
        *tok = RF_JSON_ARRAY_END;
        value_done(j);
        return 0;
    }
    if (c == '{' || c == '[') {
        if (j->depth == RF_JSON_MAX_DEPTH)
            return rf_list__fail(j->cx, RF_ELIMIT, j->line, "JSON nested deeper than %d levels",
                                RF_JSON_MAX_DEPTH);
        j->stack[j->depth++] = (unsigned char)c;
        j->pos++;
        j->state = c == '{' ? S_KEY_OR_END : S_VALUE_OR_END;
        *tok = c == '{' ? RF_JSON_OBJECT : RF_JSON_ARRAY;
        return 0;
    }
    if (c == '"') {
        j->pos++;
        if ((rc = read_string(j)) != 0) return rc;
        *tok = RF_JSON_STRING;
    } else if (c == '-' || is_digit(c)) {
        if ((rc = read_number(j)) != 0) return rc;
        *tok = RF_JSON_NUMBER;
    } else {
        static const struct {
            const char *word;
            rf_json_token tok;
        } words[] = {{"true", RF_JSON_TRUE}, {"false", RF_JSON_FALSE}, {"null", RF_JSON_NULL}};
        size_t i;
        for (i = 0; i < 3; i++) {
            size_t n = strlen(words[i].word);
            if (j->len - j->pos >= n && memcmp(j->data + j->pos, words[i].word, n) == 0) {
                j->pos += n;
                *tok = words[i].tok;
                break;
            }
        }
        if (i == 3) return fail(j, "a value expected");
    }
    value_done(j);
    return 0;
}

int rf_json__skip(rf_json *j, rf_json_token tok)
{
    int depth;
    int rc;

    if (tok != RF_JSON_OBJECT && tok != RF_JSON_ARRAY) return 0;
    for (depth = 1; depth > 0;) {
        if ((rc = rf_json__next(j, &tok)) != 0) return rc;
        if (tok == RF_JSON_OBJECT || tok == RF_JSON_ARRAY) depth++;
        else if (tok == RF_JSON_OBJECT_END || tok == RF_JSON_ARRAY_END) depth--;
    }
    return 0;
}
