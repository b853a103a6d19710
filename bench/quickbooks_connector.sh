#!/usr/bin/env bash
# QuickBooks Online connector benchmarks against the local simulator (no network):
#   1. fetch + map (+ JSON serialisation) throughput for invoices, simulator limits off;
#   2. calls per full sync and per unchanged incremental sync, for every data type.
# Usage: bench/quickbooks_connector.sh [small|medium] [throughput]   (release build; results on
#        stdout; `throughput` runs section 1 only)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -q -p ledgerbridge-connectors --example quickbooks_throughput -- "${1:-medium}" ${2:+"$2"}
