//! The typed syntax tree a parsed `query`, `orderBy` or `tags` filter becomes.
//!
//! Everything here is already resolved against a [`Schema`](ledgerbridge_domain::schema::Schema):
//! paths use the schema's canonical camelCase names, and values are typed by the field they are
//! compared with, so evaluators and SQL lowering never see user spelling or raw text.

use crate::number::Decimal;

/// A parsed, type-checked `query`.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    /// Every part must hold (`a && b`).
    And(Vec<Filter>),
    /// Some part must hold (`a || b`).
    Or(Vec<Filter>),
    /// One comparison (`amountDue > 0`).
    Compare(Comparison),
}

/// `path op value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// What is compared.
    pub path: Path,
    /// How.
    pub op: Operator,
    /// With what, typed by `path.ty`.
    pub value: Value,
}

/// A comparison operator.
///
/// Which operators a type supports: numbers and date-times `= != > < >= <=`, strings
/// `= != ~`, enums and booleans `= !=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `=`
    Eq,
    /// `!=`: the negation of `=`. True when the field is missing or null, and for a queryable
    /// array when no element equals.
    Ne,
    /// `~`: contains (strings only).
    Contains,
    /// `>`
    Gt,
    /// `<`
    Lt,
    /// `>=`
    Ge,
    /// `<=`
    Le,
}

impl Operator {
    /// The operator as written in a query.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "!=",
            Self::Contains => "~",
            Self::Gt => ">",
            Self::Lt => "<",
            Self::Ge => ">=",
            Self::Le => "<=",
        }
    }

    /// Whether `ordering` (stored value compared with the query value) satisfies an ordering
    /// or equality operator. `Contains` never does.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Self::Eq => ordering == Equal,
            Self::Ne => ordering != Equal,
            Self::Contains => false,
            Self::Gt => ordering == Greater,
            Self::Lt => ordering == Less,
            Self::Ge => ordering != Less,
            Self::Le => ordering != Greater,
        }
    }
}

/// The type of the scalar a path ends at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarType {
    /// Free text; compared case-insensitively (ASCII letters only).
    String,
    /// One of a closed set of values (the schema's spelling); compared case-insensitively.
    Enum(&'static [&'static str]),
    /// An exact decimal.
    Number,
    /// `true` / `false`.
    Boolean,
    /// A date-time, compared as UTC milliseconds (see [`crate::datetime`]).
    DateTime,
}

/// One step of a resolved path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A member of an object (the last segment when it is the scalar itself).
    Field(&'static str),
    /// A queryable array of objects: the rest of the path applies to each element, and a
    /// comparison holds when *some* element satisfies it (`!=`: when no element equals).
    Each(&'static str),
    /// A string-to-string map and the key looked up in it; always the last segment. The key
    /// is matched exactly (case-sensitively); a missing key is a missing value.
    MapKey {
        /// The map field, e.g. `tags`.
        field: &'static str,
        /// The key as the client wrote it, e.g. `region`.
        key: String,
    },
}

/// A resolved property path ending at a scalar, e.g. `customerRef.id` or
/// `dataConnections.status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// Never empty.
    pub segments: Vec<Segment>,
    /// The scalar's type.
    pub ty: ScalarType,
}

impl Path {
    /// The canonical dotted form (`customerRef.id`, `tags.region`).
    pub fn dotted(&self) -> String {
        let mut out = String::new();
        for (i, s) in self.segments.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            match s {
                Segment::Field(n) | Segment::Each(n) => out.push_str(n),
                Segment::MapKey { field, key } => {
                    out.push_str(field);
                    out.push('.');
                    out.push_str(key);
                }
            }
        }
        out
    }
}

/// A query value, typed by the field it is compared with.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string as written (trimmed; never empty).
    String(String),
    /// An enum value in the schema's spelling (`paid` becomes `Paid`).
    Enum(&'static str),
    /// An exact decimal.
    Number(Decimal),
    /// `true` / `false` (written in any case).
    Boolean(bool),
    /// UTC milliseconds since 1970-01-01 (see [`crate::datetime`]).
    DateTime(i64),
}

/// A parsed, type-checked `orderBy`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderBy {
    /// A scalar field, possibly through objects (never through arrays or maps).
    pub path: Path,
    /// Written with a leading `-`.
    pub descending: bool,
}

/// One condition of a `tags` filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagCondition {
    /// The tag key, matched exactly.
    pub key: String,
    /// `=`, `!=` or `~`.
    pub op: Operator,
    /// The value, compared like a string field (case-insensitive, ASCII letters only).
    pub value: String,
}

/// A parsed `tags` filter for `GET /companies`: conditions that must all hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagFilter {
    /// Never empty.
    pub conditions: Vec<TagCondition>,
}

impl TagFilter {
    /// The same conditions as a [`Filter`] over the map field `map_field` (for companies,
    /// `tags`), so one SQL lowering serves both parameters.
    pub fn to_filter(&self, map_field: &'static str) -> Filter {
        Filter::And(
            self.conditions
                .iter()
                .map(|c| {
                    Filter::Compare(Comparison {
                        path: Path {
                            segments: vec![Segment::MapKey {
                                field: map_field,
                                key: c.key.clone(),
                            }],
                            ty: ScalarType::String,
                        },
                        op: c.op,
                        value: Value::String(c.value.clone()),
                    })
                })
                .collect(),
        )
    }
}
