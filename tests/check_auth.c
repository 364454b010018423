/* check_auth.c: passwords (yescrypt), tokens, constant-time compare and the
 * role order of lib/auth.c. */
#include <check.h>
#include <string.h>

#include "auth.h"

START_TEST(password_hash_and_verify)
{
    char h1[LW_HASH_MAX], h2[LW_HASH_MAX];
    lw_err err = { { 0 } };

    ck_assert_int_eq(lw_auth_hash_password("correct horse", h1, sizeof(h1), &err), LW_OK);
    ck_assert_int_eq(lw_auth_hash_password("correct horse", h2, sizeof(h2), &err), LW_OK);
    ck_assert_msg(strncmp(h1, "$y$", 3) == 0, "not yescrypt: %s", h1);
    ck_assert_str_ne(h1, h2);   /* a fresh salt each time */
    ck_assert_int_eq(lw_auth_verify_password("correct horse", h1), 1);
    ck_assert_int_eq(lw_auth_verify_password("correct horse", h2), 1);
    ck_assert_int_eq(lw_auth_verify_password("correct hors", h1), 0);
    ck_assert_int_eq(lw_auth_verify_password("correct horse ", h1), 0);
    ck_assert_int_eq(lw_auth_verify_password("", h1), 0);
    ck_assert_int_eq(lw_auth_verify_password("correct horse", "not a hash"), 0);
    ck_assert_int_eq(lw_auth_verify_password("correct horse", "$y$broken"), 0);
    ck_assert_int_eq(lw_auth_verify_password("correct horse", NULL), 0);
    ck_assert_int_eq(lw_auth_hash_password("", h1, sizeof(h1), &err), LW_EINVAL);
    ck_assert_int_eq(lw_auth_hash_password("x", h1, 10, &err), LW_EIO);   /* no room */
}
END_TEST

START_TEST(constant_time_compare)
{
    ck_assert(lw_crypto_streq("abc", "abc"));
    ck_assert(lw_crypto_streq("", ""));
    ck_assert(!lw_crypto_streq("abc", "abd"));
    ck_assert(!lw_crypto_streq("abc", "ab"));
    ck_assert(!lw_crypto_streq("ab", "abc"));
    ck_assert(!lw_crypto_streq("", "a"));
    ck_assert(!lw_crypto_streq(NULL, "a"));
    ck_assert(!lw_crypto_streq("a", NULL));
    ck_assert(!lw_crypto_streq(NULL, NULL));
}
END_TEST

