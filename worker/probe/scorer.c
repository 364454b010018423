/* scorer.c: quality scorers: how well one reply answers one test case,
 * 0 to 100. Deterministic and cheap: no model grades another model here. */
#include "probe/probe.h"

#include <ctype.h>
#include <json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct json_object *strict_parse(const char *s, size_t len);

static const char *type_names[] = {
    "exact", "contains", "regex", "json_valid", "json_path", "numeric", "one_of", "tool_call"
};

int
lw_scorer_type_parse(const char *s)
{
    size_t i;

    for (i = 0; s != NULL && i < LW_ARRAY_LEN(type_names); i++)
        if (strcmp(s, type_names[i]) == 0)
            return (int) i;
    return -1;
}

const char *
lw_scorer_type_name(lw_scorer_type t)
{
    return (size_t) t < LW_ARRAY_LEN(type_names) ? type_names[t] : "?";
}

/* Parses the leading number of s (after white space) into *out; 0 if none.
 * Accepts a sign, thousands separators ("1,234"), decimals and exponents. */
static int
parse_number(const char *s, const char **end, double *out)
{
    const char *p = s;
    char tmp[64];
    size_t n = 0;
    int digits = 0, group;

    if (*p == '-' || *p == '+') {
        if (*p == '-')
            tmp[n++] = '-';
        p++;
    }
    while (isdigit((unsigned char) *p) || (*p == ',' && digits > 0)) {
        if (*p == ',') {
            /* a separator only when exactly three digits follow */
            for (group = 1; group <= 3 && isdigit((unsigned char) p[group]); group++)
                ;
            if (group != 4 || isdigit((unsigned char) p[4]) || isdigit((unsigned char) p[-1]) == 0)
                break;
            p++;
            continue;
        }
        if (n < sizeof(tmp) - 8)
            tmp[n++] = *p;
        digits++;
        p++;
    }
    if (*p == '.' && isdigit((unsigned char) p[1])) {
        tmp[n++] = *p++;
        while (isdigit((unsigned char) *p)) {
            if (n < sizeof(tmp) - 8)
                tmp[n++] = *p;
            digits++;
            p++;
        }
    }
    if (digits == 0)
        return 0;
    if ((*p == 'e' || *p == 'E') &&
        (isdigit((unsigned char) p[1]) ||
         ((p[1] == '-' || p[1] == '+') && isdigit((unsigned char) p[2])))) {
        tmp[n++] = *p++;
        if (*p == '-' || *p == '+')
            tmp[n++] = *p++;
        while (isdigit((unsigned char) *p)) {
            if (n < sizeof(tmp) - 2)
                tmp[n++] = *p;
            p++;
        }
    }
    tmp[n] = '\0';
    *out = strtod(tmp, NULL);
    if (end)
        *end = p;
    return 1;
}

/* The first number anywhere in the text; a '-' counts as a sign only when
 * it does not follow a letter or digit ("x-3" is not minus three). */
static int
first_number(const char *s, double *out)
{
    const char *p;

    for (p = s; *p; p++) {
        if (isdigit((unsigned char) *p) ||
            ((*p == '-' || *p == '.') && isdigit((unsigned char) p[1]) &&
             (p == s || !isalnum((unsigned char) p[-1])))) {
            if (*p == '.') {
                /* ".5" */
                char tmp[64];
                size_t k = 0;

                tmp[k++] = '0';
                while ((*p == '.' || isdigit((unsigned char) *p)) && k < sizeof(tmp) - 1)
                    tmp[k++] = *p++;
                tmp[k] = '\0';
                *out = strtod(tmp, NULL);
                return 1;
            }
            if (parse_number(p, NULL, out))
                return 1;
        }
    }
    return 0;
}

