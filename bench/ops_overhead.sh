#!/usr/bin/env bash
# The cost of metrics and tracing on `GET /companies/{id}` (issue 11): the same release binary,
# side by side in one run, alternating
#   off: no metrics listener (no recorder: every metric call is a no-op), RUST_LOG=warn
#        (request spans disabled)
#   on:  LEDGERBRIDGE_METRICS_ADDR set (Prometheus recorder installed, every request counted
#        and timed), the default log filter `info` (a span per request with its correlation id), scraped
#        once a second during the load
# ROUNDS times each (off, on, then on, off, ...), each round on a fresh server and data dir.
#
# Usage: SKIP_BUILD=1 bench/ops_overhead.sh    (env: DURATION=10s CONNECTIONS=50 THREADS=2 ROUNDS=3,
#        PIN=1 to pin the server to CPU 0 and wrk to CPU 1, LEDGERBRIDGE_BIN=path to use
#        another binary)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-50}"
THREADS="${THREADS:-2}"
ROUNDS="${ROUNDS:-3}"
LUA="$ROOT/bench/wrk/request.lua"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

WORK="$(mktemp -d -t ledgerbridge-ops.XXXXXX)"
SERVER_PID=""
SCRAPER_PID=""
stop_server() {
    if [ -n "$SCRAPER_PID" ]; then kill "$SCRAPER_PID" 2>/dev/null || true; wait "$SCRAPER_PID" 2>/dev/null || true; fi
    SCRAPER_PID=""
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v python3 >/dev/null || die "python3 is required"
command -v curl >/dev/null || die "curl is required"
if ! command -v wrk >/dev/null; then
    log "installing wrk (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -qq wrk || { apt-get update -qq && apt-get install -y -qq wrk; }; } >&2 \
        || die "could not install wrk"
fi

if [ -n "${LEDGERBRIDGE_BIN:-}" ]; then
    BIN="$LEDGERBRIDGE_BIN"
else
    TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
    BIN="$TARGET_DIR/release/ledgerbridge"
    if [ -z "${SKIP_BUILD:-}" ]; then
        log "cargo build --release --workspace --bins"
        cargo build --release --workspace --bins >&2
    fi
fi
[ -x "$BIN" ] || die "binary not found: $BIN"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
b64() { printf '%s' "$1" | base64 -w0; }
API_KEY="lb_bench_$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
AUTH="Basic $(b64 "$API_KEY")"
UNSET_LB=()
for v in $(compgen -e | grep '^LEDGERBRIDGE_' || true); do UNSET_LB+=(-u "$v"); done

# mode (off|on), round: starts a server, creates the target, runs wrk, prints the WRK_RESULT fields.
run_mode() {
    local mode=$1 round=$2 port metrics_port data extra=()
    port="$(free_port)"
    data="$WORK/$mode-$round"
    mkdir -p "$data"
    # off: RUST_LOG=warn; on: RUST_LOG unset, i.e. the production default filter
    # (info,sqlx=warn,tower_http=warn).
    local log=(RUST_LOG=warn)
    if [ "$mode" = on ]; then
        metrics_port="$(free_port)"
        extra=(LEDGERBRIDGE_METRICS_ADDR="127.0.0.1:$metrics_port")
        log=(-u RUST_LOG)
    fi
    env "${UNSET_LB[@]}" "${log[@]}" LEDGERBRIDGE_API_KEY="$API_KEY" "${extra[@]}" \
        "${SERVER_ON[@]}" "$BIN" serve --addr "127.0.0.1:$port" --data-dir "$data" >"$data/server.log" 2>&1 &
    SERVER_PID=$!
    local base="http://127.0.0.1:$port" deadline=$((SECONDS + 60))
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/health")" = 200 ]; do
        [ $SECONDS -lt $deadline ] || die "server did not start"
        sleep 0.05
    done
    local id
    id="$(curl -sf -X POST "$base/companies" -H "Authorization: $AUTH" -H 'Content-Type: application/json' \
        -d '{"name":"Bench Target","description":"GET target"}' \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
    if [ "$mode" = on ]; then
        ( while true; do curl -s -o /dev/null "http://127.0.0.1:$metrics_port/metrics"; sleep 1; done ) &
        SCRAPER_PID=$!
    fi
    log "round $round, metrics+tracing $mode: wrk GET /companies/{id}, $CONNECTIONS connections, $DURATION"
    local cpu_before cpu_after
    cpu_before="$(cpu_ticks "$SERVER_PID")"
    LB_AUTH="$AUTH" LB_METHOD=GET LB_BODY="" \
        "${LOAD_ON[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s "$LUA" "$base/companies/$id" \
        >"$data/wrk.txt" 2>&1 || { cat "$data/wrk.txt" >&2; die "wrk failed"; }
    cpu_after="$(cpu_ticks "$SERVER_PID")"
    if [ "$mode" = on ]; then
        curl -s "http://127.0.0.1:$metrics_port/metrics" >"$data/metrics.txt"
        grep -q 'ledgerbridge_http_requests_total{.*route="/companies/{companyId}"' "$data/metrics.txt" \
            || die "the metrics listener did not count the load"
    fi
    stop_server
    echo "$(grep '^WRK_RESULT ' "$data/wrk.txt" | tail -n 1 | cut -d' ' -f2-) cpu_ticks=$((cpu_after - cpu_before))"
}

# utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
CLK_TCK="$(getconf CLK_TCK)"

# PIN=1: the server on CPU 0, wrk on CPU 1 (taskset), so that the scheduler does not move
# them onto one core in some rounds and not in others (the rounds then split into two
# clusters ~25% apart, which swamps a difference of a few percent).
SERVER_ON=()
LOAD_ON=()
if [ -n "${PIN:-}" ]; then
    command -v taskset >/dev/null || die "PIN=1 needs taskset (util-linux)"
    SERVER_ON=(taskset -c 0)
    LOAD_ON=(taskset -c 1)
fi

RESULTS="$WORK/results.txt"
: >"$RESULTS"
# Rounds alternate which mode runs first (off/on, on/off, ...), so that whatever the second
# server of a round meets (the first one's shutdown, a warmer cache) falls on both modes alike.
for round in $(seq 1 "$ROUNDS"); do
    order="off on"
    if [ $((round % 2)) -eq 0 ]; then order="on off"; fi
    for mode in $order; do
        echo "$mode $(run_mode "$mode" "$round")" >>"$RESULTS"
        sleep 2
    done
done

python3 - "$RESULTS" "$CONNECTIONS" "$DURATION" "$ROUNDS" "$CLK_TCK" <<'PY'
import statistics, sys
rows = {"off": [], "on": []}
for line in open(sys.argv[1]):
    mode, *fields = line.split()
    r = {k: float(v) for k, v in (f.split("=") for f in fields)}
    # Server CPU time per request, in microseconds: what the machine's other load does not move.
    r["cpu_us"] = r["cpu_ticks"] * 1e6 / float(sys.argv[5]) / r["requests"]
    rows[mode].append(r)
def cell(mode, key, scale=1.0):
    return statistics.median(r[key] for r in rows[mode]) / scale
print(f"| metrics + tracing | rounds | median server CPU µs/request | each round µs | median req/s | each round req/s | p50 ms | p99 ms | errors |")
print("|---|---:|---:|---|---:|---|---:|---:|---:|")
for mode in ("off", "on"):
    each = ", ".join(f"{r['rps']:,.0f}" for r in rows[mode])
    each_cpu = ", ".join(f"{r['cpu_us']:.1f}" for r in rows[mode])
    errors = sum(r["non2xx"] + r["socket_errors"] for r in rows[mode])
    print(f"| {mode} | {len(rows[mode])} | {cell(mode, 'cpu_us'):.1f} | {each_cpu} | {cell(mode, 'rps'):,.0f} | {each} | "
          f"{cell(mode, 'p50_us', 1000):.2f} | {cell(mode, 'p99_us', 1000):.2f} | {errors:.0f} |")
off, on = cell("off", "rps"), cell("on", "rps")
coff, con = cell("off", "cpu_us"), cell("on", "cpu_us")
print(f"\ncost of metrics + tracing: {(con - coff) / coff * 100:.1f}% more server CPU per request (median), "
      f"{(off - on) / off * 100:.1f}% fewer req/s (median) ({sys.argv[2]} connections, {sys.argv[3]} per round)")
PY