START_TEST(tokens)
{
    char a[LW_TOKEN_LEN + 1], b[LW_TOKEN_LEN + 1];

    ck_assert_int_eq(lw_auth_token(a), LW_OK);
    ck_assert_int_eq(lw_auth_token(b), LW_OK);
    ck_assert_uint_eq(strlen(a), 64);
    ck_assert_str_ne(a, b);
    ck_assert(lw_auth_token_valid(a));
    ck_assert(!lw_auth_token_valid(NULL));
    ck_assert(!lw_auth_token_valid(""));
    a[10] = 'G';
    ck_assert(!lw_auth_token_valid(a));
    b[63] = '\0';
    ck_assert(!lw_auth_token_valid(b));
    ck_assert(!lw_auth_token_valid("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
}
END_TEST

START_TEST(generated_passwords)
{
    char p[32], q[32];
    size_t i;

    ck_assert_int_eq(lw_auth_generate_password(p, sizeof(p), 20), LW_OK);
    ck_assert_int_eq(lw_auth_generate_password(q, sizeof(q), 20), LW_OK);
    ck_assert_uint_eq(strlen(p), 20);
    ck_assert_str_ne(p, q);
    for (i = 0; i < 20; i++)
        ck_assert_msg(strchr("0O1lI", p[i]) == NULL && p[i] > ' ', "bad char %c", p[i]);
    ck_assert_int_eq(lw_auth_generate_password(p, 20, 20), LW_EINVAL);
}
END_TEST

START_TEST(password_policy)
{
    static const char *const refused[] = {
        "",
        "12345678",                 /* the CLI took this one */
        "short-pass1",              /* 11 characters */
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",  /* 12 bytes, 6 characters */
        "password1234",             /* well known */
        "Password2024!",            /* a well-known word with digits after it */
        "QWERTYUIOP12",
        "123456789012",
        "aaaaaaaaaaaaaaaa",         /* too few different characters */
        "abababababab",
        "alice@example.com",        /* the email */
        "ALICE@EXAMPLE.COM",
        "alice-2024!!",             /* its local part, decorated */
        "caf\xe9-but-not-utf8",
    };
    static const char *const accepted[] = {
        "correct horse battery",
        "pw-admin-0123456789",      /* what the integration tests use */
        "secret-password-1",
        "tr\xc3\xa8s-s\xc3\xbbr-2024",
        "alice in wonderland 7",
    };
    char gen[32], why[200];
    size_t i;

    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        ck_assert_msg(lw_auth_password_check(refused[i], "alice@example.com", why, sizeof(why))
                      == LW_EINVAL, "'%s' was accepted", refused[i]);
    for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
        ck_assert_msg(lw_auth_password_check(accepted[i], "alice@example.com", why, sizeof(why))
                      == LW_OK, "'%s' was refused: %s", accepted[i], why);
    /* the reason is for people */
    ck_assert_int_eq(lw_auth_password_check("12345678", NULL, why, sizeof(why)), LW_EINVAL);
    ck_assert_ptr_nonnull(strstr(why, "12"));
    ck_assert_int_eq(lw_auth_password_check("alice@example.com", "alice@example.com", why,
                                            sizeof(why)), LW_EINVAL);
    ck_assert_ptr_nonnull(strstr(why, "email"));
    /* generated passwords always pass */
    for (i = 0; i < 50; i++) {
        ck_assert_int_eq(lw_auth_generate_password(gen, sizeof(gen), 20), LW_OK);
        ck_assert_int_eq(lw_auth_password_check(gen, "alice@example.com", why, sizeof(why)), LW_OK);
    }
}
END_TEST

START_TEST(role_order)
{
    ck_assert_int_eq(lw_auth_role_parse("viewer"), LW_ROLE_VIEWER);
    ck_assert_int_eq(lw_auth_role_parse("compliance"), LW_ROLE_COMPLIANCE);
    ck_assert_int_eq(lw_auth_role_parse("editor"), LW_ROLE_EDITOR);
    ck_assert_int_eq(lw_auth_role_parse("admin"), LW_ROLE_ADMIN);
    ck_assert_int_eq(lw_auth_role_parse("anonymous"), -1);
    ck_assert_int_eq(lw_auth_role_parse("Admin"), -1);
    ck_assert_int_eq(lw_auth_role_parse(NULL), -1);
    ck_assert_str_eq(lw_auth_role_name(LW_ROLE_EDITOR), "editor");
    /* admin > editor > compliance > viewer > anonymous */
    ck_assert(lw_auth_role_allows(LW_ROLE_ADMIN, LW_ROLE_EDITOR));
    ck_assert(lw_auth_role_allows(LW_ROLE_EDITOR, LW_ROLE_COMPLIANCE));
    ck_assert(lw_auth_role_allows(LW_ROLE_COMPLIANCE, LW_ROLE_VIEWER));
    ck_assert(lw_auth_role_allows(LW_ROLE_VIEWER, LW_ROLE_ANON));
    ck_assert(!lw_auth_role_allows(LW_ROLE_VIEWER, LW_ROLE_COMPLIANCE));
    ck_assert(!lw_auth_role_allows(LW_ROLE_COMPLIANCE, LW_ROLE_EDITOR));
    ck_assert(!lw_auth_role_allows(LW_ROLE_EDITOR, LW_ROLE_ADMIN));
    ck_assert(!lw_auth_role_allows(LW_ROLE_ANON, LW_ROLE_VIEWER));
}
END_TEST

Suite *auth_suite(void)
{
    Suite *s = suite_create("auth");
    TCase *tc = tcase_create("auth");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, password_hash_and_verify);
    tcase_add_test(tc, constant_time_compare);
    tcase_add_test(tc, tokens);
    tcase_add_test(tc, generated_passwords);
    tcase_add_test(tc, role_order);
    tcase_add_test(tc, password_policy);
    suite_add_tcase(s, tc);
    return s;
}
