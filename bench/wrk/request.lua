-- wrk script for bench/platform.sh: one request shape per run, set from the environment.
--   LB_AUTH    value of the Authorization header ("Basic base64(key)")
--   LB_METHOD  HTTP method (default GET)
--   LB_BODY    JSON request body (optional)
-- The path comes from the URL given to wrk. done() prints one machine-readable line.

wrk.method = os.getenv("LB_METHOD") or "GET"
wrk.headers["Authorization"] = os.getenv("LB_AUTH")
wrk.headers["Accept"] = "application/json"
local body = os.getenv("LB_BODY")
if body ~= nil and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end
