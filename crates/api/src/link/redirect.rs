//! The redirect back to the client after Link: Codat's `{placeholders}` filled in the
//! profile's `redirectUrl` (CONTRACT.md §5.3), and the allow-list that stops Link from being
//! an open redirect.

use std::collections::BTreeMap;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986 unreserved characters is encoded in a substituted value.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Codat's reserved parameter names: a Link URL's query string cannot set them, and they must
/// not appear in a redirect URL's host.
pub const RESERVED: &[&str] = &[
    "clientId",
    "companyId",
    "connectionId",
    "integrationId",
    "sourceId",
    "platform",
    "platformName",
    "sourceType",
    "statusCode",
    "errorMessage",
    "statusText",
    "data.company.companyName",
];

/// Why a redirect URL cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirectRefused {
    /// The filled URL is not an absolute http(s) URL with a valid host.
    Malformed,
    /// The filled URL's host is neither in `whiteListUrls` nor the redirect URL's own host.
    HostNotAllowed(String),
}

/// The values a redirect URL's placeholders are filled with.
#[derive(Clone, Debug, Default)]
pub struct Placeholders {
    /// Reserved parameters (`companyId`, `statusCode`, ...), set by Link.
    pub reserved: BTreeMap<&'static str, String>,
    /// Custom parameters from the Link URL's query string.
    pub custom: BTreeMap<String, String>,
}

impl Placeholders {
    fn value(&self, name: &str) -> &str {
        if let Some(v) = self.reserved.get(name) {
            return v;
        }
        if RESERVED.contains(&name) {
            return "";
        }
        self.custom.get(name).map(String::as_str).unwrap_or("")
    }
}

/// `scheme://authority` of an absolute http(s) URL, lowercased; `None` for anything else.
fn origin_of(url: &str) -> Option<(String, &str)> {
    let lower = url
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let scheme_len = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        return None;
    };
    let rest = &url[scheme_len..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some((
        format!("{}{}", &lower[..scheme_len], authority.to_ascii_lowercase()),
        &rest[end..],
    ))
}

/// Fills `{name}` placeholders in `text`; `host_part` restricts values to host characters.
fn fill(text: &str, values: &Placeholders, host_part: bool) -> Result<String, RedirectRefused> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return Ok(out);
        };
        let name = &after[..close];
        if host_part {
            if RESERVED.contains(&name) {
                return Err(RedirectRefused::Malformed);
            }
            let v = values.value(name);
            if !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(RedirectRefused::Malformed);
            }
            out.push_str(&v.to_ascii_lowercase());
        } else {
            out.extend(utf8_percent_encode(values.value(name), COMPONENT));
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The redirect URL with every placeholder filled, if its host is allowed: listed in
/// `white_list` (by origin), or the redirect URL's own fixed host.
pub fn build_redirect(
    template: &str,
    white_list: &[String],
    values: &Placeholders,
) -> Result<String, RedirectRefused> {
    let template = template.trim();
    let scheme_len = match template.get(..8).map(str::to_ascii_lowercase) {
        Some(s) if s.starts_with("https://") => 8,
        Some(s) if s.starts_with("http://") => 7,
        _ => return Err(RedirectRefused::Malformed),
    };
    let rest = &template[scheme_len..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = fill(authority, values, true)?;
    let url = format!(
        "{}{host}{}",
        &template[..scheme_len],
        fill(tail, values, false)?
    );
    let (origin, _) = origin_of(&url).ok_or(RedirectRefused::Malformed)?;
    let host_only = origin.split("://").nth(1).unwrap_or_default();
    if host_only.starts_with('.')
        || host_only.contains("..")
        || host_only.split(':').next().is_none_or(str::is_empty)
    {
        return Err(RedirectRefused::Malformed);
    }
    let own = (!authority.contains('{'))
        .then(|| origin_of(template).map(|(o, _)| o))
        .flatten();
    let allowed = own.as_deref() == Some(origin.as_str())
        || white_list
            .iter()
            .filter_map(|w| origin_of(w.trim()).map(|(o, _)| o))
            .any(|o| o == origin);
    if allowed {
        Ok(url)
    } else {
        Err(RedirectRefused::HostNotAllowed(host_only.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(status: &str, message: &str, custom: &[(&str, &str)]) -> Placeholders {
        Placeholders {
            reserved: [
                ("statusCode", status.to_string()),
                ("errorMessage", message.to_string()),
                ("sourceType", "accounting".to_string()),
            ]
            .into_iter()
            .collect(),
            custom: custom
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn fills_codats_documented_examples() {
        let url = build_redirect(
            "https://redirect.site/{sourceType}/?flow=Codat&statuscode={statusCode}&errormessage={errorMessage}",
            &[],
            &values("403", "User cancelled", &[]),
        );
        assert_eq!(
            url.as_deref(),
            Ok(
                "https://redirect.site/accounting/?flow=Codat&statuscode=403&errormessage=User%20cancelled"
            )
        );
        let url = build_redirect(
            "https://www.mybank.io/{missing}/success?ClientType={ClientType}",
            &[],
            &values("200", "", &[]),
        );
        assert_eq!(
            url.as_deref(),
            Ok("https://www.mybank.io//success?ClientType=")
        );
    }

    #[test]
    fn custom_values_are_encoded_and_cannot_set_reserved_names() {
        let mut v = values("200", "", &[("next", "a&b=c d")]);
        v.custom.insert("statusCode".into(), "999".into());
        let url = build_redirect("https://x.io/?n={next}&s={statusCode}", &[], &v);
        assert_eq!(url.as_deref(), Ok("https://x.io/?n=a%26b%3Dc%20d&s=200"));
    }

    #[test]
    fn hosts_must_be_allowed() {
        let white = vec!["https://eu.mybank.io".to_string()];
        let eu = values("200", "", &[("environment", "eu")]);
        assert_eq!(
            build_redirect("https://{environment}.mybank.io/done", &white, &eu).as_deref(),
            Ok("https://eu.mybank.io/done")
        );
        let evil = values("200", "", &[("environment", "evil")]);
        assert_eq!(
            build_redirect("https://{environment}.mybank.io/done", &white, &evil),
            Err(RedirectRefused::HostNotAllowed("evil.mybank.io".into()))
        );
        let dotted = values("200", "", &[("environment", "attacker.com/x")]);
        assert_eq!(
            build_redirect("https://{environment}.mybank.io/done", &white, &dotted),
            Err(RedirectRefused::Malformed)
        );
        assert_eq!(
            build_redirect("https://{companyId}.mybank.io/", &white, &eu),
            Err(RedirectRefused::Malformed)
        );
        assert!(build_redirect("javascript:alert(1)", &white, &eu).is_err());
        assert!(build_redirect("https://user@evil.io/", &white, &eu).is_err());
        // The redirect URL's own fixed host needs no listing.
        assert!(build_redirect("https://own.example/x", &[], &eu).is_ok());
    }
}
