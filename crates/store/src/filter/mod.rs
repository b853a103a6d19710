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
//!   `lower(x COLLATE "C")` on PostgreSQL (whose `lower()` is Unicode under other collations,
//!   ASCII-only under "C"). `~` is
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
//! # Precomputed key columns
//!
//! A [`FieldSource::JsonDocument`] may list [`KeyColumn`]s: columns of the same row holding
//! the key of one document path, computed by the writer with [`KeyColumn::extract`] (the
//! reference evaluator's own readings: [`fold_case`], `Decimal::parse_json`,
//! `datetime::parse_stored`). A comparison or ordering on such a path (outside any array)
//! reads the column instead of the document, so the database can use an index on it:
//!
//! - comparisons are `(col IS NOT NULL AND col <op> ?)`, two-valued and sargable; the bound
//!   value is the query value's key (folded text, [`number_sort_key`], UTC milliseconds or a
//!   boolean);
//! - orderings ([`lower_ordering`]) are the bare column with the dialect's native `NULL`
//!   placement (SQLite's is already "first ascending, last descending"; PostgreSQL gets
//!   `NULLS FIRST` / `NULLS LAST`), so an index on `(…, col, id)` serves
//!   `ORDER BY col DESC, id DESC LIMIT n` without a sort.
//!
//! A key column is used only when its [`KeyKind`] fits the path's type; otherwise the path is
//! read from the document as usual. Text and number keys are compared bytewise (`BINARY` on
//! SQLite; declare the PostgreSQL columns `COLLATE "C"`).
//!
//! User values are always bound parameters. JSON paths and column names come only from the
//! static schema and [`FieldSource`]; they are quoted anyway, and schema names outside
//! `[A-Za-z0-9_]` are refused ([`LowerError::UnsupportedName`]).

pub mod bind;
mod keys;
mod sql;

use ledgerbridge_query::{
    Comparison, Decimal, Filter, Operator, OrderBy, ScalarType, Segment, TagFilter, Value,
    datetime, fold_case,
};
use sea_query::{Expr, NullOrdering, Order, SelectStatement};

pub use self::keys::number_sort_key;

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
        /// Paths whose keys are precomputed in columns of the same table (see the module
        /// documentation); may be empty.
        keys: &'static [KeyColumn],
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

/// A column holding the precomputed key of one document path, filled by the writer with
/// [`KeyColumn::extract`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyColumn {
    /// The dotted path through objects from the document's root (`issueDate`,
    /// `customerRef.id`); never through arrays or maps.
    pub path: &'static str,
    /// The column, in the document's table.
    pub column: &'static str,
    /// What the column holds.
    pub kind: KeyKind,
}

/// The kind of key a [`KeyColumn`] holds, and the column type it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// Strings and enums: the text with ASCII letters lowercased ([`fold_case`]). Text column
    /// (`COLLATE "C"` on PostgreSQL).
    Text,
    /// Numbers: [`number_sort_key`] of the exact decimal. Text column (`COLLATE "C"` on
    /// PostgreSQL).
    Number,
    /// Date-times: UTC milliseconds per `ledgerbridge_query::datetime`. 64-bit integer column.
    DateTime,
    /// Booleans: `1`/`0` on SQLite, `boolean` on PostgreSQL.
    Boolean,
}

/// A key as the writer stores it in a [`KeyColumn`]; `Null` when the document's value is
/// missing, `null` or of another type (the reference evaluator's "missing").
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KeyValue {
    /// SQL `NULL`.
    Null,
    /// A [`KeyKind::Text`] or [`KeyKind::Number`] key.
    Text(String),
    /// A [`KeyKind::DateTime`] key.
    Integer(i64),
    /// A [`KeyKind::Boolean`] key.
    Boolean(bool),
}

impl KeyKind {
    /// Whether this key can stand for a path of type `ty`.
    pub fn serves(self, ty: ScalarType) -> bool {
        matches!(
            (self, ty),
            (Self::Text, ScalarType::String | ScalarType::Enum(_))
                | (Self::Number, ScalarType::Number)
                | (Self::DateTime, ScalarType::DateTime)
                | (Self::Boolean, ScalarType::Boolean)
        )
    }
}

impl KeyColumn {
    /// The key of `doc` (a whole document) for this column, read exactly as
    /// [`ledgerbridge_query::matches`] and [`ledgerbridge_query::compare`] read the path.
    pub fn extract(&self, doc: &serde_json::Value) -> KeyValue {
        match doc {
            serde_json::Value::Object(map) => self.extract_object(map),
            _ => KeyValue::Null,
        }
    }

    /// [`KeyColumn::extract`] on a document given as its members.
    pub fn extract_object(&self, doc: &serde_json::Map<String, serde_json::Value>) -> KeyValue {
        let mut names = self.path.split('.');
        let Some(mut v) = names.next().and_then(|n| doc.get(n)) else {
            return KeyValue::Null;
        };
        for name in names {
            match v.get(name) {
                Some(next) => v = next,
                None => return KeyValue::Null,
            }
        }
        self.kind.key_of(v)
    }
}

