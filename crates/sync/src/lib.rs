//! The sync engine: workers lease queued datasets (the rows are the job queue), run them
//! through the platform's [`Connector`](ledgerbridge_connectors::Connector) a page at a time,
//! upsert the records in batches and finish each dataset with Codat's status.
#![forbid(unsafe_code)]

mod credentials;
mod run;
pub mod scheduler;
mod worker;

pub use worker::{Connectors, Worker, WorkerConfig};