int
lw_scorer_prepare(lw_scorer *s, lw_err *err)
{
    char msg[256];
    const char *end;
    int rc;

    switch (s->type) {
    case LW_SCORER_EXACT:
        if (s->value == NULL) {
            lw_err_set(err, "scorer exact needs value");
            return LW_EINVAL;
        }
        break;
    case LW_SCORER_CONTAINS:
    case LW_SCORER_ONE_OF:
        if (s->n_values == 0) {
            lw_err_set(err, "scorer %s needs values", lw_scorer_type_name(s->type));
            return LW_EINVAL;
        }
        break;
    case LW_SCORER_REGEX:
        if (s->pattern == NULL) {
            lw_err_set(err, "scorer regex needs pattern");
            return LW_EINVAL;
        }
        if (s->re_ok) {
            regfree(&s->re);
            s->re_ok = 0;
        }
        rc = regcomp(&s->re, s->pattern,
                     REG_EXTENDED | REG_NOSUB | (s->case_insensitive ? REG_ICASE : 0));
        if (rc != 0) {
            regerror(rc, &s->re, msg, sizeof(msg));
            lw_err_set(err, "scorer regex: bad pattern: %s", msg);
            return LW_EINVAL;
        }
        s->re_ok = 1;
        break;
    case LW_SCORER_JSON_VALID:
        break;
    case LW_SCORER_JSON_PATH:
        if (s->path == NULL || s->path[0] != '$' || s->equals == NULL) {
            lw_err_set(err, "scorer json_path needs path (starting with $) and equals");
            return LW_EINVAL;
        }
        break;
    case LW_SCORER_NUMERIC:
        if (s->value == NULL || !parse_number(s->value, &end, &s->number) || *end != '\0') {
            lw_err_set(err, "scorer numeric needs a number as value");
            return LW_EINVAL;
        }
        if (s->tolerance < 0 || isnan(s->tolerance)) {
            lw_err_set(err, "scorer numeric: tolerance must be >= 0");
            return LW_EINVAL;
        }
        break;
    case LW_SCORER_TOOL_CALL:
        if (s->name == NULL || s->name[0] == '\0') {
            lw_err_set(err, "scorer tool_call needs the name of the function");
            return LW_EINVAL;
        }
        if (s->arguments != NULL) {
            struct json_object *a = strict_parse(s->arguments, strlen(s->arguments));
            int is_object = a != NULL && json_object_is_type(a, json_type_object);

            json_object_put(a);
            if (!is_object) {
                lw_err_set(err, "scorer tool_call: arguments must be a JSON object");
                return LW_EINVAL;
            }
        }
        break;
    default:
        lw_err_set(err, "unknown scorer type");
        return LW_EINVAL;
    }
    return LW_OK;
}

void
lw_scorer_free(lw_scorer *s)
{
    size_t i;

    free(s->value);
    for (i = 0; i < s->n_values; i++)
        free(s->values[i]);
    free(s->values);
    free(s->pattern);
    free(s->path);
    free(s->equals);
    free(s->name);
    free(s->arguments);
    if (s->re_ok)
        regfree(&s->re);
    memset(s, 0, sizeof(*s));
}

/* The reply without surrounding white space, as [*start, *start+*len). */
static void
trimmed(const char *t, const char **start, size_t *len)
{
    size_t n = strlen(t);

    while (n > 0 && isspace((unsigned char) *t)) {
        t++;
        n--;
    }
    while (n > 0 && isspace((unsigned char) t[n - 1]))
        n--;
    *start = t;
    *len = n;
}

static int
same(const char *a, size_t alen, const char *b, int ci)
{
    const char *bs;
    size_t blen;

    trimmed(b, &bs, &blen);
    if (alen != blen)
        return 0;
    return ci ? strncasecmp(a, bs, alen) == 0 : memcmp(a, bs, alen) == 0;
}

static int
has_substring(const char *hay, const char *needle, int ci)
{
    return (ci ? strcasestr(hay, needle) : strstr(hay, needle)) != NULL;
}

/* Strict RFC 8259 syntax check: json-c alone accepts single-quoted
 * strings and other leniencies a JSON consumer would reject. Returns the
 * end of the value at p, or NULL. */
static const char *
jv_ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static const char *
jv_value(const char *p, const char *e, int depth)
{
    const char *q;
    int k;

    if (depth > 64 || p >= e)
        return NULL;
    switch (*p) {
    case '{':
    case '[':
        q = jv_ws(p + 1, e);
        if (q < e && *q == (*p == '{' ? '}' : ']'))
            return q + 1;
        for (;;) {
            if (*p == '{') {
                if (q >= e || *q != '"')
                    return NULL;            /* keys are strings */
                q = jv_value(q, e, depth + 1);
                if (q == NULL)
                    return NULL;
                q = jv_ws(q, e);
                if (q >= e || *q != ':')
                    return NULL;
                q = jv_ws(q + 1, e);
            }
            q = jv_value(q, e, depth + 1);
            if (q == NULL)
                return NULL;
            q = jv_ws(q, e);
            if (q < e && *q == ',') {
                q = jv_ws(q + 1, e);
                continue;
            }
            if (q < e && *q == (*p == '{' ? '}' : ']'))
                return q + 1;
            return NULL;
        }
    case '"':
        for (q = p + 1; q < e; q++) {
            if (*q == '"')
                return q + 1;
            if ((unsigned char) *q < 0x20)
                return NULL;
            if (*q == '\\') {
                if (++q >= e)
                    return NULL;
                if (*q == 'u') {
                    for (k = 1; k <= 4; k++)
                        if (q + k >= e || !isxdigit((unsigned char) q[k]))
                            return NULL;
                    q += 4;
                } else if (strchr("\"\\/bfnrt", *q) == NULL || *q == '\0') {
                    return NULL;
                }
            }
        }
        return NULL;
    case 't':
        return e - p >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : NULL;
    case 'f':
        return e - p >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL;
    case 'n':
        return e - p >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : NULL;
    default:
        q = p;
        if (q < e && *q == '-')
            q++;
        if (q < e && *q == '0')
            q++;
        else if (q < e && *q >= '1' && *q <= '9')
            while (q < e && isdigit((unsigned char) *q))
                q++;
        else
            return NULL;
        if (q < e && *q == '.') {
            if (++q >= e || !isdigit((unsigned char) *q))
                return NULL;
            while (q < e && isdigit((unsigned char) *q))
                q++;
        }
        if (q < e && (*q == 'e' || *q == 'E')) {
            q++;
            if (q < e && (*q == '+' || *q == '-'))
                q++;
            if (q >= e || !isdigit((unsigned char) *q))
                return NULL;
            while (q < e && isdigit((unsigned char) *q))
                q++;
        }
        return q;
    }
}

