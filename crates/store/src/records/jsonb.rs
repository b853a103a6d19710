//! SQLite's binary JSON (JSONB) turned back into JSON text in Rust, so a list does not pay for
//! `json(doc)` on the database connection's thread.
//!
//! The format (SQLite's "JSONB" documentation): every element is a header and a payload. The
//! header's first byte holds the element type in its low four bits; its high four bits are the
//! payload size when below 12, or say that the size follows in the next 1, 2, 4 or 8 bytes
//! (big-endian) for 12, 13, 14 and 15. Scalars carry their JSON text as the payload; arrays
//! carry their elements, objects alternate labels and values.
//!
//! The text written is what `json(doc)` gives for the same document: numbers and strings as
//! stored, no whitespace. The JSON5 forms (`INT5`, `FLOAT5`, `TEXT5`) need rewriting to become
//! JSON; the store never writes them (its documents are made by `jsonb()` of JSON text), so
//! [`to_text`] declines a document holding one and the caller asks SQLite instead.

const NULL: u8 = 0;
const TRUE: u8 = 1;
const FALSE: u8 = 2;
const INT: u8 = 3;
const FLOAT: u8 = 5;
const TEXT: u8 = 7;
const TEXTJ: u8 = 8;
const TEXTRAW: u8 = 10;
const ARRAY: u8 = 11;
const OBJECT: u8 = 12;

/// Deepest nesting accepted (SQLite's own limit is 1,000); deeper input is declined.
const MAX_DEPTH: usize = 1000;

/// The JSON text of a JSONB document, or `None` when it is not well formed or holds a form
/// this reader does not convert (see the module docs).
pub(crate) fn to_text(jsonb: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(jsonb.len() + jsonb.len() / 8);
    let end = element(jsonb, 0, &mut out, 0)?;
    if end != jsonb.len() {
        return None;
    }
    // Every byte written is either ASCII punctuation or a copy of a payload, and payloads of
    // text and number elements must be UTF-8 for the text to be JSON.
    String::from_utf8(out).ok()
}

/// Writes the element at `at` and returns the offset just past it.
fn element(b: &[u8], at: usize, out: &mut Vec<u8>, depth: usize) -> Option<usize> {
    let (kind, start, end) = header(b, at)?;
    let payload = &b[start..end];
    match kind {
        NULL => out.extend_from_slice(b"null"),
        TRUE => out.extend_from_slice(b"true"),
        FALSE => out.extend_from_slice(b"false"),
        INT | FLOAT if !payload.is_empty() => out.extend_from_slice(payload),
        TEXT | TEXTJ | TEXTRAW => string(kind, payload, out),
        ARRAY | OBJECT if depth < MAX_DEPTH => {
            let inner = &b[..end];
            let mut i = start;
            if kind == ARRAY {
                out.push(b'[');
                while i < end {
                    if i > start {
                        out.push(b',');
                    }
                    i = element(inner, i, out, depth + 1)?;
                }
                out.push(b']');
            } else {
                out.push(b'{');
                while i < end {
                    if i > start {
                        out.push(b',');
                    }
                    // A label, which must be a string, then its value.
                    let (label, label_start, label_end) = header(inner, i)?;
                    if !matches!(label, TEXT | TEXTJ | TEXTRAW) || label_end >= end {
                        return None;
                    }
                    string(label, &inner[label_start..label_end], out);
                    out.push(b':');
                    i = element(inner, label_end, out, depth + 1)?;
                }
                out.push(b'}');
            }
        }
        _ => return None,
    }
    Some(end)
}

/// A string element (`TEXT`, `TEXTJ` or `TEXTRAW`) as JSON text.
#[inline]
fn string(kind: u8, payload: &[u8], out: &mut Vec<u8>) {
    if kind == TEXTRAW {
        escaped(payload, out);
    } else {
        out.reserve(payload.len() + 2);
        out.push(b'"');
        out.extend_from_slice(payload);
        out.push(b'"');
    }
}

/// The element type and the payload's bounds of the element at `at`.
#[inline]
fn header(b: &[u8], at: usize) -> Option<(u8, usize, usize)> {
    let first = *b.get(at)?;
    let (size, start) = match first >> 4 {
        small @ 0..=11 => (usize::from(small), at + 1),
        12 => (usize::from(*b.get(at + 1)?), at + 2),
        13 => (be(b.get(at + 1..at + 3)?)?, at + 3),
        14 => (be(b.get(at + 1..at + 5)?)?, at + 5),
        _ => (be(b.get(at + 1..at + 9)?)?, at + 9),
    };
    let end = start.checked_add(size)?;
    (end <= b.len()).then_some((first & 0x0f, start, end))
}

