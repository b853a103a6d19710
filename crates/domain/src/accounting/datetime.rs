//! Dates and date-times on accounting records, in whichever of Codat's forms the source used.
//!
//! Codat passes through what the accounting platform gives it, so one field can hold any of
//! four shapes:
//!
//! | form | example | meaning |
//! |---|---|---|
//! | UTC | `2020-10-08T22:40:50Z` | an instant |
//! | offset | `2021-11-15T01:00:00-05:00` | an instant, with the business's offset |
//! | zone-less | `2021-01-01T00:00:00` | the business's local wall-clock time |
//! | date only | `2022-10-23` | a calendar day |
//!
//! Times may carry a fraction of 1 to 7 digits (`2022-11-10T10:45:18.1950523Z`).
//! [`CodatDateTime`] accepts exactly these (uppercase `T` and `Z`, a real calendar date, hours
//! `00`–`23`, no leap second) and writes each value back exactly as it was read.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Most fractional-second digits accepted (100 ns, the precision Codat's examples show).
pub const MAX_FRACTION_DIGITS: usize = 7;

/// Which of the four forms a value was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateTimeForm {
    /// `2022-10-23`.
    Date,
    /// `2021-01-01T00:00:00`: local time of the business, zone unknown.
    Local,
    /// `2020-10-08T22:40:50Z`.
    Utc,
    /// `2021-11-15T01:00:00-05:00` (also `+00:00`, which is kept as written).
    Offset(FixedOffset),
}

/// A date or date-time as Codat writes it, remembering its exact text.
///
/// Equality compares the text: `2021-01-01T00:00:00Z` and `2021-01-01T00:00:00+00:00` are
/// the same instant but different values. Use [`CodatDateTime::to_utc`] to compare instants.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CodatDateTime {
    text: String,
    /// The wall-clock reading as written (midnight for a date-only value).
    local: NaiveDateTime,
    form: DateTimeForm,
}

/// The text is not a date or date-time in one of Codat's forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a date (`2022-10-23`) or date-time (`2020-10-08T22:40:50Z`, \
     `2021-01-01T00:00:00`, `2021-11-15T01:00:00-05:00`)"
)]
pub struct DateTimeError(pub String);

impl CodatDateTime {
    /// Parses one of the four forms; see the module docs for the exact grammar.
    pub fn parse(text: &str) -> Result<Self, DateTimeError> {
        parse(text).ok_or_else(|| DateTimeError(text.to_string()))
    }

    /// A date-only value, `2022-10-23`.
    pub fn from_date(date: NaiveDate) -> Self {
        let local = date.and_time(NaiveTime::MIN);
        Self {
            text: date.format("%Y-%m-%d").to_string(),
            local,
            form: DateTimeForm::Date,
        }
    }

    /// A zone-less local time, `2021-01-01T00:00:00`. The fraction is truncated to 100 ns
    /// and written without trailing zeros (none at all when it is zero).
    pub fn from_local(local: NaiveDateTime) -> Self {
        let local = truncate(local);
        Self {
            text: format_local(&local),
            local,
            form: DateTimeForm::Local,
        }
    }

    /// A UTC instant, `2020-10-08T22:40:50Z`, with the fraction as in [`Self::from_local`].
    pub fn from_utc(instant: DateTime<Utc>) -> Self {
        let local = truncate(instant.naive_utc());
        Self {
            text: {
                let mut text = format_local(&local);
                text.push('Z');
                text
            },
            local,
            form: DateTimeForm::Utc,
        }
    }

    /// An instant with its offset, `2021-11-15T01:00:00-05:00` (a zero offset is written
    /// `+00:00`; use [`Self::from_utc`] for `Z`).
    pub fn from_offset(instant: DateTime<FixedOffset>) -> Self {
        let local = truncate(instant.naive_local());
        let offset = *instant.offset();
        Self {
            text: format!("{}{}", format_local(&local), offset),
            local,
            form: DateTimeForm::Offset(offset),
        }
    }

