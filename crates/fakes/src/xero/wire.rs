//! Xero's JSON text: compact, with the slashes of `\/Date(...)\/` escaped as Xero's .NET
//! serialiser writes them, and the answer envelope (`Id`, `Status`, `ProviderName`,
//! `DateTimeUTC`) around what an endpoint returns.
//!
//! Records are written once, when an organisation is built ([`super::books::Entry`]), and an
//! answer splices their text into the envelope: serving a page copies text rather than
//! rebuilding and re-serialising a tree of every record on it.

use std::io;

use serde::Serialize;
use serde_json::ser::Formatter;

/// serde_json's compact output, except that a string that is a whole `/Date(...)/` is written
/// `\/Date(...)\/`.
struct XeroFormatter;

impl Formatter for XeroFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // A date has nothing to escape, so it reaches here as one fragment.
        match fragment
            .strip_prefix("/Date(")
            .and_then(|rest| rest.strip_suffix(")/"))
        {
            Some(inner) => {
                writer.write_all(b"\\/Date(")?;
                writer.write_all(inner.as_bytes())?;
                writer.write_all(b")\\/")
            }
            None => writer.write_all(fragment.as_bytes()),
        }
    }
}

/// Appends `value` to `out` as Xero writes it.
pub fn write(out: &mut Vec<u8>, value: &(impl Serialize + ?Sized)) {
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, XeroFormatter);
    // Serialising a `Value` or a derived struct into memory cannot fail.
    let _ = value.serialize(&mut serializer);
}

/// `value` as Xero writes it.
pub fn text(value: &(impl Serialize + ?Sized)) -> String {
    let mut out = Vec::new();
    write(&mut out, value);
    // The serializer writes UTF-8 only.
    String::from_utf8(out).unwrap_or_default()
}

/// An answer being written: the envelope's members first, then the endpoint's.
pub struct Answer {
    out: Vec<u8>,
}

impl Answer {
    /// Starts an answer with Xero's envelope (`DateTimeUTC` is `now_ms`).
    pub fn new(provider_name: &str, now_ms: i64) -> Self {
        let mut answer = Self {
            out: Vec::with_capacity(1024),
        };
        answer.out.push(b'{');
        answer.member("Id", &uuid::Uuid::new_v4().to_string());
        answer.member("Status", "OK");
        answer.member("ProviderName", provider_name);
        answer.member("DateTimeUTC", &format!("/Date({now_ms})/"));
        answer
    }

    fn key(&mut self, key: &str) {
        if self.out.last() != Some(&b'{') {
            self.out.push(b',');
        }
        write(&mut self.out, key);
        self.out.push(b':');
    }

    /// Adds `"key": value`.
    pub fn member(&mut self, key: &str, value: &(impl Serialize + ?Sized)) -> &mut Self {
        self.key(key);
        write(&mut self.out, value);
        self
    }

    /// Adds `"key": [...]` from records already written as Xero's text.
    pub fn list<'a>(&mut self, key: &str, texts: impl IntoIterator<Item = &'a str>) -> &mut Self {
        let texts: Vec<&str> = texts.into_iter().collect();
        self.out
            .reserve(texts.iter().map(|t| t.len() + 1).sum::<usize>() + key.len() + 8);
        self.key(key);
        self.out.push(b'[');
        for (i, text) in texts.into_iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            self.out.extend_from_slice(text.as_bytes());
        }
        self.out.push(b']');
        self
    }

    /// The finished JSON text.
    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.out);
        out.push(b'}');
        out
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn dates_are_escaped_and_nothing_else() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"Date": "/Date(1539993600000+0000)/", "Url": "https://x/y", "N": 954.00}"#,
        )
        .expect("json");
        assert_eq!(
            text(&v),
            r#"{"Date":"\/Date(1539993600000+0000)\/","N":954.00,"Url":"https://x/y"}"#
        );
    }

    #[test]
    fn an_answer_is_one_object() {
        let mut a = Answer::new("sim", 5);
        a.member("pagination", &json!({"page": 1}))
            .list("Invoices", [r#"{"A":1}"#, r#"{"B":"\/Date(1)\/"}"#]);
        let body: serde_json::Value = serde_json::from_slice(&a.finish()).expect("json");
        assert_eq!(body["DateTimeUTC"], "/Date(5)/");
        assert_eq!(body["Status"], "OK");
        assert_eq!(body["Invoices"][1]["B"], "/Date(1)/");
        assert_eq!(body["pagination"]["page"], 1);
    }
}
