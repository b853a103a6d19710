//! SQL that turns stored text into comparable keys exactly as `ledgerbridge-query` reads it:
//! numbers on SQLite (sortable text keys) and date-times on both backends (UTC milliseconds).

use ledgerbridge_query::Decimal;
use ledgerbridge_query::number::{MAX_FRACTION_DIGITS, MAX_INTEGER_DIGITS};

use super::sql::Sql;

/// Integer digits in a SQLite number key.
const INT_W: usize = MAX_INTEGER_DIGITS;
/// Fractional digits in a SQLite number key.
const FRAC_W: usize = MAX_FRACTION_DIGITS;

fn zeros() -> String {
    "0".repeat(INT_W + FRAC_W)
}

fn complement_digits(s: &str) -> String {
    s.chars()
        .map(|c| {
            c.to_digit(10)
                .and_then(|d| char::from_digit(9 - d, 10))
                .unwrap_or(c)
        })
        .collect()
}

/// The fixed-width, byte-comparable key of a number, as [`sqlite_number_key`] computes it in
/// SQL: `P` + 40 integer digits + 40 fractional digits for zero and positive values, `N` + the
/// nines' complement of that for negative ones. Two keys compare (as text) exactly as the
/// numbers do, for every number a query may contain.
///
/// Stored numbers outside that range are clamped: a magnitude of `10^40` or more becomes the
/// largest key of its sign, digits beyond the 40th decimal are dropped, and a nonzero
/// magnitude below `10^-40` becomes zero.
pub(crate) fn number_key(d: &Decimal) -> String {
    let k = d.integer_digits();
    if d.is_zero() || k < -(FRAC_W as i64) {
        return format!("P{}", zeros());
    }
    if k > INT_W as i64 {
        return if d.is_negative() {
            format!("N{}", zeros())
        } else {
            format!("P{}", "9".repeat(INT_W + FRAC_W))
        };
    }
    let mut mag = "0".repeat((INT_W as i64 - k) as usize);
    mag.push_str(d.digits());
    mag.push_str(&zeros());
    mag.truncate(INT_W + FRAC_W);
    if d.is_negative() {
        format!("N{}", complement_digits(&mag))
    } else {
        format!("P{mag}")
    }
}

/// An order-preserving, variable-length text key of an exact decimal, for precomputed key
/// columns: two keys compare bytewise (SQLite `BINARY`, PostgreSQL `COLLATE "C"`) exactly as
/// the numbers compare, for **every** decimal (no clamping), and equal numbers (`1.5`,
/// `1.50`, `15e-1`) have equal keys. Money keys are short (`1234.56` is `2nb4123456`).
///
/// Layout: `1` for zero; `2` + `E(e)` + digits for a positive number; `0` + the mirror image
/// of `E(e)` + digits, then `~`, for a negative one. `digits` are the significant digits
/// (no leading or trailing zeros) and `e` the number of integer digits
/// ([`Decimal::integer_digits`]). `E` encodes an `i64` order-preservingly and prefix-free:
/// `n` + (`a` + digit count) + the digits for `e >= 0`, `m` + (`z` − digit count) + the
/// nines' complement of the digits of `|e|` for `e < 0`. The mirror maps each character `c`
/// to `0x9E − c`, which reverses the order of every character used, and the final `~` sorts
/// after all of them, so a negative number whose digits extend another's sorts first.
pub fn number_sort_key(d: &Decimal) -> String {
    if d.is_zero() {
        return "1".into();
    }
    let e = d.integer_digits();
    let magnitude = e.unsigned_abs().to_string();
    let len = u8::try_from(magnitude.len()).unwrap_or(20);
    let mut body = String::with_capacity(4 + magnitude.len() + d.digits().len());
    if e >= 0 {
        body.push('n');
        body.push(char::from(b'a' + len));
        body.push_str(&magnitude);
    } else {
        body.push('m');
        body.push(char::from(b'z' - len));
        body.push_str(&complement_digits(&magnitude));
    }
    body.push_str(d.digits());
    if d.is_negative() {
        let mut out = String::with_capacity(body.len() + 2);
        out.push('0');
        out.extend(body.bytes().map(|b| char::from(0x9E - b)));
        out.push('~');
        out
    } else {
        format!("2{body}")
    }
}