    /// The text exactly as read or written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Which form the value is in.
    pub fn form(&self) -> DateTimeForm {
        self.form
    }

    /// The calendar day as written (not converted to UTC).
    pub fn date(&self) -> NaiveDate {
        self.local.date()
    }

    /// The wall-clock reading as written, ignoring any zone; midnight for a date.
    pub fn naive_local(&self) -> NaiveDateTime {
        self.local
    }

    /// The instant, for values that carry `Z` or an offset; `None` for zone-less and
    /// date-only values, whose instant depends on the business's time zone.
    pub fn to_utc(&self) -> Option<DateTime<Utc>> {
        match self.form {
            DateTimeForm::Utc => Some(Utc.from_utc_datetime(&self.local)),
            DateTimeForm::Offset(offset) => offset
                .from_local_datetime(&self.local)
                .single()
                .map(|dt| dt.with_timezone(&Utc)),
            DateTimeForm::Date | DateTimeForm::Local => None,
        }
    }

    /// The instant, taking zone-less and date-only values as UTC. This is how the query
    /// language compares dates, so sorting by it matches `orderBy`.
    pub fn to_utc_lenient(&self) -> DateTime<Utc> {
        self.to_utc()
            .unwrap_or_else(|| Utc.from_utc_datetime(&self.local))
    }
}

fn truncate(local: NaiveDateTime) -> NaiveDateTime {
    let nanos = local.nanosecond() % 1_000_000_000;
    local.with_nanosecond(nanos - nanos % 100).unwrap_or(local)
}

/// `2021-01-01T00:00:00` with the fraction as in [`CodatDateTime::from_local`], and room for a
/// zone to follow. Written digit by digit: connectors write several per record, and
/// `chrono`'s `format` parses its pattern every time.
fn format_local(local: &NaiveDateTime) -> String {
    let mut text = String::with_capacity(34);
    let year = local.year();
    match u32::try_from(year) {
        Ok(y) if y <= 9999 => push_digits(&mut text, y, 4),
        // Beyond four digits chrono writes the sign and every digit.
        _ => text.push_str(&local.format("%Y").to_string()),
    }
    for (separator, value) in [
        ('-', local.month()),
        ('-', local.day()),
        ('T', local.hour()),
        (':', local.minute()),
        (':', local.second()),
    ] {
        text.push(separator);
        push_digits(&mut text, value, 2);
    }
    let nanos = local.nanosecond();
    if nanos != 0 {
        let mut fraction = String::with_capacity(MAX_FRACTION_DIGITS);
        push_digits(&mut fraction, nanos / 100, MAX_FRACTION_DIGITS);
        text.push('.');
        text.push_str(fraction.trim_end_matches('0'));
    }
    text
}

/// Appends the last `width` decimal digits of `value`, zero-padded.
fn push_digits(text: &mut String, value: u32, width: usize) {
    for place in (0..width).rev() {
        let digit = value / 10u32.pow(place as u32) % 10;
        text.push(char::from(b'0' + digit as u8));
    }
}

/// Fixed-width unsigned decimal field.
fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        bytes
            .iter()
            .fold(0, |acc, b| acc * 10 + u32::from(b - b'0')),
    )
}

