//! CSRF protection for the Link forms, and the cookies Link sets.
//!
//! Double submit: a page with a form sets (or reuses) a random `lb_csrf` cookie and puts the
//! same value in a hidden field; a POST must carry both, equal. The cookie is `HttpOnly` and
//! `SameSite=Lax`, so another site can neither read it nor send it with a cross-site POST. A
//! POST whose `Origin` names another site is refused as well (browsers send `Origin: null`
//! under `Referrer-Policy: no-referrer`, which the token alone then protects).

use axum::http::{HeaderMap, HeaderValue, header};
use subtle::ConstantTimeEq;

/// The CSRF cookie's name.
pub const CSRF_COOKIE: &str = "lb_csrf";

/// A fresh random token: 32 bytes, base64url (43 characters).
pub fn random_token() -> String {
    ledgerbridge_connectors::oauth::pkce_verifier()
}

fn looks_like_token(v: &str) -> bool {
    v.len() == 43
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The value of cookie `name` in the request, if present.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, `Secure` on https.
pub fn set_cookie(
    name: &str,
    value: &str,
    path: &str,
    max_age: u32,
    secure: bool,
) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    ))
    .ok()
}

/// The CSRF token for a page's forms, and the `Set-Cookie` to send when it is new.
pub fn form_token(headers: &HeaderMap, secure: bool) -> (String, Option<HeaderValue>) {
    match cookie(headers, CSRF_COOKIE).filter(|v| looks_like_token(v)) {
        Some(existing) => (existing.to_string(), None),
        None => {
            let token = random_token();
            let set = set_cookie(CSRF_COOKIE, &token, "/link", 3600 * 8, secure);
            (token, set)
        }
    }
}

/// Whether a form POST is genuine: its token equals the cookie, and its `Origin`, if any
/// and not `null`, is `public_origin`.
pub fn verify(headers: &HeaderMap, submitted: Option<&str>, public_origin: &str) -> bool {
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
        && origin != "null"
        && !origin.eq_ignore_ascii_case(public_origin)
    {
        return false;
    }
    match (cookie(headers, CSRF_COOKIE), submitted) {
        (Some(c), Some(s)) if looks_like_token(c) => c.as_bytes().ct_eq(s.as_bytes()).into(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).expect("header"));
        }
        h
    }

    #[test]
    fn token_must_match_cookie_and_origin_must_be_ours() {
        let t = random_token();
        let ok = headers(&[("cookie", &format!("a=b; {CSRF_COOKIE}={t}"))]);
        assert!(verify(&ok, Some(&t), "http://h"));
        assert!(!verify(&ok, Some(&random_token()), "http://h"));
        assert!(!verify(&ok, None, "http://h"));
        assert!(!verify(&headers(&[]), Some(&t), "http://h"));
        let cookie = format!("{CSRF_COOKIE}={t}");
        let foreign = headers(&[("cookie", &cookie), ("origin", "https://evil.example")]);
        assert!(!verify(&foreign, Some(&t), "http://h"));
        let null = headers(&[("cookie", &cookie), ("origin", "null")]);
        assert!(verify(&null, Some(&t), "http://h"));
        let (same, set) = form_token(&ok, false);
        assert_eq!((same.as_str(), set), (t.as_str(), None));
        assert!(form_token(&headers(&[]), true).1.is_some());
    }
}
