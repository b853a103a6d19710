//! Exact money arithmetic: every amount is a [`Decimal`] with two decimal places, rounded
//! half away from zero at each step a real ledger rounds (line discount, line tax, currency
//! conversion).

use rust_decimal::{Decimal, RoundingStrategy};

/// Rounds to the cent, half away from zero (`2.345` → `2.35`, `-2.345` → `-2.35`).
pub fn round2(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Rounds to the cent and writes two decimal places (`5` → `5.00`).
pub fn cents(value: Decimal) -> Decimal {
    let mut rounded = round2(value);
    rounded.rescale(2);
    rounded
}

/// An amount of pence as pounds: `pence(1050)` is `10.50`.
pub fn pence(pence: i64) -> Decimal {
    Decimal::new(pence, 2)
}

/// `round(amount × percent / 100)` to the cent.
pub fn percent_of(amount: Decimal, percent: Decimal) -> Decimal {
    cents(amount * percent / Decimal::ONE_HUNDRED)
}

/// Converts an amount to the base currency at `rate` (base units per unit), to the cent.
pub fn to_base(amount: Decimal, rate: Decimal) -> Decimal {
    if rate == Decimal::ONE {
        cents(amount)
    } else {
        cents(amount * rate)
    }
}

/// Zero with two decimal places.
pub fn zero() -> Decimal {
    Decimal::new(0, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_like_a_ledger() {
        assert_eq!(round2(Decimal::new(2345, 3)).to_string(), "2.35");
        assert_eq!(round2(Decimal::new(-2345, 3)).to_string(), "-2.35");
        assert_eq!(cents(Decimal::from(5)).to_string(), "5.00");
        assert_eq!(
            percent_of(pence(1999), Decimal::from(20)).to_string(),
            "4.00"
        );
        assert_eq!(
            percent_of(pence(1234), Decimal::from(5)).to_string(),
            "0.62"
        );
        assert_eq!(
            to_base(pence(2000), Decimal::new(781, 3)).to_string(),
            "15.62"
        );
        assert_eq!(zero().to_string(), "0.00");
    }
}
