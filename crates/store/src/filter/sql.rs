//! A small SQL text builder: dialect-aware placeholders, quoting, unique aliases.

use sea_query::{Expr, Value};

use super::Dialect;

/// SQL text being written for one expression, with the values its placeholders bind.
///
/// Placeholders are `?` on SQLite and `$1`, `$2`, … (local to this expression) on PostgreSQL;
/// [`Sql::into_expr`] hands both to sea-query, which renumbers them within the statement.
pub(crate) struct Sql {
    pub(crate) dialect: Dialect,
    text: String,
    values: Vec<Value>,
    aliases: usize,
}

impl Sql {
    pub(crate) fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            text: String::new(),
            values: Vec::new(),
            aliases: 0,
        }
    }

    /// Appends trusted SQL text (never user input).
    pub(crate) fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Appends a placeholder bound to `v`.
    pub(crate) fn bind(&mut self, v: impl Into<Value>) {
        self.values.push(v.into());
        match self.dialect {
            Dialect::Sqlite => self.text.push('?'),
            Dialect::Postgres => {
                self.text.push('$');
                self.text.push_str(&self.values.len().to_string());
            }
        }
    }

    /// A fresh table alias, unique within this expression.
    pub(crate) fn alias(&mut self, what: &str) -> String {
        self.aliases += 1;
        format!("lb_{what}{}", self.aliases)
    }

    pub(crate) fn into_expr(self) -> Expr {
        if self.values.is_empty() {
            Expr::cust(self.text)
        } else {
            Expr::cust_with_values(self.text, self.values)
        }
    }
}

/// A double-quoted SQL identifier.
pub(crate) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A single-quoted SQL string literal, for schema-derived text only (JSON paths, keys of the
/// schema); user values are always bound.
pub(crate) fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Whether a schema name is safe to inline in a JSON path (`[A-Za-z0-9_]+`).
pub(crate) fn plain_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}
