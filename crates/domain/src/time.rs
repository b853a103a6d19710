//! Instants we record ourselves (`created`, `lastSync`, ...).
//!
//! Stored and served as RFC 3339 UTC with exactly six fractional digits, so the text form sorts
//! the same way as the instant on every database.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// A UTC instant with microsecond precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// The current instant, truncated to microseconds so it round-trips through storage.
    pub fn now() -> Self {
        Self::from_datetime(Utc::now())
    }

    /// Wraps a chrono instant, truncated to microseconds.
    pub fn from_datetime(dt: DateTime<Utc>) -> Self {
        let micros = dt.timestamp_micros();
        Self(DateTime::from_timestamp_micros(micros).unwrap_or(dt))
    }

    /// The chrono instant.
    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }

    /// Parses any RFC 3339 text (as written by [`Timestamp::to_string`] or by a client).
    pub fn parse(s: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|d| Self::from_datetime(d.with_timezone(&Utc)))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Micros, true))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).ok_or_else(|| serde::de::Error::custom("expected an RFC 3339 date-time"))
    }
}

impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::DateTime,
            )))
            .into()
    }
}

impl utoipa::ToSchema for Timestamp {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_fixed_width() {
        let t = Timestamp::parse("2022-10-27T09:53:29Z").expect("parses");
        assert_eq!(t.to_string(), "2022-10-27T09:53:29.000000Z");
        assert_eq!(Timestamp::parse(&t.to_string()), Some(t));
    }
}
