//! The two errors Codat's query language reports.

/// Why a `query`, `orderBy` or `tags` parameter was rejected.
///
/// The `Display` text is exactly the `error` message Codat returns in its 400 body.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The text is not a well-formed query: bad syntax, an operator the field's type does not
    /// support, a value that does not parse as the field's type, `null`, a NUL character, or a
    /// query of 2048 characters or more.
    #[error("Error parsing query - Malformed query.")]
    Malformed,
    /// A property (dotted path, as the client wrote it) that the resource does not have, or
    /// that cannot be compared: an object, a map without a key, a non-queryable array, or
    /// anything inside one.
    #[error("Error parsing query - Could not resolve property {property} on {type_name}")]
    UnknownProperty {
        /// The whole dotted path as written, e.g. `lineItems.unitAmount`.
        property: String,
        /// The resource's type name, e.g. `Invoice`.
        type_name: &'static str,
    },
}
