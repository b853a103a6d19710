//! The reference evaluator: what a filter and an ordering mean, over a resource's JSON.
//!
//! The SQL lowering in `ledgerbridge-store` must return exactly the rows this accepts, in
//! exactly this order (ties aside); a differential test there checks it on both backends.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::ast::{
    Comparison, Filter, Operator, OrderBy, Path, ScalarType, Segment, TagFilter, Value,
};
use crate::datetime;
use crate::number::Decimal;

/// ASCII-only lowercase: the case folding every backend can do identically.
pub fn fold_case(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// A stored scalar, read according to the field's type. Anything of another JSON type (or a
/// string that is not a date-time, for a date-time field) reads as missing.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Scalar {
    Text(String),
    Number(Decimal),
    Boolean(bool),
    DateTime(i64),
}

fn read_scalar(ty: ScalarType, v: &Json) -> Option<Scalar> {
    match (ty, v) {
        (ScalarType::String | ScalarType::Enum(_), Json::String(s)) => {
            Some(Scalar::Text(fold_case(s)))
        }
        // With serde_json's `arbitrary_precision` this is the number's original text; without
        // it, the shortest text that round-trips the f64 serde_json parsed.
        (ScalarType::Number, Json::Number(n)) => {
            Decimal::parse_json(&n.to_string()).map(Scalar::Number)
        }
        (ScalarType::Boolean, Json::Bool(b)) => Some(Scalar::Boolean(*b)),
        (ScalarType::DateTime, Json::String(s)) => datetime::parse_stored(s).map(Scalar::DateTime),
        _ => None,
    }
}

/// The query value as the same kind of scalar (strings already case-folded).
fn query_scalar(v: &Value) -> Scalar {
    match v {
        Value::String(s) => Scalar::Text(fold_case(s)),
        Value::Enum(s) => Scalar::Text(fold_case(s)),
        Value::Number(n) => Scalar::Number(n.clone()),
        Value::Boolean(b) => Scalar::Boolean(*b),
        Value::DateTime(ms) => Scalar::DateTime(*ms),
    }
}

/// Whether a present, well-typed stored scalar satisfies `op value` (`op` is never `Ne`).
fn scalar_holds(stored: &Scalar, op: Operator, value: &Scalar) -> bool {
    match (op, stored, value) {
        (Operator::Contains, Scalar::Text(s), Scalar::Text(q)) => s.contains(q.as_str()),
        (Operator::Contains, _, _) => false,
        _ => op.holds(stored.cmp(value)),
    }
}

/// The positive reading of a comparison (any operator but `Ne`): false when the value is
/// missing; for a queryable array, true when some element satisfies it.
fn holds(doc: &Json, segments: &[Segment], ty: ScalarType, op: Operator, value: &Scalar) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return read_scalar(ty, doc).is_some_and(|s| scalar_holds(&s, op, value));
    };
    match first {
        Segment::Field(name) => doc.get(name).is_some_and(|v| holds(v, rest, ty, op, value)),
        Segment::Each(name) => match doc.get(name) {
            Some(Json::Array(items)) => items
                .iter()
                .filter(|i| i.is_object())
                .any(|i| holds(i, rest, ty, op, value)),
            _ => false,
        },
        Segment::MapKey { field, key } => match doc.get(field) {
            Some(Json::Object(map)) => map.get(key).is_some_and(|v| holds(v, rest, ty, op, value)),
            _ => false,
        },
    }
}

fn comparison_holds(c: &Comparison, doc: &Json) -> bool {
    let value = query_scalar(&c.value);
    match c.op {
        // `!=` is the negation of `=`: true for a missing field and for an array none of whose
        // elements equals.
        Operator::Ne => !holds(doc, &c.path.segments, c.path.ty, Operator::Eq, &value),
        op => holds(doc, &c.path.segments, c.path.ty, op, &value),
    }
}

/// Whether the resource `doc` (its JSON, with the schema's field names) satisfies `filter`.
///
/// - Strings and enum values compare case-insensitively, folding ASCII letters only; `~` is a
///   substring test after the same folding.
/// - Numbers compare as exact decimals; date-times as UTC milliseconds (see
///   [`crate::datetime`]).
/// - A missing field, a JSON `null`, or a value of the wrong JSON type is *missing*: `=`, `~`,
///   `>`, `<`, `>=`, `<=` are false and `!=` is true.
/// - On a queryable array, a comparison holds when some element satisfies it; `!=` holds when
///   no element equals (so an empty or missing array satisfies every `!=`).
/// - On a map (`tags.region`), the key is looked up exactly; its value compares as a string.
pub fn matches(filter: &Filter, doc: &Json) -> bool {
    match filter {
        Filter::And(items) => items.iter().all(|f| matches(f, doc)),
        Filter::Or(items) => items.iter().any(|f| matches(f, doc)),
        Filter::Compare(c) => comparison_holds(c, doc),
    }
}

/// Whether a company's tags satisfy a `tags` filter: the same rules as a map field in
/// [`matches`] (exact keys; values case-insensitive; a missing key is false for `=` and `~`
/// and true for `!=`).
pub fn matches_tags(filter: &TagFilter, tags: &BTreeMap<String, String>) -> bool {
    filter.conditions.iter().all(|c| {
        let stored = tags.get(&c.key).map(|s| fold_case(s));
        let q = fold_case(&c.value);
        match c.op {
            Operator::Eq => stored.is_some_and(|s| s == q),
            Operator::Ne => stored.is_none_or(|s| s != q),
            Operator::Contains => stored.is_some_and(|s| s.contains(q.as_str())),
            _ => false,
        }
    })
}

/// The sort key of a document under an ordering path (`None` sorts first ascending).
fn order_key(path: &Path, doc: &Json) -> Option<Scalar> {
    let mut v = doc;
    for s in &path.segments {
        match s {
            Segment::Field(name) => v = v.get(name)?,
            // `orderBy` never resolves through arrays or maps.
            Segment::Each(_) | Segment::MapKey { .. } => return None,
        }
    }
    read_scalar(path.ty, v)
}

/// How `a` and `b` (resources' JSON) order under `order`. Ties are *not* broken here: callers
/// break them by `id`.
///
/// Ascending: missing/null values first, then strings and enums by their ASCII-lowercased
/// text (byte order), numbers exactly, `false` before `true`, date-times chronologically.
/// Descending is the exact reverse (missing values last).
pub fn compare(order: &OrderBy, a: &Json, b: &Json) -> Ordering {
    let ord = order_key(&order.path, a).cmp(&order_key(&order.path, b));
    if order.descending { ord.reverse() } else { ord }
}
