//! Exact decimal numbers: amounts, rates, percentages and quantities.
//!
//! Codat sends every amount as a JSON number (`1772.72`, `0.1`, `1`) with no minor units and no
//! string encoding. [`Money`] keeps the number's text exactly as it was written, so `1.50` stays
//! `1.50` and twelve fractional digits survive a round trip byte for byte. It never goes through
//! a binary float. Reading and writing rely on `serde_json`'s `arbitrary_precision` feature,
//! which hands the number's text through untouched.
//!
//! Arithmetic goes through [`rust_decimal::Decimal`] (28 significant digits), which also keeps
//! the scale: `1.50 + 0.25` is `1.75`, `2.0 * 1.50` is `3.000`.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Number;

/// Largest exponent (`1e400`) that [`Money::parse`] expands into plain digits; anything beyond
/// would only be a way to make us allocate.
const MAX_EXPONENT: i64 = 400;

/// An exact decimal number, written as a plain JSON number without an exponent.
///
/// Equality and hashing compare the written form: `1.5` and `1.50` are different values here
/// (they serialise differently). Compare amounts with [`Money::to_decimal`] when the scale
/// should not matter.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Money(Number);

/// Text that is not a decimal number, or a number [`rust_decimal`] cannot hold exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Not a number in JSON's grammar.
    #[error("`{0}` is not a decimal number")]
    Invalid(String),
    /// An exponent too large to expand into plain digits.
    #[error("`{0}` has an exponent outside ±{MAX_EXPONENT}")]
    ExponentTooLarge(String),
    /// More significant digits (or a larger magnitude) than a 96-bit decimal holds.
    #[error("`{0}` does not fit in a 28-digit decimal")]
    OutOfRange(String),
}

impl Money {
    /// Zero, written `0`.
    pub fn zero() -> Self {
        Self::from_plain("0")
    }

    /// Parses a JSON number. Plain decimals (`-12.50`) are kept exactly as written; a number
    /// with an exponent (`1.5e3`, `1E-7`) is rewritten without it (`1500`, `0.0000001`),
    /// digit for digit, since Codat never writes exponents.
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let invalid = || MoneyError::Invalid(text.to_string());
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(at) => (&text[..at], Some(&text[at + 1..])),
            None => (text, None),
        };
        if !is_plain_decimal(mantissa) {
            return Err(invalid());
        }
        match exponent {
            None => Ok(Self::from_plain(text)),
            Some(exp) => {
                let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(invalid());
                }
                let exp: i64 = exp
                    .parse()
                    .ok()
                    .filter(|e: &i64| e.abs() <= MAX_EXPONENT)
                    .ok_or_else(|| MoneyError::ExponentTooLarge(text.to_string()))?;
                Ok(Self::from_plain(&shift_decimal_point(mantissa, exp)))
            }
        }
    }

    /// The number as written, e.g. `"1772.72"`.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The value as a [`Decimal`], keeping its scale (`1.50` has scale 2).
    pub fn to_decimal(&self) -> Result<Decimal, MoneyError> {
        Decimal::from_str_exact(self.as_str())
            .map_err(|_| MoneyError::OutOfRange(self.as_str().to_string()))
    }

    /// Whether the value is zero, however it is written (`0`, `0.00`, `-0`).
    pub fn is_zero(&self) -> bool {
        self.digits().all(|b| b == b'0')
    }

    /// Whether the value is below zero (`-0.00` is not).
    pub fn is_negative(&self) -> bool {
        self.as_str().starts_with('-') && !self.is_zero()
    }

    /// `self + other`, exact, or `None` when either side or the result leaves [`Decimal`]'s
    /// range.
    pub fn checked_add(&self, other: &Money) -> Option<Money> {
        self.combine(other, Decimal::checked_add)
    }

    /// `self - other`, exact, or `None` outside [`Decimal`]'s range.
    pub fn checked_sub(&self, other: &Money) -> Option<Money> {
        self.combine(other, Decimal::checked_sub)
    }

    /// `self * other` (e.g. quantity × unit amount), exact, or `None` outside [`Decimal`]'s
    /// range. The scale is the sum of both scales.
    pub fn checked_mul(&self, other: &Money) -> Option<Money> {
        self.combine(other, Decimal::checked_mul)
    }

    /// The value with its sign flipped (`0` stays `0`).
    pub fn neg(&self) -> Money {
        if self.is_zero() {
            return self.clone();
        }
        match self.as_str().strip_prefix('-') {
            Some(positive) => Self::from_plain(positive),
            None => Self::from_plain(&format!("-{}", self.as_str())),
        }
    }

    fn combine(
        &self,
        other: &Money,
        op: impl FnOnce(Decimal, Decimal) -> Option<Decimal>,
    ) -> Option<Money> {
        let a = self.to_decimal().ok()?;
        let b = other.to_decimal().ok()?;
        op(a, b).map(Money::from)
    }

    fn digits(&self) -> impl Iterator<Item = u8> + '_ {
        self.as_str().bytes().filter(u8::is_ascii_digit)
    }

    /// Wraps text already known to match [`is_plain_decimal`].
    fn from_plain(text: &str) -> Self {
        debug_assert!(is_plain_decimal(text), "not a plain decimal: {text}");
        // A plain decimal is a valid JSON number, and with `arbitrary_precision` serde_json
        // stores its text verbatim.
        Self(Number::from_str(text).unwrap_or_else(|_| Number::from(0)))
    }
}

