//! A record's document as a writer hands it over: a JSON object as compact text.
//!
//! Writers (connectors) serialise their records straight to text, so the write path never
//! builds a `serde_json::Value` tree of a document: [`Members::parse`] reads the top-level
//! members as borrowed slices of the text ([`RawValue`]: the exact bytes written, validated),
//! the content that is hashed and stored is those members re-joined without `modifiedDate`,
//! and a key column parses only the one member its path starts with.
//!
//! Text that this cannot borrow — a member name with an escape, a repeated member name — is
//! parsed into a `Value` and written again compactly, members in key order
//! ([`Members::parse`] returns `None` and the caller takes that path), so what is stored is
//! always one object with unique member names.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value as Json;
use serde_json::value::RawValue;

use crate::filter::{KeyColumn, KeyValue};

/// The top-level members of a document, in the order written, as borrowed text.
pub(super) struct Members<'a>(Vec<(&'a str, &'a RawValue)>);

impl<'a> Members<'a> {
    /// The members of `text`, or `None` when `text` is not a JSON object whose member names
    /// can be borrowed (no escapes) and are unique.
    pub(super) fn parse(text: &'a str) -> Option<Self> {
        let mut de = serde_json::Deserializer::from_str(text);
        let members = Members::deserialize(&mut de).ok()?;
        de.end().ok()?;
        let names = &members.0;
        let unique = names
            .iter()
            .enumerate()
            .all(|(i, (name, _))| names[..i].iter().all(|(other, _)| other != name));
        unique.then_some(members)
    }

    /// The raw text of member `name`.
    pub(super) fn get(&self, name: &str) -> Option<&'a RawValue> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    /// The object without its `modifiedDate` member, compactly: `{"a":…,"b":…}`, each member
    /// value exactly as written.
    pub(super) fn content(&self) -> Vec<u8> {
        let len: usize = self
            .0
            .iter()
            .map(|(n, v)| n.len() + v.get().len() + 4)
            .sum();
        let mut out = Vec::with_capacity(len + 2);
        out.push(b'{');
        for (name, value) in self.0.iter().filter(|(n, _)| *n != "modifiedDate") {
            if out.len() > 1 {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            out.extend_from_slice(value.get().as_bytes());
        }
        out.push(b'}');
        out
    }

    /// The key of this document for `column`, read as [`KeyColumn::extract`] reads it; only
    /// the member the path starts with is parsed.
    pub(super) fn key(&self, column: &KeyColumn) -> KeyValue {
        let (first, rest) = match column.path.split_once('.') {
            Some((first, rest)) => (first, Some(rest)),
            None => (column.path, None),
        };
        let Some(Ok(mut value)) = self
            .get(first)
            .map(|raw| serde_json::from_str::<Json>(raw.get()))
        else {
            return KeyValue::Null;
        };
        for name in rest.into_iter().flat_map(|r| r.split('.')) {
            match value.get_mut(name) {
                Some(next) => value = next.take(),
                None => return KeyValue::Null,
            }
        }
        column.kind.key_of(&value)
    }

    /// The string member `name`, unescaped.
    pub(super) fn string(&self, name: &str) -> Option<String> {
        self.get(name)
            .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
    }
}

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(32));
                while let Some(member) = map.next_entry::<&'de str, &'de RawValue>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::KeyKind;

    fn column(path: &'static str, kind: KeyKind) -> KeyColumn {
        KeyColumn {
            path,
            column: "k",
            kind,
        }
    }

    #[test]
    fn members_are_borrowed_in_order_and_content_drops_modified_date() {
        let text = r#"{"z":1.50,"modifiedDate":"x","a":{"b":[1,"2"]},"s":"q\"uote"}"#;
        let m = Members::parse(text).expect("object");
        assert_eq!(
            String::from_utf8(m.content()).expect("utf-8"),
            r#"{"z":1.50,"a":{"b":[1,"2"]},"s":"q\"uote"}"#
        );
        assert_eq!(m.string("s").as_deref(), Some("q\"uote"));
        assert_eq!(m.string("z"), None);
    }

    #[test]
    fn what_cannot_be_borrowed_is_refused() {
        for text in [
            r#"[1]"#,
            r#""x""#,
            r#"{"a":1,"a":2}"#,
            r#"{"a\u0062":1}"#,
            r#"{"a":1} x"#,
            r#"{"a":}"#,
        ] {
            assert!(Members::parse(text).is_none(), "{text}");
        }
    }

    #[test]
    fn keys_read_nested_paths_and_types() {
        let m = Members::parse(
            r#"{"customerRef":{"id":"C-1"},"metadata":{"isDeleted":true},"totalAmount":12.5,"status":"Paid"}"#,
        )
        .expect("object");
        assert_eq!(
            m.key(&column("customerRef.id", KeyKind::Text)),
            KeyValue::Text("c-1".into())
        );
        assert_eq!(
            m.key(&column("metadata.isDeleted", KeyKind::Boolean)),
            KeyValue::Boolean(true)
        );
        assert_eq!(
            m.key(&column("customerRef.name", KeyKind::Text)),
            KeyValue::Null
        );
        assert_eq!(m.key(&column("status", KeyKind::Number)), KeyValue::Null);
        assert_eq!(m.key(&column("missing", KeyKind::Text)), KeyValue::Null);
        let doc: Json = serde_json::from_str(r#"{"totalAmount":12.5}"#).expect("json");
        let number = column("totalAmount", KeyKind::Number);
        assert_eq!(m.key(&number), number.extract(&doc));
    }
}
