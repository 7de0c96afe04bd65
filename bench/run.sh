#!/usr/bin/env bash
# One command for the performance figures (docs/performance.md): builds the
# portal, the ceiling and the load tool, fills a database with a million
# applications the first time (kept in $DATA), starts the portal and the
# ceiling on it, and runs every phase of the load with the comparison. The
# portal's emails go over SMTP to bench/smtpsink, which stands for the
# ministry's mail relay on another machine.
#
#   bench/run.sh                                  # SQLite in /tmp/emgek-bench
#   DB=postgres://user@host/db bench/run.sh       # PostgreSQL (an empty database the first time)
#   APPLICATIONS=100000 DURATION=10s bench/run.sh # smaller and shorter
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-/tmp/emgek-bench}
APPLICATIONS=${APPLICATIONS:-1000000}
DURATION=${DURATION:-20s}
CONNS=${CONNS:-32}
PORTAL=127.0.0.1:18181
CEILING=127.0.0.1:18090
SINK=127.0.0.1:18025
bin=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$bin"' EXIT

go build -o "$bin/emgek" ./cmd/emgek
go build -o "$bin/ceiling" ./bench/ceiling
go build -o "$bin/load" ./bench/load
go build -o "$bin/smtpsink" ./bench/smtpsink

export EMGEK_DATA=$DATA
url=${DB:-sqlite:$DATA/emgek.db}
[ -n "${DB:-}" ] && export EMGEK_DATABASE_URL=$DB
if [ ! -s "$DATA/seed-verify-urls.txt" ]; then
	echo "== seeding $APPLICATIONS applications into $url"
	time "$bin/emgek" demo --applications "$APPLICATIONS"
fi

"$bin/smtpsink" -addr $SINK >"$DATA/smtpsink.log" 2>&1 &
EMGEK_SMTP_URL="smtp://$SINK?tls=none" EMGEK_ADDR=$PORTAL "$bin/emgek" serve --dev >"$DATA/portal.log" 2>&1 &
portal=$!
for _ in $(seq 100); do # the portal migrates first; the ceiling then finds nothing to do
	curl -fs "http://$PORTAL/healthz" >/dev/null && break
	sleep 0.2
done
"$bin/ceiling" -addr $CEILING -db "$url" >"$DATA/ceiling.log" 2>&1 &
ceiling=$!
for _ in $(seq 100); do
	curl -fs -o /dev/null "http://$CEILING/queue" && break
	sleep 0.2
done

"$bin/load" -url "http://$PORTAL" -pid $portal -ceiling-pid $ceiling -vs-ceiling $CEILING \
	-duration "$DURATION" -conns "$CONNS" -verify-urls "$DATA/seed-verify-urls.txt" -json "$DATA/load.json"
