//! Lowering of query-language filters and orderings to SQL, for SQLite and PostgreSQL.
//!
//! [`lower_filter`] and [`lower_order`] turn a type-checked [`Filter`] / [`OrderBy`] from
//! `ledgerbridge-query` into sea-query expressions that select exactly the rows
//! [`ledgerbridge_query::matches`] accepts and order them exactly as
//! [`ledgerbridge_query::compare`] does (callers add the `id` tie-breaker), on both backends.
//! A differential test (`tests/filter_differential.rs`) holds the three to that.
//!
//! # How the semantics are kept identical
//!
//! - **Missing values.** Every typed read yields SQL `NULL` for a missing field, a JSON `null`
//!   or a value of the wrong JSON type; every comparison is wrapped as
//!   `COALESCE(<cmp>, FALSE)`, so it is two-valued, and `!=` is `NOT (<the = comparison>)`.
//! - **Strings and enums** fold ASCII letters only: `lower()` on SQLite (ASCII-only there),
//!   `translate(x, 'A…Z', 'a…z')` on PostgreSQL (whose `lower()` is Unicode). `~` is
//!   `LIKE` with `%`, `_` and the escape character `!` escaped in the bound value and an
//!   explicit `ESCAPE '!'`. Ordering is by the folded text in byte order (`COLLATE "C"` on
//!   PostgreSQL, `BINARY` on SQLite).
//! - **Numbers** are exact. PostgreSQL compares `numeric`. SQLite never goes through REAL: the
//!   JSON text of the number (`doc -> '$.x'`) is turned into a fixed-width sortable text key
//!   (sign, 40 integer digits, 40 fractional digits) by string functions, and compared with
//!   the query value's key. *Limitation (SQLite only):* stored numbers of magnitude `10^40` or
//!   more compare as the largest number of their sign, and digits past the 40th decimal place
//!   are ignored (a nonzero magnitude below `10^-40` reads as zero). Query values are always
//!   within range (the parser refuses others), and money never comes near these bounds.
//! - **Date-times** are read by the reference grammar in `ledgerbridge_query::datetime`,
//!   implemented with `substr`/`GLOB` on SQLite and one anchored regular expression on
//!   PostgreSQL, plus the same integer `days_from_civil` arithmetic, giving UTC milliseconds
//!   (fraction truncated). No date parser of either database is involved, and no stored text
//!   can make a query fail.
//! - **Booleans** compare as booleans (`1`/`0` on SQLite).
//! - **Nulls in ordering**: each ordering starts with a `CASE WHEN key IS NULL THEN 0 ELSE 1
//!   END` key, so missing values sort first ascending and last descending on both backends.
//!
//! User values are always bound parameters. JSON paths and column names come only from the
//! static schema and [`FieldSource`]; they are quoted anyway, and schema names outside
//! `[A-Za-z0-9_]` are refused ([`LowerError::UnsupportedName`]).

pub mod bind;
mod keys;
mod sql;

use ledgerbridge_query::{
    Comparison, Filter, Operator, OrderBy, ScalarType, Segment, TagFilter, Value, fold_case,
};
use sea_query::{Expr, Order};

use self::sql::{Sql, ident, literal, plain_name};

/// The SQL dialect a statement is rendered for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// SQLite (the embedded default).
    Sqlite,
    /// PostgreSQL (scale-out).
    Postgres,
}

/// How a resource's fields live in SQL.
#[derive(Clone, Copy, Debug)]
pub enum FieldSource {
    /// The whole resource is one JSON document in `table.column` (accounting records: `TEXT`
    /// holding JSON on SQLite, `JSONB` on PostgreSQL). Queryable arrays inside the document are
    /// searched with `json_each` / `jsonb_array_elements`.
    JsonDocument {
        /// The table (or alias) the column is qualified with.
        table: &'static str,
        /// The JSON column.
        column: &'static str,
    },
    /// Scalar fields are columns of `table` (Platform resources).
    ///
    /// A field (dotted path through objects, e.g. `lastSync` or `customerRef.id`) maps to the
    /// column listed in `columns`, or else to its snake_case name with dots as underscores
    /// (`lastSync` → `last_sync`). Column types: text for strings, enums and date-times (any
    /// of the four date forms, e.g. our fixed-width `…ffffffZ` timestamps), `INTEGER` 0/1
    /// (SQLite) or `BOOLEAN` (PostgreSQL) for booleans.
    Columns {
        /// The table (or alias) the columns are qualified with.
        table: &'static str,
        /// `(field, column)` overrides of the snake_case default.
        columns: &'static [(&'static str, &'static str)],
        /// `(map field, column)`: string-to-string maps kept as a JSON object in a text column
        /// (company `tags`).
        maps: &'static [(&'static str, &'static str)],
        /// Queryable arrays kept as rows of another table.
        arrays: &'static [ArraySource],
    },
}

