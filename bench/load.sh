#!/usr/bin/env bash
# Load figures with wrk: the baseline (BENCH_BASELINE, default GET /health/ready: one trivial
# SELECT through the same pool) and then each PATH, same tool, same run, fixed concurrency, on
# a fresh database seeded with the demo bureau.
#   bench/load.sh sqlite|postgres [PATH ...]
#   BENCH_VOLUME="ACTS DISCLOSURES [SUBMITTED]" adds that many acts, published disclosures and
#   disclosures awaiting publication first (with five years of the other registers).
#   BENCH_WRITES=1 then measures writes (record an act, add a deduction, publish a disclosure
#   when SUBMITTED > 0) against POST /bench/insert, a single-row INSERT through the same pool.
#   Then each read again paced (bench/paced.lua: BENCH_PACED_CONNECTIONS, default 16, each
#   pausing BENCH_DELAY_MS, default 20) for p99 at a steady rate under capacity.
#   BENCH_FLOOD=1 measures BENCH_FLOOD_PATH (default /api/v1/departments) alone and during a
#   sign-in flood from many loopback addresses (bench/flood.py).
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
    read -r acts disclosures submitted <<<"$BENCH_VOLUME"
    start=$(date +%s)
    "$bin" seed-volume --acts "$acts" --disclosures "$disclosures" --submitted "${submitted:-0}" 2>&1 | tee "$work/seed.log" | tail -n2
    echo "seeding took $(( $(date +%s) - start )) s"
fi
"$bin" serve --demo --bench-baseline --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
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

paced_connections=${BENCH_PACED_CONNECTIONS:-16}
paced() {
    echo "--- $1 paced ($backend, $paced_connections connections, ${BENCH_DELAY_MS:-20} ms apart, $duration)"
    wrk -t2 -c"$paced_connections" -d"$duration" --latency -s bench/paced.lua -H "authorization: Bearer $token" \
        "http://127.0.0.1:$port$1" | grep -E 'Requests/sec|^ +(50|99)%|Non-2xx|Socket errors'
}
paced "${BENCH_BASELINE:-/health/ready}"
for p in "${paths[@]}"; do paced "$p"; done

# Writes: each line of the file one request (bench/post.lua), every one a distinct write.
post() {
    echo "--- POST $1 ($backend, $connections connections, $duration)"
    BENCH_POST_FILE="$2" wrk -t2 -c"$connections" -d"$duration" --latency -s bench/post.lua \
        -H "authorization: Bearer $token" "http://127.0.0.1:$port" \
        | grep -E 'Requests/sec|^ +(50|99)%|Non-2xx|Socket errors'
}
sql() {
    case "$backend" in
        sqlite) python3 -c 'import sqlite3,sys; [print(*r, sep="\t") for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])]' "$work/bench.db" "$1" ;;
        postgres) psql "$url" -AtF $'\t' -c "$1" ;;
    esac
}
if [ -n "${BENCH_WRITES:-}" ]; then
    printf '/bench/insert\t{}\n' >"$work/baseline.tsv"
    post "/bench/insert (baseline)" "$work/baseline.tsv"
    sql "SELECT a.department_id, o.person_id FROM act_officers o JOIN acts a ON a.id = o.act_id ORDER BY a.id LIMIT 1" \
        | while read -r dept officer; do
            printf '/api/v1/acts\t{"kind":"penalty","penalty_procedure":"filed_case","department_id":%s,"officers":[%s],"counterpart":{"name":"压测公司","type":"legal_person"},"legal_basis":"《安全生产法》","decision_text":"罚款","decision_date":"%s"}\n' \
                "$dept" "$officer" "$(date -u -d '+8 hours' +%F)"
        done >"$work/acts.tsv"
    post /api/v1/acts "$work/acts.tsv"
    # Every act a deduction may cite, in the evaluation year of its decision: each line used
    # once, even at 30 000 writes/s.
    sql "SELECT id, department_id, substr(CAST(decision_date AS TEXT), 1, 4) FROM acts WHERE kind = 'penalty' AND penalty_procedure IS NOT NULL ORDER BY id DESC" \
        | while read -r act dept year; do
            printf '/api/v1/evaluation/deductions\t{"year":%s,"department_id":%s,"problem_type":"insufficient_evidence","section":"penalty","evidence":{"kind":"act","id":%s}}\n' "$year" "$dept" "$act"
        done >"$work/deductions.tsv"
    post /api/v1/evaluation/deductions "$work/deductions.tsv"
    if range=$(grep -o 'submitted disclosures [0-9]*..=[0-9]*' "$work/seed.log" 2>/dev/null); then
        range=${range#submitted disclosures }
        seq "${range%..=*}" "${range#*..=}" | sed 's|.*|/api/v1/disclosures/&/publish\t{}|' >"$work/publish.tsv"
        post "/api/v1/disclosures/{id}/publish" "$work/publish.tsv"
    fi
fi

if [ -n "${BENCH_FLOOD:-}" ]; then
    flood_path=${BENCH_FLOOD_PATH:-/api/v1/departments}
    paced "$flood_path"
    # At the lowest priority: an attacker's own CPU is not the server's (here they share 2 cores).
    nice -n 19 python3 bench/flood.py "$port" 32 "$(( ${duration%s} + 2 ))" &
    flood=$!
    sleep 1
    echo "(during a sign-in flood from many addresses)"
    paced "$flood_path"
    wait "$flood"
fi
