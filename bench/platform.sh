#!/usr/bin/env bash
# Platform API benchmark for the release binary, on SQLite in a temporary data dir.
#
# Measures, and prints as Markdown on stdout:
#   - POST /companies and GET /companies/{id}: requests/s, p50/p90/p99 latency under
#     CONNECTIONS concurrent connections for DURATION (wrk, from Debian)
#   - idle RSS after startup (VmRSS from /proc/PID/status), and peak RSS after the load
#   - cold start to ready: spawn -> first 200 on READY_PATH, fresh data dir each run,
#     COLD_RUNS runs, median (min, max)
#
# Usage: bench/platform.sh            (from anywhere; builds --release first)
# Knobs (environment):
#   DURATION=15s CONNECTIONS=50 THREADS=2 COLD_RUNS=10 READY_PATH=/ready
#   SKIP_BUILD=1                      use the existing target/release/ledgerbridge
#   LEDGERBRIDGE_BIN=path             benchmark another binary (implies SKIP_BUILD)
# Progress goes to stderr; only the report goes to stdout, so `bench/platform.sh > out.md`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-50}"
THREADS="${THREADS:-2}"
COLD_RUNS="${COLD_RUNS:-10}"
READY_PATH="${READY_PATH:-/ready}"
LUA="$ROOT/bench/wrk/request.lua"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

WORK="$(mktemp -d -t ledgerbridge-bench.XXXXXX)"
SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ tools
command -v python3 >/dev/null || die "python3 is required"
command -v curl >/dev/null || die "curl is required"
if ! command -v wrk >/dev/null; then
    log "installing wrk (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -qq wrk || { apt-get update -qq && apt-get install -y -qq wrk; }; } >&2 \
        || die "could not install wrk"
fi

# ------------------------------------------------------------------ build
BUILD_DESC="release build"
if [ -n "${LEDGERBRIDGE_BIN:-}" ]; then
    BIN="$LEDGERBRIDGE_BIN"
    BUILD_DESC="binary \`$BIN\`"
else
    TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
    BIN="$TARGET_DIR/release/ledgerbridge"
    if [ -z "${SKIP_BUILD:-}" ]; then
        log "cargo build --release -p ledgerbridge"
        cargo build --release -p ledgerbridge >&2
    fi
fi
[ -x "$BIN" ] || die "binary not found: $BIN"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
b64() { printf '%s' "$1" | base64 -w0; }

API_KEY="lb_bench_$(python3 -c 'import secrets; print(secrets.token_hex(16))')"

# The server reads LEDGERBRIDGE_* as configuration; start it with only the API key set.
UNSET_LB=()
for v in $(compgen -e | grep '^LEDGERBRIDGE_' || true); do UNSET_LB+=(-u "$v"); done

# start_server DATA_DIR PORT: spawns the server in the background, sets SERVER_PID
start_server() {
    env "${UNSET_LB[@]}" LEDGERBRIDGE_API_KEY="$API_KEY" RUST_LOG="${RUST_LOG:-warn}" \
        "$BIN" serve --addr "127.0.0.1:$2" --data-dir "$1" >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
}

wait_ready() { # URL, timeout seconds
    local deadline=$((SECONDS + $2))
    while [ $SECONDS -lt $deadline ]; do
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 40 "$WORK/server.log" >&2; die "server exited during startup"; }
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = "200" ] && return 0
        sleep 0.05
    done
    tail -n 40 "$WORK/server.log" >&2
    die "server not ready at $1 after $2 s"
}

rss_kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }

# ------------------------------------------------------------------ server for the load runs
PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
mkdir -p "$WORK/data"
log "starting $BIN on $BASE (SQLite in $WORK/data)"
start_server "$WORK/data" "$PORT"
wait_ready "$BASE/health" 60
if [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE$READY_PATH")" != "200" ]; then
    log "note: $READY_PATH does not answer 200; using /health for readiness"
    READY_PATH=/health
fi
sleep 2 # let startup work settle before reading idle memory
IDLE_RSS_KIB="$(rss_kib "$SERVER_PID" VmRSS)"
log "idle RSS: ${IDLE_RSS_KIB} KiB"

BOOT_AUTH="Basic $(b64 "$API_KEY")"
log "creating an API key for the load (POST /apiKeys)"
KEY_JSON="$(curl -sf -X POST "$BASE/apiKeys" -H "Authorization: $BOOT_AUTH" \
    -H 'Content-Type: application/json' -d '{"name":"bench"}')" || die "POST /apiKeys failed"
BENCH_KEY="$(printf '%s' "$KEY_JSON" | python3 -c 'import json,sys; print(json.load(sys.stdin)["apiKey"])')"
AUTH="Basic $(b64 "$BENCH_KEY")"

COMPANY_JSON="$(curl -sf -X POST "$BASE/companies" -H "Authorization: $AUTH" \
    -H 'Content-Type: application/json' -d '{"name":"Bench Target","description":"GET target"}')" \
    || die "POST /companies failed"
COMPANY_ID="$(printf '%s' "$COMPANY_JSON" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: $AUTH" "$BASE/companies/$COMPANY_ID")" = "200" ] \
    || die "GET /companies/$COMPANY_ID is not 200"