/// JSON's number grammar without the exponent: `-?(0|[1-9][0-9]*)(\.[0-9]+)?`.
fn is_plain_decimal(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (s, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    all_digits(int) && (int == "0" || !int.starts_with('0')) && frac.is_none_or(all_digits)
}

/// Moves the decimal point of a plain decimal `exp` places to the right (left when
/// negative), keeping every written digit: `1.50e1` → `15.0`, `12e-3` → `0.012`.
fn shift_decimal_point(mantissa: &str, exp: i64) -> String {
    let (negative, unsigned) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits: String = [int, frac].concat();
    // Position of the decimal point within `digits`, after shifting; may fall outside.
    let point = int.len() as i64 + exp;
    let mut out = String::new();
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
        out.push_str(&digits);
    } else if point as usize >= digits.len() {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', point as usize - digits.len()));
    } else {
        let (i, f) = digits.split_at(point as usize);
        out.push_str(i);
        out.push('.');
        out.push_str(f);
    }
    // Leading zeros of the integer part ("012.5" from "0.125e2") are not valid JSON.
    let trimmed = match out.find(|c| c != '0') {
        Some(at) if out[at..].starts_with('.') => &out[at - 1..],
        Some(at) => &out[at..],
        None => "0",
    };
    if negative {
        format!("-{trimmed}")
    } else {
        trimmed.to_string()
    }
}

