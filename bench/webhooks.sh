#!/usr/bin/env bash
# Webhook delivery on SQLite (issue 10): first-attempt latency after the commit that caused
# the event, and deliveries per second to a local receiver on 127.0.0.1. One process: the
# store, a dispatcher and an axum receiver that answers 200.
#
#   EVENTS=5000 CONSUMERS=4 bench/webhooks.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo run --release -q -p ledgerbridge-webhooks --example webhooks_bench -- \
    "${EVENTS:-5000}" "${CONSUMERS:-4}"
