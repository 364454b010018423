/* expr_impl.h: the inside of a parsed rule expression, shared by the
 * files of the expression language (expr_lex.c, expr.c, expr_eval.c);
 * not for use elsewhere. */
#ifndef LW_ALERT_EXPR_IMPL_H
#define LW_ALERT_EXPR_IMPL_H

#include <stddef.h>

#include "alert/expr.h"

#define LW_EXPR_MAX_TEXT  4096
#define LW_EXPR_MAX_DEPTH 100

/* Nodes live in one array per expression; children are indexes, so a
 * parse error frees everything at once and no node outlives its
 * expression. */
typedef enum {
    N_NUM, N_VAR, N_NEG, N_NOT, N_ADD, N_SUB, N_MUL, N_DIV, N_CMP, N_AND, N_OR
} ntype;

typedef struct {
    ntype        t;
    int          col;
    int          is_bool;
    double       num;
    lw_expr_var  var;
    lw_expr_cmp  cmp;
    int          a, b;      /* children, -1 when absent */
} node;

struct lw_expr {
    char   *text;
    node   *n;
    int     count, cap;
    int     root;
    int     primary;        /* first comparison in reading order, -1 if none */
};

/* Pre-order walk from node i; calls fn until it returns non-zero, and
 * returns that value (0 when fn never did). */
int lw_expr_walk(const lw_expr *e, int i, int (*fn)(const lw_expr *, int, void *), void *ud);
/* The first measure of the subtree at i in reading order (LW_M_RULE_METRIC
 * for `metric`), LW_M_NONE when it has none. */
lw_measure lw_expr_subtree_measure(const lw_expr *e, int i);

/* ---- the lexer (expr_lex.c) ---- */

typedef enum {
    T_END, T_NUM, T_IDENT, T_LP, T_RP, T_PLUS, T_MINUS, T_STAR, T_SLASH,
    T_CMP, T_AND, T_OR, T_NOT
} ttype;

typedef struct {
    ttype       t;
    int         col;        /* 1-based */
    size_t      start, len; /* span in the text */
    double      num;
    lw_expr_cmp cmp;
} token;

typedef struct {
    const char    *s;
    size_t         pos, len;
    token          tok;
    lw_expr       *e;
    lw_expr_error *err;
    unsigned       flags;
    int            depth;
    int            failed;
    int            nomem;
} parser;

/* Reads the next token into p->tok; -1 on a lexical error (reported). */
int  lw_expr_next(parser *p);
/* Records the first error (column and message; later ones are dropped). */
void lw_expr_perr(parser *p, int col, const char *fmt, ...) LW_PRINTF(3, 4);
/* A printable form of a token for messages (at most 40 characters). */
void lw_expr_token_text(const parser *p, const token *t, char *buf, size_t size);

#endif