/// A queryable array whose elements are rows of another table, e.g. a company's
/// `dataConnections` in `connections`.
#[derive(Clone, Copy, Debug)]
pub struct ArraySource {
    /// The array field, e.g. `dataConnections`.
    pub field: &'static str,
    /// The elements' table, e.g. `connections`.
    pub table: &'static str,
    /// The column of `table` referring to the parent, e.g. `company_id`.
    pub foreign_key: &'static str,
    /// The parent's column it refers to, e.g. `id` (qualified with the parent's table).
    pub parent_key: &'static str,
    /// `(element field, column)` overrides of the snake_case default, as in
    /// [`FieldSource::Columns`].
    pub columns: &'static [(&'static str, &'static str)],
}

/// A filter or ordering that the [`FieldSource`] cannot express. These are configuration
/// mistakes (a schema and its source disagree), not client errors.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LowerError {
    /// A queryable array with no [`ArraySource`], or an array inside one.
    #[error("no SQL source for the array `{0}`")]
    UnmappedArray(String),
    /// A map field with no column in [`FieldSource::Columns::maps`].
    #[error("no SQL source for the map `{0}`")]
    UnmappedMap(String),
    /// A schema name that is not `[A-Za-z0-9_]+` and so cannot be inlined in a JSON path.
    #[error("field name `{0}` cannot be used in a JSON path")]
    UnsupportedName(String),
}

/// Lowers a filter to a boolean SQL expression (never `NULL`) for `WHERE`.
pub fn lower_filter(
    filter: &Filter,
    source: &FieldSource,
    dialect: Dialect,
) -> Result<Expr, LowerError> {
    let mut w = Sql::new(dialect);
    write_filter(&mut w, filter, &Scope::root(source))?;
    Ok(w.into_expr())
}

/// Lowers a `tags` filter against the map field `map_field` (for companies, `tags`).
pub fn lower_tag_filter(
    filter: &TagFilter,
    map_field: &'static str,
    source: &FieldSource,
    dialect: Dialect,
) -> Result<Expr, LowerError> {
    lower_filter(&filter.to_filter(map_field), source, dialect)
}

/// Lowers an ordering to `ORDER BY` keys, in order. The caller appends its `id` tie-breaker
/// (in the same direction or not; ties are unordered by the reference); on PostgreSQL write it
/// as `"table"."id" COLLATE "C"` so ids sort by bytes, as they do on SQLite.
pub fn lower_order(
    order: &OrderBy,
    source: &FieldSource,
    dialect: Dialect,
) -> Result<Vec<(Expr, Order)>, LowerError> {
    let dir = if order.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let scope = Scope::root(source);
    let key = |w: &mut Sql| -> Result<(), LowerError> {
        let fields = order
            .path
            .segments
            .iter()
            .map(|s| match s {
                Segment::Field(n) => Ok(*n),
                Segment::Each(n) => Err(LowerError::UnmappedArray((*n).into())),
                Segment::MapKey { field, .. } => Err(LowerError::UnmappedMap((*field).into())),
            })
            .collect::<Result<Vec<_>, _>>()?;
        write_key(w, order.path.ty, &mut |w| {
            write_value(w, &scope, &fields, order.path.ty)
        })
    };
    let mut rank = Sql::new(dialect);
    rank.push("CASE WHEN ");
    key(&mut rank)?;
    rank.push(" IS NULL THEN 0 ELSE 1 END");
    let mut value = Sql::new(dialect);
    key(&mut value)?;
    if dialect == Dialect::Postgres
        && matches!(order.path.ty, ScalarType::String | ScalarType::Enum(_))
    {
        value.push(" COLLATE \"C\"");
    }
    Ok(vec![
        (rank.into_expr(), dir.clone()),
        (value.into_expr(), dir),
    ])
}

