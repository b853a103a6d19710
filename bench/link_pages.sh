#!/usr/bin/env bash
# Link pages benchmark: latency (p50/p90/p99 of sequential requests over one keep-alive
# connection) and page weights (HTML + the stylesheet + every image a page loads), on SQLite
# in a temporary data dir, workers off (syncs never compete with the pages).
#
# Usage: bench/link_pages.sh            (builds --release first)
# Knobs: REQUESTS=500 SKIP_BUILD=1 LEDGERBRIDGE_BIN=path
# Progress goes to stderr; the Markdown report to stdout.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REQUESTS="${REQUESTS:-500}"
log() { printf '[bench] %s\n' "$*" >&2; }

WORK="$(mktemp -d -t ledgerbridge-link-bench.XXXXXX)"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ -n "${LEDGERBRIDGE_BIN:-}" ]; then
    BIN="$LEDGERBRIDGE_BIN"
    BUILD_DESC="$BIN"
else
    TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
    BIN="$TARGET_DIR/release/ledgerbridge"
    BUILD_DESC="release build"
    if [ -z "${SKIP_BUILD:-}" ]; then
        log "cargo build --release -p ledgerbridge"
        cargo build --release -p ledgerbridge >&2
    fi
fi
[ -x "$BIN" ] || { log "no binary at $BIN"; exit 1; }

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
KEY="bench-key-0123456789abcdefghijklmnopqrstuvwxyz"
LEDGERBRIDGE_DATA_DIR="$WORK" LEDGERBRIDGE_ADDR="127.0.0.1:$PORT" LEDGERBRIDGE_API_KEY="$KEY" \
    LEDGERBRIDGE_WORKER_CONCURRENCY=0 RUST_LOG=warn "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1 && break
    sleep 0.1
done

python3 - "$PORT" "$KEY" "$REQUESTS" "$BUILD_DESC" <<'EOF'
import base64, http.client, json, re, statistics, sys, time, urllib.parse

port, key, n, build = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
auth = "Basic " + base64.b64encode(key.encode()).decode()
conn = http.client.HTTPConnection("127.0.0.1", port)

def call(method, path, body=None, headers=None):
    h = dict(headers or {})
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body); h["Content-Type"] = "application/json"; h["Authorization"] = auth
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    return r.status, r.getheaders(), data

def api(method, path, body=None):
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers={"Authorization": auth, "Content-Type": "application/json"})
    r = conn.getresponse(); return json.loads(r.read() or b"null")

api("PUT", "/profile", {"name": "Acme Lending", "redirectUrl": "https://client.example/done?status={statusCode}&c={companyId}"})
company = api("POST", "/companies", {"name": "Platypus Properties"})
cid = company["id"]
sandbox = api("POST", f"/companies/{cid}/connections", {"platformKey": "mqjo"})
start = urllib.parse.urlparse(sandbox["linkUrl"]).path

def timed(method, path, body=None, headers=None, expect=200):
    t0 = time.perf_counter()
    s, h, data = call(method, path, body, headers)
    dt = (time.perf_counter() - t0) * 1000
    assert s == expect, (path, s, data[:200])
    return dt, h, data

def measure(label, fn):
    for _ in range(20): fn()   # warm-up
    xs = sorted(fn() for _ in range(n))
    q = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]
    return f"| {label} | {statistics.median(xs):.2f} | {q(0.9):.2f} | {q(0.99):.2f} |"

rows = [
    measure(f"`GET /link/company/{{id}}` (picker)", lambda: timed("GET", f"/link/company/{cid}?ref=1")[0]),
    measure("`GET .../connections/{id}/start` (Sandbox size page)", lambda: timed("GET", start)[0]),
    measure("`GET /link/callback?state=forged` (refusal page)", lambda: timed("GET", "/link/callback?state=forged&code=x", expect=400)[0]),
]
# The whole pick: a POST that creates the connection, links the Sandbox, queues the first
# syncs and answers the 303 to the client; one new company per request.
_, h, page = timed("GET", f"/link/company/{cid}")
cookie = [v.split(";")[0] for k, v in h if k.lower() == "set-cookie"][0]
csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
companies = [api("POST", "/companies", {"name": f"Bench {i}"})["id"] for i in range(n // 5 + 20)]
it = iter(companies)
def pick():
    c = next(it)
    body = urllib.parse.urlencode({"csrf": csrf, "platform": "mqjo", "dataset": "small", "params": ""})
    return timed("POST", f"/link/company/{c}", body,
                 {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, expect=303)[0]
for_pick = n // 5
xs = sorted(pick() for _ in range(for_pick))
rows.append(f"| `POST /link/company/{{id}}` Sandbox pick (connection + link + first syncs queued), {for_pick} companies | "
            f"{statistics.median(xs):.2f} | {xs[int(0.9*len(xs))]:.2f} | {xs[min(len(xs)-1,int(0.99*len(xs)))]:.2f} |")

# Weights: the HTML, plus the stylesheet and every <img> the page loads.
def weight(path, expect=200):
    _, _, html = timed("GET", path, expect=expect)
    total, parts = len(html), [f"HTML {len(html):,}"]
    refs = re.findall(rb'(?:href|src)="(/(?:link/assets|static)/[^"]+)"', html)
    for ref in sorted(set(refs)):
        _, _, body = timed("GET", ref.decode())
        total += len(body); parts.append(f"{ref.decode().rsplit('/',1)[-1]} {len(body):,}")
    return f"| `{path.split('?')[0].replace(cid, '{id}').replace(start.split('/')[-2], '{id}')}` | **{total:,}** | {', '.join(parts)} |"

weights = [weight(f"/link/company/{cid}"), weight(start), weight("/link/callback?state=forged", expect=400)]
print(f"Sequential requests over one keep-alive connection, {n} per page after 20 warm-up ({build}, SQLite, workers off):\n")
print("| request | p50 ms | p90 ms | p99 ms |\n|---|---:|---:|---:|")
print("\n".join(rows))
print("\nPage weights (bytes, everything the page loads; target ≤ 50 KB):\n")
print("| page | total bytes | parts |\n|---|---:|---|")
print("\n".join(weights))
EOF