impl KeyKind {
    /// The key of one JSON scalar (`Null` when it has another type).
    pub fn key_of(self, v: &serde_json::Value) -> KeyValue {
        use serde_json::Value as Json;
        match (self, v) {
            (Self::Text, Json::String(s)) => KeyValue::Text(fold_case(s)),
            // With `arbitrary_precision`, `to_string` is the number's text as written.
            (Self::Number, Json::Number(n)) => Decimal::parse_json(&n.to_string())
                .map_or(KeyValue::Null, |d| KeyValue::Text(number_sort_key(&d))),
            (Self::DateTime, Json::String(s)) => {
                datetime::parse_stored(s).map_or(KeyValue::Null, KeyValue::Integer)
            }
            (Self::Boolean, Json::Bool(b)) => KeyValue::Boolean(*b),
            _ => KeyValue::Null,
        }
    }
}

/// One `ORDER BY` term from [`lower_ordering`].
#[derive(Clone, Debug)]
pub struct OrderTerm {
    /// The sort key.
    pub expr: Expr,
    /// Ascending or descending.
    pub order: Order,
    /// Explicit `NULLS FIRST` / `NULLS LAST` (PostgreSQL only; SQLite's native placement
    /// already matches).
    pub nulls: Option<NullOrdering>,
}

impl OrderTerm {
    /// Appends this term to `q`'s `ORDER BY`.
    pub fn apply(&self, q: &mut SelectStatement) {
        match self.nulls {
            Some(n) => q.order_by_expr_with_nulls(self.expr.clone(), self.order.clone(), n),
            None => q.order_by_expr(self.expr.clone(), self.order.clone()),
        };
    }
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
///
/// The first key ranks missing values (`CASE WHEN key IS NULL …`), so no `NULLS` clause is
/// needed; [`lower_ordering`] gives an index-friendly form instead.
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
    let fields = order_fields(order)?;
    let mut rank = Sql::new(dialect);
    rank.push("CASE WHEN ");
    write_order_key(&mut rank, &scope, &fields, order.path.ty)?;
    rank.push(" IS NULL THEN 0 ELSE 1 END");
    let mut value = Sql::new(dialect);
    write_order_key(&mut value, &scope, &fields, order.path.ty)?;
    Ok(vec![
        (rank.into_expr(), dir.clone()),
        (value.into_expr(), dir),
    ])
}

/// Lowers an ordering to one `ORDER BY` term that puts missing values first ascending and
/// last descending by the database's own `NULL` placement: native on SQLite, explicit
/// `NULLS FIRST` / `NULLS LAST` on PostgreSQL. On a [`KeyColumn`] the term is the bare column,
/// so an index on `(…, column, id)` serves it; append the `id` tie-breaker **in the same
/// direction** (see [`id_order_term`]) to let one index scan serve both.
pub fn lower_ordering(
    order: &OrderBy,
    source: &FieldSource,
    dialect: Dialect,
) -> Result<Vec<OrderTerm>, LowerError> {
    let scope = Scope::root(source);
    let fields = order_fields(order)?;
    let mut key = Sql::new(dialect);
    write_order_key(&mut key, &scope, &fields, order.path.ty)?;
    Ok(vec![OrderTerm {
        expr: key.into_expr(),
        order: if order.descending {
            Order::Desc
        } else {
            Order::Asc
        },
        nulls: nulls_for(dialect, order.descending),
    }])
}

/// The `id` tie-breaker term for `table`, ascending or descending: bytewise on both backends
/// (on PostgreSQL through `COLLATE "C"`, unless `id_is_c_collated` says the column already is,
/// which keeps the term matchable to an index on the bare column).
pub fn id_order_term(
    table: &str,
    dialect: Dialect,
    descending: bool,
    id_is_c_collated: bool,
) -> OrderTerm {
    let id = match dialect {
        Dialect::Postgres if !id_is_c_collated => format!("{}.\"id\" COLLATE \"C\"", ident(table)),
        _ => format!("{}.\"id\"", ident(table)),
    };
    OrderTerm {
        expr: Expr::cust(id),
        order: if descending { Order::Desc } else { Order::Asc },
        nulls: None,
    }
}

fn nulls_for(dialect: Dialect, descending: bool) -> Option<NullOrdering> {
    match dialect {
        Dialect::Sqlite => None,
        Dialect::Postgres if descending => Some(NullOrdering::Last),
        Dialect::Postgres => Some(NullOrdering::First),
    }
}

fn order_fields(order: &OrderBy) -> Result<Vec<&'static str>, LowerError> {
    order
        .path
        .segments
        .iter()
        .map(|s| match s {
            Segment::Field(n) => Ok(*n),
            Segment::Each(n) => Err(LowerError::UnmappedArray((*n).into())),
            Segment::MapKey { field, .. } => Err(LowerError::UnmappedMap((*field).into())),
        })
        .collect()
}

