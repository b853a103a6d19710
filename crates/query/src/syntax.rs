//! The untyped grammar of the query language, parsed with winnow.
//!
//! ```text
//! query      := expr EOF
//! expr       := term ( "&&" term )*  |  term ( "||" term )*     -- no mixing without braces
//! term       := ws "{" expr ws "}" ws  |  comparison
//! comparison := ws property op value
//! property   := one or more characters other than = ! ~ < > & | { }   (trimmed)
//! op         := "!=" | ">=" | "<=" | "=" | "~" | ">" | "<"
//! value      := everything up to the next "&&", "||", "}" or the end   (trimmed, non-empty)
//! ```
//!
//! There is no quoting: a value cannot contain `&&`, `||` or `}`.

use winnow::combinator::{alt, opt};
use winnow::error::{ContextError, ErrMode, ModalResult};
use winnow::prelude::*;
use winnow::token::{literal, take_while};

use crate::ast::Operator;

/// Braces may nest this deep; deeper is malformed (keeps recursion bounded).
pub(crate) const MAX_DEPTH: usize = 32;

/// A syntactically valid, not yet type-checked query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Raw<'a> {
    All(Vec<Raw<'a>>),
    Any(Vec<Raw<'a>>),
    Cmp {
        property: &'a str,
        op: Operator,
        value: &'a str,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Conj {
    And,
    Or,
}

const OPERATOR_CHARS: [char; 9] = ['=', '!', '~', '<', '>', '&', '|', '{', '}'];

fn fail<T>() -> ModalResult<T> {
    Err(ErrMode::Cut(ContextError::new()))
}

fn ws(input: &mut &str) -> ModalResult<()> {
    take_while(0.., char::is_whitespace)
        .void()
        .parse_next(input)
}

fn operator(input: &mut &str) -> ModalResult<Operator> {
    alt((
        literal("!=").value(Operator::Ne),
        literal(">=").value(Operator::Ge),
        literal("<=").value(Operator::Le),
        literal("=").value(Operator::Eq),
        literal("~").value(Operator::Contains),
        literal(">").value(Operator::Gt),
        literal("<").value(Operator::Lt),
    ))
    .parse_next(input)
}

/// A value runs to the next `&&`, `||`, `}` or the end of the input.
fn value<'a>(input: &mut &'a str) -> ModalResult<&'a str> {
    let end = [input.find("&&"), input.find("||"), input.find('}')]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(input.len());
    let (v, rest) = input.split_at(end);
    *input = rest;
    let v = v.trim();
    if v.is_empty() {
        return fail();
    }
    Ok(v)
}

fn comparison<'a>(input: &mut &'a str) -> ModalResult<Raw<'a>> {
    ws(input)?;
    let property = take_while(1.., |c: char| !OPERATOR_CHARS.contains(&c))
        .parse_next(input)?
        .trim();
    if property.is_empty() {
        return fail();
    }
    let op = operator(input)?;
    let value = value(input)?;
    Ok(Raw::Cmp {
        property,
        op,
        value,
    })
}

fn term<'a>(input: &mut &'a str, depth: usize) -> ModalResult<Raw<'a>> {
    ws(input)?;
    if opt(literal("{")).parse_next(input)?.is_some() {
        if depth >= MAX_DEPTH {
            return fail();
        }
        let inner = expr(input, depth + 1)?;
        ws(input)?;
        if opt(literal("}")).parse_next(input)?.is_none() {
            return fail();
        }
        ws(input)?;
        return Ok(inner);
    }
    comparison(input)
}

fn expr<'a>(input: &mut &'a str, depth: usize) -> ModalResult<Raw<'a>> {
    let first = term(input, depth)?;
    let mut items = vec![first];
    let mut conj = None;
    loop {
        ws(input)?;
        let next = opt(alt((
            literal("&&").value(Conj::And),
            literal("||").value(Conj::Or),
        )))
        .parse_next(input)?;
        let Some(c) = next else { break };
        if conj.is_some_and(|seen| seen != c) {
            // `a && b || c`: mixing needs braces.
            return fail();
        }
        conj = Some(c);
        items.push(term(input, depth)?);
    }
    Ok(match conj {
        None => items.pop().unwrap_or(Raw::All(Vec::new())),
        Some(Conj::And) => Raw::All(items),
        Some(Conj::Or) => Raw::Any(items),
    })
}

/// Parses the whole input, or `None` if it is not in the grammar.
pub(crate) fn parse(input: &str) -> Option<Raw<'_>> {
    let mut rest = input;
    let raw = expr(&mut rest, 0).ok()?;
    ws(&mut rest).ok()?;
    rest.is_empty().then_some(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp<'a>(property: &'a str, op: Operator, value: &'a str) -> Raw<'a> {
        Raw::Cmp {
            property,
            op,
            value,
        }
    }

    #[test]
    fn comparisons_and_whitespace() {
        assert_eq!(
            parse("amountDue>0"),
            Some(cmp("amountDue", Operator::Gt, "0"))
        );
        assert_eq!(
            parse("  amountDue  >=  0  "),
            Some(cmp("amountDue", Operator::Ge, "0"))
        );
        assert_eq!(parse("a!=b"), Some(cmp("a", Operator::Ne, "b")));
        assert_eq!(
            parse("name~Bob & Co | x"),
            Some(cmp("name", Operator::Contains, "Bob & Co | x"))
        );
        assert_eq!(parse("a==b"), Some(cmp("a", Operator::Eq, "=b")));
        assert_eq!(parse("a=b{c"), Some(cmp("a", Operator::Eq, "b{c")));
    }

    #[test]
    fn conjunctions_and_groups() {
        assert_eq!(
            parse("{totalAmount > 100 || totalAmount < 50} && status != paid"),
            Some(Raw::All(vec![
                Raw::Any(vec![
                    cmp("totalAmount", Operator::Gt, "100"),
                    cmp("totalAmount", Operator::Lt, "50")
                ]),
                cmp("status", Operator::Ne, "paid"),
            ]))
        );
        assert_eq!(parse("{{a=1}}"), Some(cmp("a", Operator::Eq, "1")));
        assert_eq!(
            parse("a=1&&b=2&&c=3"),
            Some(Raw::All(vec![
                cmp("a", Operator::Eq, "1"),
                cmp("b", Operator::Eq, "2"),
                cmp("c", Operator::Eq, "3")
            ]))
        );
    }

    #[test]
    fn malformed() {
        for q in [
            "",
            " ",
            "a",
            "a=",
            "a= ",
            "=1",
            "a=1 &&",
            "&& a=1",
            "a=1 || b=2 && c=3",
            "a=1 && b=2 || c=3",
            "{a=1",
            "a=1}",
            "{}",
            "{a=1} b=2",
            "a!1",
            "a=1 && {b=2",
            "{a=1}}",
            "a=1 &&& b=2",
        ] {
            assert_eq!(parse(q), None, "{q:?}");
        }
        let deep = format!("{}a=1{}", "{".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
        assert!(parse(&deep).is_some());
        let too_deep = format!(
            "{}a=1{}",
            "{".repeat(MAX_DEPTH + 1),
            "}".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(parse(&too_deep), None);
    }
}