/// Writes the SQLite expression of [`number_key`] for the JSON number text `value` writes
/// (NULL stays NULL). Handles `-`, fractions, exponents (`1.5E+3`) and leading zeros, in pure
/// text arithmetic, so no value ever passes through a floating-point REAL.
pub(crate) fn sqlite_number_key(w: &mut Sql, value: impl FnOnce(&mut Sql)) {
    let z = format!("'{}'", zeros());
    let nines = format!("'{}'", "9".repeat(INT_W + FRAC_W));
    let width = INT_W + FRAC_W;
    let mag = format!("substr(substr({z}, 1, {INT_W} - lb_k) || lb_d || {z}, 1, {width})");
    let mut complement = mag.clone();
    for (from, to) in ('0'..='9').zip('a'..='j') {
        complement = format!("replace({complement}, '{from}', '{to}')");
    }
    for (from, to) in ('a'..='j').zip(('0'..='9').rev()) {
        complement = format!("replace({complement}, '{from}', '{to}')");
    }
    w.push(&format!(
        "(SELECT CASE WHEN lb_t IS NULL THEN NULL \
         WHEN lb_d = '' THEN 'P' || {z} \
         WHEN lb_k > {INT_W} THEN CASE WHEN lb_neg THEN 'N' || {z} ELSE 'P' || {nines} END \
         WHEN lb_k < -{FRAC_W} THEN 'P' || {z} \
         WHEN lb_neg THEN 'N' || {complement} \
         ELSE 'P' || {mag} END \
         FROM (SELECT lb_t, lb_neg, lb_d, length(lb_d) + lb_x - length(lb_f) AS lb_k \
         FROM (SELECT lb_t, lb_neg, lb_x, lb_f, ltrim(lb_i || lb_f, '0') AS lb_d \
         FROM (SELECT lb_t, lb_neg, lb_x, \
         CASE WHEN lb_p > 0 THEN substr(lb_m, 1, lb_p - 1) ELSE lb_m END AS lb_i, \
         CASE WHEN lb_p > 0 THEN substr(lb_m, lb_p + 1) ELSE '' END AS lb_f \
         FROM (SELECT lb_t, lb_neg, lb_m, lb_x, instr(lb_m, '.') AS lb_p \
         FROM (SELECT lb_t, lb_neg, \
         CASE WHEN lb_e > 0 THEN substr(lb_u, 1, lb_e - 1) ELSE lb_u END AS lb_m, \
         CASE WHEN lb_e > 0 THEN CAST(substr(lb_u, lb_e + 1) AS INTEGER) ELSE 0 END AS lb_x \
         FROM (SELECT lb_t, lb_neg, lb_u, instr(lower(lb_u), 'e') AS lb_e \
         FROM (SELECT lb_t, substr(lb_t, 1, 1) = '-' AS lb_neg, \
         CASE WHEN substr(lb_t, 1, 1) = '-' THEN substr(lb_t, 2) ELSE lb_t END AS lb_u \
         FROM (SELECT "
    ));
    value(w);
    w.push(
        " AS lb_t) AS lb_n1) AS lb_n2) AS lb_n3) AS lb_n4) AS lb_n5) AS lb_n6) AS lb_n7) AS lb_n8)",
    );
}

/// The final arithmetic shared by both dialects: `days_from_civil` (shifted by one 400-year
/// era so every division is of a non-negative number) and the time of day, minus the offset.
const MILLIS_TAIL: &str = "(lb_era * 146097 + lb_yoe * 365 + lb_yoe / 4 - lb_yoe / 100 + lb_doy - 719468 - 146097) * 86400000 \
     + lb_hh * 3600000 + lb_mi * 60000 + lb_ss * 1000 + lb_fr - lb_sg * (lb_oh * 60 + lb_om) * 60000";

const ERA_COLUMNS: &str = "lb_y1 / 400 AS lb_era, lb_y1 - (lb_y1 / 400) * 400 AS lb_yoe, \
     (153 * ((lb_mo + 9) % 12) + 2) / 5 + lb_dd - 1 AS lb_doy, \
     lb_hh, lb_mi, lb_ss, lb_fr, lb_sg, lb_oh, lb_om";

