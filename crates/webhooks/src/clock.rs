//! The dispatcher's sense of time, injectable so tests can cross a 5-day schedule at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use ledgerbridge_domain::Timestamp;

/// Where "now" comes from for scheduling decisions (due messages, retries, disabling).
/// Signatures always carry the real time, which receivers check against their own clock.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// The system clock moved forward by a settable offset (for tests).
#[derive(Clone, Debug, Default)]
pub struct ManualClock {
    offset_ms: Arc<AtomicI64>,
}

impl ManualClock {
    /// A clock at the real time.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: std::time::Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        let offset = chrono::Duration::milliseconds(self.offset_ms.load(Ordering::SeqCst));
        Timestamp::from_datetime(chrono::Utc::now() + offset)
    }
}

/// A shared clock.
pub type SharedClock = Arc<dyn Clock>;
