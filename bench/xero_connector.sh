#!/usr/bin/env bash
# Xero connector benchmarks against the local simulator (no network):
#   1. fetch + map (+ JSON serialisation) throughput for invoices, simulator limits off;
#   2. calls per full sync and per unchanged incremental sync, for every data type;
#   3. a sync needing 3x the per-minute budget with a 2-second "minute": time against the
#      theoretical minimum, 429s met.
# Usage: bench/xero_connector.sh [small|medium] [throughput]   (release build; results on stdout;
#        `throughput` runs section 1 only)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -q -p ledgerbridge-connectors --example xero_throughput -- "${1:-medium}" ${2:+"$2"}