/* Strictly valid JSON text, then parsed by json-c (caller puts). */
static struct json_object *
strict_parse(const char *s, size_t len)
{
    const char *e = s + len, *q = jv_value(jv_ws(s, e), e, 0);

    if (q == NULL || jv_ws(q, e) != e)
        return NULL;
    return lw_provider_json_parse(s, len);
}

/* The reply as JSON: the whole trimmed reply, else the first balanced
 * {...} or [...] block (a fenced ```json block, a sentence around it).
 * Caller puts. */
static struct json_object *
find_json(const char *t)
{
    const char *s, *p, *q;
    struct json_object *o;
    size_t len;
    int depth, in_str, esc, tries = 0;

    trimmed(t, &s, &len);
    if (len > 0 && (o = strict_parse(s, len)) != NULL)
        return o;
    for (p = t; *p && tries < 32; p++) {
        if (*p != '{' && *p != '[')
            continue;
        tries++;
        depth = in_str = esc = 0;
        for (q = p; *q; q++) {
            if (in_str) {
                if (esc)
                    esc = 0;
                else if (*q == '\\')
                    esc = 1;
                else if (*q == '"')
                    in_str = 0;
                continue;
            }
            if (*q == '"')
                in_str = 1;
            else if (*q == '{' || *q == '[')
                depth++;
            else if ((*q == '}' || *q == ']') && --depth == 0)
                break;
        }
        if (*q == '\0')
            continue;
        if ((o = strict_parse(p, (size_t) (q - p + 1))) != NULL)
            return o;
    }
    return NULL;
}

/* $.a.b[0].c, $["a b"], $[2]: 1 and the node (borrowed from root; NULL
 * is JSON null) when the path exists, else 0. */
static int
json_path_get(struct json_object *root, const char *path, struct json_object **out)
{
    struct json_object *cur = root, *next;
    const char *p = path + 1, *e;
    char key[256];
    size_t n;
    long idx;
    char *end;

    while (*p) {
        if (*p == '.') {
            p++;
            for (e = p; *e && *e != '.' && *e != '['; e++)
                ;
            n = (size_t) (e - p);
            if (n == 0 || n >= sizeof(key))
                return 0;
            memcpy(key, p, n);
            key[n] = '\0';
            if (!json_object_is_type(cur, json_type_object) ||
                !json_object_object_get_ex(cur, key, &next))
                return 0;
            cur = next;
            p = e;
        } else if (*p == '[' && (p[1] == '"' || p[1] == '\'')) {
            e = strchr(p + 2, p[1]);
            if (e == NULL || e[1] != ']')
                return 0;
            n = (size_t) (e - p - 2);
            if (n >= sizeof(key))
                return 0;
            memcpy(key, p + 2, n);
            key[n] = '\0';
            if (!json_object_is_type(cur, json_type_object) ||
                !json_object_object_get_ex(cur, key, &next))
                return 0;
            cur = next;
            p = e + 2;
        } else if (*p == '[') {
            idx = strtol(p + 1, &end, 10);
            if (end == p + 1 || *end != ']' || idx < 0 ||
                !json_object_is_type(cur, json_type_array) ||
                (size_t) idx >= json_object_array_length(cur))
                return 0;
            cur = json_object_array_get_idx(cur, (size_t) idx);
            p = end + 1;
        } else {
            return 0;
        }
    }
    *out = cur;
    return 1;
}

/* Compares a JSON node with the expected text by the node's type: strings
 * as text, numbers as numbers, true/false/null by name, objects and arrays
 * as JSON values. */
