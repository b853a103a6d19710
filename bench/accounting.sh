#!/usr/bin/env bash
# Accounting read benchmark: the release binary on SQLite, one company linked to the Sandbox
# `large` books (about 1,000,000 records), synced by the server's own workers; then
# bench/accounting.py times get-by-id, 5,000-record pages, a query and the financial
# statements for 24 monthly periods over HTTP.
#
#   bench/accounting.sh > /tmp/accounting.md        (Markdown on stdout, progress on stderr)
#
# Knobs (environment):
#   DATA=/tmp/ledgerbridge-accounting-bench   data dir, kept: a second run reuses the synced
#                                             company (delete the dir to sync again)
#   SIZE=large SEED=42 RUNS=20 GETS=2000
#   SKIP_BUILD=1                              use the existing target/release/ledgerbridge
#   LEDGERBRIDGE_BIN=path                     run this binary instead (with SKIP_BUILD=1)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DATA="${DATA:-/tmp/ledgerbridge-accounting-bench}"
SIZE="${SIZE:-large}"
SEED="${SEED:-42}"

log() { printf '[accounting-bench] %s\n' "$*" >&2; }
die() { printf '[accounting-bench] error: %s\n' "$*" >&2; exit 1; }

TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
BIN="${LEDGERBRIDGE_BIN:-$TARGET_DIR/release/ledgerbridge}"
if [ -z "${SKIP_BUILD:-}" ]; then
    log "cargo build --release -p ledgerbridge"
    cargo build --release -p ledgerbridge >&2
fi
[ -x "$BIN" ] || die "binary not found: $BIN"

mkdir -p "$DATA"
STATE="$DATA/bench-state.json"
if [ -f "$STATE" ]; then
    API_KEY="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["key"])' "$STATE")"
else
    API_KEY="lb_bench_$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
fi
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT"
AUTH="Basic $(printf '%s' "$API_KEY" | base64 -w0)"

UNSET_LB=()
for v in $(compgen -e | grep '^LEDGERBRIDGE_' || true); do UNSET_LB+=(-u "$v"); done
env "${UNSET_LB[@]}" LEDGERBRIDGE_API_KEY="$API_KEY" RUST_LOG="${RUST_LOG:-warn}" \
    "$BIN" serve --addr "127.0.0.1:$PORT" --data-dir "$DATA" >"$DATA/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill -TERM $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health")" = "200" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 30 "$DATA/server.log" >&2; die "server exited"; }
    sleep 0.1
done

api() { # METHOD PATH [BODY]
    curl -sf -X "$1" "$BASE$2" -H "Authorization: $AUTH" -H 'Content-Type: application/json' \
        ${3:+-d "$3"}
}
jq_py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

if [ -f "$STATE" ]; then
    COMPANY="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["company"])' "$STATE")"
    SYNC_NOTE="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sync"])' "$STATE")"
    log "reusing company $COMPANY in $DATA"
else
    COMPANY_JSON="$(api POST /companies '{"name":"Accounting Bench","platformType":"mqjo"}')" \
        || die "POST /companies failed"
    COMPANY="$(printf '%s' "$COMPANY_JSON" | jq_py 'd["id"]')"
    CONN="$(printf '%s' "$COMPANY_JSON" | jq_py 'd["dataConnections"][0]["id"]')"
    log "linking Sandbox $SIZE (seed $SEED) and waiting for the first sync"
    START=$(date +%s.%N)
    api PUT "/companies/$COMPANY/connections/$CONN/authorization" \
        "{\"dataset\":\"$SIZE\",\"seed\":\"$SEED\"}" >/dev/null || die "link failed"
    while :; do
        sleep 2
        STATUS="$(api GET "/companies/$COMPANY/dataStatus")" || die "dataStatus failed"
        PENDING="$(printf '%s' "$STATUS" | jq_py 'sum(1 for v in d.values() if v["currentStatus"] in ("Queued","Fetching","Initial"))')"
        [ "$PENDING" = "0" ] && break
    done
    SECS="$(python3 -c "import time; print(f'{time.time() - $START:.0f}')")"
    BAD="$(printf '%s' "$STATUS" | jq_py '",".join(k for k,v in d.items() if v["currentStatus"] != "Complete")')"
    [ -z "$BAD" ] || die "data types not Complete: $BAD"
    SYNC_NOTE="first sync of Sandbox $SIZE (seed $SEED) took ${SECS} s"
    python3 -c 'import json,sys; json.dump({"key":sys.argv[1],"company":sys.argv[2],"sync":sys.argv[3]}, open(sys.argv[4],"w"))' \
        "$API_KEY" "$COMPANY" "$SYNC_NOTE" "$STATE"
fi
log "$SYNC_NOTE"

echo "Release binary, SQLite, $(nproc) cores, $(date -u +%Y-%m-%d); $SYNC_NOTE."
echo
LB_BASE="$BASE" LB_KEY="$API_KEY" LB_COMPANY="$COMPANY" python3 "$ROOT/bench/accounting.py"
