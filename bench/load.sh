#!/usr/bin/env bash
# Load figures with wrk: the baseline (BENCH_BASELINE, default GET /health/ready: one trivial
# SELECT through the same pool) and then each PATH, same tool, same run, fixed concurrency, on
# a fresh database seeded with the demo bureau.
#   bench/load.sh sqlite|postgres [PATH ...]
#   BENCH_VOLUME="ACTS DISCLOSURES" adds that many acts and published disclosures first.
#   Defaults: 32 connections, 15 s per figure; BENCH_CONNECTIONS, BENCH_DURATION change them.
# Installs wrk (Debian's package) when it is missing. PostgreSQL: BENCH_PG_ADMIN (default
# postgres://postgres@127.0.0.1:5432/test) gets a fresh database, dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
shift || true
paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(/api/v1/departments)
port=${BENCH_PORT:-18181}
connections=${BENCH_CONNECTIONS:-32}
duration=${BENCH_DURATION:-15s}
bin="${CARGO_TARGET_DIR:-target}/release/safeguards"
work=$(mktemp -d)
cleanup() {
    [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
    [ -n "${pg_db:-}" ] && psql "$admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

case "$backend" in
    sqlite) url="sqlite://$work/bench.db" ;;
    postgres)
        admin=${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/test}
        pg_db="sg_bench_$$"
        psql "$admin" -qc "CREATE DATABASE $pg_db" >/dev/null
        url="${admin%/*}/$pg_db" ;;
    *) echo "usage: $0 sqlite|postgres [PATH ...]" >&2; exit 2 ;;
esac
export SAFEGUARDS_DATABASE_URL="$url" SAFEGUARDS_LOG=json RUST_LOG=warn

command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
if [ -n "${BENCH_VOLUME:-}" ]; then
    read -r acts disclosures <<<"$BENCH_VOLUME"
    start=$(date +%s)
    "$bin" seed-volume --acts "$acts" --disclosures "$disclosures" 2>&1 | tail -n1
    echo "seeding took $(( $(date +%s) - start )) s"
fi
"$bin" serve --demo --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done

token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"username":"office","password":"office-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

run() {
    echo "--- $1 ($backend, $connections connections, $duration)"
    wrk -t2 -c"$connections" -d"$duration" --latency -H "authorization: Bearer $token" "http://127.0.0.1:$port$1" \
        | grep -E 'Requests/sec|^ +(50|99)%|Non-2xx|Socket errors'
}
run "${BENCH_BASELINE:-/health/ready}"
for p in "${paths[@]}"; do run "$p"; done
