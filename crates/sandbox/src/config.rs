//! What to generate: seed, size, span and how the books evolve between syncs.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use crate::rng::mix64;

/// How big the books are. The record counts are targets for the default 24-month span; the
/// monthly volume scales so a longer or shorter span keeps about the same total.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Size {
    /// About 1,000 records: a sole trader.
    Small,
    /// About 50,000 records: a busy small business.
    Medium,
    /// About 1,000,000 records: a wholesaler with thousands of customers.
    Large,
}

impl Size {
    /// Every size, smallest first.
    pub const ALL: [Size; 3] = [Size::Small, Size::Medium, Size::Large];

    /// The name used on the wire (`"small"`, `"medium"`, `"large"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }

    /// The approximate number of records over the default span.
    pub fn target_records(self) -> u64 {
        match self {
            Size::Small => 1_000,
            Size::Medium => 50_000,
            Size::Large => 1_000_000,
        }
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Size {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "small" => Ok(Size::Small),
            "medium" => Ok(Size::Medium),
            "large" => Ok(Size::Large),
            _ => Err(ConfigError::UnknownSize(s.to_string())),
        }
    }
}

/// The seed of a data set. Any text is a seed: a decimal number is used as is, anything
/// else is hashed, so `"42"` and `42` are the same books and `"acme"` is a valid seed too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Seed(pub u64);

impl Seed {
    /// The seed for a piece of text; see the type's docs.
    pub fn from_text(text: &str) -> Self {
        let trimmed = text.trim();
        if let Ok(n) = trimmed.parse::<u64>() {
            return Seed(n);
        }
        // FNV-1a, then a final mix: stable and independent of the platform.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in trimmed.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        Seed(mix64(hash))
    }
}

impl From<u64> for Seed {
    fn from(value: u64) -> Self {
        Seed(value)
    }
}

/// A configuration the generator cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The size is not `small`, `medium` or `large`.
    #[error("unknown size `{0}`: use small, medium or large")]
    UnknownSize(String),
    /// The span is outside 1..=120 months.
    #[error("the span must be between 1 and 120 months, not {0}")]
    Months(u32),
    /// The start date is not the first day of a month, or is out of range.
    #[error("the start date must be the first day of a month between 1990 and 2100, not {0}")]
    Start(NaiveDate),
    /// The sync interval is outside 1..=90 days.
    #[error("the sync interval must be between 1 and 90 days, not {0}")]
    SyncInterval(u32),
    /// The financial year cannot start in that month.
    #[error("the financial year must start in month 1 to 12, not {0}")]
    FinancialYear(u32),
}

/// Everything the books depend on. Two equal configurations always give the same books.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The seed; see [`Seed`].
    pub seed: Seed,
    /// How many records to aim for.
    pub size: Size,
    /// First day of the books (the opening balances are dated here). Must be the first of a
    /// month.
    pub start: NaiveDate,
    /// How many months of history the first sync sees.
    pub months: u32,
    /// Days of new activity each later sync sees.
    pub sync_interval_days: u32,
    /// Month (1–12) the financial year starts in.
    pub financial_year_start_month: u32,
}

impl Config {
    /// The default books for a seed and size: 24 months from 2024-01-01, a sync a week, a
    /// financial year starting in April (as most UK small companies').
    pub fn new(seed: impl Into<Seed>, size: Size) -> Self {
        Self {
            seed: seed.into(),
            size,
            start: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
            months: 24,
            sync_interval_days: 7,
            financial_year_start_month: 4,
        }
    }

    /// The same configuration with another start date.
    pub fn with_start(mut self, start: NaiveDate) -> Self {
        self.start = start;
        self
    }

    /// The same configuration with another span.
    pub fn with_months(mut self, months: u32) -> Self {
        self.months = months;
        self
    }

    /// The same configuration with another sync interval.
    pub fn with_sync_interval_days(mut self, days: u32) -> Self {
        self.sync_interval_days = days;
        self
    }

    /// Checks the ranges documented on each field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=120).contains(&self.months) {
            return Err(ConfigError::Months(self.months));
        }
        if self.start.day() != 1 || !(1990..=2100).contains(&self.start.year()) {
            return Err(ConfigError::Start(self.start));
        }
        if !(1..=90).contains(&self.sync_interval_days) {
            return Err(ConfigError::SyncInterval(self.sync_interval_days));
        }
        if !(1..=12).contains(&self.financial_year_start_month) {
            return Err(ConfigError::FinancialYear(self.financial_year_start_month));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_from_text() {
        assert_eq!(Seed::from_text("42"), Seed(42));
        assert_eq!(Seed::from_text(" 42 "), Seed(42));
        assert_eq!(Seed::from_text("acme"), Seed::from_text("acme"));
        assert_ne!(Seed::from_text("acme"), Seed::from_text("acme2"));
    }

    #[test]
    fn validation() {
        let ok = Config::new(1, Size::Small);
        assert_eq!(ok.validate(), Ok(()));
        assert!(ok.clone().with_months(0).validate().is_err());
        let mid_month = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap_or_default();
        assert!(ok.clone().with_start(mid_month).validate().is_err());
        assert!(ok.with_sync_interval_days(0).validate().is_err());
        assert_eq!("Large".parse::<Size>(), Ok(Size::Large));
        assert!("huge".parse::<Size>().is_err());
    }
}