/// The sort key of the scalar at `fields`: its key column when there is one, else the
/// computed key (`COLLATE "C"` for text on PostgreSQL).
fn write_order_key(
    w: &mut Sql,
    scope: &Scope<'_>,
    fields: &[&'static str],
    ty: ScalarType,
) -> Result<(), LowerError> {
    if let Some(col) = scope.key_column(fields, ty) {
        w.push(&col);
        return Ok(());
    }
    write_key(w, ty, &mut |w| write_value(w, scope, fields, ty))?;
    if w.dialect == Dialect::Postgres && matches!(ty, ScalarType::String | ScalarType::Enum(_)) {
        w.push(" COLLATE \"C\"");
    }
    Ok(())
}

/// Where a path is resolved: a JSON value, or a table row.
enum Scope<'s> {
    /// `base` is an SQL expression of a JSON value (TEXT JSON on SQLite, jsonb on PostgreSQL).
    /// At a document's root, `keys` are its precomputed key columns, qualified with `table`.
    Json {
        base: String,
        table: String,
        keys: &'s [KeyColumn],
    },
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
            FieldSource::JsonDocument {
                table,
                column,
                keys,
            } => Scope::Json {
                base: format!("{}.{}", ident(table), ident(column)),
                table: ident(table),
                keys,
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

impl Scope<'_> {
    /// An element of an array: JSON with no key columns.
    fn element(base: String) -> Scope<'static> {
        Scope::Json {
            base,
            table: String::new(),
            keys: &[],
        }
    }

    /// The qualified key column standing for the scalar at `fields` of type `ty`, if any.
    fn key_column(&self, fields: &[&'static str], ty: ScalarType) -> Option<String> {
        let Scope::Json { table, keys, .. } = self else {
            return None;
        };
        let k = keys
            .iter()
            .find(|k| k.kind.serves(ty) && k.path.split('.').eq(fields.iter().copied()))?;
        Some(format!("{table}.{}", ident(k.column)))
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
        _ => match scope.key_column(&fields, ty) {
            Some(col) => {
                write_key_predicate(w, &col, op, value);
                Ok(())
            }
            None => write_predicate(w, ty, op, value, &mut |w| {
                write_value(w, scope, &fields, ty)
            }),
        },
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
        Scope::Json { base, .. } => {
            let e = w.alias("arr");
            match w.dialect {
                Dialect::Sqlite => {
                    let path = sqlite_path(fields)?;
                    w.push(&format!(
                        "EXISTS (SELECT 1 FROM json_each({base}, {path}) AS {e} WHERE json_type({base}, {path}) = 'array' \
                         AND {e}.type = 'object' AND "
                    ));
                    inner(w, &Scope::element(format!("{e}.value")))?;
                }
                Dialect::Postgres => {
                    let x = postgres_path(base, fields)?;
                    w.push(&format!(
                        "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof({x}) = 'array' THEN {x} END) \
                         AS {e}(v) WHERE jsonb_typeof({e}.v) = 'object' AND "
                    ));
                    inner(w, &Scope::element(format!("{e}.v")))?;
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
        (Scope::Json { base, .. }, Dialect::Sqlite) => {
            let path = sqlite_path(fields)?;
            w.push(&format!(
                "(SELECT {m}.value FROM json_each({base}, {path}) AS {m} WHERE json_type({base}, {path}) = 'object' \
                 AND {m}.type = 'text' AND {m}.key = "
            ));
            w.bind(key.to_string());
            w.push(")");
        }
        (Scope::Json { base, .. }, Dialect::Postgres) => {
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
        Scope::Json { base, .. } => match w.dialect {
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
            // Under the "C" collation `lower()` folds ASCII letters only (and is several
            // times faster than the equivalent `translate()`).
            w.push("lower((");
            inner(w);
            w.push(") COLLATE \"C\")");
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

/// `(<col> IS NOT NULL AND <col> <op> <bound key>)` on a key column: never `NULL`, and both
/// conjuncts can use an index on the column.
fn write_key_predicate(w: &mut Sql, col: &str, op: Operator, value: &Value) {
    w.push(&format!("({col} IS NOT NULL AND {col}"));
    w.push(match op {
        Operator::Eq => " = ",
        Operator::Ne => " <> ",
        Operator::Contains => " LIKE ",
        Operator::Gt => " > ",
        Operator::Lt => " < ",
        Operator::Ge => " >= ",
        Operator::Le => " <= ",
    });
    match value {
        Value::String(s) if op == Operator::Contains => {
            w.bind(format!("%{}%", escape_like(&fold_case(s))));
            w.push(" ESCAPE '!'");
        }
        Value::String(s) => w.bind(fold_case(s)),
        Value::Enum(s) => w.bind(fold_case(s)),
        Value::Number(d) => w.bind(number_sort_key(d)),
        Value::Boolean(b) => w.bind(*b),
        Value::DateTime(ms) => w.bind(*ms),
    }
    w.push(")");
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