/// Writes the SQLite expression reading the text `value` writes as a date-time in UTC
/// milliseconds, per `ledgerbridge_query::datetime` (NULL when it is not a date-time in the
/// grammar). Uses only `substr`, `GLOB` and integer arithmetic, never SQLite's own date
/// parser, so its reading cannot drift from the reference one.
pub(crate) fn sqlite_datetime_millis(w: &mut Sql, value: impl FnOnce(&mut Sql)) {
    let d = "[0-9]";
    let date_glob = format!("'{d}{d}{d}{d}-{d}{d}-{d}{d}'");
    let datetime_glob = format!("'{d}{d}{d}{d}-{d}{d}-{d}{d}T{d}{d}:{d}{d}:{d}{d}'");
    w.push(&format!(
        "(SELECT CASE WHEN lb_ok THEN {MILLIS_TAIL} END \
         FROM (SELECT lb_ok, {ERA_COLUMNS} \
         FROM (SELECT \
         lb_s IS NOT NULL AND lb_mo BETWEEN 1 AND 12 AND lb_dd BETWEEN 1 AND 31 AND (\
         (length(lb_s) = 10 AND lb_s GLOB {date_glob}) \
         OR (length(lb_s) >= 19 AND substr(lb_s, 1, 19) GLOB {datetime_glob} \
         AND (lb_b = '' OR (substr(lb_b, 1, 1) = '.' AND length(lb_b) >= 2 AND substr(lb_b, 2) NOT GLOB '*[^0-9]*')) \
         AND (lb_zk <> 2 OR (substr(lb_z, 2, 2) || substr(lb_z, 5, 2)) GLOB '{d}{d}{d}{d}') \
         AND lb_hh <= 23 AND lb_mi <= 59 AND lb_ss <= 59 AND lb_oh <= 23 AND lb_om <= 59)) AS lb_ok, \
         lb_y - (lb_mo <= 2) + 400 AS lb_y1, lb_mo, lb_dd, lb_hh, lb_mi, lb_ss, lb_fr, lb_sg, lb_oh, lb_om \
         FROM (SELECT lb_s, lb_zk, lb_b, lb_z, \
         CAST(substr(lb_s, 1, 4) AS INTEGER) AS lb_y, CAST(substr(lb_s, 6, 2) AS INTEGER) AS lb_mo, \
         CAST(substr(lb_s, 9, 2) AS INTEGER) AS lb_dd, CAST(substr(lb_s, 12, 2) AS INTEGER) AS lb_hh, \
         CAST(substr(lb_s, 15, 2) AS INTEGER) AS lb_mi, CAST(substr(lb_s, 18, 2) AS INTEGER) AS lb_ss, \
         CAST(substr(substr(lb_b, 2) || '000', 1, 3) AS INTEGER) AS lb_fr, \
         CASE substr(lb_z, 1, 1) WHEN '-' THEN -1 WHEN '+' THEN 1 ELSE 0 END AS lb_sg, \
         CAST(substr(lb_z, 2, 2) AS INTEGER) AS lb_oh, CAST(substr(lb_z, 5, 2) AS INTEGER) AS lb_om \
         FROM (SELECT lb_s, lb_zk, \
         CASE lb_zk WHEN 1 THEN substr(lb_r, 1, length(lb_r) - 1) WHEN 2 THEN substr(lb_r, 1, length(lb_r) - 6) ELSE lb_r END AS lb_b, \
         CASE WHEN lb_zk = 2 THEN substr(lb_r, -6) ELSE '' END AS lb_z \
         FROM (SELECT lb_s, lb_r, \
         CASE WHEN substr(lb_r, -1) = 'Z' THEN 1 \
         WHEN length(lb_r) >= 6 AND substr(lb_r, -6, 1) IN ('+', '-') AND substr(lb_r, -3, 1) = ':' THEN 2 \
         ELSE 0 END AS lb_zk \
         FROM (SELECT lb_s, substr(lb_s, 20) AS lb_r FROM (SELECT "
    ));
    value(w);
    w.push(" AS lb_s) AS lb_d1) AS lb_d2) AS lb_d3) AS lb_d4) AS lb_d5) AS lb_d6) AS lb_d7)");
}

/// The date-time grammar of `ledgerbridge_query::datetime` as a PostgreSQL regular
/// expression (ASCII classes only; no backslashes).
const PG_DATETIME_RE: &str = "^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])\
(?:T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(?:[.]([0-9]+))?\
(?:(Z)|([-+])([01][0-9]|2[0-3]):([0-5][0-9]))?)?$";

