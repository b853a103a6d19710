//! Exact decimal numbers: what a query's number and a stored JSON number compare as.

use std::cmp::Ordering;
use std::fmt;

/// Most integer digits a number in a query may have (its magnitude is below `10^40`).
///
/// Together with [`MAX_FRACTION_DIGITS`] this bounds query values so every backend can hold
/// them exactly (SQLite compares numbers through fixed-width text keys of this size).
pub const MAX_INTEGER_DIGITS: usize = 40;
/// Most fractional digits (after trailing zeros are dropped) a number in a query may have.
pub const MAX_FRACTION_DIGITS: usize = 40;

/// An exact decimal of arbitrary precision: `±digits × 10^exponent`.
///
/// Normalised so that equal values are equal structs: `digits` has no leading or trailing
/// zeros (it is empty for zero), zero is never negative, and zero's exponent is 0. So `0.1`,
/// `0.10` and `1e-1` are the same value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    negative: bool,
    digits: String,
    exponent: i64,
}

impl Decimal {
    /// Zero.
    pub fn zero() -> Self {
        Self {
            negative: false,
            digits: String::new(),
            exponent: 0,
        }
    }

    fn normalised(negative: bool, int_part: &str, frac_part: &str, exp: i64) -> Option<Self> {
        let mut digits = String::with_capacity(int_part.len() + frac_part.len());
        digits.push_str(int_part);
        digits.push_str(frac_part);
        let frac_len = i64::try_from(frac_part.len()).ok()?;
        let mut exponent = exp.checked_sub(frac_len)?;
        let trailing = digits.len() - digits.trim_end_matches('0').len();
        digits.truncate(digits.len() - trailing);
        exponent = exponent.checked_add(i64::try_from(trailing).ok()?)?;
        let digits = digits.trim_start_matches('0').to_string();
        if digits.is_empty() {
            return Some(Self::zero());
        }
        Some(Self {
            negative,
            digits,
            exponent,
        })
    }

    /// Parses a JSON number as written in a document (`-?int(.frac)?([eE][+-]?exp)?`),
    /// exactly. Also accepts leading zeros, which some writers emit. `None` if the text is
    /// not a number or its exponent is absurd.
    pub fn parse_json(text: &str) -> Option<Self> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, text),
        };
        let (mantissa, exp) = match rest.find(['e', 'E']) {
            Some(i) => {
                let e = &rest[i + 1..];
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty()
                    || !digits.bytes().all(|b| b.is_ascii_digit())
                    || digits.len() > 18
                {
                    return None;
                }
                (&rest[..i], e.parse::<i64>().ok()?)
            }
            None => (rest, 0),
        };
        let (int_part, frac_part) = match mantissa.split_once('.') {
            Some((i, f)) if !f.is_empty() => (i, f),
            Some(_) => return None,
            None => (mantissa, ""),
        };
        if int_part.is_empty()
            || !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        Self::normalised(negative, int_part, frac_part, exp)
    }

    /// Parses a number written in a query: `-?digits(.digits)?`, with at most
    /// [`MAX_INTEGER_DIGITS`] significant integer digits and [`MAX_FRACTION_DIGITS`]
    /// fractional digits once trailing zeros are dropped.
    pub fn parse_query(text: &str) -> Option<Self> {
        if text.contains(['e', 'E']) {
            return None;
        }
        let d = Self::parse_json(text)?;
        let ok = d.digits.is_empty()
            || (d.integer_digits() <= MAX_INTEGER_DIGITS as i64
                && -d.exponent <= MAX_FRACTION_DIGITS as i64);
        ok.then_some(d)
    }

    /// Whether the value is below zero (zero is not negative).
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// The significant digits, without leading or trailing zeros (empty for zero).
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The power of ten the digits are scaled by.
    pub fn exponent(&self) -> i64 {
        self.exponent
    }

    /// How many digits the integer part has (zero or less when `|self| < 1`; the position of
    /// the most significant digit relative to the decimal point).
    pub fn integer_digits(&self) -> i64 {
        self.digits.len() as i64 + self.exponent
    }

    /// Plain decimal text without an exponent (`-12.5`, `0`, `1000`), as SQL `NUMERIC`
    /// accepts it.
    pub fn to_plain_string(&self) -> String {
        if self.digits.is_empty() {
            return "0".into();
        }
        let mut out = String::new();
        if self.negative {
            out.push('-');
        }
        let int_digits = self.integer_digits();
        if self.exponent >= 0 {
            out.push_str(&self.digits);
            out.extend(std::iter::repeat_n('0', self.exponent as usize));
        } else if int_digits > 0 {
            let (i, f) = self.digits.split_at(int_digits as usize);
            out.push_str(i);
            out.push('.');
            out.push_str(f);
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-int_digits) as usize));
            out.push_str(&self.digits);
        }
        out
    }

    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        match (self.digits.is_empty(), other.digits.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        // Digits carry no leading zeros, so the position of the first digit decides first;
        // then digit by digit, and (no trailing zeros) the longer string is bigger.
        self.integer_digits()
            .cmp(&other.integer_digits())
            .then_with(|| self.digits.cmp(&other.digits))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_plain_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse_json(s).expect(s)
    }

    #[test]
    fn normalises() {
        assert_eq!(d("0.1"), d("0.10"));
        assert_eq!(d("1e-1"), d("0.1"));
        assert_eq!(d("-0"), d("0"));
        assert_eq!(d("-0.000"), Decimal::zero());
        assert_eq!(d("100"), d("1E2"));
        assert_eq!(d("007.50"), d("7.5"));
        assert_eq!(d("1234.5").to_plain_string(), "1234.5");
        assert_eq!(d("0.00012").to_plain_string(), "0.00012");
        assert_eq!(d("-12e3").to_plain_string(), "-12000");
        assert_eq!(d("0").to_plain_string(), "0");
    }

    #[test]
    fn orders_exactly() {
        let mut v: Vec<Decimal> = [
            "1234567890.123456789013",
            "1234567890.123456789012",
            "-5",
            "-5.0001",
            "0",
            "1e-30",
            "0.99999999999999999999",
            "1",
        ]
        .iter()
        .map(|s| d(s))
        .collect();
        v.sort();
        let s: Vec<String> = v.iter().map(|x| x.to_plain_string()).collect();
        assert_eq!(
            s,
            [
                "-5.0001",
                "-5",
                "0",
                "0.000000000000000000000000000001",
                "0.99999999999999999999",
                "1",
                "1234567890.123456789012",
                "1234567890.123456789013"
            ]
        );
    }

    #[test]
    fn query_numbers_are_plain_and_bounded() {
        assert!(Decimal::parse_query("12.50").is_some());
        assert!(Decimal::parse_query("-0.5").is_some());
        assert!(Decimal::parse_query("1e3").is_none());
        assert!(Decimal::parse_query(".5").is_none());
        assert!(Decimal::parse_query("5.").is_none());
        assert!(Decimal::parse_query("+5").is_none());
        assert!(Decimal::parse_query("abc").is_none());
        assert!(Decimal::parse_query(&"9".repeat(40)).is_some());
        assert!(Decimal::parse_query(&"9".repeat(41)).is_none());
        assert!(Decimal::parse_query(&format!("0.{}", "1".repeat(40))).is_some());
        assert!(Decimal::parse_query(&format!("0.{}", "1".repeat(41))).is_none());
        assert!(Decimal::parse_query(&format!("0.{}000", "1".repeat(40))).is_some());
    }
}
