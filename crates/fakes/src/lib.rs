//! Stateful local simulators of the accounting platforms ledgerbridge connects to, speaking
//! their real wire formats and fed by the Sandbox generator's books. Used by the connector
//! tests and by `ledgerbridge simulate <platform>` for local development.
#![forbid(unsafe_code)]

pub(crate) mod identity;
pub mod quickbooks;
pub mod xero;
