#!/bin/sh
# deps.sh: installs the Debian packages llmwatch needs, only those missing.
# `deps.sh run` = what `make run` needs; `deps.sh` / `deps.sh test` = all,
# including the real peers the tests start (SMTP, Alertmanager, Chromium...).
# As root it installs; otherwise it prints the exact apt-get line.
set -eu

RUN_PKGS="gcc make pkg-config libfcgi-dev libcurl4-openssl-dev libpq-dev clearsilver-dev
libyaml-dev libjson-c-dev libcmark-dev libcrypt-dev zlib1g-dev postgresql nginx curl
weasyprint ca-certificates libssl-dev tzdata"
TEST_PKGS="check libsubunit-dev poppler-utils python3-aiosmtpd prometheus
prometheus-alertmanager wrk chromium chromium-driver valgrind systemd"

case "${1:-test}" in
run)  want="$RUN_PKGS" ;;
*)    want="$RUN_PKGS $TEST_PKGS" ;;
esac

missing=""
for p in $want; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
    *"ok installed") ;;
    *) missing="$missing $p" ;;
    esac
done

[ -z "$missing" ] && exit 0

line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
    echo "llmwatch needs these Debian packages; run as root:" >&2
    echo "  apt-get update && $line" >&2
    exit 1
fi
echo "Installing missing packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/tmp/llmwatch-apt.log 2>&1 || {
    echo "apt-get failed; see /tmp/llmwatch-apt.log" >&2
    tail -20 /tmp/llmwatch-apt.log >&2
    exit 1
}
