#!/usr/bin/env bash
# Records store / query engine benchmark: one company holding 1,000,000 generated invoices,
# loaded through `upsert_records`, then list requests timed over repeated runs, on SQLite and
# then PostgreSQL (release build of crates/store/examples/records_bench.rs).
#
# Prints Markdown on stdout (the section of docs/benchmarks.md); progress goes to stderr:
#   bench/records.sh > /tmp/records.md
#
# Knobs (environment):
#   RECORDS=1000000 RUNS=20 BATCH=1000 SEED=42
#   DATA=/tmp/ledgerbridge-bench        SQLite file lives here; reused when it already holds
#                                       the seed's RECORDS invoices (delete it to reload)
#   PG_URL=postgres://postgres@127.0.0.1:5432/postgres   PostgreSQL server ("" skips it)
#   PG_SCHEMA=lb_records_bench          schema used on it; KEEP_PG=1 keeps it (and reuses it)
#   BACKENDS="sqlite postgres"          which to run
#   EXPLAIN=1                           also print each statement's plan (stderr)
#   SKIP_BUILD=1                        use the existing release example binary
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RECORDS="${RECORDS:-1000000}"
RUNS="${RUNS:-20}"
BATCH="${BATCH:-1000}"
SEED="${SEED:-42}"
DATA="${DATA:-/tmp/ledgerbridge-bench}"
PG_URL="${PG_URL-postgres://postgres@127.0.0.1:5432/postgres}"
PG_SCHEMA="${PG_SCHEMA:-lb_records_bench}"
BACKENDS="${BACKENDS:-sqlite postgres}"

log() { printf '[records-bench] %s\n' "$*" >&2; }
die() { printf '[records-bench] error: %s\n' "$*" >&2; exit 1; }

TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
BIN="$TARGET_DIR/release/examples/records_bench"
if [ -z "${SKIP_BUILD:-}" ]; then
    log "cargo build --release -p ledgerbridge-store --example records_bench"
    cargo build --release -p ledgerbridge-store --example records_bench >&2
fi
[ -x "$BIN" ] || die "binary not found: $BIN"

EXTRA=()
[ -n "${EXPLAIN:-}" ] && EXTRA+=(--explain)
COMMON=(--records "$RECORDS" --runs "$RUNS" --batch "$BATCH" --seed "$SEED" "${EXTRA[@]}")

echo "## Query engine on 1,000,000 invoices"
echo
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),"
echo "$(git rev-parse --short HEAD)$(git diff --quiet -- crates/store || echo ' + local changes'), release build. Reproduce: \`bench/records.sh\`"
echo "(RECORDS=$RECORDS RUNS=$RUNS BATCH=$BATCH SEED=$SEED)."
echo

for backend in $BACKENDS; do
    case "$backend" in
    sqlite)
        mkdir -p "$DATA"
        log "SQLite: $DATA/records-$SEED-$RECORDS.db"
        DB="sqlite://$DATA/records-$SEED-$RECORDS.db"
        "$BIN" --db "$DB" --phase load "${COMMON[@]}"
        "$BIN" --db "$DB" --phase query "${COMMON[@]}"
        ;;
    postgres)
        if [ -z "$PG_URL" ]; then
            log "PG_URL is empty: skipping PostgreSQL"
            continue
        fi
        command -v psql >/dev/null || die "psql is required for the PostgreSQL run"
        if [ -z "${KEEP_PG:-}" ]; then
            psql "$PG_URL" -qv ON_ERROR_STOP=1 -c "DROP SCHEMA IF EXISTS $PG_SCHEMA CASCADE" >&2
        fi
        psql "$PG_URL" -qv ON_ERROR_STOP=1 -c "CREATE SCHEMA IF NOT EXISTS $PG_SCHEMA" >&2
        SEP='?'
        case "$PG_URL" in *\?*) SEP='&' ;; esac
        log "PostgreSQL: $PG_URL, schema $PG_SCHEMA"
        echo "PostgreSQL $(psql "$PG_URL" -Atc 'SHOW server_version'), shared_buffers $(psql "$PG_URL" -Atc 'SHOW shared_buffers'), same machine."
        echo
        DB="$PG_URL${SEP}options[search_path]=$PG_SCHEMA"
        "$BIN" --db "$DB" --phase load "${COMMON[@]}"
        "$BIN" --db "$DB" --phase query "${COMMON[@]}"
        if [ -z "${KEEP_PG:-}" ]; then
            psql "$PG_URL" -qv ON_ERROR_STOP=1 -c "DROP SCHEMA IF EXISTS $PG_SCHEMA CASCADE" >&2
        fi
        ;;
    *) die "unknown backend $backend" ;;
    esac
done
