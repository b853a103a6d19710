#!/usr/bin/env bash
# Sync engine benchmark: the release binary (`ledgerbridge serve`, role all, SQLite in a
# temporary data dir) syncs one company's Sandbox books end to end over the HTTP API.
#
# Measures, and prints as Markdown on stdout:
#   - first sync: link (PUT .../authorization) -> every dataset finished; records stored
#     (counted in the database), records/s, the server's peak RSS (VmHWM) during it
#   - re-sync with no source changes (the books are linked `frozen`): POST /data/all ->
#     every dataset finished; record rows written (rows whose modified_date moved), its time
#     as a share of the first sync's
#   - idle CPU of the server over IDLE_SECONDS after the syncs (utime+stime from /proc)
#
# Usage: bench/sync.sh > out.md        (builds --release first)
# Knobs (environment):
#   SIZE=large SEED=bench IDLE_SECONDS=60 CONCURRENCY=4
#   SKIP_BUILD=1                      use the existing release binary
#   LEDGERBRIDGE_BIN=path             benchmark another binary (implies SKIP_BUILD)
#   KEEP=1                            keep the data dir (printed on stderr)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SIZE="${SIZE:-large}"
SEED="${SEED:-bench}"
IDLE_SECONDS="${IDLE_SECONDS:-60}"
CONCURRENCY="${CONCURRENCY:-4}"

log() { printf '[sync-bench] %s\n' "$*" >&2; }
die() { printf '[sync-bench] error: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is required"
command -v sqlite3 >/dev/null || die "sqlite3 is required (apt-get install sqlite3)"

if [ -n "${LEDGERBRIDGE_BIN:-}" ]; then
    BIN="$LEDGERBRIDGE_BIN"
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

WORK="$(mktemp -d -t ledgerbridge-sync-bench.XXXXXX)"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ -n "${KEEP:-}" ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
API_KEY="lb_bench_$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
log "starting $BIN on 127.0.0.1:$PORT (data dir $WORK)"
env -i PATH="$PATH" HOME="${HOME:-/root}" RUST_LOG=warn \
    LEDGERBRIDGE_API_KEY="$API_KEY" LEDGERBRIDGE_DATA_DIR="$WORK" \
    LEDGERBRIDGE_ADDR="127.0.0.1:$PORT" LEDGERBRIDGE_WORKER_CONCURRENCY="$CONCURRENCY" \
    "$BIN" serve >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!

python3 - "$PORT" "$API_KEY" "$SERVER_PID" "$WORK/ledgerbridge.db" "$SIZE" "$SEED" "$IDLE_SECONDS" <<'PY'
import base64, json, os, subprocess, sys, time, urllib.request

port, key, pid, db, size, seed, idle = sys.argv[1:8]
base = f"http://127.0.0.1:{port}"
auth = "Basic " + base64.b64encode(key.encode()).decode()
tick = os.sysconf("SC_CLK_TCK")

def log(*a):
    print("[sync-bench]", *a, file=sys.stderr, flush=True)

def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": auth, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        text = r.read()
        return json.loads(text) if text else None

def status_kib(field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])

def cpu_seconds():
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick

def sql(query):
    out = subprocess.run(["sqlite3", "-readonly", db, query], check=True, capture_output=True, text=True)
    return out.stdout.strip()

for _ in range(200):
    try:
        urllib.request.urlopen(base + "/ready", timeout=1).read()
        break
    except Exception:
        time.sleep(0.05)
else:
    sys.exit("server did not start")

def wait_all(company, since_count=0):
    """Polls the pull history until every dataset has finished; returns the statuses."""
    while True:
        h = call("GET", f"/companies/{company}/data/history?pageSize=5000")
        ops = h["results"]
        if len(ops) > since_count and all(o["status"] not in ("Initial", "Queued", "Fetching") for o in ops):
            return ops
        time.sleep(0.1)

company = call("POST", "/companies", {"name": "Sync bench", "platformType": "mqjo"})
cid = company["id"]
conn = company["dataConnections"][0]["id"]
rss_before = status_kib("VmRSS")
cpu0 = cpu_seconds()
t0 = time.monotonic()
call("PUT", f"/companies/{cid}/connections/{conn}/authorization",
     {"dataset": size, "seed": seed, "frozen": "true"})
ops = wait_all(cid)
first = time.monotonic() - t0
cpu_first = cpu_seconds() - cpu0
peak = status_kib("VmHWM")
bad = [o for o in ops if o["status"] != "Complete"]
records = int(sql("SELECT count(*) FROM records"))
log(f"first sync: {records} records in {first:.1f} s, {len(ops)} datasets, {len(bad)} not Complete")
last_write = sql("SELECT max(modified_date) FROM records")

cpu1 = cpu_seconds()
t1 = time.monotonic()
call("POST", f"/companies/{cid}/data/all")
ops2 = wait_all(cid, len(ops))
second = time.monotonic() - t1
cpu_second = cpu_seconds() - cpu1
rewritten = int(sql(f"SELECT count(*) FROM records WHERE modified_date > '{last_write}'"))
records2 = int(sql("SELECT count(*) FROM records"))
bad2 = [o for o in ops2[len(ops):] if o["status"] != "Complete"]
log(f"re-sync: {second:.2f} s, {rewritten} rows rewritten")

time.sleep(2)
c0 = cpu_seconds()
time.sleep(int(idle))
idle_cpu = cpu_seconds() - c0
rss_idle = status_kib("VmRSS")

mib = lambda kib: f"{kib / 1024:.0f} MiB"
print(f"| run (`SIZE={size} SEED={seed}`) | target | value |")
print("|---|---:|---:|")
print(f"| first sync: records stored ({len(ops)} datasets, {len(bad)} not `Complete`) | ~1,000,000 | {records:,} |")
print(f"| first sync: link to last dataset `Complete` | | {first:.1f} s |")
print(f"| first sync: records/s end to end | ≥ 50,000 | **{records / first:,.0f}** |")
print(f"| first sync: server CPU time (2 cores) | | {cpu_first:.1f} s |")
print(f"| peak RSS of the server (VmHWM; {mib(rss_before)} before the sync) | ≤ 250 MB | **{mib(peak)}** |")
print(f"| re-sync, no source changes: time ({len(bad2)} not `Complete`) | ≤ 25% of first | {second:.2f} s = **{100 * second / first:.1f}%** |")
print(f"| re-sync: record rows written ({records2:,} stored after) | 0 | **{rewritten}** |")
print(f"| re-sync: server CPU time | | {cpu_second:.2f} s |")
print(f"| idle server: CPU over {idle} s | no measurable | **{idle_cpu:.2f} s** ({100 * idle_cpu / int(idle):.2f}%) |")
print(f"| idle server RSS after the syncs | | {mib(rss_idle)} |")
PY
