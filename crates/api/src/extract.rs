//! Request extractors that answer bad input with Codat's error body.

use std::collections::HashMap;
use std::str::FromStr;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use ledgerbridge_domain::paging::{MAX_PAGE_SIZE, PageRequest};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body. Malformed JSON and wrong field types are a 400 naming the field.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|ct| ct.to_ascii_lowercase().contains("json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Request bodies must be JSON: send `Content-Type: application/json`.",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "The request body is too large.",
                    )
                } else {
                    ApiError::bad_request("The request body could not be read.")
                }
            })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parses a JSON body, naming the field at fault when it does not fit `T`.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "Error processing request - not valid. A JSON request body is required.",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::bad_request(format!(
                "Error processing request - not valid. The body is not valid JSON (line {}, column {}).",
                inner.line(),
                inner.column()
            ))
        } else {
            let field = if path == "." { "body".to_string() } else { path };
            let detail = strip_position(&inner.to_string());
            ApiError::invalid_field(&field, format!("`{field}`: {detail}."))
        }
    })
}

/// serde_json appends " at line L column C"; the field path says more.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// An id in the path (company, connection, ...), parsed as a UUID.
pub fn parse_id<T: FromStr>(value: &str, what: &str) -> Result<T, ApiError> {
    value.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "Error processing request - not valid. `{value}` is not a valid {what}: expected a UUID such as 8f74269c-a2a4-4e8b-9c33-1ec7e5b2a0c1."
        ))
    })
}

/// The query string as a map with case-insensitive names (`orderby` = `orderBy`).
pub struct QueryParams(pub HashMap<String, String>);

impl QueryParams {
    /// A parameter by name, ignoring case.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(&name.to_ascii_lowercase()).map(String::as_str)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        let map = form_urlencoded::parse(raw.as_bytes())
            .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
            .collect();
        Ok(Self(map))
    }
}

/// `page`, `pageSize`, `query` and `orderBy` of a list request, validated.
pub struct ListParams {
    pub page: PageRequest,
    pub query: Option<String>,
    pub order_by: Option<String>,
    pub all: QueryParams,
}

impl ListParams {
    /// The caller's `query` and `orderBy`, to echo in `_links`.
    pub fn link_extras(&self) -> Vec<(&str, &str)> {
        let mut v = Vec::new();
        if let Some(q) = &self.query {
            v.push(("query", q.as_str()));
        }
        if let Some(o) = &self.order_by {
            v.push(("orderBy", o.as_str()));
        }
        v
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ListParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let all = QueryParams::from_request_parts(parts, state).await?;
        let page = match all.get("page") {
            None | Some("") => 1,
            Some(v) => v
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|p| *p >= 1)
                .ok_or_else(|| {
                    ApiError::invalid_field(
                        "page",
                        format!("`page` must be a whole number of 1 or more; `{v}` was given."),
                    )
                })?,
        };
        let page_size = match all.get("pagesize") {
            None | Some("") => ledgerbridge_domain::paging::DEFAULT_PAGE_SIZE,
            Some(v) => v.trim().parse::<u32>().ok().filter(|p| (1..=MAX_PAGE_SIZE).contains(p)).ok_or_else(|| {
                ApiError::invalid_field(
                    "pageSize",
                    format!("`pageSize` must be a whole number from 1 to {MAX_PAGE_SIZE}; `{v}` was given."),
                )
            })?,
        };
        let non_empty = |v: Option<&str>| v.filter(|s| !s.trim().is_empty()).map(str::to_string);
        Ok(Self {
            page: PageRequest { page, page_size },
            query: non_empty(all.get("query")),
            order_by: non_empty(all.get("orderby")),
            all,
        })
    }
}
