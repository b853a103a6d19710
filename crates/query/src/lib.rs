//! Codat's query language and `orderBy`, for ledgerbridge.
//!
//! [`parse_filter`], [`parse_order_by`] and [`parse_tags_filter`] turn the `query`, `orderBy`
//! and `tags` parameters into typed trees checked against a resource's
//! [`Schema`]; [`matches`], [`matches_tags`] and [`compare`] are the reference
//! semantics over the resource's JSON. The SQL lowering lives in `ledgerbridge-store` and must
//! agree with these functions exactly. No SQL here.
//!
//! # The language
//!
//! `property op value`, joined with `&&` or `||` and grouped with `{ }`. Mixing `&&` and `||`
//! at one level without braces is malformed. Whitespace around tokens is optional. Values are
//! bare (no quotes) and run to the next `&&`, `||`, `}` or the end, trimmed. A query of 2048
//! characters or more, one containing NUL, or one nested more than 32 braces deep is
//! malformed.
//!
//! | type      | operators                  | value                                             |
//! |-----------|----------------------------|---------------------------------------------------|
//! | number    | `= != > < >= <=`           | `-?digits(.digits)?`, < 10^40, ≤ 40 decimals      |
//! | string    | `= != ~`                   | any text                                          |
//! | enum      | `= !=`                     | one of the schema's values, any case              |
//! | boolean   | `= !=`                     | `true` / `false`, any case                        |
//! | date-time | `= != > < >= <=`           | `YYYY-MM-DD`, `…THH:MM:SS[.f]`, with `Z` or `±HH:MM` |
//!
//! Choices where Codat's documentation is silent (see CONTRACT.md §10):
//!
//! - **Case**: property names match case-insensitively. String and enum comparisons (`=`,
//!   `!=`, `~`) fold **ASCII letters only** (`É` and `é` differ), because that is what SQLite
//!   can do; the SQL lowering folds the same way on PostgreSQL.
//! - **Enums** do not support `~` (malformed); a value not in the enum is malformed.
//! - **`null`** (any case) as a value is malformed for every type: querying on null is not
//!   supported, and silently matching the text "null" would mislead.
//! - **Missing or null fields**: every operator but `!=` is false; `!=` is true.
//! - **Queryable arrays** (`dataConnections.status`): "some element matches"; `!=` is "no
//!   element equals". Non-queryable arrays (`lineItems`) cannot be named at all.
//! - **Maps** (`tags.region=uk`): exact key, string semantics on its value.
//! - **Dates** compare at **millisecond** precision, fractions truncated; see [`datetime`].
//! - **Numbers** compare as exact decimals: `0.1 = 0.10`; see [`number`].
//! - **Errors**: unknown or non-scalar properties give [`QueryError::UnknownProperty`] with
//!   the path as written; everything else is [`QueryError::Malformed`]. Syntax is checked
//!   before properties; comparisons are then checked left to right.
//!
//! `orderBy` is one scalar property, possibly through objects, with an optional leading `-`
//! for descending. Arrays, maps and objects give `UnknownProperty`; an empty value is
//! malformed. Missing values sort first ascending and last descending.
#![forbid(unsafe_code)]

mod ast;
mod check;
pub mod datetime;
mod error;
mod eval;
pub mod number;
mod syntax;

use std::collections::BTreeMap;

use ledgerbridge_domain::schema::Schema;

pub use ast::{
    Comparison, Filter, Operator, OrderBy, Path, ScalarType, Segment, TagCondition, TagFilter,
    Value,
};
pub use check::MAX_QUERY_CHARS;
pub use error::QueryError;
pub use eval::fold_case;
pub use number::Decimal;

/// Parses and type-checks a `query` parameter (already URL-decoded) against `schema`.
pub fn parse_filter(input: &str, schema: &'static Schema) -> Result<Filter, QueryError> {
    check::filter(input, schema)
}

/// Parses an `orderBy` parameter: a property with an optional leading `-` (descending).
pub fn parse_order_by(input: &str, schema: &'static Schema) -> Result<OrderBy, QueryError> {
    check::precheck(input)?;
    let text = input.trim();
    let (descending, property) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.trim()),
        None => (false, text),
    };
    if property.is_empty() || property.contains(['=', '!', '~', '<', '>', '&', '|', '{', '}']) {
        return Err(QueryError::Malformed);
    }
    let path = check::resolve(property, schema, check::PathUse::Order)?;
    Ok(OrderBy { path, descending })
}

/// Parses the `tags` parameter of `GET /companies`: the query language restricted to `=`,
/// `!=`, `~` and `&&` (braces allowed), where a property is any tag key and every value is a
/// string.
pub fn parse_tags_filter(input: &str) -> Result<TagFilter, QueryError> {
    let conditions = check::tags(input)?;
    Ok(TagFilter { conditions })
}

/// Whether a resource's JSON (with the schema's field names) satisfies `filter`.
///
/// - Strings and enum values compare case-insensitively, folding ASCII letters only; `~` is a
///   substring test after the same folding.
/// - Numbers compare as exact decimals ([`Decimal`]); date-times as UTC milliseconds
///   ([`datetime`]).
/// - A missing field, a JSON `null`, or a value of the wrong JSON type (a date-time field
///   holding a string outside the date grammar included) is *missing*: `=`, `~`, `>`, `<`,
///   `>=`, `<=` are false and `!=` is true.
/// - On a queryable array a comparison holds when some element (an object) satisfies it;
///   `!=` holds when no element equals, so an empty or missing array satisfies every `!=`.
/// - On a map (`tags.region`) the key is looked up exactly; its value compares as a string.
pub fn matches(filter: &Filter, doc: &serde_json::Value) -> bool {
    eval::matches(filter, doc)
}

/// Whether a company's tags satisfy a `tags` filter: exact keys, values compared like
/// strings; a missing key is false for `=` and `~` and true for `!=`.
pub fn matches_tags(filter: &TagFilter, tags: &BTreeMap<String, String>) -> bool {
    eval::matches_tags(filter, tags)
}

/// How two resources' JSON order under `order`. Ties are *not* broken here: callers break
/// them by `id`.
///
/// Ascending: missing, null or wrongly typed values first, then strings and enums by their
/// ASCII-lowercased text in byte (code point) order, numbers exactly, `false` before `true`,
/// date-times chronologically at millisecond precision. Descending is the exact reverse
/// (missing values last).
pub fn compare(
    order: &OrderBy,
    a: &serde_json::Value,
    b: &serde_json::Value,
) -> std::cmp::Ordering {
    eval::compare(order, a, b)
}
