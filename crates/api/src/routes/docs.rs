//! `/openapi.json` (generated from the handlers) and the `/docs` UI, whose assets ship in the
//! binary, plus the platform logos under `/static`.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use utoipa::OpenApi;

use crate::openapi::ApiDoc;

/// `GET /openapi.json`
pub async fn openapi_json() -> Response {
    match ApiDoc::openapi().to_json() {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => crate::error::ApiError::internal(e).into_response(),
    }
}

const DOCS_HTML: &str = r##"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>ledgerbridge API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
  </script>
</body>
</html>
"##;

/// `GET /docs`
pub async fn docs_page() -> Html<&'static str> {
    Html(DOCS_HTML)
}

/// `GET /docs/assets/{file}`
pub async fn docs_asset(Path(file): Path<String>) -> Response {
    let (body, mime): (&'static [u8], &str) = match file.as_str() {
        "swagger-ui-bundle.js" => (
            include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js"),
            "text/javascript",
        ),
        "swagger-ui.css" => (
            include_bytes!("../../assets/swagger-ui/swagger-ui.css"),
            "text/css",
        ),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

/// `GET /static/logos/{file}`
pub async fn logo(Path(file): Path<String>) -> Response {
    let body: &'static [u8] = match file.as_str() {
        "mqjo.svg" => include_bytes!("../../assets/logos/mqjo.svg"),
        "gbol.svg" => include_bytes!("../../assets/logos/gbol.svg"),
        "qhyg.svg" => include_bytes!("../../assets/logos/qhyg.svg"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}
