/* check_channels.c: notification channels without the network: the exact
 * JSON each HTTP channel posts, PagerDuty and SMS limits, HMAC vectors,
 * secret resolution, Markdown from hostile runbooks. What goes over a
 * socket is check_delivery.c. */
#include <check.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "html.h"
#include "notify/channel.h"
#include "crypto.h"
#include "jobs.h"
#include "lw.h"
#include "testdb.h"


/* ==== fixtures ==== */

/* One alert as the evaluator writes it; also check_delivery.c's. */
const char TEST_SINGLE[] =
    "{\"status\":\"firing\",\"count\":1,\"alerts\":[{"
    "\"alert_id\":12,\"event_id\":40,\"url\":\"https://lw.example/alerts/12\","
    "\"rule\":\"High Latency\",\"model\":\"gpt-4\",\"environment\":\"production\","
    "\"severity\":\"warning\",\"state\":\"firing\",\"value\":3.41,\"threshold\":3.0,"
    "\"value_text\":\"3.41 s\",\"threshold_text\":\"3.00 s\","
    "\"summary\":\"value 3.41 s > 3.00 s\",\"started_at\":\"2025-01-07T10:00:00+00:00\","
    "\"runbook\":\"Check **status**\","
    "\"dedup_key\":\"llmwatch-0123456789abcdef-12\"}]}";

/* A message made from a payload and settings; everything in m.pool.
 * Also check_delivery.c's. */
lw_channel_msg
test_msg(lw_channel_type type, const char *payload, const char *settings)
{
    lw_channel_msg m;
    lw_err err;

    memset(&m, 0, sizeof(m));
    m.pool = lw_pool_create();
    m.type = type;
    m.kind = "alert";
    m.idempotency_key = "k-0123";
    m.channel_name = "test";
    m.now = 1736244000;   /* 2025-01-07T10:00:00Z */
    ck_assert_int_eq(lw_channel_msg_settings(&m, settings ? settings : "{}", &err), LW_OK);
    ck_assert_msg(lw_channel_msg_parse(&m, payload, 0, &err) == LW_OK, "%s", err.msg);
    return m;
}

/* ==== SHA-256 and HMAC ==== */

static void
sha_hex(const void *d, size_t n, char out[LW_CRYPTO_SHA256_HEX_LEN])
{
    uint8_t sum[LW_CRYPTO_SHA256_LEN];

    lw_crypto_sha256(d, n, sum);
    lw_crypto_hex(sum, sizeof(sum), out);
}

START_TEST(test_sha256_vectors)
{
    char hex[LW_CRYPTO_SHA256_HEX_LEN], *big;
    lw_crypto_sha256_ctx c;
    uint8_t sum[LW_CRYPTO_SHA256_LEN];
    size_t i;

    sha_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* one million 'a', fed in uneven pieces through the streaming API */
    big = malloc(1000000);
    memset(big, 'a', 1000000);
    lw_crypto_sha256_init(&c);
    for (i = 0; i < 1000000; i += 777)
        lw_crypto_sha256_update(&c, big + i, 1000000 - i < 777 ? 1000000 - i : 777);
    lw_crypto_sha256_final(&c, sum);
    lw_crypto_hex(sum, sizeof(sum), hex);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(big);
}
END_TEST

