//! QuickBooks' query language, as much of it as clients send:
//!
//! ```text
//! SELECT * | COUNT(*) FROM <Entity>
//!   [WHERE <field> <op> <value> [AND ...]]      op: = != < > <= >= LIKE, or IN (v, ...)
//!   [ORDERBY | ORDER BY <field> [ASC | DESC]]
//!   [STARTPOSITION <n>] [MAXRESULTS <m>]
//! ```
//!
//! Keywords are case-insensitive, fields are matched case-insensitively (`Metadata` and
//! `MetaData` alike), values are `'quoted text'`, numbers or `true`/`false`. Timestamps
//! compare as instants whatever their offsets.

use std::cmp::Ordering;

use serde_json::Value;

/// The largest `MAXRESULTS` QuickBooks honours.
pub const MAX_RESULTS: usize = 1000;
/// `MAXRESULTS` when a query gives none.
pub const DEFAULT_RESULTS: usize = 100;

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Like,
    In,
}

/// One `WHERE` clause.
#[derive(Clone, Debug, PartialEq)]
pub struct Cond {
    pub field: String,
    pub op: Op,
    pub values: Vec<Literal>,
}

/// A literal in a query.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
}

/// A parsed statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub count: bool,
    pub entity: String,
    pub conds: Vec<Cond>,
    pub order: Option<(String, bool)>,
    /// 1-based.
    pub start: usize,
    pub max: usize,
}

fn tokens(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '\'' {
            chars.next();
            let mut s = String::from("'");
            loop {
                match chars.next() {
                    Some('\\') => {
                        if let Some(n) = chars.next() {
                            s.push(n);
                        }
                    }
                    Some('\'') => break,
                    Some(x) => s.push(x),
                    None => return Err("unterminated string literal".into()),
                }
            }
            out.push(s);
        } else if "(),*".contains(c) {
            out.push(c.to_string());
            chars.next();
        } else if "<>=!".contains(c) {
            let mut s = String::new();
            while let Some(&x) = chars.peek() {
                if "<>=!".contains(x) {
                    s.push(x);
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(s);
        } else {
            let mut s = String::new();
            while let Some(&x) = chars.peek() {
                if x.is_whitespace() || "(),'<>=!".contains(x) {
                    break;
                }
                s.push(x);
                chars.next();
            }
            out.push(s);
        }
    }
    Ok(out)
}

fn literal(token: &str) -> Result<Literal, String> {
    if let Some(text) = token.strip_prefix('\'') {
        return Ok(Literal::Text(text.to_string()));
    }
    if token.eq_ignore_ascii_case("true") {
        return Ok(Literal::Bool(true));
    }
    if token.eq_ignore_ascii_case("false") {
        return Ok(Literal::Bool(false));
    }
    token
        .parse::<f64>()
        .map(Literal::Number)
        .map_err(|_| format!("unexpected `{token}` where a value was expected"))
}

/// Parses a statement.
pub fn parse(text: &str) -> Result<Query, String> {
    let t = tokens(text)?;
    let mut i = 0;
    let kw = |i: usize, word: &str| t.get(i).is_some_and(|x| x.eq_ignore_ascii_case(word));
    if !kw(i, "select") {
        return Err("a query starts with SELECT".into());
    }
    i += 1;
    let count = if kw(i, "count") {
        if t.get(i + 1).map(String::as_str) != Some("(")
            || t.get(i + 2).map(String::as_str) != Some("*")
            || t.get(i + 3).map(String::as_str) != Some(")")
        {
            return Err("COUNT takes (*)".into());
        }
        i += 4;
        true
    } else if t.get(i).map(String::as_str) == Some("*") {
        i += 1;
        false
    } else {
        return Err("only SELECT * and SELECT COUNT(*) are supported".into());
    };
    if !kw(i, "from") {
        return Err("expected FROM".into());
    }
    let entity = t
        .get(i + 1)
        .cloned()
        .ok_or("expected an entity after FROM")?;
    i += 2;
    let mut q = Query {
        count,
        entity,
        conds: Vec::new(),
        order: None,
        start: 1,
        max: DEFAULT_RESULTS,
    };
    if kw(i, "where") {
        i += 1;
        loop {
            let field = t.get(i).cloned().ok_or("expected a field after WHERE")?;
            let op_token = t.get(i + 1).ok_or("expected an operator")?;
            i += 2;
            let op = match op_token.to_ascii_lowercase().as_str() {
                "=" => Op::Eq,
                "!=" | "<>" => Op::Ne,
                "<" => Op::Lt,
                ">" => Op::Gt,
                "<=" => Op::Le,
                ">=" => Op::Ge,
                "like" => Op::Like,
                "in" => Op::In,
                other => return Err(format!("unknown operator `{other}`")),
            };
            let mut values = Vec::new();
            if op == Op::In {
                if t.get(i).map(String::as_str) != Some("(") {
                    return Err("IN takes a list in parentheses".into());
                }
                i += 1;
                loop {
                    values.push(literal(t.get(i).ok_or("unterminated IN list")?)?);
                    i += 1;
                    match t.get(i).map(String::as_str) {
                        Some(",") => i += 1,
                        Some(")") => {
                            i += 1;
                            break;
                        }
                        _ => return Err("unterminated IN list".into()),
                    }
                }
            } else {
                values.push(literal(t.get(i).ok_or("expected a value")?)?);
                i += 1;
            }
            q.conds.push(Cond { field, op, values });
            if kw(i, "and") {
                i += 1;
            } else {
                break;
            }
        }
    }
    if kw(i, "orderby") || (kw(i, "order") && kw(i + 1, "by")) {
        i += if kw(i, "order") { 2 } else { 1 };
        let field = t.get(i).cloned().ok_or("expected a field after ORDERBY")?;
        i += 1;
        let desc = if kw(i, "desc") {
            i += 1;
            true
        } else {
            if kw(i, "asc") {
                i += 1;
            }
            false
        };
        q.order = Some((field, desc));
    }
    if kw(i, "startposition") {
        q.start = t
            .get(i + 1)
            .and_then(|n| n.parse().ok())
            .filter(|n| *n >= 1)
            .ok_or("STARTPOSITION takes a positive number")?;
        i += 2;
    }
    if kw(i, "maxresults") {
        q.max = t
            .get(i + 1)
            .and_then(|n| n.parse().ok())
            .ok_or("MAXRESULTS takes a number")?;
        i += 2;
    }
    if let Some(extra) = t.get(i) {
        return Err(format!("unexpected `{extra}`"));
    }
    q.max = q.max.min(MAX_RESULTS);
    Ok(q)
}

/// The value at a dotted path, keys matched case-insensitively.
pub fn field<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    let mut at = record;
    for part in path.split('.') {
        let o = at.as_object()?;
        at = o.get(part).or_else(|| {
            o.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(part))
                .map(|(_, v)| v)
        })?;
    }
    Some(at)
}