/// Writes the PostgreSQL expression reading the text `value` writes as a date-time in UTC
/// milliseconds (NULL when it is not a date-time in the grammar). Never casts to a date type,
/// so no stored text can make the query fail.
pub(crate) fn postgres_datetime_millis(w: &mut Sql, value: impl FnOnce(&mut Sql)) {
    w.push(&format!(
        "(SELECT CASE WHEN lb_g IS NOT NULL THEN {MILLIS_TAIL} END \
         FROM (SELECT lb_g, {ERA_COLUMNS} \
         FROM (SELECT lb_g, \
         CAST(lb_g[1] AS bigint) - CASE WHEN CAST(lb_g[2] AS bigint) <= 2 THEN 1 ELSE 0 END + 400 AS lb_y1, \
         CAST(lb_g[2] AS bigint) AS lb_mo, CAST(lb_g[3] AS bigint) AS lb_dd, \
         COALESCE(CAST(lb_g[4] AS bigint), 0) AS lb_hh, COALESCE(CAST(lb_g[5] AS bigint), 0) AS lb_mi, \
         COALESCE(CAST(lb_g[6] AS bigint), 0) AS lb_ss, \
         COALESCE(CAST(substr(lb_g[7] || '00', 1, 3) AS bigint), 0) AS lb_fr, \
         CASE lb_g[9] WHEN '-' THEN -1 WHEN '+' THEN 1 ELSE 0 END AS lb_sg, \
         COALESCE(CAST(lb_g[10] AS bigint), 0) AS lb_oh, COALESCE(CAST(lb_g[11] AS bigint), 0) AS lb_om \
         FROM (SELECT regexp_match("
    ));
    value(w);
    w.push(&format!(
        ", '{PG_DATETIME_RE}') AS lb_g) AS lb_d1) AS lb_d2) AS lb_d3)"
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        number_key(&Decimal::parse_json(s).expect(s))
    }

    fn sort_key(s: &str) -> String {
        number_sort_key(&Decimal::parse_json(s).expect(s))
    }

    #[test]
    fn sort_keys_order_like_numbers() {
        let mut nums = vec![
            "-1e300",
            "-1e40",
            "-12345678901234567890.5",
            "-1000",
            "-999.999",
            "-100.5",
            "-100",
            "-10",
            "-9.99",
            "-1.5",
            "-1.05",
            "-1",
            "-0.5",
            "-0.05",
            "-0.0501",
            "-1e-30",
            "-1e-300",
            "0",
            "1e-300",
            "1e-30",
            "0.05",
            "0.0501",
            "0.1",
            "0.10000000001",
            "0.5",
            "1",
            "1.05",
            "1.5",
            "9.99",
            "10",
            "99",
            "100",
            "100.5",
            "1234.56",
            "1e39",
            "1e40",
            "12345678901234567890.5",
            "1e300",
        ];
        let mut by_key = nums.clone();
        by_key.sort_by_key(|s| sort_key(s));
        nums.sort_by(|a, b| Decimal::parse_json(a).cmp(&Decimal::parse_json(b)));
        assert_eq!(nums, by_key);
        assert_eq!(sort_key("1234.56"), "2nb4123456");
        assert_eq!(sort_key("1.50"), sort_key("15e-1"));
        assert_eq!(sort_key("-0"), sort_key("0"));
        assert_eq!(
            sort_key("-9223372036854775807e-1"),
            sort_key("-922337203685477580.7")
        );
    }

    proptest::proptest! {
        #[test]
        fn sort_keys_agree_with_decimal_order(
            a in "-?[0-9]{1,25}(\\.[0-9]{1,25})?([eE][-+]?[0-9]{1,3})?",
            b in "-?[0-9]{1,25}(\\.[0-9]{1,25})?([eE][-+]?[0-9]{1,3})?",
        ) {
            let (da, db) = (Decimal::parse_json(&a), Decimal::parse_json(&b));
            if let (Some(da), Some(db)) = (da, db) {
                proptest::prop_assert_eq!(
                    number_sort_key(&da).cmp(&number_sort_key(&db)),
                    da.cmp(&db),
                    "{} vs {}", a, b
                );
            }
        }
    }

    #[test]
    fn keys_order_like_numbers() {
        let mut nums = [
            "-1000",
            "-999.999",
            "-1",
            "-0.5",
            "0",
            "0.1",
            "0.10000000001",
            "1",
            "1.5",
            "99",
            "100",
            "1e39",
        ];
        let mut by_key = nums;
        by_key.sort_by_key(|s| key(s));
        nums.sort_by(|a, b| Decimal::parse_json(a).cmp(&Decimal::parse_json(b)));
        assert_eq!(nums, by_key);
        assert_eq!(key("0.1"), key("0.10"));
        assert_eq!(key("-0"), key("0"));
        assert_eq!(key("1").len(), 81);
        assert!(key("1e50") > key("1e39"));
        assert!(key("-1e50") < key("-1e39"));
    }
}