fn parse(text: &str) -> Option<CodatDateTime> {
    let b = text.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(&b[0..4])?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, digits(&b[5..7])?, digits(&b[8..10])?)?;
    if b.len() == 10 {
        return Some(CodatDateTime {
            text: text.to_string(),
            local: date.and_time(NaiveTime::MIN),
            form: DateTimeForm::Date,
        });
    }
    // `Thh:mm:ss`
    if b.len() < 19 || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (hour, minute, second) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    let mut rest = &b[19..];
    let mut nanos = 0;
    if let Some(after_dot) = rest.strip_prefix(b".") {
        let len = after_dot.iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 || len > MAX_FRACTION_DIGITS {
            return None;
        }
        nanos = digits(&after_dot[..len])? * 10u32.pow(9 - len as u32);
        rest = &after_dot[len..];
    }
    // Seconds of 60 are refused (`from_hms_nano_opt` would read them as a leap second).
    if second > 59 {
        return None;
    }
    let local = date.and_time(NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?);
    let form = match rest {
        [] => DateTimeForm::Local,
        [b'Z'] => DateTimeForm::Utc,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i32::try_from(hours * 3600 + minutes * 60).ok()?;
            let offset = if *sign == b'+' {
                FixedOffset::east_opt(seconds)
            } else {
                FixedOffset::west_opt(seconds)
            }?;
            DateTimeForm::Offset(offset)
        }
        _ => return None,
    };
    Some(CodatDateTime {
        text: text.to_string(),
        local,
        form,
    })
}

impl fmt::Display for CodatDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for CodatDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CodatDateTime({})", self.text)
    }
}

impl FromStr for CodatDateTime {
    type Err = DateTimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<NaiveDate> for CodatDateTime {
    fn from(date: NaiveDate) -> Self {
        Self::from_date(date)
    }
}

impl From<DateTime<Utc>> for CodatDateTime {
    fn from(instant: DateTime<Utc>) -> Self {
        Self::from_utc(instant)
    }
}

impl Serialize for CodatDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for CodatDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = CodatDateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Codat date or date-time string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                CodatDateTime::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> CodatDateTime {
        CodatDateTime::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn local_text_is_chronos_pattern_digit_for_digit() {
        for (y, mo, d, h, mi, sec, nanos) in [
            (2024, 3, 1, 0, 0, 0, 0),
            (1, 1, 1, 9, 5, 7, 100),
            (0, 12, 31, 23, 59, 59, 999_999_900),
            (9999, 6, 15, 12, 30, 45, 120_000_000),
            (10000, 1, 1, 0, 0, 0, 0),
            (-5, 1, 1, 0, 0, 0, 0),
        ] {
            let local = NaiveDate::from_ymd_opt(y, mo, d)
                .and_then(|date| date.and_hms_nano_opt(h, mi, sec, nanos))
                .expect("valid");
            let mut expected = local.format("%Y-%m-%dT%H:%M:%S").to_string();
            if nanos != 0 {
                expected.push('.');
                expected.push_str(format!("{:07}", nanos / 100).trim_end_matches('0'));
            }
            assert_eq!(format_local(&local), expected);
            assert_eq!(
                CodatDateTime::from_utc(local.and_utc()).as_str(),
                format!("{expected}Z")
            );
        }
    }

