//! A deterministic generator of a small business's books, from a thousand records to a
//! million: the data behind the Sandbox integration, the demo, the benchmarks and the Xero
//! and QuickBooks simulators.
//!
//! ```
//! use ledgerbridge_sandbox::{Books, Config, Record, Size};
//!
//! let books = Books::new(Config::new(42, Size::Small)).expect("valid configuration");
//! let first_sync = books.at_sync(0);
//! let invoices = first_sync
//!     .records()
//!     .filter(|r| matches!(r, Record::Document(_)))
//!     .count();
//! assert!(invoices > 0);
//! ```
//!
//! - [`Books`] is one company's books, fixed by a [`Config`] (seed, size, start, span).
//! - [`Books::at_sync`] gives the [`Snapshot`] sync *n* sees: the first sync sees the
//!   configured months; each later one a few more days of trading, in which new documents
//!   are raised, open ones get paid, a few are voided, edited or deleted. A record's state at
//!   sync *n* is a pure function of the configuration and *n*.
//! - [`Snapshot::records`] streams the [`Record`]s of the neutral books model ([`model`]),
//!   generated month by month: the large set never sits in memory.
//! - [`check::Checker`] verifies the books add up, record by record, in constant memory.
//! - [`Ids`] gives the records platform-style ids; [`codat`] maps them to Codat's types.
//!
//! Randomness comes from ChaCha8 keyed per decision ([`rng`](crate) docs), so output is
//! byte-identical across runs, platforms and releases of this crate's dependencies.
#![forbid(unsafe_code)]

mod books;
mod chart;
pub mod check;
pub mod codat;
mod config;
mod engine;
mod ledger;
mod master;
pub mod model;
pub mod money;
mod rng;
mod words;

pub use books::{Books, Ids, Records, Snapshot};
pub use config::{Config, ConfigError, Seed, Size};
pub use model::{Record, RecordKind};
