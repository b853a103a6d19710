//! The Link pages (askama templates under `templates/link/`) and how they are answered:
//! HTML with a Content-Security-Policy that allows this server and, for the client's logo,
//! that one origin.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The client's branding shown on every page (from the profile).
#[derive(Clone, Debug)]
pub struct Brand {
    pub name: String,
    /// An absolute http(s) URL, or none.
    pub logo_url: Option<String>,
}

/// One integration on the picker.
#[derive(Clone, Debug)]
pub struct IntegrationItem {
    pub key: &'static str,
    pub name: &'static str,
    pub logo_url: String,
    /// Whether the owner can link it now.
    pub available: bool,
    /// The Sandbox (asks for a dataset size).
    pub sandbox: bool,
    /// The state of the company's existing connection to it, in words.
    pub status: Option<&'static str>,
}

/// `GET /link/company/{companyId}`: the platform picker.
#[derive(Template)]
#[template(path = "link/picker.html")]
pub struct PickerPage<'a> {
    pub brand: &'a Brand,
    pub company_name: &'a str,
    pub self_path: &'a str,
    pub search: &'a str,
    pub params: &'a [(String, String)],
    pub params_query: &'a str,
    pub csrf: &'a str,
    pub integrations: Vec<IntegrationItem>,
}

/// The Sandbox's start page: the dataset size.
#[derive(Template)]
#[template(path = "link/sandbox.html")]
pub struct SandboxPage<'a> {
    pub brand: &'a Brand,
    pub company_name: &'a str,
    pub self_path: &'a str,
    pub params_query: &'a str,
    pub csrf: &'a str,
}

/// The choice of organisation when one grant covers several.
#[derive(Template)]
#[template(path = "link/tenants.html")]
pub struct TenantsPage<'a> {
    pub brand: &'a Brand,
    pub company_name: &'a str,
    pub platform_name: &'a str,
    pub choice: &'a str,
    pub csrf: &'a str,
    /// `(tenant id, tenant name)`.
    pub tenants: Vec<(String, String)>,
}

/// An outcome or a refusal, in words.
#[derive(Template)]
#[template(path = "link/message.html")]
pub struct MessagePage<'a> {
    pub brand: &'a Brand,
    pub title: &'a str,
    pub message: &'a str,
    pub next: Option<&'a str>,
    /// `success` or `error` (the message's style).
    pub tone: &'a str,
    /// Codat's `statusCode` of the outcome, when there is one.
    pub status_code: Option<u16>,
}

/// The stylesheet every page links (the only other request a page makes, with the logos).
pub const STYLESHEET: &str = include_str!("../../templates/link/link.css");

/// `scheme://host[:port]` of an absolute http(s) URL without quotes or spaces, for the CSP.
fn csp_origin(url: &str) -> Option<String> {
    let rest_at = if url.starts_with("https://") {
        8
    } else if url.starts_with("http://") {
        7
    } else {
        return None;
    };
    let end = url[rest_at..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| i + rest_at);
    let origin = &url[..end];
    origin
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b":/.-[]".contains(&b))
        .then(|| origin.to_string())
}

/// Renders a page with `status`, allowing the brand's logo origin for images.
pub fn render(status: StatusCode, brand: &Brand, page: &impl Template) -> Response {
    let html = match page.render() {
        Ok(html) => html,
        Err(e) => {
            tracing::error!(error = %e, "a Link page failed to render");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side.",
            )
                .into_response();
        }
    };
    let logo_origin = brand
        .logo_url
        .as_deref()
        .and_then(csp_origin)
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    let csp = format!(
        "default-src 'none'; style-src 'self'; img-src 'self'{logo_origin}; base-uri 'none'; frame-ancestors 'none'"
    );
    let mut resp = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        resp.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp
}

/// A message page: `title`, `message` and what to do next.
pub fn message(
    status: StatusCode,
    brand: &Brand,
    title: &str,
    message: &str,
    next: Option<&str>,
) -> Response {
    render(
        status,
        brand,
        &MessagePage {
            brand,
            title,
            message,
            next,
            tone: if status.is_success() {
                "success"
            } else {
                "error"
            },
            status_code: None,
        },
    )
}
