//! Xero's rate limits: per tenant 60 calls in any rolling minute, 5 in flight and 5,000 a
//! day; per app 10,000 a minute. The "minute" and "day" are configurable so tests run in
//! seconds.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The limits the simulator enforces.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Calls per tenant per rolling minute.
    pub per_minute: u32,
    /// Calls per tenant in flight at once.
    pub concurrent: u32,
    /// Calls per tenant per rolling day.
    pub per_day: u32,
    /// Calls per app per rolling minute (all tenants).
    pub app_per_minute: u32,
    /// How long a "minute" lasts (tests: seconds).
    pub minute: Duration,
    /// How long a "day" lasts.
    pub day: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_minute: 60,
            concurrent: 5,
            per_day: 5_000,
            app_per_minute: 10_000,
            minute: Duration::from_secs(60),
            day: Duration::from_secs(24 * 3600),
        }
    }
}

#[derive(Default)]
struct Tenant {
    minute: VecDeque<Instant>,
    day: VecDeque<Instant>,
    in_flight: u32,
}

#[derive(Default)]
struct Windows {
    tenants: HashMap<String, Tenant>,
    app: VecDeque<Instant>,
}

/// Which limit a call broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    Minute,
    Day,
    Concurrent,
    AppMinute,
}

impl Problem {
    /// `X-Rate-Limit-Problem`.
    pub fn header(self) -> &'static str {
        match self {
            Problem::Minute => "minute",
            Problem::Day => "day",
            Problem::Concurrent => "concurrent",
            Problem::AppMinute => "appminute",
        }
    }
}

/// Remaining budgets after a call, for the response headers.
#[derive(Clone, Copy, Debug)]
pub struct Remaining {
    pub minute: u32,
    pub day: u32,
    pub app_minute: u32,
}

/// A refusal: what broke and how long until it would not.
#[derive(Clone, Copy, Debug)]
pub struct Refusal {
    pub problem: Problem,
    pub retry_after: Duration,
    pub remaining: Remaining,
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

fn wait(q: &VecDeque<Instant>, window: Duration, now: Instant) -> Duration {
    q.front()
        .map(|t| (*t + window).saturating_duration_since(now))
        .unwrap_or_default()
}

impl Limiter {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            windows: Mutex::new(Windows::default()),
        }
    }

    /// Counts a call for `tenant` (`None`: a tenantless call such as `/connections`). With
    /// `enforce` off the call is not counted and the headers show the whole budget.
    pub fn admit(&self, tenant: Option<&str>, enforce: bool) -> Result<Remaining, Refusal> {
        let now = Instant::now();
        let l = &self.limits;
        if !enforce {
            let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(tenant) = tenant {
                w.tenants.entry(tenant.to_string()).or_default().in_flight += 1;
            }
            return Ok(Remaining {
                minute: l.per_minute,
                day: l.per_day,
                app_minute: l.app_per_minute,
            });
        }
        let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        prune(&mut w.app, l.minute, now);
        let app_remaining = l.app_per_minute.saturating_sub(w.app.len() as u32);
        let Some(tenant) = tenant else {
            if enforce && app_remaining == 0 {
                return Err(Refusal {
                    problem: Problem::AppMinute,
                    retry_after: wait(&w.app, l.minute, now),
                    remaining: Remaining {
                        minute: 0,
                        day: 0,
                        app_minute: 0,
                    },
                });
            }
            w.app.push_back(now);
            return Ok(Remaining {
                minute: 0,
                day: 0,
                app_minute: app_remaining.saturating_sub(1),
            });
        };
        let app_len = w.app.len() as u32;
        let t = w.tenants.entry(tenant.to_string()).or_default();
        prune(&mut t.minute, l.minute, now);
        prune(&mut t.day, l.day, now);
        let remaining = Remaining {
            minute: l.per_minute.saturating_sub(t.minute.len() as u32),
            day: l.per_day.saturating_sub(t.day.len() as u32),
            app_minute: l.app_per_minute.saturating_sub(app_len),
        };
        if enforce {
            let refusal = if remaining.day == 0 {
                Some((Problem::Day, wait(&t.day, l.day, now)))
            } else if remaining.minute == 0 {
                Some((Problem::Minute, wait(&t.minute, l.minute, now)))
            } else if t.in_flight >= l.concurrent {
                Some((Problem::Concurrent, Duration::from_secs(1)))
            } else if remaining.app_minute == 0 {
                Some((Problem::AppMinute, Duration::from_secs(1)))
            } else {
                None
            };
            if let Some((problem, retry_after)) = refusal {
                return Err(Refusal {
                    problem,
                    retry_after,
                    remaining,
                });
            }
        }
        t.minute.push_back(now);
        t.day.push_back(now);
        t.in_flight += 1;
        w.app.push_back(now);
        Ok(Remaining {
            minute: remaining.minute.saturating_sub(1),
            day: remaining.day.saturating_sub(1),
            app_minute: remaining.app_minute.saturating_sub(1),
        })
    }

    /// Calls in flight for `tenant` after admitting one.
    pub fn in_flight(&self, tenant: &str) -> u32 {
        let w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        w.tenants.get(tenant).map_or(0, |t| t.in_flight)
    }

    /// A call admitted for `tenant` has finished.
    pub fn release(&self, tenant: &str) {
        let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = w.tenants.get_mut(tenant) {
            t.in_flight = t.in_flight.saturating_sub(1);
        }
    }
}
