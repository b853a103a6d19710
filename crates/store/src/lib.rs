//! Persistence for ledgerbridge: the only crate that speaks SQL.
//!
//! One code path serves SQLite (the embedded default) and PostgreSQL (scale-out): statements
//! are built with sea-query and rendered for the active [`Dialect`], values are always bound
//! parameters.
#![forbid(unsafe_code)]

pub mod filter;