/// Where a path is resolved: a JSON value, or a table row.
enum Scope<'s> {
    /// `base` is an SQL expression of a JSON value (TEXT JSON on SQLite, jsonb on PostgreSQL).
    Json { base: String },
    /// A row of a table, under `alias`.
    Row {
        alias: String,
        columns: &'s [(&'static str, &'static str)],
        maps: &'s [(&'static str, &'static str)],
        arrays: &'s [ArraySource],
    },
}

impl<'s> Scope<'s> {
    fn root(source: &'s FieldSource) -> Self {
        match source {
            FieldSource::JsonDocument { table, column } => Scope::Json {
                base: format!("{}.{}", ident(table), ident(column)),
            },
            FieldSource::Columns {
                table,
                columns,
                maps,
                arrays,
            } => Scope::Row {
                alias: ident(table),
                columns,
                maps,
                arrays,
            },
        }
    }
}

fn snake_case(dotted: &str) -> String {
    let mut out = String::new();
    for c in dotted.chars() {
        if c == '.' {
            out.push('_');
        } else if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn column_for(columns: &[(&'static str, &'static str)], dotted: &str) -> String {
    columns
        .iter()
        .find(|(f, _)| *f == dotted)
        .map_or_else(|| snake_case(dotted), |(_, c)| (*c).to_string())
}

/// SQLite JSON path for object fields: `'$."a"."b"'`.
fn sqlite_path(fields: &[&str]) -> Result<String, LowerError> {
    let mut p = String::from("$");
    for f in fields {
        if !plain_name(f) {
            return Err(LowerError::UnsupportedName((*f).into()));
        }
        p.push_str(&format!(".\"{f}\""));
    }
    Ok(literal(&p))
}

/// PostgreSQL jsonb navigation: `base -> 'a' -> 'b'`.
fn postgres_path(base: &str, fields: &[&str]) -> Result<String, LowerError> {
    let mut p = format!("({base})");
    for f in fields {
        if !plain_name(f) {
            return Err(LowerError::UnsupportedName((*f).into()));
        }
        p.push_str(&format!(" -> {}", literal(f)));
    }
    Ok(format!("({p})"))
}

fn write_filter(w: &mut Sql, filter: &Filter, scope: &Scope<'_>) -> Result<(), LowerError> {
    match filter {
        Filter::And(items) | Filter::Or(items) if items.is_empty() => {
            // An empty conjunction holds; an empty disjunction does not (never parsed, but total).
            w.push(if matches!(filter, Filter::And(_)) {
                "(1 = 1)"
            } else {
                "(1 = 0)"
            });
        }
        Filter::And(items) | Filter::Or(items) => {
            let joiner = if matches!(filter, Filter::And(_)) {
                " AND "
            } else {
                " OR "
            };
            w.push("(");
            for (i, f) in items.iter().enumerate() {
                if i > 0 {
                    w.push(joiner);
                }
                write_filter(w, f, scope)?;
            }
            w.push(")");
        }
        Filter::Compare(c) => write_comparison(w, c, scope)?,
    }
    Ok(())
}

fn write_comparison(w: &mut Sql, c: &Comparison, scope: &Scope<'_>) -> Result<(), LowerError> {
    if c.op == Operator::Ne {
        w.push("(NOT ");
        write_positive(
            w,
            scope,
            &c.path.segments,
            &[],
            c.path.ty,
            Operator::Eq,
            &c.value,
        )?;
        w.push(")");
        Ok(())
    } else {
        write_positive(w, scope, &c.path.segments, &[], c.path.ty, c.op, &c.value)
    }
}

/// Writes the positive reading of `segments op value` (never `Ne`), two-valued: false when
/// the value is missing; for an array, whether some element satisfies it. `prefix` holds the
/// object fields already walked in this scope.
fn write_positive(
    w: &mut Sql,
    scope: &Scope<'_>,
    segments: &[Segment],
    prefix: &[&'static str],
    ty: ScalarType,
    op: Operator,
    value: &Value,
) -> Result<(), LowerError> {
    let mut fields: Vec<&'static str> = prefix.to_vec();
    let mut rest = segments;
    while let Some((Segment::Field(n), tail)) = rest.split_first() {
        fields.push(n);
        rest = tail;
    }
    match rest.split_first() {
        Some((Segment::Each(name), tail)) => {
            fields.push(name);
            write_exists(w, scope, &fields, |w, inner| {
                write_positive(w, inner, tail, &[], ty, op, value)
            })
        }
        Some((Segment::MapKey { field, key }, _)) => {
            fields.push(field);
            write_predicate(w, ScalarType::String, op, value, &mut |w| {
                write_map_value(w, scope, &fields, key)
            })
        }
        // The loop above consumed every leading `Field`, so this is the scalar itself.
        _ => write_predicate(w, ty, op, value, &mut |w| {
            write_value(w, scope, &fields, ty)
        }),
    }
}

/// Closes every `EXISTS` subquery. The `LIMIT 1` is a workaround: SQLite 3.51 turns a bare
/// `EXISTS` into a join and then lets `OFFSET` count an outer row once per matching element,
/// so a page could repeat a row (caught by the differential test). PostgreSQL is unaffected.
const EXISTS_END: &str = " LIMIT 1)";

/// `EXISTS (…)` over the elements of the array at `fields`, with `inner` written against an
/// element scope.
fn write_exists(
    w: &mut Sql,
    scope: &Scope<'_>,
    fields: &[&'static str],
    inner: impl FnOnce(&mut Sql, &Scope<'_>) -> Result<(), LowerError>,
) -> Result<(), LowerError> {
    match scope {
        Scope::Json { base } => {
            let e = w.alias("arr");
            match w.dialect {
                Dialect::Sqlite => {
                    let path = sqlite_path(fields)?;
                    w.push(&format!(
                        "EXISTS (SELECT 1 FROM json_each({base}, {path}) AS {e} WHERE json_type({base}, {path}) = 'array' \
                         AND {e}.type = 'object' AND "
                    ));
                    inner(
                        w,
                        &Scope::Json {
                            base: format!("{e}.value"),
                        },
                    )?;
                }
                Dialect::Postgres => {
                    let x = postgres_path(base, fields)?;
                    w.push(&format!(
                        "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof({x}) = 'array' THEN {x} END) \
                         AS {e}(v) WHERE jsonb_typeof({e}.v) = 'object' AND "
                    ));
                    inner(
                        w,
                        &Scope::Json {
                            base: format!("{e}.v"),
                        },
                    )?;
                }
            }
            w.push(EXISTS_END);
            Ok(())
        }
        Scope::Row { alias, arrays, .. } => {
            let dotted = fields.join(".");
            let source = arrays
                .iter()
                .find(|a| a.field == dotted)
                .ok_or(LowerError::UnmappedArray(dotted))?;
            let e = w.alias("arr");
            w.push(&format!(
                "EXISTS (SELECT 1 FROM {} AS {e} WHERE {e}.{} = {alias}.{} AND ",
                ident(source.table),
                ident(source.foreign_key),
                ident(source.parent_key)
            ));
            inner(
                w,
                &Scope::Row {
                    alias: e,
                    columns: source.columns,
                    maps: &[],
                    arrays: &[],
                },
            )?;
            w.push(EXISTS_END);
            Ok(())
        }
    }
}

/// The value of `key` in the string map at `fields` (NULL when missing or not a string).
fn write_map_value(
    w: &mut Sql,
    scope: &Scope<'_>,
    fields: &[&'static str],
    key: &str,
) -> Result<(), LowerError> {
    let m = w.alias("map");
    match (scope, w.dialect) {
        (Scope::Json { base }, Dialect::Sqlite) => {
            let path = sqlite_path(fields)?;
            w.push(&format!(
                "(SELECT {m}.value FROM json_each({base}, {path}) AS {m} WHERE json_type({base}, {path}) = 'object' \
                 AND {m}.type = 'text' AND {m}.key = "
            ));
            w.bind(key.to_string());
            w.push(")");
        }
        (Scope::Json { base }, Dialect::Postgres) => {
            let x = postgres_path(base, fields)?;
            w.push(&format!(
                "(SELECT CASE WHEN jsonb_typeof({m}.v) = 'string' THEN {m}.v #>> '{{}}' END FROM (SELECT {x} -> CAST("
            ));
            w.bind(key.to_string());
            w.push(&format!(" AS text) AS v) AS {m})"));
        }
        (Scope::Row { alias, maps, .. }, dialect) => {
            let dotted = fields.join(".");
            let column = maps
                .iter()
                .find(|(f, _)| *f == dotted)
                .map(|(_, c)| *c)
                .ok_or(LowerError::UnmappedMap(dotted))?;
            let col = format!("{alias}.{}", ident(column));
            match dialect {
                Dialect::Sqlite => {
                    w.push(&format!(
                        "(SELECT {m}.value FROM json_each({col}) AS {m} WHERE json_type({col}) = 'object' \
                         AND {m}.type = 'text' AND {m}.key = "
                    ));
                    w.bind(key.to_string());
                    w.push(")");
                }
                Dialect::Postgres => {
                    w.push(&format!(
                        "(SELECT CASE WHEN jsonb_typeof({m}.v) = 'string' THEN {m}.v #>> '{{}}' END \
                         FROM (SELECT CAST({col} AS jsonb) -> CAST("
                    ));
                    w.bind(key.to_string());
                    w.push(&format!(" AS text) AS v) AS {m})"));
                }
            }
        }
    }
    Ok(())
}

/// The stored scalar at `fields`, typed: text for strings, enums and date-times; the JSON
/// number text (SQLite) or `numeric` (PostgreSQL) for numbers; 1/0 or boolean for booleans.
/// NULL when missing or of another type.
fn write_value(
    w: &mut Sql,
    scope: &Scope<'_>,
    fields: &[&'static str],
    ty: ScalarType,
) -> Result<(), LowerError> {
    match scope {
        Scope::Json { base } => match w.dialect {
            Dialect::Sqlite => {
                let p = sqlite_path(fields)?;
                let s = match ty {
                    ScalarType::String | ScalarType::Enum(_) | ScalarType::DateTime => {
                        format!(
                            "CASE WHEN json_type({base}, {p}) = 'text' THEN json_extract({base}, {p}) END"
                        )
                    }
                    // `->` yields the number's JSON text, exactly as written.
                    ScalarType::Number => format!(
                        "CASE WHEN json_type({base}, {p}) IN ('integer', 'real') THEN {base} -> {p} END"
                    ),
                    ScalarType::Boolean => format!(
                        "CASE json_type({base}, {p}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END"
                    ),
                };
                w.push(&format!("({s})"));
            }
            Dialect::Postgres => {
                let x = postgres_path(base, fields)?;
                let s = match ty {
                    ScalarType::String | ScalarType::Enum(_) | ScalarType::DateTime => {
                        format!("CASE WHEN jsonb_typeof({x}) = 'string' THEN {x} #>> '{{}}' END")
                    }
                    ScalarType::Number => format!(
                        "CASE WHEN jsonb_typeof({x}) = 'number' THEN CAST({x} #>> '{{}}' AS numeric) END"
                    ),
                    ScalarType::Boolean => format!(
                        "CASE WHEN jsonb_typeof({x}) = 'boolean' THEN CAST({x} #>> '{{}}' AS boolean) END"
                    ),
                };
                w.push(&format!("({s})"));
            }
        },
        Scope::Row { alias, columns, .. } => {
            let col = format!("{alias}.{}", ident(&column_for(columns, &fields.join("."))));
            let s = match (ty, w.dialect) {
                (ScalarType::Number, Dialect::Sqlite) => format!("CAST({col} AS TEXT)"),
                (ScalarType::Number, Dialect::Postgres) => format!("CAST({col} AS numeric)"),
                _ => col,
            };
            w.push(&format!("({s})"));
        }
    }
    Ok(())
}

/// Writes the comparable key of a typed value: folded text, the number key (SQLite) or
/// `numeric` (PostgreSQL), the boolean, or UTC milliseconds.
fn write_key(
    w: &mut Sql,
    ty: ScalarType,
    value: &mut dyn FnMut(&mut Sql) -> Result<(), LowerError>,
) -> Result<(), LowerError> {
    let mut result = Ok(());
    let mut inner = |w: &mut Sql| result = value(w);
    match (ty, w.dialect) {
        (ScalarType::String | ScalarType::Enum(_), Dialect::Sqlite) => {
            w.push("lower(");
            inner(w);
            w.push(")");
        }
        (ScalarType::String | ScalarType::Enum(_), Dialect::Postgres) => {
            w.push("translate(");
            inner(w);
            w.push(", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')");
        }
        (ScalarType::Number, Dialect::Sqlite) => keys::sqlite_number_key(w, inner),
        (ScalarType::DateTime, Dialect::Sqlite) => keys::sqlite_datetime_millis(w, inner),
        (ScalarType::DateTime, Dialect::Postgres) => keys::postgres_datetime_millis(w, inner),
        (ScalarType::Number | ScalarType::Boolean, Dialect::Postgres)
        | (ScalarType::Boolean, Dialect::Sqlite) => inner(w),
    }
    result
}

/// Escapes `%`, `_` and the escape character `!` for `LIKE … ESCAPE '!'`.
fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out
}

/// `COALESCE(<key> <op> <bound value>, FALSE)`.
fn write_predicate(
    w: &mut Sql,
    ty: ScalarType,
    op: Operator,
    value: &Value,
    stored: &mut dyn FnMut(&mut Sql) -> Result<(), LowerError>,
) -> Result<(), LowerError> {
    w.push("COALESCE((");
    write_key(w, ty, stored)?;
    let sql_op = match op {
        Operator::Eq => " = ",
        Operator::Ne => " <> ",
        Operator::Contains => " LIKE ",
        Operator::Gt => " > ",
        Operator::Lt => " < ",
        Operator::Ge => " >= ",
        Operator::Le => " <= ",
    };
    w.push(sql_op);
    match value {
        Value::String(s) if op == Operator::Contains => {
            w.bind(format!("%{}%", escape_like(&fold_case(s))));
            w.push(" ESCAPE '!'");
        }
        Value::String(s) => w.bind(fold_case(s)),
        Value::Enum(s) => w.bind(fold_case(s)),
        Value::Number(d) => match w.dialect {
            Dialect::Sqlite => w.bind(keys::number_key(d)),
            Dialect::Postgres => {
                w.push("CAST(");
                w.bind(d.to_plain_string());
                w.push(" AS numeric)");
            }
        },
        Value::Boolean(b) => w.bind(*b),
        Value::DateTime(ms) => w.bind(*ms),
    }
    w.push("), FALSE)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_escaping_and_column_names() {
        assert_eq!(escape_like("100%_a!b"), "100!%!_a!!b");
        assert_eq!(snake_case("lastSync"), "last_sync");
        assert_eq!(snake_case("customerRef.id"), "customer_ref_id");
        assert_eq!(
            column_for(&[("lastSync", "synced_at")], "lastSync"),
            "synced_at"
        );
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(literal("it's"), "'it''s'");
    }

    #[test]
    fn schema_names_outside_the_safe_set_are_refused() {
        assert!(sqlite_path(&["ok_1"]).is_ok());
        assert_eq!(
            sqlite_path(&["a'b"]),
            Err(LowerError::UnsupportedName("a'b".into()))
        );
        assert!(postgres_path("doc", &["a.b"]).is_err());
    }

    #[test]
    fn unmapped_sources_are_errors() {
        use ledgerbridge_domain::platform::COMPANY_SCHEMA;
        let bare = FieldSource::Columns {
            table: "companies",
            columns: &[],
            maps: &[],
            arrays: &[],
        };
        let f = ledgerbridge_query::parse_filter("dataConnections.status=Linked", &COMPANY_SCHEMA)
            .expect("parses");
        assert!(matches!(
            lower_filter(&f, &bare, Dialect::Sqlite),
            Err(LowerError::UnmappedArray(_))
        ));
        let f =
            ledgerbridge_query::parse_filter("tags.region=uk", &COMPANY_SCHEMA).expect("parses");
        assert!(matches!(
            lower_filter(&f, &bare, Dialect::Postgres),
            Err(LowerError::UnmappedMap(_))
        ));
    }
}
