//! Leaves of the typed, borrowed records the platform connectors read their documents into
//! (`xero::wire`, `quickbooks::wire`).
//!
//! A page of a thousand invoices is a few megabytes of JSON. Deserialised into
//! `serde_json::Value` it becomes a tree of maps with an allocation for every key and string;
//! deserialised into structs that borrow their strings from the page, only what the mapping
//! keeps is ever copied. The leaves here are lenient as the platform's own readers are: an
//! amount or date that cannot be read is absent (the mapping decides what that means for the
//! record), never a failure of the whole page.

use std::borrow::Cow;
use std::fmt;

use ledgerbridge_domain::accounting::Money;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// A JSON string's text, borrowed from the page (copied only when it holds escapes).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Text<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Borrowing;
        impl<'de> Visitor<'de> for Borrowing {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v))
            }
        }
        deserializer.deserialize_str(Borrowing).map(Text)
    }
}

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// A string member that is present and not empty (an empty string says nothing).
pub fn some<'t>(text: &'t Option<Text<'_>>) -> Option<&'t str> {
    text.as_deref().filter(|s| !s.is_empty())
}

/// [`some`], owned.
pub fn owned(text: &Option<Text<'_>>) -> Option<String> {
    some(text).map(str::to_string)
}

/// The text of a JSON string as written on the wire, escapes and all, without the quotes;
/// `None` for any other JSON value.
fn raw_string(raw: &RawValue) -> Option<&str> {
    raw.get().strip_prefix('"')?.strip_suffix('"')
}

/// A number as Codat money, exactly as written (`954.00` stays `954.00`); a numeric string is
/// read too. Anything else is no amount.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Amount(pub Option<Money>);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <&RawValue>::deserialize(deserializer)?;
        let text = match raw_string(raw) {
            // Digits, a sign and a point need no escape: an escaped string is no number.
            Some(s) => s.trim(),
            None => raw.get(),
        };
        Ok(Self(Money::parse(text).ok()))
    }
}

impl Amount {
    /// The amount, if there is one.
    pub fn money(&self) -> Option<Money> {
        self.0.clone()
    }
}

/// A date or time as the platform wrote it: the string's raw text (a date needs no escapes
/// beyond Xero's `\/`), parsed by the platform's own reader. Anything but a string is no
/// date.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DateText<'a>(pub Option<&'a str>);

impl<'de: 'a, 'a> Deserialize<'de> for DateText<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(deserializer)?;
        Ok(Self(raw_string(raw)))
    }
}

/// Reads a list that may also be `null` or absent (both: empty).
pub fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe<'a> {
        #[serde(default)]
        a: Option<Amount>,
        #[serde(borrow, default)]
        d: Option<DateText<'a>>,
        #[serde(borrow, default, deserialize_with = "list")]
        l: Vec<Text<'a>>,
    }

    fn probe(text: &str) -> (Option<String>, Option<String>, usize) {
        let p: Probe<'_> = serde_json::from_str(text).expect("json");
        if let Some(first) = p.l.first() {
            // Strings without escapes are borrowed, not copied.
            assert!(matches!(first.0, Cow::Borrowed(_)) || first.contains('"'));
        }
        (
            p.a.and_then(|a| a.0).map(|m| m.as_str().to_string()),
            p.d.and_then(|d| d.0).map(str::to_string),
            p.l.len(),
        )
    }

    #[test]
    fn amounts_keep_their_text_and_are_lenient() {
        assert_eq!(probe(r#"{"a": 954.00}"#).0.as_deref(), Some("954.00"));
        assert_eq!(probe(r#"{"a": " -1.50 "}"#).0.as_deref(), Some("-1.50"));
        assert_eq!(probe(r#"{"a": 1e2}"#).0.as_deref(), Some("100"));
        assert_eq!(probe(r#"{"a": "abc"}"#).0, None);
        assert_eq!(probe(r#"{"a": true}"#).0, None);
        assert_eq!(probe(r#"{"a": {"x": 1}}"#).0, None);
        assert_eq!(probe(r#"{"a": null}"#).0, None);
        assert_eq!(probe(r#"{}"#).0, None);
    }

    #[test]
    fn dates_are_borrowed_as_written() {
        assert_eq!(
            probe(r#"{"d": "\/Date(1539993600000+0000)\/"}"#)
                .1
                .as_deref(),
            Some(r"\/Date(1539993600000+0000)\/")
        );
        assert_eq!(
            probe(r#"{"d": "2024-03-01"}"#).1.as_deref(),
            Some("2024-03-01")
        );
        assert_eq!(probe(r#"{"d": 5}"#).1, None);
    }

    #[test]
    fn lists_may_be_null_or_absent() {
        assert_eq!(probe(r#"{"l": ["x", "y"]}"#).2, 2);
        assert_eq!(probe(r#"{"l": ["a\"b"]}"#).2, 1);
        assert_eq!(probe(r#"{"l": null}"#).2, 0);
        assert_eq!(probe(r#"{}"#).2, 0);
    }
}
