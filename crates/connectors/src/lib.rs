//! Platform connectors and the catalog of platforms ledgerbridge speaks to.
#![forbid(unsafe_code)]

pub mod catalog;
