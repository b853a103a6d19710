//! Date-times as the query language compares them.
//!
//! Codat writes dates in four forms: `2022-10-23`, zone-less `2021-01-01T00:00:00`, UTC
//! `2020-10-08T22:40:50Z` and with an offset `2021-11-15T01:00:00-05:00`, each time form with an
//! optional fraction of any length (`.1950523`). Stored values and query values are both
//! normalised to **milliseconds since 1970-01-01T00:00:00 UTC**:
//!
//! - a date-only value is midnight of that day;
//! - a value with `Z` or an offset is converted to UTC;
//! - a zone-less value is taken as written, as if it were UTC;
//! - the fraction is **truncated** to milliseconds (`.1959` is `.195`).
//!
//! The accepted grammar (ASCII, uppercase `T` and `Z` only) is
//!
//! ```text
//! YYYY-MM-DD [ T hh:mm:ss [ .f+ ] [ Z | (+|-)hh:mm ] ]
//! ```
//!
//! with month `01`–`12`, day `01`–`31`, hour `00`–`23`, minute and second `00`–`59` (the
//! offset's hour `00`–`23`). For *stored* values the day is not checked against the month: a
//! `2021-02-30` in a document counts as 2021-03-02, the same on every backend (the SQL
//! lowering in `ledgerbridge-store` applies exactly this grammar and arithmetic). A *query*
//! value must also be a real calendar date, or the query is malformed.
//!
//! A stored string that does not match the grammar is not a date: comparisons treat the field
//! as missing.

/// Milliseconds in a day.
pub const MILLIS_PER_DAY: i64 = 86_400_000;

/// Days from 1970-01-01 to the given proleptic Gregorian date (negative before it).
///
/// Howard Hinnant's `days_from_civil`. Out-of-range days roll over into the next month, as the
/// SQL lowering's arithmetic does.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Shifted by 400 years (one full era) so every division below is of a non-negative
    // number, exactly as the SQL version must be.
    let y = year - i64::from(month <= 2) + 400;
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 - 146_097
}

/// The pieces of a date-time string that matched the grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Parts {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    millis: i64,
    /// Offset east of UTC in minutes (0 for `Z` and for zone-less values).
    offset_minutes: i64,
}

fn num(s: &[u8]) -> Option<i64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0i64, |acc, b| acc * 10 + i64::from(b - b'0')))
}

fn in_range(v: i64, lo: i64, hi: i64) -> Option<i64> {
    (lo..=hi).contains(&v).then_some(v)
}

fn parse_parts(s: &str) -> Option<Parts> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = num(&b[0..4])?;
    let month = in_range(num(&b[5..7])?, 1, 12)?;
    let day = in_range(num(&b[8..10])?, 1, 31)?;
    let mut p = Parts {
        year,
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
        millis: 0,
        offset_minutes: 0,
    };
    if b.len() == 10 {
        return Some(p);
    }
    if b.len() < 19 || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    p.hour = in_range(num(&b[11..13])?, 0, 23)?;
    p.minute = in_range(num(&b[14..16])?, 0, 59)?;
    p.second = in_range(num(&b[17..19])?, 0, 59)?;
    let mut rest = &b[19..];
    // The zone, if any, is at the end: `Z` or `±hh:mm`.
    if let Some(r) = rest.strip_suffix(b"Z") {
        rest = r;
    } else if rest.len() >= 6
        && matches!(rest[rest.len() - 6], b'+' | b'-')
        && rest[rest.len() - 3] == b':'
    {
        let z = &rest[rest.len() - 6..];
        let oh = in_range(num(&z[1..3])?, 0, 23)?;
        let om = in_range(num(&z[4..6])?, 0, 59)?;
        let sign = if z[0] == b'-' { -1 } else { 1 };
        p.offset_minutes = sign * (oh * 60 + om);
        rest = &rest[..rest.len() - 6];
    }
    if !rest.is_empty() {
        let frac = rest.strip_prefix(b".")?;
        // One or more digits, of any length (only the first three count).
        if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut ms = 0;
        for i in 0..3 {
            ms = ms * 10 + frac.get(i).map_or(0, |d| i64::from(d - b'0'));
        }
        p.millis = ms;
    }
    Some(p)
}

