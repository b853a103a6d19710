//! Codat's retry schedule: after a failed attempt, try again immediately, then after 5 s,
//! 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (about 28 hours in all); a consumer that fails
//! everything for 5 days is disabled.

use std::time::Duration;

use ledgerbridge_domain::Timestamp;

/// The wait before each retry: the first retry follows the first failure immediately.
pub const RETRY_DELAYS: [Duration; 8] = [
    Duration::ZERO,
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
];

/// Attempts a message gets in all: the first and one per retry.
pub const MAX_ATTEMPTS: u32 = RETRY_DELAYS.len() as u32 + 1;

/// How long a consumer may fail every attempt before it is disabled.
pub const DISABLE_AFTER: Duration = Duration::from_secs(5 * 24 * 3600);

/// Adds a duration to an instant.
pub fn after(t: Timestamp, d: Duration) -> Timestamp {
    let d = chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
    Timestamp::from_datetime(t.as_datetime() + d)
}

/// Subtracts a duration from an instant.
pub fn before(t: Timestamp, d: Duration) -> Timestamp {
    let d = chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
    Timestamp::from_datetime(t.as_datetime() - d)
}

/// When to try again after the `failed`-th attempt (counting from 1) failed at `now`, or
/// `None` when that was the last attempt of the schedule.
pub fn next_attempt(failed: u32, now: Timestamp) -> Option<Timestamp> {
    let index = usize::try_from(failed.checked_sub(1)?).ok()?;
    RETRY_DELAYS.get(index).map(|d| after(now, *d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_is_codats() {
        let t0 = Timestamp::now();
        let waits: Vec<i64> = (1..=MAX_ATTEMPTS)
            .map(|n| {
                next_attempt(n, t0).map(|t| (t.as_datetime() - t0.as_datetime()).num_seconds())
            })
            .map(|w| w.unwrap_or(-1))
            .collect();
        assert_eq!(waits, vec![0, 5, 300, 1800, 7200, 18000, 36000, 36000, -1]);
        let total: u64 = RETRY_DELAYS.iter().map(Duration::as_secs).sum();
        assert!(
            (27 * 3600..29 * 3600).contains(&total),
            "about 28 h: {total}"
        );
        assert_eq!(next_attempt(0, t0), None);
    }
}