fn instant(text: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(text).ok()
}

fn compare(actual: &Value, literal: &Literal) -> Option<Ordering> {
    match (actual, literal) {
        (Value::String(a), Literal::Text(b)) => match (instant(a), instant(b)) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => Some(
                a.bytes()
                    .map(|c| c.to_ascii_lowercase())
                    .cmp(b.bytes().map(|c| c.to_ascii_lowercase())),
            ),
        },
        (Value::Number(a), Literal::Number(b)) => a.as_f64()?.partial_cmp(b),
        (Value::Number(a), Literal::Text(b)) => a.as_f64()?.partial_cmp(&b.parse::<f64>().ok()?),
        (Value::String(a), Literal::Number(b)) => a.parse::<f64>().ok()?.partial_cmp(b),
        (Value::Bool(a), Literal::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn like(actual: &Value, pattern: &Literal) -> bool {
    let (Some(a), Literal::Text(p)) = (actual.as_str(), pattern) else {
        return false;
    };
    let a = a.to_ascii_lowercase();
    let p = p.to_ascii_lowercase();
    match (p.strip_prefix('%'), p.strip_suffix('%')) {
        (Some(rest), _) if rest.ends_with('%') => a.contains(rest.trim_end_matches('%')),
        (Some(rest), _) => a.ends_with(rest),
        (None, Some(rest)) => a.starts_with(rest),
        (None, None) => a == p,
    }
}

impl Cond {
    /// Whether `record` satisfies the clause.
    pub fn matches(&self, record: &Value) -> bool {
        let Some(actual) = field(record, &self.field) else {
            return false;
        };
        let Some(first) = self.values.first() else {
            return false;
        };
        match self.op {
            Op::In => self
                .values
                .iter()
                .any(|v| compare(actual, v) == Some(Ordering::Equal)),
            Op::Like => like(actual, first),
            op => compare(actual, first).is_some_and(|o| match op {
                Op::Eq => o == Ordering::Equal,
                Op::Ne => o != Ordering::Equal,
                Op::Lt => o == Ordering::Less,
                Op::Gt => o == Ordering::Greater,
                Op::Le => o != Ordering::Greater,
                Op::Ge => o != Ordering::Less,
                Op::Like | Op::In => false,
            }),
        }
    }

    /// Whether the clause names `Active` (so inactive records are asked for explicitly).
    pub fn is_about_active(&self) -> bool {
        self.field.eq_ignore_ascii_case("active")
    }
}

/// Orders two records by `path`.
pub fn order(a: &Value, b: &Value, path: &str) -> Ordering {
    match (field(a, path), field(b, path)) {
        (Some(Value::String(x)), Some(Value::String(y))) => match (instant(x), instant(y)) {
            (Some(p), Some(q)) => p.cmp(&q),
            _ => match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(p), Ok(q)) => p.partial_cmp(&q).unwrap_or(Ordering::Equal),
                _ => x.cmp(y),
            },
        },
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_what_the_connector_sends() {
        let q = parse("select * from Invoice where Metadata.LastUpdatedTime > '2024-06-01T00:00:00-07:00' and Active IN (true, false) ORDERBY Metadata.LastUpdatedTime STARTPOSITION 1001 MAXRESULTS 5000").expect("parses");
        assert!(!q.count);
        assert_eq!(q.entity, "Invoice");
        assert_eq!(q.conds.len(), 2);
        assert_eq!(q.conds[1].op, Op::In);
        assert_eq!(q.start, 1001);
        assert_eq!(q.max, MAX_RESULTS);
        let r = json!({"MetaData": {"LastUpdatedTime": "2024-06-01T08:00:01Z"}, "Active": false});
        assert!(q.conds.iter().all(|c| c.matches(&r)));
        let c = parse("SELECT COUNT(*) FROM Customer").expect("parses");
        assert!(c.count);
        assert!(parse("SELECT Id FROM Invoice").is_err());
        assert!(parse("SELECT * FROM Invoice WHERE").is_err());
        assert!(parse("SELECT * FROM Invoice MAXRESULTS x").is_err());
    }
}
