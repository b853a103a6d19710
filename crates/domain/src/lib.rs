//! Codat's wire contract as Rust types: ids, timestamps, the error body, the paging envelope,
//! data types and the Platform API resources, plus the field schemas the query language
//! type-checks against. No I/O lives here.
#![forbid(unsafe_code)]

pub mod accounting;
pub mod data_type;
pub mod error;
pub mod ids;
pub mod paging;
pub mod platform;
pub mod schema;
pub mod time;

pub use data_type::DataType;
pub use ids::{ApiKeyId, CompanyId, ConnectionId};
pub use time::Timestamp;
