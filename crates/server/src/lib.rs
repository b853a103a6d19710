//! The ledgerbridge server as a library: configuration and [`Application`], shared by the
//! binary and the integration tests.
#![forbid(unsafe_code)]

pub mod application;
pub mod config;
pub mod keys;
pub mod log_fields;
pub mod otlp;
pub mod telemetry;

pub use application::{Application, Seams};
pub use config::{Config, Role};
