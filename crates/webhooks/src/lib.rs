//! Webhook delivery for ledgerbridge: a dispatcher that claims due outbox messages under a
//! lease, signs them the Standard Webhooks way, POSTs them to consumers with a 15 s timeout,
//! no redirects and no private addresses, and retries on Codat's schedule.
//!
//! The events themselves are written by the store, in the transaction of the change that
//! caused them (`ledgerbridge_store::outbox`); this crate only delivers them.
#![forbid(unsafe_code)]

pub mod clock;
pub mod dispatcher;
pub mod envelope;
pub mod safety;
pub mod schedule;
pub mod signing;

pub use clock::{Clock, ManualClock, SystemClock};
pub use dispatcher::{Dispatcher, DispatcherConfig};
