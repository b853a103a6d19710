//! QuickBooks Online's throttles: 500 requests per realm in any rolling minute, 200 report
//! requests per realm per minute, 10 requests in flight per realm, 40 requests in flight per
//! app across all realms. The
//! "minute" is configurable so tests run in seconds.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The limits the simulator enforces.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Requests per realm per rolling minute.
    pub per_minute: u32,
    /// Report requests per realm per rolling minute.
    pub reports_per_minute: u32,
    /// Requests in flight at once, per app (all realms).
    pub app_concurrent: u32,
    /// Requests in flight at once, per realm (Intuit: 10).
    pub realm_concurrent: u32,
    /// How long a "minute" lasts.
    pub minute: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_minute: 500,
            reports_per_minute: 200,
            app_concurrent: 40,
            realm_concurrent: 10,
            minute: Duration::from_secs(60),
        }
    }
}

#[derive(Default)]
struct Realm {
    minute: VecDeque<Instant>,
    reports: VecDeque<Instant>,
    in_flight: u32,
}

#[derive(Default)]
struct Windows {
    realms: HashMap<String, Realm>,
    in_flight: u32,
}

/// Which throttle a request met.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The realm's minute.
    Minute,
    /// The realm's report minute.
    Reports,
    /// The app's concurrent requests.
    Concurrent,
    /// The realm's concurrent requests.
    RealmConcurrent,
}

/// How many requests were in flight when one was admitted (it included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InFlight {
    /// Across the app.
    pub app: u32,
    /// For the request's realm.
    pub realm: u32,
}

pub struct Limiter {
    pub limits: Limits,
    windows: Mutex<Windows>,
}

fn prune(q: &mut VecDeque<Instant>, window: Duration, now: Instant) {
    while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
        q.pop_front();
    }
}

impl Limiter {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            windows: Mutex::new(Windows::default()),
        }
    }

    /// Counts a request for `realm`; with `enforce` off it is only counted in flight.
    /// Returns the numbers in flight (this one included).
    pub fn admit(&self, realm: &str, report: bool, enforce: bool) -> Result<InFlight, Problem> {
        let now = Instant::now();
        let l = &self.limits;
        let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let app_full = w.in_flight >= l.app_concurrent;
        let r = w.realms.entry(realm.to_string()).or_default();
        if enforce {
            if app_full {
                return Err(Problem::Concurrent);
            }
            if r.in_flight >= l.realm_concurrent {
                return Err(Problem::RealmConcurrent);
            }
            prune(&mut r.minute, l.minute, now);
            prune(&mut r.reports, l.minute, now);
            if r.minute.len() as u32 >= l.per_minute {
                return Err(Problem::Minute);
            }
            if report && r.reports.len() as u32 >= l.reports_per_minute {
                return Err(Problem::Reports);
            }
            r.minute.push_back(now);
            if report {
                r.reports.push_back(now);
            }
        }
        r.in_flight += 1;
        let realm_in_flight = r.in_flight;
        w.in_flight += 1;
        Ok(InFlight {
            app: w.in_flight,
            realm: realm_in_flight,
        })
    }

    /// A request admitted for `realm` has finished.
    pub fn release(&self, realm: &str) {
        let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        w.in_flight = w.in_flight.saturating_sub(1);
        if let Some(r) = w.realms.get_mut(realm) {
            r.in_flight = r.in_flight.saturating_sub(1);
        }
    }
}
