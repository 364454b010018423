#!/bin/bash
# test_grafana.sh: `llmwatch export grafana` writes Grafana dashboards (a
# PostgreSQL one over the rollups, a Prometheus one over /metrics) of the
# current schema; every panel's SQL, with Grafana's macros expanded as
# Grafana does, runs on our schema and returns rows; every PromQL
# expression parses (promtool).
. "$(dirname "$0")/lib.sh"

stack_start || { fail "stack start"; finish; exit 1; }
"$BIN/llmwatch" backfill --database "$DB_URL" --config "$ROOT/monitoring_config.yaml" --days 3 \
    --interval 10m >"$T/backfill.out" 2>&1 || { cat "$T/backfill.out"; fail "backfill"; finish; exit 1; }
psql_test -c "INSERT INTO alerts (rule_id, model_id, environment_id, severity, state, fired_at)
              SELECT r.id, m.id, m.environment_id, 'warning', 'firing', now() FROM rules r, models m
              WHERE m.name = 'gpt-4' LIMIT 1" >/dev/null

"$BIN/llmwatch" export grafana --output "$T/llm_monitoring_dashboard.json" >"$T/g.out" 2>&1
check_eq "export grafana exits 0" 0 "$?"
"$BIN/llmwatch" export grafana --datasource prometheus --output "$T/prom.json" >/dev/null 2>&1
check_eq "the Prometheus variant too" 0 "$?"

check_dash() {   # check_dash FILE TYPE
    python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); ds = sys.argv[2]
assert d["schemaVersion"] >= 36 and d["title"] and d["uid"], "header"
assert d["__inputs"][0]["pluginId"] == ds, "data source input"
assert [v["name"] for v in d["templating"]["list"]] == ["model"], "variables"
ids = set()
for p in d["panels"]:
    assert p["id"] not in ids; ids.add(p["id"])
    assert p["type"] in ("timeseries", "stat") and p["title"], p
    g = p["gridPos"]; assert 0 <= g["x"] and g["x"] + g["w"] <= 24 and g["h"] > 0, p["title"]
    assert p["datasource"]["type"] == ds, p["title"]
    for t in p["targets"]:
        assert t["refId"] and t["datasource"]["type"] == ds
        assert ("rawSql" in t) if ds != "prometheus" else ("expr" in t), p["title"]
assert len(d["panels"]) >= 8
PY
}
check "the PostgreSQL dashboard has Grafana's structure" check_dash "$T/llm_monitoring_dashboard.json" grafana-postgresql-datasource
check "the Prometheus dashboard has Grafana's structure" check_dash "$T/prom.json" prometheus

# every panel's SQL on our schema, over the last 3 days and the last hour
python3 - "$T/llm_monitoring_dashboard.json" "$T" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for i, p in enumerate(d["panels"]):
    for rng, (f, t) in {"3d": ("now() - interval '3 days'", "now()"), "1h": ("now() - interval '1 hour'", "now()")}.items():
        sql = p["targets"][0]["rawSql"]
        # Grafana writes $__timeFrom() as a quoted timestamp; $model is a LIKE pattern
        sql = sql.replace("$__timeFrom()", "(" + f + ")::text").replace("$__timeTo()", "(" + t + ")::text")
        sql = sql.replace("'$model'", "'%'")
        open("%s/panel-%02d-%s.sql" % (sys.argv[2], i, rng), "w").write(sql + ";\n")
        open("%s/panel-%02d-%s.title" % (sys.argv[2], i, rng), "w").write(p["title"])
PY
for f in "$T"/panel-*.sql; do
    title=$(cat "${f%.sql}.title")
    rows=$(psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$DB_URL" -f "$f" 2>"$f.err" | grep -c .)
    if [ -s "$f.err" ]; then
        fail "panel '$title' ($(basename "$f" .sql)) runs: $(head -2 "$f.err")"
    elif [ "${f%-3d.sql}" != "$f" ]; then
        check "panel '$title' over 3 days returns rows" test "$rows" -gt 0
    else
        ok "panel '$title' over the last hour runs"
    fi
done
# every PromQL expression parses (as recording rules, checked offline)
python3 -c '
import json, sys
print("groups:\n  - name: llmwatch_dashboard\n    rules:")
for i, p in enumerate(json.load(open(sys.argv[1]))["panels"]):
    e = p["targets"][0]["expr"].replace("$__rate_interval", "5m").replace("$__range", "1h").replace("$model", ".*")
    print("      - record: llmwatch_panel_%d\n        expr: %s" % (i, json.dumps(e)))' "$T/prom.json" >"$T/rules.yml"
promtool check rules "$T/rules.yml" >"$T/rules.out" 2>&1
check_eq "every PromQL expression of the Prometheus dashboard parses" 0 "$?"
check_contains "promtool counts them all" "SUCCESS: 11 rules found" "$T/rules.out"
finish
