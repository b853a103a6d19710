//! Field schemas: what a resource's JSON looks like to the query language.
//!
//! Each queryable resource (a Platform resource or an accounting data type) declares its fields
//! once, statically. The `query` crate type-checks filters and `orderBy` against them, and the
//! `store` crate maps the same paths to SQL.

/// The type of one field, as the query language sees it.
#[derive(Clone, Copy, Debug)]
pub enum FieldType {
    /// Free text and opaque ids. `=`, `!=` (case-insensitive) and `~` (contains).
    String,
    /// A closed set of values; compared case-insensitively, served in the listed spelling.
    Enum(&'static [&'static str]),
    /// Any JSON number (money, rates, counts), compared as an exact decimal.
    Number,
    /// `true` / `false`.
    Boolean,
    /// A date or date-time in any of Codat's four forms; a date-only value is midnight.
    DateTime,
    /// A nested object: reached with a dot path (`customerRef.id`).
    Object(&'static Schema),
    /// An array of objects. When `queryable` (Platform lists such as `dataConnections`), a
    /// comparison on one of its fields means "some element matches", and `!=` means "no
    /// element equals". Otherwise the array cannot be queried, as Codat documents for
    /// `lineItems`.
    Array {
        item: &'static Schema,
        queryable: bool,
    },
    /// A string-to-string map (company `tags`): any key, string values.
    Map,
}

/// One named field of a schema.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The camelCase wire name.
    pub name: &'static str,
    pub ty: FieldType,
}

/// The fields of one resource, and the type name Codat's error messages use for it.
#[derive(Debug)]
pub struct Schema {
    /// Used in `Could not resolve property {name} on {type_name}`.
    pub type_name: &'static str,
    pub fields: &'static [Field],
}

impl Schema {
    /// Looks a field up by name; names match case-insensitively, as Codat's do.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

/// Shorthand for declaring a field in a `static` schema.
pub const fn field(name: &'static str, ty: FieldType) -> Field {
    Field { name, ty }
}