/* RFC 4231, test cases 1-7 */
START_TEST(test_hmac_rfc4231)
{
    uint8_t k3[20], d3[50], k4[25], d4[50], k6[131];
    char hex[LW_CRYPTO_SHA256_HEX_LEN];
    uint8_t k1[20], k5[20];

    memset(k1, 0x0b, sizeof(k1));
    lw_crypto_hmac_sha256_hex(k1, 20, "Hi There", 8, hex);
    ck_assert_str_eq(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    lw_crypto_hmac_sha256_hex("Jefe", 4, "what do ya want for nothing?", 28, hex);
    ck_assert_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(k3, 0xaa, sizeof(k3));
    memset(d3, 0xdd, sizeof(d3));
    lw_crypto_hmac_sha256_hex(k3, sizeof(k3), d3, sizeof(d3), hex);
    ck_assert_str_eq(hex, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    for (int i = 0; i < 25; i++)
        k4[i] = (uint8_t) (i + 1);
    memset(d4, 0xcd, sizeof(d4));
    lw_crypto_hmac_sha256_hex(k4, sizeof(k4), d4, sizeof(d4), hex);
    ck_assert_str_eq(hex, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    memset(k5, 0x0c, sizeof(k5));
    lw_crypto_hmac_sha256_hex(k5, sizeof(k5), "Test With Truncation", 20, hex);
    ck_assert_int_eq(strncmp(hex, "a3b6167473100ee06e0c796c2955552b", 32), 0);
    memset(k6, 0xaa, sizeof(k6));
    lw_crypto_hmac_sha256_hex(k6, sizeof(k6), "Test Using Larger Than Block-Size Key - Hash Key First", 54, hex);
    ck_assert_str_eq(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    lw_crypto_hmac_sha256_hex(k6, sizeof(k6), "This is a test using a larger than block-size key and a "
                       "larger than block-size data. The key needs to be hashed before being "
                       "used by the HMAC algorithm.", 152, hex);
    ck_assert_str_eq(hex, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
    ck_assert(lw_crypto_streq("abc", "abc"));
    ck_assert(!lw_crypto_streq("abc", "abd"));
    ck_assert(!lw_crypto_streq("abc", "abcd"));
}
END_TEST

/* ==== secrets ==== */

START_TEST(test_secret_resolve)
{
    lw_buf b = { 0 };
    lw_err err;
    lw_channel_msg m;
    char *v;

    setenv("LW_T_TOKEN", "tok-123", 1);
    unsetenv("LW_T_UNSET");
    setenv("LW_T_EMPTY", "", 1);
    ck_assert_int_eq(lw_secret_resolve("${LW_T_TOKEN}", &b, &err), LW_OK);
    ck_assert_str_eq(b.data, "tok-123");
    lw_buf_reset(&b);
    ck_assert_int_eq(lw_secret_resolve("https://x/${LW_T_TOKEN}/y", &b, &err), LW_OK);
    ck_assert_str_eq(b.data, "https://x/tok-123/y");
    lw_buf_reset(&b);
    ck_assert_int_eq(lw_secret_resolve("${LW_T_UNSET:-fallback}", &b, &err), LW_OK);
    ck_assert_str_eq(b.data, "fallback");
    lw_buf_reset(&b);
    ck_assert_int_eq(lw_secret_resolve("${LW_T_EMPTY:-d}", &b, &err), LW_OK);
    ck_assert_str_eq(b.data, "d");
    lw_buf_reset(&b);
    ck_assert_int_eq(lw_secret_resolve("$${LW_T_TOKEN} plain", &b, &err), LW_OK);
    ck_assert_str_eq(b.data, "${LW_T_TOKEN} plain");
    lw_buf_reset(&b);
    ck_assert_int_eq(lw_secret_resolve("in clear", &b, &err), LW_OK);
    ck_assert_str_eq(b.data, "in clear");
    lw_buf_reset(&b);
    /* unset: the error names the variable and nothing else */
    ck_assert_int_eq(lw_secret_resolve("a${LW_T_UNSET}", &b, &err), LW_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.msg, "LW_T_UNSET"));
    lw_buf_reset(&b);
    ck_assert_int_eq(lw_secret_resolve("${LW_T_EMPTY}", &b, &err), LW_ENOTFOUND);
    lw_buf_reset(&b);
    ck_assert_int_eq(lw_secret_resolve("x${LW_T_TOKEN", &b, &err), LW_EINVAL);
    lw_buf_reset(&b);
    ck_assert_int_eq(lw_secret_resolve("${1BAD}", &b, &err), LW_EINVAL);
    lw_buf_reset(&b);
    ck_assert_int_eq(lw_secret_resolve("${A:x}", &b, &err), LW_EINVAL);
    ck_assert_ptr_null(strstr(err.msg, "tok-123"));
    lw_buf_free(&b);

    /* from channel settings, as stored by sync */
    m = test_msg(LW_CHANNEL_SLACK, TEST_SINGLE, "{\"webhook_url\":\"${LW_T_TOKEN}\",\"bad\":\"${LW_T_UNSET}\"}");
    v = lw_channel_secret(&m, "webhook_url", &err);
    ck_assert_str_eq(v, "tok-123");
    ck_assert_ptr_null(lw_channel_secret(&m, "absent", &err));
    ck_assert_str_eq(err.msg, "");
    ck_assert_ptr_null(lw_channel_secret(&m, "bad", &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "LW_T_UNSET"));
    lw_pool_destroy(m.pool);
}
END_TEST

/* ==== the message ==== */

START_TEST(test_parse_single_and_group)
{
    lw_channel_msg m = test_msg(LW_CHANNEL_WEBHOOK, TEST_SINGLE, NULL);
    lw_err err;

    ck_assert_int_eq((int) m.n_alerts, 1);
    ck_assert_str_eq(m.alerts[0].rule, "High Latency");
    ck_assert_int_eq((int) m.alerts[0].alert_id, 12);
    ck_assert(m.alerts[0].has_value && m.alerts[0].has_threshold);
    ck_assert_str_eq(m.severity, "warning");
    ck_assert_str_eq(m.state, "firing");
    lw_pool_destroy(m.pool);

    /* flat payload; the row's alert id is used when the alert has none */
    memset(&m, 0, sizeof(m));
    m.pool = lw_pool_create();
    ck_assert_int_eq(lw_channel_msg_parse(&m, "{\"rule\":\"R\",\"state\":\"resolved\","
                                          "\"severity\":\"info\",\"value\":\"2.5\"}", 77, &err), LW_OK);
    ck_assert_int_eq((int) m.n_alerts, 1);
    ck_assert_int_eq((int) m.alerts[0].alert_id, 77);
    ck_assert(m.alerts[0].has_value);
    ck_assert(m.alerts[0].value == 2.5);
    ck_assert_str_eq(m.state, "resolved");
    lw_pool_destroy(m.pool);

    /* a group: top-level fields are defaults, the highest severity wins */
    m = test_msg(LW_CHANNEL_WEBHOOK, "{\"environment\":\"staging\",\"alerts\":["
            "{\"rule\":\"A\",\"severity\":\"info\",\"state\":\"resolved\",\"alert_id\":1},"
            "{\"rule\":\"B\",\"severity\":\"critical\",\"environment\":\"prod\"}]}", NULL);
    ck_assert_int_eq((int) m.n_alerts, 2);
    ck_assert_str_eq(m.alerts[0].environment, "staging");
    ck_assert_str_eq(m.alerts[1].environment, "prod");
    ck_assert_str_eq(m.severity, "critical");
    ck_assert_str_eq(m.state, "firing");
    ck_assert_int_eq((int) m.alerts[1].alert_id, 0);
    lw_pool_destroy(m.pool);

    memset(&m, 0, sizeof(m));
    m.pool = lw_pool_create();
    ck_assert_int_eq(lw_channel_msg_parse(&m, "{\"alerts\":[]}", 0, &err), LW_EINVAL);
    ck_assert_int_eq(lw_channel_msg_parse(&m, "[1,2]", 0, &err), LW_EINVAL);
    ck_assert_int_eq(lw_channel_msg_parse(&m, "{\"alerts\":[3]}", 0, &err), LW_EINVAL);
    ck_assert_int_eq(lw_channel_msg_parse(&m, "not json", 0, &err), LW_EINVAL);
    lw_pool_destroy(m.pool);
}
END_TEST

START_TEST(test_formatting)
{
    char b[32];
    time_t t;

    lw_channel_number(2350.5, b);
    ck_assert_str_eq(b, "2350.5");
    lw_channel_number(1500, b);
    ck_assert_str_eq(b, "1500");
    lw_channel_number(0.51234, b);
    ck_assert_str_eq(b, "0.512");
    lw_channel_number(0, b);
    ck_assert_str_eq(b, "0");
    lw_channel_number(12345678, b);
    ck_assert_str_eq(b, "1.235e+07");

    ck_assert_int_eq(lw_time_parse("2025-01-07T10:00:00Z", &t), LW_OK);
    ck_assert_int_eq((int) t, 1736244000);
    ck_assert_int_eq(lw_time_parse("2025-01-07 12:00:00.123456+02", &t), LW_OK);
    ck_assert_int_eq((int) t, 1736244000);
    ck_assert_int_eq(lw_time_parse("2025-01-07T05:30:00-04:30", &t), LW_OK);
    ck_assert_int_eq((int) t, 1736244000);
    ck_assert_int_eq(lw_time_parse("yesterday", &t), LW_EINVAL);
    ck_assert_int_eq(lw_time_parse("2025-01-07T10:00:00 junk", &t), LW_EINVAL);
    lw_time_format(1736244000, LW_TIME_RFC3339, b, sizeof(b));
    ck_assert_str_eq(b, "2025-01-07T10:00:00Z");
}
END_TEST

/* ==== channel bodies ==== */

START_TEST(test_slack_body)
{
    lw_channel_msg m = test_msg(LW_CHANNEL_SLACK, TEST_SINGLE, "{\"channel\":\"#llm\"}");
    char *body = lw_channel_slack_body(&m);

    ck_assert_str_eq(body,
        "{\"text\":\"[llmwatch] FIRING warning: High Latency on gpt-4 (production)\","
        "\"blocks\":[{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":"
        "\"*High Latency* is FIRING (warning)\\nvalue 3.41 s &gt; 3.00 s\\n*Model:* gpt-4\\n"
        "*Environment:* production\\n*Value:* 3.41 s (threshold 3.00 s)\\n"
        "*Since:* 2025-01-07 10:00 UTC\\n<https://lw.example/alerts/12|Open in llmwatch>\"}},"
        "{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"*Runbook*\\nCheck *status*\"}}],"
        "\"channel\":\"#llm\"}");
    free(body);
    lw_pool_destroy(m.pool);
}
END_TEST

START_TEST(test_slack_escapes_and_limits)
{
    lw_channel_msg m;
    lw_buf p = { 0 };
    json_object *o, *blocks, *t;
    char *body;
    int i;

    /* a rule name with Slack control characters, 60 alerts in one group */
    lw_buf_puts(&p, "{\"alerts\":[");
    for (i = 0; i < 60; i++)
        lw_buf_printf(&p, "%s{\"rule\":\"<!channel> & <https://evil|x>\",\"alert_id\":%d}",
                      i ? "," : "", i + 1);
    lw_buf_puts(&p, "]}");
    m = test_msg(LW_CHANNEL_SLACK, p.data, NULL);
    body = lw_channel_slack_body(&m);
    ck_assert_ptr_null(strstr(body, "<!channel>"));
    ck_assert_ptr_null(strstr(body, "<https://evil"));
    o = json_tokener_parse(body);
    ck_assert_ptr_nonnull(o);
    ck_assert(json_object_object_get_ex(o, "blocks", &blocks));
    ck_assert_int_le((int) json_object_array_length(blocks), 50);
    t = json_object_array_get_idx(blocks, (int) json_object_array_length(blocks) - 1);
    ck_assert_ptr_nonnull(strstr(json_object_to_json_string(t), "more alerts"));
    json_object_put(o);
    free(body);
    lw_buf_free(&p);
    lw_pool_destroy(m.pool);
}
END_TEST

START_TEST(test_pagerduty_trigger_resolve)
{
    lw_channel_msg m = test_msg(LW_CHANNEL_PAGERDUTY, TEST_SINGLE, NULL), r;
    char *body = lw_channel_pagerduty_body(&m, &m.alerts[0], "0123456789abcdef0123456789abcdef");
    char *rbody;

    ck_assert_str_eq(body,
        "{\"routing_key\":\"0123456789abcdef0123456789abcdef\",\"event_action\":\"trigger\","
        "\"dedup_key\":\"llmwatch-0123456789abcdef-12\",\"payload\":{"
        "\"summary\":\"High Latency on gpt-4 (production): value 3.41 s > 3.00 s\","
        "\"source\":\"gpt-4\",\"severity\":\"warning\",\"timestamp\":\"2025-01-07T10:00:00Z\","
        "\"component\":\"gpt-4\",\"group\":\"production\",\"class\":\"High Latency\","
        "\"custom_details\":{\"rule\":\"High Latency\",\"model\":\"gpt-4\",\"environment\":\"production\","
        "\"value\":3.41,\"threshold\":3,\"started_at\":\"2025-01-07T10:00:00+00:00\","
        "\"summary\":\"value 3.41 s > 3.00 s\",\"runbook\":\"Check **status**\"}},"
        "\"links\":[{\"href\":\"https://lw.example/alerts/12\",\"text\":\"Alert in llmwatch\"}],"
        "\"client\":\"llmwatch\",\"client_url\":\"https://lw.example/alerts/12\"}");
    /* the resolve of the same incident carries the same key */
    r = test_msg(LW_CHANNEL_PAGERDUTY, "{\"alerts\":[{\"alert_id\":12,\"rule\":\"High Latency\","
            "\"model\":\"gpt-4\",\"environment\":\"production\",\"state\":\"resolved\","
            "\"dedup_key\":\"llmwatch-0123456789abcdef-12\"}]}", NULL);
    rbody = lw_channel_pagerduty_body(&r, &r.alerts[0], "0123456789abcdef0123456789abcdef");
    ck_assert_str_eq(rbody, "{\"routing_key\":\"0123456789abcdef0123456789abcdef\","
                     "\"event_action\":\"resolve\",\"dedup_key\":\"llmwatch-0123456789abcdef-12\"}");
    free(body);
    free(rbody);
    lw_pool_destroy(m.pool);
    lw_pool_destroy(r.pool);
}
END_TEST

START_TEST(test_pagerduty_limits)
{
    lw_buf p = { 0 }, longname = { 0 };
    lw_channel_msg m, r;
    json_object *o, *v, *pl;
    char *body, *k1, *k2;
    int i;

    /* 3000 bytes of multi-byte rule name: summary <= 1024 bytes of valid
     * UTF-8, derived dedup_key <= 255 and the same for the resolve */
    for (i = 0; i < 1000; i++)
        lw_buf_puts(&longname, "\xc3\xa9");   /* é */
    lw_buf_printf(&p, "{\"rule\":\"%s\",\"model\":\"m\",\"environment\":\"e\",\"alert_id\":5,"
                  "\"severity\":\"bogus\"}", longname.data);
    m = test_msg(LW_CHANNEL_PAGERDUTY, p.data, NULL);
    body = lw_channel_pagerduty_body(&m, &m.alerts[0], "k");
    o = json_tokener_parse(body);
    ck_assert_ptr_nonnull(o);
    ck_assert(json_object_object_get_ex(o, "payload", &pl));
    ck_assert(json_object_object_get_ex(pl, "summary", &v));
    ck_assert_int_le(json_object_get_string_len(v), 1024);
    ck_assert_int_ge(json_object_get_string_len(v), 1020);
    ck_assert_int_eq(json_object_get_string(v)[json_object_get_string_len(v) - 1] & 0xC0, 0x80);
    ck_assert(json_object_object_get_ex(pl, "severity", &v));
    ck_assert_str_eq(json_object_get_string(v), "error");
    ck_assert(json_object_object_get_ex(o, "dedup_key", &v));
    ck_assert_int_le(json_object_get_string_len(v), 255);
    k1 = lw_strdup(json_object_get_string(v));
    json_object_put(o);
    free(body);

    lw_buf_reset(&p);
    lw_buf_printf(&p, "{\"rule\":\"%s\",\"model\":\"m\",\"environment\":\"e\",\"alert_id\":5,"
                  "\"state\":\"resolved\"}", longname.data);
    r = test_msg(LW_CHANNEL_PAGERDUTY, p.data, NULL);
    k2 = lw_channel_dedup_key(&r, &r.alerts[0]);
    ck_assert_str_eq(k1, k2);
    /* without an alert id the incident's start identifies it */
    lw_pool_destroy(r.pool);
    r = test_msg(LW_CHANNEL_PAGERDUTY, "{\"rule\":\"R\",\"model\":\"m\",\"environment\":\"e\","
            "\"started_at\":\"2025-01-07 10:00:00+00\"}", NULL);
    ck_assert_str_eq(lw_channel_dedup_key(&r, &r.alerts[0]), "llmwatch/R/m/e/2025-01-07T10:00:00Z");
    free(k1);
    lw_buf_free(&p);
    lw_buf_free(&longname);
    lw_pool_destroy(m.pool);
    lw_pool_destroy(r.pool);
}
END_TEST

START_TEST(test_webhook_body_and_signature)
{
    lw_channel_msg m = test_msg(LW_CHANNEL_WEBHOOK, TEST_SINGLE, NULL);
    char *body = lw_channel_webhook_body(&m), *sig;
    json_object *o, *v;

    ck_assert_str_eq(body,
        "{\"id\":\"k-0123\",\"kind\":\"alert\",\"alert\":\"High Latency on gpt-4 (production)\","
        "\"rule\":\"High Latency\",\"model\":\"gpt-4\",\"environment\":\"production\","
        "\"severity\":\"warning\",\"state\":\"firing\",\"value\":3.41,\"threshold\":3,"
        "\"started_at\":\"2025-01-07T10:00:00+00:00\",\"summary\":\"value 3.41 s > 3.00 s\","
        "\"url\":\"https://lw.example/alerts/12\",\"runbook\":\"Check **status**\",\"alert_id\":12,"
        "\"alerts\":[{\"alert\":\"High Latency on gpt-4 (production)\",\"rule\":\"High Latency\","
        "\"model\":\"gpt-4\",\"environment\":\"production\",\"severity\":\"warning\","
        "\"state\":\"firing\",\"value\":3.41,\"threshold\":3,\"started_at\":\"2025-01-07T10:00:00+00:00\","
        "\"summary\":\"value 3.41 s > 3.00 s\",\"url\":\"https://lw.example/alerts/12\","
        "\"runbook\":\"Check **status**\",\"alert_id\":12}]}");
    /* python: hmac.new(b'whsec-test', b'{"a":1}', hashlib.sha256).hexdigest() */
    sig = lw_channel_webhook_signature("whsec-test", "{\"a\":1}", 7);
    ck_assert_str_eq(sig, "sha256=a40e86f8db5b22c03b9272899c227b359d6580eb7969a4f90f643a3d90fdc1cc");
    free(sig);
    free(body);
    lw_pool_destroy(m.pool);

    /* a group: no flat fields, every member in "alerts", nulls for no value */
    m = test_msg(LW_CHANNEL_WEBHOOK, "{\"alerts\":[{\"rule\":\"A\"},{\"rule\":\"B\",\"state\":\"resolved\"}]}", NULL);
    body = lw_channel_webhook_body(&m);
    o = json_tokener_parse(body);
    ck_assert(json_object_object_get_ex(o, "count", &v));
    ck_assert_int_eq(json_object_get_int(v), 2);
    ck_assert(!json_object_object_get_ex(o, "rule", &v));
    ck_assert(json_object_object_get_ex(o, "alerts", &v));
    ck_assert_int_eq((int) json_object_array_length(v), 2);
    ck_assert_ptr_nonnull(strstr(body, "\"value\":null"));
    json_object_put(o);
    free(body);
    lw_pool_destroy(m.pool);
}
END_TEST

START_TEST(test_sms_body)
{
    lw_channel_msg m = test_msg(LW_CHANNEL_SMS, TEST_SINGLE, "{\"from\":\"+15550001111\"}");
    lw_buf p = { 0 };
    char *body, *s;
    size_t i;

    body = lw_channel_sms_body(&m, "+15550002222");
    ck_assert_str_eq(body, "To=%2B15550002222&From=%2B15550001111&Body=FIRING%20warning%3A%20"
                     "High%20Latency%20gpt-4%2Fproduction%203.41%20s%3E3.00%20s%20since%2010%3A00Z"
                     "%20https%3A%2F%2Flw.example%2Falerts%2F12");
    free(body);
    lw_pool_destroy(m.pool);

    /* long and multi-byte: at most 160 bytes, never half a character */
    lw_buf_puts(&p, "{\"rule\":\"");
    for (i = 0; i < 200; i++)
        lw_buf_puts(&p, "\xe2\x82\xac");   /* € */
    lw_buf_puts(&p, "\",\"model\":\"gpt-4\",\"url\":\"https://lw.example/alerts/1\"}");
    m = test_msg(LW_CHANNEL_SMS, p.data, "{\"from\":\"x\"}");
    s = lw_channel_short(&m, 160);
    ck_assert_int_le((int) strlen(s), 160);
    ck_assert_str_eq(s + strlen(s) - 3, "...");
    ck_assert_int_ne((unsigned char) s[strlen(s) - 4] & 0xC0, 0xC0);   /* no lead byte left alone */
    ck_assert_ptr_null(strstr(s, "https://"));   /* no half link */
    lw_pool_destroy(m.pool);
    /* control characters never reach a text */
    m = test_msg(LW_CHANNEL_SMS, "{\"rule\":\"a\\nb\\rc\"}", "{}");
    ck_assert_ptr_null(strpbrk(lw_channel_short(&m, 160), "\r\n"));
    lw_pool_destroy(m.pool);
    lw_buf_free(&p);
}
END_TEST

START_TEST(test_alertmanager_body)
{
    lw_channel_msg m = test_msg(LW_CHANNEL_ALERTMANAGER, TEST_SINGLE, NULL);
    char *body = lw_channel_alertmanager_body(&m);

    ck_assert_str_eq(body,
        "[{\"labels\":{\"alertname\":\"High Latency\",\"severity\":\"warning\",\"model\":\"gpt-4\","
        "\"environment\":\"production\",\"rule\":\"High Latency\",\"source\":\"llmwatch\"},"
        "\"annotations\":{\"summary\":\"value 3.41 s > 3.00 s\",\"description\":"
        "\"Value 3.41 s (threshold 3.00 s).\\n\\nRunbook:\\nCheck **status**\","
        "\"runbook_url\":\"https://lw.example/alerts/12\"},\"startsAt\":\"2025-01-07T10:00:00Z\","
        "\"generatorURL\":\"https://lw.example/alerts/12\"}]");
    free(body);
    lw_pool_destroy(m.pool);

    /* resolved: endsAt from resolved_at (else the send time); no
     * generatorURL for a URL that is not http(s) */
    m = test_msg(LW_CHANNEL_ALERTMANAGER, "{\"alerts\":[{\"rule\":\"R\",\"state\":\"resolved\","
            "\"started_at\":\"2025-01-07T09:00:00Z\",\"resolved_at\":\"2025-01-07T09:30:00Z\","
            "\"url\":\"javascript:alert(1)\"},{\"rule\":\"S\",\"state\":\"resolved\"}]}", NULL);
    body = lw_channel_alertmanager_body(&m);
    ck_assert_ptr_nonnull(strstr(body, "\"startsAt\":\"2025-01-07T09:00:00Z\",\"endsAt\":\"2025-01-07T09:30:00Z\""));
    ck_assert_ptr_nonnull(strstr(body, "\"endsAt\":\"2025-01-07T10:00:00Z\""));
    ck_assert_ptr_null(strstr(body, "generatorURL"));
    ck_assert_ptr_null(strstr(body, "javascript"));
    free(body);
    lw_pool_destroy(m.pool);
}
END_TEST

/* ==== Markdown and HTML from hostile input ==== */

static const char HOSTILE[] =
    "# Steps <script>alert(1)</script>\n\n"
    "<img src=x onerror=alert(2)>\n\n"
    "[click](javascript:alert(3)) and [ok](https://ok.example/a?b=1&c=2)\n\n"
    "<a href=\"javascript:alert(4)\">raw</a> `<code>` & more\n\n"
    "<iframe src=\"https://evil\"></iframe>\n";

START_TEST(test_markdown_hostile)
{
    char *h = lw_html_markdown(HOSTILE), *s;
    lw_channel_msg m;
    lw_buf p = { 0 };

    ck_assert_ptr_null(strstr(h, "<script"));
    ck_assert_ptr_null(strstr(h, "<img"));
    ck_assert_ptr_null(strstr(h, "onerror"));
    ck_assert_ptr_null(strstr(h, "javascript:"));
    ck_assert_ptr_null(strstr(h, "<iframe"));
    ck_assert_ptr_nonnull(strstr(h, "<a href=\"https://ok.example/a?b=1&amp;c=2\">ok</a>"));
    ck_assert_ptr_nonnull(strstr(h, "<code>&lt;code&gt;</code>"));
    free(h);

    s = lw_channel_markdown_mrkdwn(HOSTILE);
    ck_assert_ptr_null(strstr(s, "<script"));
    ck_assert_ptr_null(strstr(s, "javascript"));
    ck_assert_ptr_nonnull(strstr(s, "<https://ok.example/a?b=1&amp;c=2|ok>"));
    free(s);

    /* every payload string is escaped in the HTML mail */
    lw_buf_puts(&p, "{\"rule\":\"<b>R</b>\",\"model\":\"m\\\"><script>x</script>\","
                "\"environment\":\"e&'\",\"summary\":\"<i>s</i>\",\"url\":\"javascript:alert(5)\","
                "\"runbook\":");
    {
        json_object *rb = json_object_new_string(HOSTILE);

        lw_buf_puts(&p, json_object_to_json_string(rb));
        json_object_put(rb);
    }
    lw_buf_puts(&p, "}");
    m = test_msg(LW_CHANNEL_EMAIL, p.data, NULL);
    s = lw_channel_html(&m);
    ck_assert_ptr_null(strstr(s, "<b>R"));
    ck_assert_ptr_null(strstr(s, "<script"));
    ck_assert_ptr_null(strstr(s, "<i>"));
    ck_assert_ptr_null(strstr(s, "javascript:"));
    ck_assert_ptr_nonnull(strstr(s, "&lt;b&gt;R&lt;/b&gt;"));
    ck_assert_ptr_nonnull(strstr(s, "e&amp;&#39;"));
    ck_assert_ptr_nonnull(strstr(s, "<h3>Runbook</h3>"));
    lw_pool_destroy(m.pool);
    lw_buf_free(&p);
}
END_TEST

Suite *channels_suite(void)
{
    Suite *s = suite_create("channels");
    TCase *t = tcase_create("core");

    tcase_set_timeout(t, 30);
    tcase_add_test(t, test_sha256_vectors);
    tcase_add_test(t, test_hmac_rfc4231);
    tcase_add_test(t, test_secret_resolve);
    tcase_add_test(t, test_parse_single_and_group);
    tcase_add_test(t, test_formatting);
    tcase_add_test(t, test_slack_body);
    tcase_add_test(t, test_slack_escapes_and_limits);
    tcase_add_test(t, test_pagerduty_trigger_resolve);
    tcase_add_test(t, test_pagerduty_limits);
    tcase_add_test(t, test_webhook_body_and_signature);
    tcase_add_test(t, test_sms_body);
    tcase_add_test(t, test_alertmanager_body);
    tcase_add_test(t, test_markdown_hostile);
    suite_add_tcase(s, t);

    return s;
}
