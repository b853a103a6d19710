//! How the text log writes a span's or an event's fields: `name=value` separated by spaces,
//! the message bare, as tracing-subscriber's default does, but without painting every name
//! and `=` through the colour machinery.
//!
//! The fields of every span are formatted when it is created, so this runs once per request
//! (the `request` span's `correlation_id`, `method` and `route`) whether or not anything is
//! logged inside it: the default formatter cost about 2,000 more instructions per request
//! (docs/benchmarks.md, "Operations"). Terminal control characters in values are escaped
//! (the default does it for the message and errors only).

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::fmt::format::Writer;

/// The text log's field formatter.
#[derive(Clone, Copy, Debug, Default)]
pub struct PlainFields;

impl<'writer> FormatFields<'writer> for PlainFields {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'writer>, fields: R) -> fmt::Result {
        let mut visitor = PlainVisitor {
            writer,
            first: true,
            result: Ok(()),
        };
        fields.record(&mut visitor);
        visitor.result
    }
}

struct PlainVisitor<'writer> {
    writer: Writer<'writer>,
    first: bool,
    result: fmt::Result,
}

impl PlainVisitor<'_> {
    /// Writes the separator and the name (none for the message); whether the field is shown.
    fn start(&mut self, field: &Field) -> bool {
        let name = field.name();
        // Metadata of records bridged from the `log` crate, already shown by the line.
        if self.result.is_err() || name.starts_with("log.") {
            return false;
        }
        self.result = self.write_name(name);
        self.result.is_ok()
    }

    fn write_name(&mut self, name: &str) -> fmt::Result {
        if !std::mem::take(&mut self.first) {
            self.writer.write_char(' ')?;
        }
        if name != "message" {
            self.writer
                .write_str(name.strip_prefix("r#").unwrap_or(name))?;
            self.writer.write_char('=')?;
        }
        Ok(())
    }
}

impl Visit for PlainVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if !self.start(field) {
            return;
        }
        let mut out = Escaped(&mut self.writer);
        self.result = if field.name() == "message" {
            out.write_str(value)
        } else {
            write!(out, "{value:?}")
        };
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        if self.start(field) {
            self.result = write!(Escaped(&mut self.writer), "{value}");
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.start(field) {
            self.result = write!(Escaped(&mut self.writer), "{value:?}");
        }
    }
}

/// Writes through to `W` with terminal control characters (ESC, BEL, BS, FF, DEL and the C1
/// range) shown as escapes, so a logged value cannot drive the terminal of whoever reads it.
struct Escaped<'a, W: fmt::Write>(&'a mut W);

impl<W: fmt::Write> fmt::Write for Escaped<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let is_control = |c: char| {
            matches!(
                c,
                '\x1b' | '\x07' | '\x08' | '\x0c' | '\x7f' | '\u{80}'..='\u{9f}'
            )
        };
        let mut rest = s;
        while let Some(at) = rest.find(is_control) {
            self.0.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            write!(self.0, "\\u{{{:x}}}", u32::from(c))?;
            rest = &rest[at + c.len_utf8()..];
        }
        self.0.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::layer::SubscriberExt;

    use super::PlainFields;

    /// What a text log with [`PlainFields`] writes for `log`.
    fn logged(log: impl FnOnce()) -> String {
        let out = Arc::new(Mutex::new(Vec::new()));
        let writer = {
            let out = out.clone();
            move || Sink(out.clone())
        };
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .fmt_fields(PlainFields)
                .with_ansi(false)
                .without_time()
                .with_target(false)
                .with_writer(writer),
        );
        tracing::subscriber::with_default(subscriber, log);
        let bytes = out.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut out) = self.0.lock() {
                out.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn fields_are_name_value_and_the_message_bare() {
        let line = logged(|| {
            let span = tracing::info_span!("request", correlation_id = %"c0ffee", method = %"GET");
            let _in = span.enter();
            let error = std::io::Error::other("disk \x1b[31mfull");
            tracing::warn!(count = 3, name = "a\"b", %error, "cannot \x07save {}", "it");
        });
        assert_eq!(
            line,
            " WARN request{correlation_id=c0ffee method=GET}: cannot \\u{7}save it count=3 \
             name=\"a\\\"b\" error=disk \\u{1b}[31mfull\n"
        );
    }
}
