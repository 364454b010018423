/* validate.c: `llmwatch validate`: loads the config, prints every
 * diagnostic and a summary; --check-connections tries each endpoint. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "config.h"
#include "alert/rules.h"
#include "lw.h"
#include "money.h"
#include "schedule.h"

#define CHECK_TIMEOUT_MS 5000L

static const char *
plural(int n, const char *word, char *buf, size_t size)
{
    snprintf(buf, size, "%d %s%s", n, word, n == 1 ? "" : "s");
    return buf;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
    (void) p;
    (void) arg;
    return size * n;
}

/* "scheme://host:port/" of a URL, dropping user info, path and query, which
 * may carry secrets (a Slack webhook's path is its token). `label` gets
 * "host:port" for display. Returns 0 or -1 when the URL does not parse. */
static int
url_origin(const char *url, char *origin, size_t osize, char *label, size_t lsize)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    int rc = -1;

    if (u == NULL)
        return -1;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
        goto cleanup;
    snprintf(origin, osize, "%s://%s:%s/", scheme, host, port);
    snprintf(label, lsize, "%s:%s", host, port);
    rc = 0;
cleanup:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

/* Requests url (or only connects); fills `detail`. Returns 0 when the
 * server answered. */
static int
try_url(const char *url, int connect_only, char *detail, size_t size)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    CURLcode res;
    CURL *h;
    long code = 0;

    h = curl_easy_init();
    if (h == NULL) {
        snprintf(detail, size, "cannot initialise libcurl");
        return -1;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, CHECK_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, CHECK_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,smtp,smtps");
    curl_easy_setopt(h, CURLOPT_USERAGENT, "llmwatch-validate");
    if (connect_only)
        curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
    res = curl_easy_perform(h);
    if (res == CURLE_OK) {
        if (connect_only) {
            snprintf(detail, size, "connected");
        } else {
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
            snprintf(detail, size, "HTTP %ld", code);
        }
    } else {
        snprintf(detail, size, "%s", errbuf[0] ? errbuf : curl_easy_strerror(res));
    }
    curl_easy_cleanup(h);
    return res == CURLE_OK ? 0 : -1;
}

struct conn_stats {
    int tried, failed;
};

static void
check_target(struct conn_stats *st, const char *what, const char *name, const char *url,
             int connect_only, int enabled, const char *empty_key)
{
    char origin[512], label[300], detail[CURL_ERROR_SIZE + 32];
    int ok;

    if (!enabled) {
        printf("  %-8s %-28s skipped (disabled)\n", what, name);
        return;
    }
    if (url == NULL || url[0] == '\0') {
        printf("  %-8s %-28s skipped (%s is empty)\n", what, name, empty_key);
        return;
    }
    if (url_origin(url, origin, sizeof(origin), label, sizeof(label)) != 0) {
        printf("  %-8s %-28s failed: %s is not a valid URL\n", what, name, empty_key);
        st->tried++;
        st->failed++;
        return;
    }
    /* a model's base_url is not secret: request it as written; channels
     * only get a connection to their host, never a request to the secret
     * path */
    ok = try_url(connect_only ? origin : url, connect_only, detail, sizeof(detail)) == 0;
    st->tried++;
    if (!ok)
        st->failed++;
    printf("  %-8s %-28s %-28s %s%s\n", what, name, label, ok ? "ok: " : "FAILED: ", detail);
}

static struct conn_stats
check_connections(const lw_config *cfg)
{
    struct conn_stats st = { 0, 0 };
    const lw_config_channel *ch;
    const char *url, *key;
    size_t i;

    printf("Connections (%ld s timeout each):\n", CHECK_TIMEOUT_MS / 1000);
    for (i = 0; i < cfg->n_models; i++)
        check_target(&st, "model", cfg->models[i].name, cfg->models[i].base_url, 0,
                     cfg->models[i].enabled, "base_url");
    for (i = 0; i < cfg->n_channels; i++) {
        ch = &cfg->channels[i];
        switch (ch->type) {
        case LW_CHANNEL_EMAIL:
            url = ch->smtp_url;
            key = "smtp_url";
            break;
        case LW_CHANNEL_SLACK:
            url = ch->webhook_url.value;
            key = "webhook_url";
            break;
        default:
            url = ch->url;
            key = "url";
            break;
        }
        check_target(&st, "channel", ch->name, url, 1, ch->enabled, key);
    }
    return st;
}

