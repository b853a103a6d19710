//! What the Xero and QuickBooks statement fetches share: the month each page reads, and the
//! watermark that lets an incremental sync skip the reports when the books have not changed.
//!
//! A statement (`balanceSheet`, `profitAndLoss`) is read one monthly report per page, newest
//! month first. Its watermark says in which month that read was made and when it began. The
//! next sync in the same month asks the platform once whether any transaction changed since
//! (Xero: `Journals` with `If-Modified-Since`; QuickBooks: change data capture): when none did,
//! every month it would read is as stored, and the sync ends after that one call. A new month,
//! a change, or a watermark it cannot read means reading every month again.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::connector::{ConnectorError, FetchPage};

/// The first and last day of the calendar month `k` months before the one holding `today`.
pub(crate) fn month(today: NaiveDate, k: u32) -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let from = first
        .checked_sub_months(chrono::Months::new(k))
        .unwrap_or(first);
    let to = from
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(from);
    (from, to)
}

/// A statement read's watermark: `stmt:<first day of the month read in>:<months read>:<when
/// it began>`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Mark {
    /// The first day of the month the read was made in.
    pub month: NaiveDate,
    /// How many months it read (`monthsToSync`).
    pub months: u32,
    /// When the read began (less the platform's clock skew): changes from then on are unseen.
    pub began: DateTime<Utc>,
}

impl Mark {
    pub(crate) fn render(&self) -> String {
        format!("stmt:{}:{}:{}", self.month, self.months, stamp(self.began))
    }

    /// The watermark of a previous read, if `since` is one this module wrote.
    pub(crate) fn parse(since: Option<&str>) -> Option<Self> {
        let mut parts = since?.strip_prefix("stmt:")?.splitn(3, ':');
        let (month, months, began) = (parts.next()?, parts.next()?, parts.next()?);
        Some(Self {
            month: NaiveDate::parse_from_str(month, "%Y-%m-%d").ok()?,
            months: months.parse().ok()?,
            began: DateTime::parse_from_rfc3339(began)
                .ok()?
                .with_timezone(&Utc),
        })
    }

    /// The watermark `since` if it is a read of the same `months` made in the month holding
    /// `today`: one the books may leave as it is.
    pub(crate) fn current(since: Option<&str>, today: NaiveDate, months: u32) -> Option<Self> {
        Self::parse(since).filter(|m| m.month == month(today, 0).0 && m.months == months)
    }
}

/// The one page of a statement read that found the books unchanged since its watermark: no
/// records, and the watermark moved to `began`.
pub(crate) fn unchanged(today: NaiveDate, months: u32, began: DateTime<Utc>) -> FetchPage {
    FetchPage {
        watermark: Some(watermark(today, months, Some(began))),
        estimated_total: Some(0),
        ..FetchPage::default()
    }
}

/// Where a statement read is: `m:<month index>:<when the read began>`. (`m:<index>` alone, as
/// an earlier version wrote, continues the read without a watermark at its end.)
pub(crate) fn cursor(k: u32, began: Option<DateTime<Utc>>) -> String {
    match began {
        Some(b) => format!("m:{k}:{}", stamp(b)),
        None => format!("m:{k}"),
    }
}

pub(crate) fn parse_cursor(
    platform: &str,
    c: &str,
) -> Result<(u32, Option<DateTime<Utc>>), ConnectorError> {
    let unknown = || ConnectorError::Malformed(format!("unknown {platform} cursor `{c}`"));
    let rest = c.strip_prefix("m:").ok_or_else(unknown)?;
    let (k, began) = match rest.split_once(':') {
        Some((k, b)) => (
            k,
            Some(
                DateTime::parse_from_rfc3339(b)
                    .map_err(|_| unknown())?
                    .with_timezone(&Utc),
            ),
        ),
        None => (rest, None),
    };
    Ok((k.parse().map_err(|_| unknown())?, began))
}

/// The watermark at the end of a read of `months` that began at `began` (`full` for a read
/// resumed from a cursor without it: the next sync reads every month).
pub(crate) fn watermark(today: NaiveDate, months: u32, began: Option<DateTime<Utc>>) -> String {
    match began {
        Some(began) => Mark {
            month: month(today, 0).0,
            months,
            began,
        }
        .render(),
        None => "full".into(),
    }
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn months_count_back_from_the_one_holding_today() {
        assert_eq!(
            month(day("2026-03-31"), 0),
            (day("2026-03-01"), day("2026-03-31"))
        );
        assert_eq!(
            month(day("2026-03-31"), 1),
            (day("2026-02-01"), day("2026-02-28"))
        );
        assert_eq!(
            month(day("2026-01-15"), 13),
            (day("2024-12-01"), day("2024-12-31"))
        );
    }

    #[test]
    fn marks_and_cursors_read_back() {
        let began = DateTime::parse_from_rfc3339("2026-11-29T13:05:07Z")
            .expect("time")
            .with_timezone(&Utc);
        let w = watermark(day("2026-11-29"), 24, Some(began));
        let mark = Mark::current(Some(&w), day("2026-11-01"), 24).expect("mark");
        assert_eq!(mark.began, began);
        assert_eq!(Mark::current(Some(&w), day("2026-12-01"), 24), None);
        assert_eq!(Mark::current(Some(&w), day("2026-11-01"), 12), None);
        assert_eq!(Mark::parse(Some("full")), None);
        assert_eq!(Mark::parse(Some("stmt:2026-11-01:24:yesterday")), None);
        assert_eq!(
            Mark::parse(Some("stmt:2026-11-01:2026-11-29T13:05:07Z")),
            None
        );
        assert_eq!(
            parse_cursor("Xero", &cursor(7, Some(began))).ok(),
            Some((7, Some(began)))
        );
        assert_eq!(parse_cursor("Xero", "m:3").ok(), Some((3, None)));
        assert!(parse_cursor("Xero", "p:3").is_err());
        assert!(parse_cursor("Xero", "m:x").is_err());
    }
}
