/* check_config_limits.c: what the config loader refuses before anything
 * else sees it: files too big, nesting too deep, values too long, lists
 * too large, NUL characters, environment values that are not UTF-8, names
 * longer than a database key, numbers beyond their column; each with its
 * file:line:col. Then the promise that makes validate trustworthy: a file
 * validate accepts is one init can store (every hostile case below is
 * either refused by validate or synced without a database error). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/rule.h"
#include "config.h"
#include "db/db.h"
#include "sync.h"

#define HEAD "monitoring:\n  models:\n"
#define MODEL "    - provider: openai\n      model: gpt-4\n      sla_target: 2\n"

/* Loads text as validate does (loader, then the rules module): LW_OK or
 * not, diagnostics into *d (caller frees). */
static int
validate(const char *text, size_t len, lw_config **cfg, lw_diag *d)
{
    int rc;

    lw_diag_init(d);
    rc = lw_config_load_string("t.yaml", text, len, cfg, d);
    if (rc == LW_OK && lw_rules_check_config(*cfg, d) > 0) {
        lw_config_free(*cfg);
        *cfg = NULL;
        rc = LW_EINVAL;
    }
    return rc;
}

/* validate refuses text with an error at line:col whose message holds
 * `needle`. */
static void
refused_at(const char *text, size_t len, int line, int col, const char *needle)
{
    lw_config *cfg = NULL;
    lw_diag d;
    size_t i;
    int found = 0;

    ck_assert_int_ne(validate(text, len, &cfg, &d), LW_OK);
    for (i = 0; i < d.n; i++)
        if (d.v[i].level == LW_DIAG_ERROR && d.v[i].line == line && d.v[i].col == col
            && strstr(d.v[i].msg, needle) != NULL)
            found = 1;
    if (!found)
        for (i = 0; i < d.n; i++)
            fprintf(stderr, "  %d:%d: %s\n", d.v[i].line, d.v[i].col, d.v[i].msg);
    ck_assert_msg(found, "no error '%s' at %d:%d", needle, line, col);
    lw_diag_free(&d);
}

/* A config whose first model is called by a name of n bytes, given as
 * `key` (model or name); the caller frees. */
static char *
long_name(size_t n, const char *key)
{
    char *s = malloc(n + 256);
    size_t off;

    off = (size_t) sprintf(s, HEAD "    - provider: openai\n      %s: \"", key);
    memset(s + off, 'x', n);
    strcpy(s + off + n, "\"\n      model: gpt-4\n      sla_target: 2\n");
    if (strcmp(key, "model") == 0)
        strcpy(s + off + n, "\"\n      sla_target: 2\n");
    return s;
}

START_TEST(sizes_and_depth)
{
    char *s;
    size_t n;

    /* a 10 MB model name: the file is too big to read at all */
    s = long_name(10 * 1024 * 1024, "model");
    refused_at(s, strlen(s), 1, 1, "larger than");
    free(s);
    /* 100 KB in one value */
    s = long_name(100 * 1024, "model");
    refused_at(s, strlen(s), 4, 14, "longer than 65536 bytes");
    free(s);
    /* a name the database could not index (init failed with "index row") */
    s = long_name(3000, "model");
    refused_at(s, strlen(s), 4, 14, "a name has at most 200");
    free(s);
    s = long_name(3000, "name");
    refused_at(s, strlen(s), 4, 13, "a name has at most 200");
    free(s);
    s = long_name(200, "model");      /* the most a name may be */
    {
        lw_config *cfg = NULL;
        lw_diag d;

        ck_assert_int_eq(validate(s, strlen(s), &cfg, &d), LW_OK);
        lw_config_free(cfg);
        lw_diag_free(&d);
    }
    free(s);
    /* 200 KB of [[[...]]]: refused at the 33rd level, at once */
    n = 100000;
    s = malloc(2 * n + 64);
    strcpy(s, "monitoring:\n  models: ");
    memset(s + strlen(s), '[', n);
    memset(s + strlen("monitoring:\n  models: ") + n, ']', n);
    s[strlen("monitoring:\n  models: ") + 2 * n] = '\0';
    refused_at(s, strlen(s), 2, 41, "nested more than 32 levels");
    free(s);
    /* the same as block mappings */
    {
        char buf[8192] = "monitoring:\n";
        int i;

        for (i = 0; i < 40; i++)
            snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%*sk%d:\n", 2 * (i + 1), "", i);
        refused_at(buf, strlen(buf), 33, 65, "nested more than 32 levels");
    }
    /* a list too long */
    {
        size_t k, cap = 30000 * 24 + 512, off;

        s = malloc(cap);
        off = (size_t) snprintf(s, cap, HEAD MODEL "  alerts:\n    channels:\n      - type: email\n"
                                "        recipients:\n");
        for (k = 0; k < 10001; k++)
            off += (size_t) snprintf(s + off, cap - off, "          - a%zu@x.io\n", k);
        refused_at(s, off, 10, 11, "more than 10000 entries");
        free(s);
    }
}
END_TEST

