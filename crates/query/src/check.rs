//! Type-checking: resolving property paths against a schema and typing values by field.

use ledgerbridge_domain::schema::{FieldType, Schema};

use crate::QueryError;
use crate::ast::{Comparison, Filter, Operator, Path, ScalarType, Segment, TagCondition, Value};
use crate::number::Decimal;
use crate::syntax::Raw;
use crate::{datetime, syntax};

/// Queries of this many characters or more are malformed (Codat: "under 2048 characters").
pub const MAX_QUERY_CHARS: usize = 2048;

/// Rejects what no query may contain, before parsing.
pub(crate) fn precheck(input: &str) -> Result<(), QueryError> {
    // PostgreSQL text cannot hold NUL, so no value containing it could ever match.
    if input.contains('\0') || input.chars().count() >= MAX_QUERY_CHARS {
        return Err(QueryError::Malformed);
    }
    Ok(())
}

/// Where a path may lead.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathUse {
    /// A `query` comparison: through objects, queryable arrays and into maps.
    Filter,
    /// An `orderBy`: through objects only.
    Order,
}

/// Resolves a dotted property against `schema`.
pub(crate) fn resolve(
    property: &str,
    schema: &'static Schema,
    usage: PathUse,
) -> Result<Path, QueryError> {
    let unknown = || QueryError::UnknownProperty {
        property: property.to_string(),
        type_name: schema.type_name,
    };
    let parts: Vec<&str> = property.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(QueryError::Malformed);
    }
    let mut segments = Vec::new();
    let mut current = schema;
    let mut i = 0;
    while let Some(name) = parts.get(i) {
        let field = current.field(name).ok_or_else(unknown)?;
        let last = i + 1 == parts.len();
        let scalar = |ty| {
            if last { Ok(ty) } else { Err(unknown()) }
        };
        let ty = match field.ty {
            FieldType::String => scalar(ScalarType::String)?,
            FieldType::Enum(values) => scalar(ScalarType::Enum(values))?,
            FieldType::Number => scalar(ScalarType::Number)?,
            FieldType::Boolean => scalar(ScalarType::Boolean)?,
            FieldType::DateTime => scalar(ScalarType::DateTime)?,
            FieldType::Object(inner) if !last => {
                segments.push(Segment::Field(field.name));
                current = inner;
                i += 1;
                continue;
            }
            FieldType::Array {
                item,
                queryable: true,
            } if !last && usage == PathUse::Filter => {
                segments.push(Segment::Each(field.name));
                current = item;
                i += 1;
                continue;
            }
            FieldType::Map if !last && usage == PathUse::Filter => {
                // Everything after the map's name is the key, dots included.
                let key = parts[i + 1..].join(".");
                segments.push(Segment::MapKey {
                    field: field.name,
                    key,
                });
                return Ok(Path {
                    segments,
                    ty: ScalarType::String,
                });
            }
            FieldType::Object(_) | FieldType::Array { .. } | FieldType::Map => {
                return Err(unknown());
            }
        };
        segments.push(Segment::Field(field.name));
        return Ok(Path { segments, ty });
    }
    Err(unknown())
}

/// Whether `op` is defined for values of `ty`.
fn supports(ty: ScalarType, op: Operator) -> bool {
    use Operator::*;
    match ty {
        ScalarType::Number | ScalarType::DateTime => matches!(op, Eq | Ne | Gt | Lt | Ge | Le),
        ScalarType::String => matches!(op, Eq | Ne | Contains),
        ScalarType::Enum(_) | ScalarType::Boolean => matches!(op, Eq | Ne),
    }
}

/// Types a bare value by the field it is compared with.
pub(crate) fn typed_value(ty: ScalarType, text: &str) -> Result<Value, QueryError> {
    // Querying on null is not supported: refuse it rather than match the text "null".
    if text.eq_ignore_ascii_case("null") {
        return Err(QueryError::Malformed);
    }
    let value = match ty {
        ScalarType::String => Some(Value::String(text.to_string())),
        ScalarType::Enum(values) => values
            .iter()
            .find(|v| v.eq_ignore_ascii_case(text))
            .map(|v| Value::Enum(v)),
        ScalarType::Number => Decimal::parse_query(text).map(Value::Number),
        ScalarType::Boolean => {
            if text.eq_ignore_ascii_case("true") {
                Some(Value::Boolean(true))
            } else if text.eq_ignore_ascii_case("false") {
                Some(Value::Boolean(false))
            } else {
                None
            }
        }
        ScalarType::DateTime => datetime::parse_query(text).map(Value::DateTime),
    };
    value.ok_or(QueryError::Malformed)
}

fn check(raw: Raw<'_>, schema: &'static Schema) -> Result<Filter, QueryError> {
    Ok(match raw {
        Raw::All(items) => Filter::And(
            items
                .into_iter()
                .map(|r| check(r, schema))
                .collect::<Result<_, _>>()?,
        ),
        Raw::Any(items) => Filter::Or(
            items
                .into_iter()
                .map(|r| check(r, schema))
                .collect::<Result<_, _>>()?,
        ),
        Raw::Cmp {
            property,
            op,
            value,
        } => {
            let path = resolve(property, schema, PathUse::Filter)?;
            if !supports(path.ty, op) {
                return Err(QueryError::Malformed);
            }
            let value = typed_value(path.ty, value)?;
            Filter::Compare(Comparison { path, op, value })
        }
    })
}

pub(crate) fn filter(input: &str, schema: &'static Schema) -> Result<Filter, QueryError> {
    precheck(input)?;
    let raw = syntax::parse(input).ok_or(QueryError::Malformed)?;
    check(raw, schema)
}

fn tag_conditions(raw: Raw<'_>, out: &mut Vec<TagCondition>) -> Result<(), QueryError> {
    match raw {
        Raw::All(items) => items.into_iter().try_for_each(|r| tag_conditions(r, out)),
        Raw::Any(_) => Err(QueryError::Malformed),
        Raw::Cmp {
            property,
            op,
            value,
        } => {
            if !matches!(op, Operator::Eq | Operator::Ne | Operator::Contains) {
                return Err(QueryError::Malformed);
            }
            let Value::String(value) = typed_value(ScalarType::String, value)? else {
                return Err(QueryError::Malformed);
            };
            out.push(TagCondition {
                key: property.to_string(),
                op,
                value,
            });
            Ok(())
        }
    }
}

pub(crate) fn tags(input: &str) -> Result<Vec<TagCondition>, QueryError> {
    precheck(input)?;
    let raw = syntax::parse(input).ok_or(QueryError::Malformed)?;
    let mut out = Vec::new();
    tag_conditions(raw, &mut out)?;
    Ok(out)
}