fn be(bytes: &[u8]) -> Option<usize> {
    let v = bytes.iter().fold(0u64, |v, &x| (v << 8) | u64::from(x));
    usize::try_from(v).ok()
}

/// A `TEXTRAW` payload as a JSON string, escaped as SQLite escapes it.
fn escaped(raw: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &c in raw {
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0..=0x1f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(c >> 4)]);
                out.push(HEX[usize::from(c & 0x0f)]);
            }
            _ => out.push(c),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::Value as Json;
    use sqlx::{Connection, SqliteConnection};

    use super::to_text;

    /// SQLite's JSONB of `text` and SQLite's `json()` of that JSONB.
    fn sqlite_pair(sql: &str, value: &str) -> (Vec<u8>, String) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let mut conn = SqliteConnection::connect("sqlite::memory:")
                .await
                .expect("connect");
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT b, json(b) FROM (SELECT {sql} AS b)"
            )))
            .bind(value)
            .fetch_one(&mut conn)
            .await
            .expect("SQLite reads it")
        })
    }

    fn json_value() -> impl Strategy<Value = Json> {
        let number = "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,14})?([eE][+-]?[0-9]{1,3})?"
            .prop_map(|n| Json::Number(n.parse().expect("a JSON number")));
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            number,
            any::<String>().prop_map(Json::String),
            "[a-z\"\\\\/\u{0}-\u{1f}\u{7f}é€😀]{0,300}".prop_map(Json::String),
        ];
        leaf.prop_recursive(6, 400, 12, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..12).prop_map(Json::Array),
                prop::collection::vec((any::<String>(), inner), 0..12)
                    .prop_map(|members| Json::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Whatever compact JSON the writer stores, the text read back is SQLite's `json()`.
        #[test]
        fn reads_back_what_sqlite_gives(value in json_value()) {
            let text = serde_json::to_string(&value).expect("serialises");
            let (jsonb, sqlite) = sqlite_pair("jsonb($1)", &text);
            prop_assert_eq!(to_text(&jsonb), Some(sqlite));
        }

        /// SQL text put into a document is stored unescaped (`TEXTRAW`) and escaped on reading.
        #[test]
        fn escapes_raw_text_as_sqlite_does(raw in "[a-z\"\\\\/\u{0}-\u{1f}\u{7f}é😀]{0,40}") {
            let (jsonb, sqlite) = sqlite_pair("jsonb_set('{\"a\":[1]}', '$.b', $1)", &raw);
            prop_assert_eq!(to_text(&jsonb), Some(sqlite));
        }
    }

    #[test]
    fn reads_every_size_of_header() {
        for len in [0, 11, 12, 255, 256, 65_535, 65_536, 300_000] {
            let text = serde_json::to_string(&serde_json::json!({
                "s": "x".repeat(len),
                "a": vec![1; len / 100],
            }))
            .expect("serialises");
            let (jsonb, sqlite) = sqlite_pair("jsonb($1)", &text);
            assert_eq!(
                to_text(&jsonb).as_deref(),
                Some(sqlite.as_str()),
                "length {len}"
            );
            assert_eq!(sqlite, text);
        }
    }

    #[test]
    fn declines_truncated_and_trailing_bytes() {
        // `{"a":1}` is 0x4c (object, 4 bytes) 0x17 'a' 0x13 '1'.
        assert_eq!(
            to_text(&[0x4c, 0x17, b'a', 0x13, b'1']).as_deref(),
            Some("{\"a\":1}")
        );
        assert_eq!(to_text(&[0x5c, 0x17, b'a', 0x13, b'1']), None);
        assert_eq!(to_text(&[0x00, 0x00]), None);
        assert_eq!(to_text(&[]), None);
        // A label that is not a string, and a label without a value.
        assert_eq!(to_text(&[0x2c, 0x13, b'1']), None);
        assert_eq!(to_text(&[0x2c, 0x17, b'a']), None);
    }

    #[test]
    fn declines_json5_forms() {
        // INT5 `0x1F`, FLOAT5 `.5`, TEXT5 `'\x41'`.
        assert_eq!(to_text(&[0x44, b'0', b'x', b'1', b'F']), None);
        assert_eq!(to_text(&[0x26, b'.', b'5']), None);
        assert_eq!(to_text(&[0x49, b'\\', b'x', b'4', b'1']), None);
    }
}
