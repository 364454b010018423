/* main.c: llmwatch-sim command line: a provider simulator speaking the
 * OpenAI, Anthropic and Gemini streaming protocols with scripted latency,
 * failures and drift, recording what it sent as ground truth. */
#include "sim.h"
#include "times.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
usage(FILE *f)
{
    fputs("usage: llmwatch-sim [--listen HOST:PORT] [--scenarios FILE] [--log FILE]\n"
          "                    [--suites DIR] [--seed N] [--wall-start RFC3339]\n"
          "                    [--port-file FILE] [--log-level LEVEL] [--check]\n"
          "\n"
          "  --listen HOST:PORT    address to serve on (default 127.0.0.1:8090; port 0 = any free)\n"
          "  --scenarios FILE      scenario YAML (default: one built-in \"default\" scenario)\n"
          "  --log FILE            ground truth: one JSON line per finished request, appended\n"
          "  --suites DIR          test-suite YAML files with known prompts and reference answers\n"
          "  --seed N              RNG seed (overrides the file's seed)\n"
          "  --wall-start TIME     pretend the wall clock read TIME at start (for weekday/hour drift)\n"
          "  --port-file FILE      write the bound port to FILE once listening\n"
          "  --log-level LEVEL     debug, info, warn or error (default info)\n"
          "  --check               validate the scenario and suite files, then exit\n"
          "\n"
          "Routes: POST /v1/chat/completions, POST /v1/messages,\n"
          "POST /v1beta/models/{model}:streamGenerateContent?alt=sse (and :generateContent),\n"
          "GET /v1/models, GET /healthz, GET /_sim/stats.\n"
          "Signals: SIGTERM/SIGINT stop; SIGHUP reloads scenarios and suites, reopens the log.\n", f);
}

static int
check_only(const lw_sim_opts *o)
{
    lw_sim_scenarios *sc = NULL;
    lw_sim_suites *su = NULL;
    lw_err err;
    size_t i;

    lw_err_clear(&err);
    if (o->scenarios_path != NULL && lw_sim_scenarios_load(o->scenarios_path, &sc, &err) != LW_OK) {
        fprintf(stderr, "llmwatch-sim: %s\n", err.msg);
        return 1;
    }
    if (o->suites_dir != NULL && lw_sim_suites_load(o->suites_dir, &su, &err) != LW_OK) {
        fprintf(stderr, "llmwatch-sim: %s\n", err.msg);
        lw_sim_scenarios_free(sc);
        return 1;
    }
    if (sc != NULL) {
        printf("%s: ok, seed %llu, %zu model entries:", sc->path, (unsigned long long) sc->seed, sc->n);
        for (i = 0; i < sc->n; i++)
            printf(" %s", sc->v[i].name);
        printf("\n");
    }
    if (su != NULL)
        printf("%s: %zu known prompts in %zu files\n", o->suites_dir, su->n, su->files);
    lw_sim_scenarios_free(sc);
    lw_sim_suites_free(su);
    return 0;
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "listen",     required_argument, NULL, 'l' },
        { "scenarios",  required_argument, NULL, 's' },
        { "log",        required_argument, NULL, 'o' },
        { "suites",     required_argument, NULL, 'S' },
        { "seed",       required_argument, NULL, 'r' },
        { "wall-start", required_argument, NULL, 'w' },
        { "port-file",  required_argument, NULL, 'p' },
        { "log-level",  required_argument, NULL, 'L' },
        { "check",      no_argument,       NULL, 'c' },
        { "help",       no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    lw_sim_opts o;
    lw_err err;
    int ch, check = 0, level = LW_LOG_INFO;
    char *end;

    memset(&o, 0, sizeof(o));
    o.listen = "127.0.0.1:8090";
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'l': o.listen = optarg; break;
        case 's': o.scenarios_path = optarg; break;
        case 'o': o.log_path = optarg; break;
        case 'S': o.suites_dir = optarg; break;
        case 'p': o.port_file = optarg; break;
        case 'c': check = 1; break;
        case 'r':
            errno = 0;
            o.seed = strtoull(optarg, &end, 10);
            if (errno != 0 || *optarg == '\0' || *end != '\0' || *optarg == '-') {
                fprintf(stderr, "llmwatch-sim: --seed: expected a non-negative integer\n");
                return 2;
            }
            o.has_seed = 1;
            break;
        case 'w':
            if (lw_time_parse_us(optarg, &o.wall_start_us) != LW_OK) {
                fprintf(stderr, "llmwatch-sim: --wall-start: expected RFC3339, e.g. 2024-06-04T09:00:00Z\n");
                return 2;
            }
            break;
        case 'L':
            level = lw_log_level_parse(optarg);
            if (level < 0) {
                fprintf(stderr, "llmwatch-sim: --log-level: debug, info, warn or error\n");
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "llmwatch-sim: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    lw_log_init("llmwatch-sim", level);
    if (check)
        return check_only(&o);
    lw_err_clear(&err);
    if (lw_sim_server_run(&o, &err) != LW_OK) {
        lw_log(LW_LOG_ERROR, "%s", err.msg);
        return 1;
    }
    return 0;
}
