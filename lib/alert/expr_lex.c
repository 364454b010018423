/* expr_lex.c: the lexer of rule expressions: numbers with their unit,
 * names (with one dot: baseline.avg_latency), operators and keywords,
 * each error with its column. */
#include "alert/expr_impl.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
lw_expr_perr(parser *p, int col, const char *fmt, ...)
             {
             va_list ap;

    if (p->failed)
        return;
    p->failed = 1;
    if (p->err == NULL)
        return;
    p->err->col = col;
    va_start(ap, fmt);
    vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
    va_end(ap);
}

static int
ident_start(int c)
{
    return isalpha(c) || c == '_';
}

static int
ident_char(int c)
{
    return isalnum(c) || c == '_';
}

void
lw_expr_token_text(const parser *p, const token *t, char *buf, size_t size)
{
    size_t n = t->len > 40 ? 40 : t->len;

    if (t->t == T_END) {
        snprintf(buf, size, "end of expression");
        return;
    }
    snprintf(buf, size, "'%.*s'", (int) n, p->s + t->start);
}

static int
lex_number(parser *p, token *t)
{
    const char *s = p->s;
    size_t i = p->pos, ulen;
    char tmp[72];

    while (i < p->len && isdigit((unsigned char) s[i]))
        i++;
    if (i < p->len && s[i] == '.') {
        i++;
        while (i < p->len && isdigit((unsigned char) s[i]))
            i++;
    }
    if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;

        if (j < p->len && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < p->len && isdigit((unsigned char) s[j])) {
            while (j < p->len && isdigit((unsigned char) s[j]))
                j++;
            i = j;
        }
    }
    if (i - p->pos >= sizeof(tmp) - 1) {
        lw_expr_perr(p, t->col, "number too long at column %d", t->col);
        return -1;
    }
    memcpy(tmp, s + p->pos, i - p->pos);
    tmp[i - p->pos] = '\0';
    if (strcmp(tmp, ".") == 0) {
        lw_expr_perr(p, t->col, "unexpected '.' at column %d", t->col);
        return -1;
    }
    t->num = strtod(tmp, NULL);
    if (!isfinite(t->num)) {
        lw_expr_perr(p, t->col, "number out of range at column %d", t->col);
        return -1;
    }
    /* unit suffix, written right after the digits */
    ulen = 0;
    while (i + ulen < p->len && ident_char((unsigned char) s[i + ulen]))
        ulen++;
    if (ulen == 2 && strncmp(s + i, "ms", 2) == 0) {
        t->num /= 1000.0;
        i += 2;
    } else if (ulen == 1 && s[i] == 's') {
        i += 1;
    } else if (ulen == 0 && i < p->len && s[i] == '%') {
        t->num /= 100.0;
        i += 1;
    } else if (ulen > 0) {
        lw_expr_perr(p, (int) i + 1, "unknown unit '%.*s' at column %d (numbers may end in ms, "
                     "s or %%)", (int) (ulen > 20 ? 20 : ulen), s + i, (int) i + 1);
        return -1;
    }
    t->t = T_NUM;
    t->len = i - p->pos;
    p->pos = i;
    return 0;
}

static int
kw(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

int
lw_expr_next(parser *p)
{
    const char *s = p->s;
    token *t = &p->tok;
    char c;

    while (p->pos < p->len && isspace((unsigned char) s[p->pos]))
        p->pos++;
    memset(t, 0, sizeof(*t));
    t->start = p->pos;
    t->col = (int) p->pos + 1;
    if (p->pos >= p->len) {
        t->t = T_END;
        return 0;
    }
    c = s[p->pos];
    if (isdigit((unsigned char) c)
        || (c == '.' && p->pos + 1 < p->len && isdigit((unsigned char) s[p->pos + 1])))
        return lex_number(p, t);
    if (ident_start((unsigned char) c)) {
        size_t i = p->pos;

        for (;;) {
            while (i < p->len && ident_char((unsigned char) s[i]))
                i++;
            if (i + 1 < p->len && s[i] == '.' && ident_start((unsigned char) s[i + 1])) {
                i++;
                continue;
            }
            break;
        }
        t->len = i - p->pos;
        p->pos = i;
        if (kw(s + t->start, t->len, "and"))
            t->t = T_AND;
        else if (kw(s + t->start, t->len, "or"))
            t->t = T_OR;
        else if (kw(s + t->start, t->len, "not"))
            t->t = T_NOT;
        else
            t->t = T_IDENT;
        return 0;
    }
    t->len = 1;
    switch (c) {
    case '(': t->t = T_LP; break;
    case ')': t->t = T_RP; break;
    case '+': t->t = T_PLUS; break;
    case '-': t->t = T_MINUS; break;
    case '*': t->t = T_STAR; break;
    case '/': t->t = T_SLASH; break;
    case '<': case '>':
        t->t = T_CMP;
        if (p->pos + 1 < p->len && s[p->pos + 1] == '=') {
            t->len = 2;
            t->cmp = c == '<' ? LW_CMP_LE : LW_CMP_GE;
        } else {
            t->cmp = c == '<' ? LW_CMP_LT : LW_CMP_GT;
        }
        break;
    case '=':
        if (p->pos + 1 < p->len && s[p->pos + 1] == '=') {
            t->t = T_CMP;
            t->cmp = LW_CMP_EQ;
            t->len = 2;
            break;
        }
        lw_expr_perr(p, t->col, "use '==' to compare at column %d", t->col);
        return -1;
    case '!':
        if (p->pos + 1 < p->len && s[p->pos + 1] == '=') {
            t->t = T_CMP;
            t->cmp = LW_CMP_NE;
            t->len = 2;
        } else {
            t->t = T_NOT;
        }
        break;
    case '&': case '|':
        if (p->pos + 1 < p->len && s[p->pos + 1] == c) {
            t->t = c == '&' ? T_AND : T_OR;
            t->len = 2;
            break;
        }
        lw_expr_perr(p, t->col, "use '%s' or '%s' at column %d", c == '&' ? "and" : "or",
                     c == '&' ? "&&" : "||", t->col);
        return -1;
    default:
        if (isprint((unsigned char) c))
            lw_expr_perr(p, t->col, "unexpected character '%c' at column %d", c, t->col);
        else
            lw_expr_perr(p, t->col, "unexpected byte 0x%02x at column %d", (unsigned char) c,
                         t->col);
        return -1;
    }
    p->pos += t->len;
    return 0;
}