static int
json_equals(struct json_object *node, const char *want, int ci)
{
    struct json_object *w;
    const char *s, *end;
    double d;
    size_t slen;
    int r;

    switch (json_object_get_type(node)) {
    case json_type_string:
        s = json_object_get_string(node);
        trimmed(s, &s, &slen);
        return same(s, slen, want, ci);
    case json_type_int:
    case json_type_double:
        while (isspace((unsigned char) *want))
            want++;
        if (!parse_number(want, &end, &d))
            return 0;
        while (isspace((unsigned char) *end))
            end++;
        return *end == '\0' && fabs(json_object_get_double(node) - d) <= 1e-9 * fmax(1.0, fabs(d));
    case json_type_boolean:
        s = json_object_get_boolean(node) ? "true" : "false";
        return same(s, strlen(s), want, 1);
    case json_type_null:
        return same("null", 4, want, 1);
    default:
        w = strict_parse(want, strlen(want));
        if (w == NULL)
            return 0;
        r = json_object_equal(node, w);
        json_object_put(w);
        return r;
    }
}

/* tool_call: the first call must be to the function; then each expected
 * argument that has its value (as json_path compares them) is a share of
 * the score. text is [{"name": .., "arguments": {..}}]. */
static double
tool_call_score(const lw_scorer *s, const char *text)
{
    struct json_object *calls, *first = NULL, *want = NULL, *args = NULL, *got;
    const char *name = NULL;
    double score = 0.0;
    size_t n = 0, hits = 0;

    calls = strict_parse(text, strlen(text));
    if (calls != NULL && json_object_is_type(calls, json_type_array) &&
        json_object_array_length(calls) > 0)
        first = json_object_array_get_idx(calls, 0);
    if (first != NULL)
        name = lw_provider_json_str(first, "name", NULL);
    if (name == NULL || s->name == NULL || strcmp(name, s->name) != 0)
        goto cleanup;
    score = 100.0;
    if (s->arguments == NULL || (want = strict_parse(s->arguments, strlen(s->arguments))) == NULL)
        goto cleanup;
    if (!json_object_object_get_ex(first, "arguments", &args))
        args = NULL;
    json_object_object_foreach(want, key, wv) {
        n++;
        if (args == NULL || !json_object_object_get_ex(args, key, &got))
            continue;
        if (json_equals(got, json_object_is_type(wv, json_type_string) ? json_object_get_string(wv)
                        : json_object_to_json_string_ext(wv, JSON_C_TO_STRING_PLAIN),
                        s->case_insensitive))
            hits++;
    }
    score = n > 0 ? 100.0 * (double) hits / (double) n : 100.0;
cleanup:
    json_object_put(want);
    json_object_put(calls);
    return score;
}

double
lw_scorer_score(const lw_scorer *s, const char *text)
{
    struct json_object *o, *node;
    const char *t;
    size_t tlen, i, hits;
    double d;
    int ci = s->case_insensitive;

    if (text == NULL)
        text = "";
    switch (s->type) {
    case LW_SCORER_EXACT:
        trimmed(text, &t, &tlen);
        return s->value && same(t, tlen, s->value, ci) ? 100.0 : 0.0;
    case LW_SCORER_ONE_OF:
        trimmed(text, &t, &tlen);
        for (i = 0; i < s->n_values; i++)
            if (same(t, tlen, s->values[i], ci))
                return 100.0;
        return 0.0;
    case LW_SCORER_CONTAINS:
        if (s->n_values == 0)
            return 0.0;
        for (i = hits = 0; i < s->n_values; i++)
            if (has_substring(text, s->values[i], ci))
                hits++;
        return 100.0 * (double) hits / (double) s->n_values;
    case LW_SCORER_REGEX:
        return s->re_ok && regexec(&s->re, text, 0, NULL, 0) == 0 ? 100.0 : 0.0;
    case LW_SCORER_JSON_VALID:
        o = find_json(text);
        if (o == NULL)
            return 0.0;
        json_object_put(o);
        return 100.0;
    case LW_SCORER_JSON_PATH:
        if (s->path == NULL || s->equals == NULL || (o = find_json(text)) == NULL)
            return 0.0;
        d = json_path_get(o, s->path, &node) && json_equals(node, s->equals, ci) ? 100.0 : 0.0;
        json_object_put(o);
        return d;
    case LW_SCORER_NUMERIC:
        if (!first_number(text, &d))
            return 0.0;
        return fabs(d - s->number) <= s->tolerance + 1e-9 * fmax(1.0, fabs(s->number)) ?
               100.0 : 0.0;
    case LW_SCORER_TOOL_CALL:
        return tool_call_score(s, text);
    }
    return 0.0;
}

double
lw_quality_mean(const double *scores, size_t n)
{
    double sum = 0;
    size_t i, k = 0;

    for (i = 0; i < n; i++) {
        if (scores[i] >= 0) {
            sum += scores[i];
            k++;
        }
    }
    return k ? sum / (double) k : -1;
}