START_TEST(text_the_database_refuses)
{
    static const char nul[] = HEAD "    - provider: openai\n      model: \"gpt\\0-4\"\n      sla_target: 2\n";

    refused_at(nul, strlen(nul), 4, 14, "NUL");
    setenv("LW_T_BAD_UTF8", "caf\xe9", 1);
    {
        static const char env[] = HEAD "    - provider: openai\n      model: \"${LW_T_BAD_UTF8}\"\n"
                                  "      sla_target: 2\n";

        refused_at(env, strlen(env), 4, 14, "not valid UTF-8");
    }
    unsetenv("LW_T_BAD_UTF8");
}
END_TEST

/* Hostile files: each is refused by validate, at a position. */
static const struct {
    const char *text, *needle;
    int line, col;
} refused[] = {
    { HEAD "    - provider: openai\n      model: gpt-4\n      sla_target: 3000000\n",
      "sla_target", 5, 19 },
    { HEAD MODEL "      timeout: 30 days\n", "timeout", 6, 16 },
    { HEAD MODEL "      prices: {input: 1000000000, output: 1}\n", "input", 6, 23 },
    { HEAD MODEL "      environment: \"a b\"\n", "environment", 6, 20 },
    { HEAD MODEL "  alerts:\n    rules:\n      - name: r\n        condition: \"error_rate > 0.5\"\n"
      "        for: 100000 days\n", "'for'", 10, 14 },
    { HEAD MODEL "  alerts:\n    rules:\n      - name: r\n        condition: \"error_rate > 0.5\"\n"
      "        cooldown: 100000 days\n", "'cooldown'", 10, 19 },
    { HEAD MODEL "  alerts:\n    rules:\n      - name: r\n        condition: \"error_rate > 0.5\"\n"
      "        repeat_interval: 25000 days\n", "'repeat_interval'", 10, 26 },
};

START_TEST(numbers_beyond_their_column)
{
    size_t i;

    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        refused_at(refused[i].text, strlen(refused[i].text), refused[i].line, refused[i].col,
                   refused[i].needle);
}
END_TEST

/* A database of its own (config sync replaces what it does not list). */
static lw_db *
own_db(void)
{
    const char *url = getenv("LW_TEST_DATABASE_URL");
    char mine[1024];
    const char *q, *slash;
    lw_err err = { { 0 } };
    char *name = NULL;
    int created, applied;
    lw_db *db;

    if (url == NULL || *url == '\0') {
        printf("SKIP validate_and_init_agree: LW_TEST_DATABASE_URL is not set\n");
        return NULL;
    }
    q = strchr(url, '?');
    for (slash = q ? q : url + strlen(url); slash > url && slash[-1] != '/'; slash--)
        ;
    snprintf(mine, sizeof(mine), "%.*s%s_limits%s", (int) (slash - url), url,
             "llmwatch_cfg", q ? q : "");
    ck_assert_msg(lw_db_ensure_database(mine, &created, &name, &err) == LW_OK, "%s", err.msg);
    free(name);
    db = lw_db_connect(mine, "llmwatch-tests", &err);
    ck_assert_msg(db != NULL, "%s", err.msg);
    ck_assert_msg(lw_db_migrate(db, &err, "sql", &applied) == LW_OK, "%s", err.msg);
    return db;
}

/* What validate accepts, init (config sync) stores: LW_OK from both, or a
 * refusal by validate. */
static void
agree(lw_db *db, const char *text)
{
    lw_err err = { { 0 } };
    lw_sync_counts counts;
    lw_config *cfg = NULL;
    lw_diag d;

    if (validate(text, strlen(text), &cfg, &d) == LW_OK) {
        ck_assert_msg(lw_sync_config(db, &err, cfg, "config", &counts) == LW_OK,
                      "validate accepted a file init cannot store: %s", err.msg);
        lw_config_free(cfg);
    }
    lw_diag_free(&d);
}

START_TEST(validate_and_init_agree)
{
    static const char *const edges[] = {
        HEAD "    - provider: openai\n      model: gpt-4\n      sla_target: 86400\n"
        "      timeout: 1 day\n      prices: {input: 99999999.999999, output: 0}\n"
        "      environment: a-long-but-fine.environment_name\n",
        HEAD MODEL "  alerts:\n    channels:\n      - type: email\n        name: mail\n"
        "        recipients: [a@x.io]\n    rules:\n      - name: r\n"
        "        condition: \"error_rate > 0.5\"\n        for: 2147483647\n"
        "        cooldown: 2147483647\n        repeat_interval: 2147483647\n",
    };
    static const size_t names[] = { 200, 201, 3000 };
    lw_db *db = own_db();
    char *s;
    size_t i;

    if (db == NULL)
        return;
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        agree(db, refused[i].text);
    for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
        agree(db, edges[i]);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        s = long_name(names[i], "model");
        agree(db, s);
        free(s);
        s = long_name(names[i], "name");
        agree(db, s);
        free(s);
    }
    lw_db_close(db);
}
END_TEST

Suite *config_limits_suite(void)
{
    Suite *s = suite_create("config_limits");
    TCase *tc = tcase_create("config_limits");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, sizes_and_depth);
    tcase_add_test(tc, text_the_database_refuses);
    tcase_add_test(tc, numbers_beyond_their_column);
    tcase_add_test(tc, validate_and_init_agree);
    suite_add_tcase(s, tc);
    return s;
}
