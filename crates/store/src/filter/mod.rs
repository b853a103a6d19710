//! Lowering of query-language filters and orderings to SQL (owned by the query work).
