/* util.c: output helpers of the simulator: buffer appends that abort on
 * OOM, JSON string escaping, whitespace normalisation, outcome names. */
#include "sim.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
oom(void)
{
    lw_log(LW_LOG_ERROR, "out of memory");
    abort();
}

void
lw_sim_ok(int rc)
{
    if (rc != LW_OK)
        oom();
}

void
lw_sim_put(lw_buf *b, const char *s, size_t n)
{
    lw_sim_ok(lw_buf_append(b, s, n));
}

void
lw_sim_puts(lw_buf *b, const char *s)
{
    lw_sim_put(b, s, strlen(s));
}

void
lw_sim_json_str(lw_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, run = 0;
    char esc[8];

    if (s == NULL) {
        lw_sim_put(b, "null", 4);
        return;
    }
    lw_sim_put(b, "\"", 1);
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char) s[i];
        const char *rep = NULL;
        size_t rlen = 2;

        switch (ch) {
        case '"':  rep = "\\\""; break;
        case '\\': rep = "\\\\"; break;
        case '\n': rep = "\\n"; break;
        case '\r': rep = "\\r"; break;
        case '\t': rep = "\\t"; break;
        default:
            if (ch < 0x20 || ch == 0x7f) {
                esc[0] = '\\'; esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
                esc[4] = hex[ch >> 4]; esc[5] = hex[ch & 15];
                rep = esc;
                rlen = 6;
            }
        }
        if (rep == NULL)
            continue;
        if (i > run)
            lw_sim_put(b, s + run, i - run);
        lw_sim_put(b, rep, rlen);
        run = i + 1;
    }
    if (n > run)
        lw_sim_put(b, s + run, n - run);
    lw_sim_put(b, "\"", 1);
}

void
lw_sim_json_cstr(lw_buf *b, const char *s)
{
    lw_sim_json_str(b, s, s != NULL ? strlen(s) : 0);
}

char *
lw_sim_normalize_ws(const char *s)
{
    size_t n = strlen(s), o = 0, i;
    char *out = malloc(n + 1);
    int space = 0;

    if (out == NULL)
        oom();
    for (i = 0; i < n; i++) {
        if (isspace((unsigned char) s[i])) {
            space = 1;
            continue;
        }
        if (space && o > 0)
            out[o++] = ' ';
        space = 0;
        out[o++] = s[i];
    }
    out[o] = '\0';
    return out;
}

void
lw_sim_free_strings(char **v, size_t n)
{
    size_t i;

    for (i = 0; v != NULL && i < n; i++)
        free(v[i]);
    free(v);
}

const char *
lw_sim_outcome_name(int outcome)
{
    static const char *names[LW_SIM_OUT_N] = {
        "ok", "error_500", "rate_limited", "auth", "truncated", "malformed",
        "empty", "slow_drip", "hang", "oversize", "overloaded", "no_usage",
        "bad_request", "not_found", "tool_call", "refusal", "no_done", "no_terminator",
    };

    if (outcome < 0 || outcome >= LW_SIM_OUT_N)
        return "unknown";
    return names[outcome];
}