    #[test]
    fn each_form_round_trips_exactly() {
        for (text, form) in [
            ("2020-10-08T22:40:50Z", DateTimeForm::Utc),
            ("2021-01-01T00:00:00", DateTimeForm::Local),
            (
                "2021-11-15T01:00:00-05:00",
                DateTimeForm::Offset(FixedOffset::west_opt(5 * 3600).expect("valid")),
            ),
            ("2022-10-23", DateTimeForm::Date),
            ("2022-11-10T10:45:18.1950523Z", DateTimeForm::Utc),
            ("2022-11-10T10:45:18.1950520Z", DateTimeForm::Utc),
            ("2022-11-10T10:45:18.5", DateTimeForm::Local),
            (
                "2023-03-31T23:59:59.123+00:00",
                DateTimeForm::Offset(FixedOffset::east_opt(0).expect("valid")),
            ),
            (
                "2024-02-29T12:00:00+05:30",
                DateTimeForm::Offset(FixedOffset::east_opt(19800).expect("valid")),
            ),
            ("0001-01-01T00:00:00", DateTimeForm::Local),
        ] {
            let value = parse_ok(text);
            assert_eq!(value.form(), form, "{text}");
            assert_eq!(value.as_str(), text);
            let json = serde_json::to_string(&value).expect("serialises");
            assert_eq!(json, format!("\"{text}\""));
            let back: CodatDateTime = serde_json::from_str(&json).expect("parses");
            assert_eq!(back, value);
        }
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "2022",
            "2022-1-01",
            "2022-13-01",
            "2022-02-30",
            "2023-02-29",
            "22-10-23",
            "2022/10/23",
            "2022-10-23T",
            "2022-10-23 10:00:00",
            "2022-10-23t10:00:00",
            "2022-10-23T10:00:00z",
            "2022-10-23T10:00",
            "2022-10-23T24:00:00",
            "2022-10-23T10:60:00",
            "2022-10-23T10:00:60",
            "2022-10-23T10:00:00.",
            "2022-10-23T10:00:00.12345678Z",
            "2022-10-23T10:00:00+0500",
            "2022-10-23T10:00:00+05",
            "2022-10-23T10:00:00+24:00",
            "2022-10-23T10:00:00+05:60",
            "2022-10-23T10:00:00ZZ",
            "2022-10-23T10:00:00 ",
            " 2022-10-23",
            "2022-10-23X",
            "+2022-10-23",
            "２０２２-10-23",
        ] {
            assert!(CodatDateTime::parse(bad).is_err(), "accepted {bad:?}");
        }
        assert!(serde_json::from_str::<CodatDateTime>("20221023").is_err());
        assert!(serde_json::from_str::<CodatDateTime>("null").is_err());
    }

    #[test]
    fn constructors_write_the_expected_form() {
        let date = NaiveDate::from_ymd_opt(2022, 10, 23).expect("valid");
        assert_eq!(CodatDateTime::from_date(date).as_str(), "2022-10-23");

        let local = date.and_hms_opt(9, 5, 0).expect("valid");
        assert_eq!(
            CodatDateTime::from_local(local).as_str(),
            "2022-10-23T09:05:00"
        );
        let precise = date.and_hms_nano_opt(9, 5, 0, 195_052_399).expect("valid");
        assert_eq!(
            CodatDateTime::from_local(precise).as_str(),
            "2022-10-23T09:05:00.1950523"
        );

        let utc = Utc.from_utc_datetime(&date.and_hms_milli_opt(22, 40, 50, 500).expect("valid"));
        let value = CodatDateTime::from_utc(utc);
        assert_eq!(value.as_str(), "2022-10-23T22:40:50.5Z");
        assert_eq!(value.to_utc(), Some(utc));
        assert_eq!(parse_ok(value.as_str()), value);

        let offset = FixedOffset::west_opt(5 * 3600).expect("valid");
        let instant = offset
            .from_local_datetime(&date.and_hms_opt(1, 0, 0).expect("valid"))
            .single()
            .expect("unambiguous");
        let value = CodatDateTime::from_offset(instant);
        assert_eq!(value.as_str(), "2022-10-23T01:00:00-05:00");
        assert_eq!(parse_ok(value.as_str()), value);
    }

    #[test]
    fn instants_and_local_readings() {
        let offset = parse_ok("2021-11-15T01:00:00-05:00");
        assert_eq!(
            offset.to_utc().map(|d| d.to_rfc3339()),
            Some("2021-11-15T06:00:00+00:00".to_string())
        );
        assert_eq!(
            offset.date(),
            NaiveDate::from_ymd_opt(2021, 11, 15).expect("valid")
        );

        let local = parse_ok("2021-01-01T08:30:00");
        assert_eq!(local.to_utc(), None);
        assert_eq!(
            local.to_utc_lenient().to_rfc3339(),
            "2021-01-01T08:30:00+00:00"
        );

        let date = parse_ok("2022-10-23");
        assert_eq!(date.to_utc(), None);
        assert_eq!(date.naive_local().to_string(), "2022-10-23 00:00:00");
        assert_ne!(
            parse_ok("2021-01-01T00:00:00Z"),
            parse_ok("2021-01-01T00:00:00+00:00")
        );
    }
}
