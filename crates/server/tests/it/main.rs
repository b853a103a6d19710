//! Integration tests: ledgerbridge spawned on port 0 over real HTTP, on SQLite, or on
//! PostgreSQL when `LEDGERBRIDGE_TEST_POSTGRES_URL` is set (a fresh schema per test).

mod accounting;
mod accounting_documents;
mod api_keys;
mod cli;
mod companies;
mod concurrency;
mod connections;
mod data;
mod errors;
mod helpers;
mod integrations;
mod link;
mod link_browser;
mod link_fake;
mod link_keys;
mod link_quickbooks;
mod ops_backup;
mod ops_logs;
mod ops_metrics;
mod ops_otlp;
mod ops_process;
mod ops_rate_limits;
mod ops_shutdown;
mod sandbox;
mod settings;
mod spec;
mod spec_conformance;
mod webhooks;
mod webhooks_delivery;
mod webhooks_receiver;
mod xero_flow;
