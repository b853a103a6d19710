//! Hosted Link: the pages a business owner sees between the company's `redirect` URL and the
//! client's `redirectUrl`, and the OAuth round trip in between.
//!
//! ```text
//! GET  /link/company/{companyId}                      picker (search, Sandbox size)
//! POST /link/company/{companyId}                      pick: create/reuse the connection
//! GET  /link/companies/{cid}/connections/{id}/start   linkUrl: Sandbox size page, or OAuth redirect
//! POST /link/companies/{cid}/connections/{id}/start   link the Sandbox
//! GET  /link/callback                                 OAuth callback (state, code | error)
//! POST /link/callback/organisation                    the owner's choice of organisation
//! ```
//!
//! Every page is plain HTML (no JavaScript) with `Content-Security-Policy`,
//! `X-Frame-Options: DENY` and `Referrer-Policy: no-referrer`; every form carries a CSRF token.

mod csrf;
mod flow;
pub mod pages;
pub mod redirect;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::state::AppState;

/// How long an OAuth `state` stays valid.
pub const STATE_LIFETIME_SECS: i64 = 3600;

/// The Link routes (public: the owner has no API key).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/link/company/{companyId}",
            get(flow::show_company_link).post(flow::choose_platform),
        )
        .route(
            "/link/companies/{companyId}/connections/{connectionId}/start",
            get(flow::start_connection).post(flow::link_sandbox),
        )
        .route("/link/callback", get(flow::complete_callback))
        .route(
            "/link/callback/organisation",
            post(flow::choose_organisation),
        )
        .route("/link/assets/link.css", get(stylesheet))
        .layer(middleware::from_fn(security_headers))
}

/// `GET /link/assets/link.css`
async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        pages::STYLESHEET,
    )
        .into_response()
}

/// Headers on every Link response: no framing, no referrer (codes must not leak), no
/// sniffing, no caching of pages; a strict CSP unless the page set its own.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'",
            ),
        );
    }
    resp
}