# run_wrk LABEL METHOD PATH [BODY] -> prints the WRK_RESULT fields, keeps wrk's own output
run_wrk() {
    local label=$1 method=$2 path=$3 body=${4:-} out="$WORK/wrk-$1.txt"
    log "wrk: $method $path, $CONNECTIONS connections, $THREADS threads, $DURATION"
    LB_AUTH="$AUTH" LB_METHOD="$method" LB_BODY="$body" \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s "$LUA" "$BASE$path" >"$out" 2>&1 \
        || { cat "$out" >&2; die "wrk failed"; }
    cat "$out" >&2
    grep '^WRK_RESULT ' "$out" | tail -n 1 | cut -d' ' -f2-
}

field() { # KEY "k=v k=v ..."
    printf '%s\n' "$2" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'
}
ms() { awk -v us="$1" 'BEGIN {printf "%.2f", us / 1000}'; }

POST_RES="$(run_wrk post POST /companies '{"name":"Bench Company","description":"created under load","tags":{"source":"bench"}}')"
GET_RES="$(run_wrk get GET "/companies/$COMPANY_ID")"
PEAK_RSS_KIB="$(rss_kib "$SERVER_PID" VmHWM)"
AFTER_RSS_KIB="$(rss_kib "$SERVER_PID" VmRSS)"
COMPANIES_TOTAL="$(curl -sf -H "Authorization: $AUTH" "$BASE/companies?page=1&pageSize=1" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["totalResults"])' || echo '?')"
stop_server

# ------------------------------------------------------------------ cold start
log "cold start: $COLD_RUNS runs, fresh data dir each, spawn -> first 200 on $READY_PATH"
COLD="$(python3 - "$BIN" "$API_KEY" "$READY_PATH" "$COLD_RUNS" "$WORK" <<'EOF'
import http.client, os, socket, statistics, subprocess, sys, tempfile, time
binary, key, ready_path, runs, work = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def ready(port):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        c.request("GET", ready_path)
        ok = c.getresponse().status == 200
        c.close()
        return ok
    except OSError:
        return False

env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERBRIDGE_")}
env.update(LEDGERBRIDGE_API_KEY=key, RUST_LOG=os.environ.get("RUST_LOG", "warn"))
times = []
for i in range(runs):
    data = tempfile.mkdtemp(prefix="cold-", dir=work)
    port = free_port()
    with open(os.path.join(work, "cold.log"), "ab") as log:
        t0 = time.perf_counter()
        p = subprocess.Popen([binary, "serve", "--addr", f"127.0.0.1:{port}", "--data-dir", data],
                             stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=env)
        try:
            while not ready(port):
                if p.poll() is not None:
                    sys.exit(f"server exited during cold start run {i + 1}")
                if time.perf_counter() - t0 > 60:
                    sys.exit(f"cold start run {i + 1} not ready after 60 s")
                time.sleep(0.002)
            times.append((time.perf_counter() - t0) * 1000)
        finally:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill(); p.wait()
    print(f"[bench] cold start run {i + 1}: {times[-1]:.1f} ms", file=sys.stderr)
print(f"{statistics.median(times):.1f} {min(times):.1f} {max(times):.1f}")
EOF
)"
read -r COLD_MEDIAN COLD_MIN COLD_MAX <<<"$COLD"

# ------------------------------------------------------------------ report
kib_mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }
row() { # label, result
    local r=$2 non2xx sock
    non2xx="$(field non2xx "$r")"; sock="$(field socket_errors "$r")"
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" \
        "$(field rps "$r")" "$(ms "$(field p50_us "$r")")" "$(ms "$(field p90_us "$r")")" \
        "$(ms "$(field p99_us "$r")")" "$(field requests "$r")" "$(( ${non2xx:-0} + ${sock:-0} ))"
}
CPU="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)"
REV="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
DIRTY="$(git -C "$ROOT" status --porcelain 2>/dev/null | grep -q . && echo ' (dirty tree)' || true)"

cat <<EOF
## ledgerbridge platform benchmark

- commit \`$REV\`$DIRTY, $BUILD_DESC, SQLite in a temporary data dir
- $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores ($CPU); wrk $THREADS threads on the same machine
- $CONNECTIONS concurrent connections, $DURATION per endpoint, keep-alive, one API key from \`POST /apiKeys\`

| endpoint | req/s | p50 ms | p90 ms | p99 ms | requests | errors |
|---|---:|---:|---:|---:|---:|---:|
$(row "POST /companies" "$POST_RES")
$(row "GET /companies/{id}" "$GET_RES")

| metric | value |
|---|---:|
| idle RSS after startup | $(kib_mib "$IDLE_RSS_KIB") |
| RSS after the load runs | $(kib_mib "$AFTER_RSS_KIB") |
| peak RSS (VmHWM) | $(kib_mib "$PEAK_RSS_KIB") |
| companies stored after the POST run | $COMPANIES_TOTAL |
| cold start to first 200 on \`$READY_PATH\`, median of $COLD_RUNS | $COLD_MEDIAN ms |
| cold start min / max | $COLD_MIN / $COLD_MAX ms |

errors = non-2xx/3xx responses + socket errors (connect, read, write, timeout).
EOF
