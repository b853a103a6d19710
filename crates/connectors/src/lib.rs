//! Platform connectors and the catalog of platforms ledgerbridge speaks to.
#![forbid(unsafe_code)]

pub mod catalog;
pub mod connector;
pub mod oauth;
pub mod quickbooks;
pub mod sandbox;
mod statements;
pub mod wire;
pub mod xero;

pub use connector::{
    BoxFuture, ConnectionContext, Connector, ConnectorError, CredentialStore, FetchPage,
    FetchRequest, MemoryCredentialStore, SourceRecord,
};