static void
print_loaded(const lw_config *cfg)
{
    char a[128], b[128], when[32];
    const lw_config_model *m;
    const lw_config_job *j;
    const lw_config_rule *r;
    time_t now = time(NULL), next;
    struct tm tm;
    size_t i, k;
    int s;

    printf("Environment: %s\nModels:\n", cfg->environment);
    for (i = 0; i < cfg->n_models; i++) {
        m = &cfg->models[i];
        lw_money_format_fine(m->price_input_micros, a, sizeof(a));
        lw_money_format_fine(m->price_output_micros, b, sizeof(b));
        printf("  %-28s %-17s %-30s sla %lld ms, %s, key %s%s, %s/%s per 1M tokens%s\n",
               m->name, lw_config_provider_name(m->provider),
               m->base_url ? m->base_url : "-", (long long) m->sla_target_ms,
               m->environment, m->api_key_env ? "$" : "",
               m->api_key_env ? m->api_key_env : "none", a, b,
               m->enabled ? "" : " (disabled)");
    }
    printf("Schedule:\n");
    for (k = 0; k < LW_JOB_COUNT; k++) {
        j = &cfg->jobs[k];
        if (lw_sched_describe(&j->sched, a, sizeof(a)) != LW_OK)
            lw_strlcpy(a, j->frequency, sizeof(a));
        if (lw_sched_to_oncalendar(&j->sched, b, sizeof(b)) != LW_OK)
            lw_strlcpy(b, "-", sizeof(b));
        when[0] = '\0';
        if (lw_sched_next(&j->sched, now, &next) == LW_OK && gmtime_r(&next, &tm))
            strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
        printf("  %-19s %-34s OnCalendar=%-22s next %s%s%s\n", j->name, a, b, when,
               j->configured ? "" : " (default)", j->enabled ? "" : " (disabled)");
    }
    printf("Channels:\n");
    for (i = 0; i < cfg->n_channels; i++)
        printf("  %-28s %s%s\n", cfg->channels[i].name,
               lw_config_channel_type_name(cfg->channels[i].type),
               cfg->channels[i].enabled ? "" : " (disabled)");
    printf("Routing%s:\n", cfg->routing_explicit ? "" : " (from each channel's severity)");
    for (s = 0; s < LW_SEV_COUNT; s++) {
        printf("  %-8s", lw_config_severity_name((lw_severity) s));
        for (k = 0; k < cfg->routing[s].n; k++)
            printf(" %s", cfg->channels[cfg->routing[s].channel[k]].name);
        printf("\n");
    }
    printf("Rules:\n");
    for (i = 0; i < cfg->n_rules; i++) {
        r = &cfg->rules[i];
        lw_duration_format(r->cooldown, a, sizeof(a));
        printf("  %-32s %-11s %-8s cooldown %s%s\n", r->name,
               lw_config_rule_kind_name(r->kind), lw_config_severity_name(r->severity), a,
               r->enabled ? "" : " (disabled)");
    }
}

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    int *o = ctx;

    (void) cli;
    (void) arg;
    o[ch == 'v'] = 1;
    return 0;
}

int
lw_cmd_validate_cli(lw_cli *cli)
{
    static const char opts[] = "check-connections/C verbose/v";
    const char *path;
    struct conn_stats st = { 0, 0 };
    lw_config *cfg = NULL;
    lw_diag diags;
    char n1[32], n2[32], n3[32], n4[32], n5[32];
    int flags[2] = { 0, 0 }, check, verbose, rc, status;

    if ((rc = lw_cli_parse(cli, opts, on_opt, flags)) != LW_CLI_GO)
        return rc;
    check = flags[0];
    verbose = flags[1];
    lw_cli_config(cli);
    path = cli->config_path;
    lw_diag_init(&diags);
    rc = lw_config_load(path, &cfg, &diags);
    /* rule expressions are checked by the rules module, at their position */
    if (rc == LW_OK && lw_rules_check_config(cfg, &diags) > 0) {
        lw_diag_sort(&diags);
        rc = LW_EINVAL;
    }
    fflush(stdout);
    lw_diag_print(&diags, stderr);
    fflush(stderr);
    if (rc == LW_ENOMEM) {
        fprintf(stderr, "%s: error: out of memory\n", path);
        status = 1;
        goto cleanup;
    }
    if (rc != LW_OK) {
        printf("%s: %s%s%s\n", path,
               plural(diags.errors > 0 ? diags.errors : 1, "error", n1, sizeof(n1)),
               diags.warnings ? ", " : "",
               diags.warnings ? plural(diags.warnings, "warning", n2, sizeof(n2)) : "");
        status = 1;
        goto cleanup;
    }
    if (verbose)
        print_loaded(cfg);
    if (check) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        st = check_connections(cfg);
        curl_global_cleanup();
    }
    printf("%s: OK (%s, %s, %s, %s)", path,
           plural((int) cfg->n_models, "model", n1, sizeof(n1)),
           plural((int) cfg->n_schedules, "schedule", n2, sizeof(n2)),
           plural((int) cfg->n_channels, "channel", n3, sizeof(n3)),
           plural((int) cfg->n_rules, "alert rule", n4, sizeof(n4)));
    if (diags.warnings)
        printf(", %s", plural(diags.warnings, "warning", n5, sizeof(n5)));
    if (st.failed)
        printf("; %d of %d connections failed", st.failed, st.tried);
    printf("\n");
    status = st.failed ? 1 : 0;

cleanup:
    lw_config_free(cfg);
    lw_diag_free(&diags);
    return status;
}

/* validate from a bare argv, for the config suite's tests, which run it
 * without main.c's command table. */
int
lw_cmd_validate(int argc, char **argv)
{
    static const lw_cli_cmd def = {
        "validate", lw_cmd_validate_cli, LW_CLI_CONFIG_PATH | LW_CLI_NO_DATABASE,
        "validate [--config FILE] [--check-connections] [--verbose]", NULL
    };
    lw_cli cli;
    int rc;

    if (lw_cli_init(&cli, &def, argc, argv) != LW_OK)
        return 1;
    rc = lw_cmd_validate_cli(&cli);
    lw_cli_free(&cli);
    return rc;
}