fn to_millis(p: Parts) -> i64 {
    days_from_civil(p.year, p.month, p.day) * MILLIS_PER_DAY
        + p.hour * 3_600_000
        + p.minute * 60_000
        + p.second * 1_000
        + p.millis
        - p.offset_minutes * 60_000
}

/// Reads a date-time stored in a document, in any of the four forms, as UTC milliseconds.
/// `None` if the text is not a date-time in the grammar above.
pub fn parse_stored(s: &str) -> Option<i64> {
    parse_parts(s).map(to_millis)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Reads a date-time written in a query, as UTC milliseconds: the stored grammar, and the day
/// must exist in its month.
pub fn parse_query(s: &str) -> Option<i64> {
    let p = parse_parts(s)?;
    (p.day <= days_in_month(p.year, p.month)).then(|| to_millis(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_forms() {
        assert_eq!(parse_stored("1970-01-01"), Some(0));
        assert_eq!(parse_stored("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_stored("1970-01-01T00:00:00.0009"), Some(0));
        assert_eq!(parse_stored("1970-01-01T00:00:01.1959999Z"), Some(1195));
        assert_eq!(parse_stored("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_stored("1969-12-31T19:00:00-05:00"), Some(0));
        assert_eq!(
            parse_stored("2021-11-15T01:00:00-05:00"),
            parse_stored("2021-11-15T06:00:00Z")
        );
        assert_eq!(
            parse_stored("2022-10-23"),
            parse_stored("2022-10-23T00:00:00.000")
        );
        assert_eq!(
            parse_stored("0000-01-01"),
            Some(days_from_civil(0, 1, 1) * MILLIS_PER_DAY)
        );
    }

    #[test]
    fn matches_chrono() {
        use chrono::{Datelike, NaiveDate};
        let mut d = NaiveDate::from_ymd_opt(1, 1, 1).expect("date");
        let end = NaiveDate::from_ymd_opt(9999, 12, 31).expect("date");
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("date");
        while d < end {
            let want = (d - epoch).num_days();
            assert_eq!(
                days_from_civil(
                    i64::from(d.year()),
                    i64::from(d.month()),
                    i64::from(d.day())
                ),
                want,
                "{d}"
            );
            d = d + chrono::Days::new(13);
        }
    }

    #[test]
    fn rejects_other_shapes() {
        for s in [
            "",
            "2021",
            "2021-1-01",
            "2021-13-01",
            "2021-00-10",
            "2021-01-32",
            "2021-01-01T",
            "2021-01-01T10:00",
            "2021-01-01 10:00:00",
            "2021-01-01T24:00:00",
            "2021-01-01T10:60:00",
            "2021-01-01T10:00:60",
            "2021-01-01T10:00:00.",
            "2021-01-01T10:00:00z",
            "2021-01-01t10:00:00",
            "2021-01-01T10:00:00+0100",
            "2021-01-01T10:00:00+24:00",
            "2021-01-01T10:00:00.12a",
            "2021-01-01Z",
            "２０２１-01-01",
            "2021-01-01T10:00:00Z ",
            " 2021-01-01",
            "2021-01-01T10:00:00.5+01:00Z",
        ] {
            assert_eq!(parse_stored(s), None, "{s:?}");
        }
    }

    #[test]
    fn query_dates_must_exist() {
        assert!(parse_query("2021-02-28").is_some());
        assert!(parse_query("2020-02-29").is_some());
        assert!(parse_query("2021-02-29").is_none());
        assert!(parse_query("2021-04-31T00:00:00Z").is_none());
        assert_eq!(parse_stored("2021-02-29"), parse_stored("2021-03-01"));
    }
}