impl Default for Money {
    fn default() -> Self {
        Self::zero()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({})", self.as_str())
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<Decimal> for Money {
    /// Writes the decimal with its scale: `Decimal::new(150, 2)` becomes `1.50`.
    fn from(value: Decimal) -> Self {
        Self::from_plain(&value.to_string())
    }
}

impl From<i64> for Money {
    fn from(value: i64) -> Self {
        Self::from_plain(&value.to_string())
    }
}

impl TryFrom<&Money> for Decimal {
    type Error = MoneyError;
    fn try_from(value: &Money) -> Result<Self, Self::Error> {
        value.to_decimal()
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Money {
    /// Accepts a JSON number only; a string such as `"12.50"` is an error.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = Number::deserialize(deserializer)?;
        Money::parse(number.as_str()).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> String {
        let money: Money = serde_json::from_str(text).expect("parses");
        serde_json::to_string(&money).expect("serialises")
    }

    #[test]
    fn numbers_keep_their_exact_text() {
        for text in [
            "0",
            "0.1",
            "0.10",
            "1.50",
            "1772.72",
            "-0.000000000001",
            "123456.123456789012",
            "0.000000000000",
            "-0",
            "9007199254740993",
            "123456789012345678901234567890123456789",
            "-98765432109876543210.000000000001",
        ] {
            assert_eq!(round_trip(text), text);
            assert_eq!(Money::parse(text).expect("valid").as_str(), text);
        }
    }

    #[test]
    fn inside_a_document_the_text_is_kept_too() {
        #[derive(Deserialize, Serialize)]
        struct Line {
            amount: Money,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            rate: Option<Money>,
        }
        for doc in [
            r#"{"amount":0.10,"rate":1.000000000001}"#,
            r#"{"amount":-0.000000000001,"rate":0.1}"#,
            r#"{"amount":100}"#,
            r#"{"amount":1772.72,"rate":123456789012345678901234567890.5}"#,
        ] {
            let line: Line = serde_json::from_str(doc).expect("parses");
            assert_eq!(serde_json::to_string(&line).expect("serialises"), doc);
            // Through a `Value` as well, as a store handing documents around might. serde_json
            // passes some numbers through an f64 on that path (writing `-1e-12`); the exponent
            // is expanded back, so the text survives.
            let value: serde_json::Value = serde_json::from_str(doc).expect("parses");
            let again: Line = serde_json::from_value(value).expect("from value");
            assert_eq!(serde_json::to_string(&again).expect("serialises"), doc);
        }
    }

    #[test]
    fn exponents_are_expanded_exactly() {
        for (given, written) in [
            ("1e2", "100"),
            ("1.5e3", "1500"),
            ("1.50e1", "15.0"),
            ("12e-3", "0.012"),
            ("1E-7", "0.0000001"),
            ("-2.5E+2", "-250"),
            ("0.125e2", "12.5"),
            ("0e5", "0"),
            ("123.456e-1", "12.3456"),
        ] {
            assert_eq!(
                Money::parse(given).expect(given).as_str(),
                written,
                "{given}"
            );
            assert_eq!(round_trip(given), written);
        }
        assert!(matches!(
            Money::parse("1e401"),
            Err(MoneyError::ExponentTooLarge(_))
        ));
    }

    #[test]
    fn rejects_what_is_not_a_decimal() {
        for bad in [
            "", "-", ".5", "5.", "01", "+1", "1.2.3", "1,5", "NaN", "inf", "0x10", " 1", "1 ",
            "1e", "1e+", "--1", "1_000",
        ] {
            assert!(Money::parse(bad).is_err(), "accepted {bad:?}");
        }
        assert!(serde_json::from_str::<Money>(r#""12.50""#).is_err());
        assert!(serde_json::from_str::<Money>("null").is_err());
        assert!(serde_json::from_str::<Money>("true").is_err());
    }

    #[test]
    fn decimal_conversions_keep_the_scale() {
        let m = Money::parse("1.50").expect("valid");
        let d = m.to_decimal().expect("fits");
        assert_eq!(d, Decimal::new(150, 2));
        assert_eq!(Money::from(d).as_str(), "1.50");
        assert_eq!(
            Money::from(Decimal::new(-1, 12)).as_str(),
            "-0.000000000001"
        );
        assert_eq!(Money::from(-42).as_str(), "-42");
        let too_big = Money::parse("123456789012345678901234567890123456789").expect("valid");
        assert!(matches!(
            too_big.to_decimal(),
            Err(MoneyError::OutOfRange(_))
        ));
    }

    #[test]
    fn exact_arithmetic() {
        let m = |s: &str| Money::parse(s).expect("valid");
        assert_eq!(m("0.1").checked_add(&m("0.2")), Some(m("0.3")));
        assert_eq!(m("1.50").checked_add(&m("0.25")), Some(m("1.75")));
        assert_eq!(m("100").checked_sub(&m("0.01")), Some(m("99.99")));
        assert_eq!(m("3").checked_mul(&m("19.99")), Some(m("59.97")));
        assert_eq!(m("2.0").checked_mul(&m("1.50")), Some(m("3.000")));
        assert_eq!(m("1e30").checked_add(&m("1")), None);
        assert_eq!(m("12.5").neg(), m("-12.5"));
        assert_eq!(m("-12.5").neg(), m("12.5"));
        assert_eq!(m("0.00").neg(), m("0.00"));
        assert!(m("-0.00").is_zero() && !m("-0.00").is_negative());
        assert!(m("-0.01").is_negative());
        assert_eq!(Money::default().as_str(), "0");
    }

    #[test]
    fn equality_is_by_written_form() {
        let a = Money::parse("1.5").expect("valid");
        let b = Money::parse("1.50").expect("valid");
        assert_ne!(a, b);
        assert_eq!(a.to_decimal().ok(), b.to_decimal().ok());
    }
}
