//! CORS for the origins in `/corsSettings`: browsers on those origins may call the API (for
//! example an embedded Link front end). Other origins get no CORS headers at all.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ledgerbridge_domain::platform::CorsSettings;
use ledgerbridge_store::settings::SettingsDoc;

use crate::state::AppState;

const ALLOWED_METHODS: &str = "GET, POST, PUT, PATCH, DELETE";
const ALLOWED_HEADERS: &str = "Authorization, Content-Type";

/// Middleware: answers preflights and adds `Access-Control-Allow-Origin` for allowed origins.
/// Settings are read only for requests that carry an `Origin` (browser calls).
pub async fn cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(origin) = req.headers().get(header::ORIGIN).cloned() else {
        return next.run(req).await;
    };
    let allowed = match state
        .store
        .get_settings::<CorsSettings>(SettingsDoc::Cors)
        .await
    {
        Ok(settings) => settings
            .unwrap_or_default()
            .allowed_origins
            .iter()
            .any(|o| {
                origin
                    .to_str()
                    .is_ok_and(|v| o.trim_end_matches('/').eq_ignore_ascii_case(v))
            }),
        Err(e) => {
            tracing::warn!(error = %e, "CORS settings unreadable; treating the origin as not allowed");
            false
        }
    };
    let is_preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if is_preflight {
        let mut resp = StatusCode::NO_CONTENT.into_response();
        if allowed {
            let h = resp.headers_mut();
            allow(h, origin);
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static(ALLOWED_METHODS),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(ALLOWED_HEADERS),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
        }
        return resp;
    }
    let mut resp = next.run(req).await;
    if allowed {
        allow(resp.headers_mut(), origin);
    }
    resp
}

fn allow(h: &mut HeaderMap, origin: HeaderValue) {
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.append(header::VARY, HeaderValue::from_static("Origin"));
}
