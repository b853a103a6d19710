//! `ApiError`: every failure a handler can return, rendered as Codat's error body.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ledgerbridge_domain::error::{ErrorMessage, Validation, ValidationItem};
use ledgerbridge_query::QueryError;
use ledgerbridge_store::StoreError;

/// An error answered with Codat's body. Internal errors are logged with their correlation id
/// and answered with an opaque 500.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub validation: Option<Validation>,
    /// Detail for the log only (never sent to the client).
    pub internal: Option<String>,
}

impl ApiError {
    /// An error with a status and a message for the client.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            validation: None,
            internal: None,
        }
    }

    /// 400 with a message a person can act on.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 400 naming the offending field in `validation.errors`.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut e = Self::bad_request(format!("Error processing request - not valid. {message}"));
        e.validation = Some(Validation {
            errors: Some(vec![ValidationItem {
                item_id: Some(field.to_string()),
                message: Some(message),
                validator_name: Some("RequestValidation".into()),
            }]),
            warnings: None,
        });
        e
    }

    /// 404 with Codat's wording.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 409.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    /// 401 `Unauthorized`.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized")
    }

    /// An unexpected failure: the client sees Codat's generic 500 text, the log the detail.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "There is a problem with our server. Please try again later.",
        );
        e.internal = Some(detail.to_string());
        e
    }

    /// The company id did not match a company.
    pub fn company_not_found(id: impl std::fmt::Display) -> Self {
        Self::not_found(format!("No company was found with ID {id}"))
    }

    /// The connection id did not match a connection of the company.
    pub fn connection_not_found(id: impl std::fmt::Display) -> Self {
        Self::not_found(format!("Data connection {id} not found"))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Database(sqlx::Error::PoolTimedOut) => {
                let mut e = Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The service is busy. Please try again shortly.",
                );
                e.internal = Some("database pool timed out".into());
                e
            }
            other => Self::internal(other),
        }
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        Self::bad_request(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let correlation_id = crate::telemetry::correlation_id();
        match &self.internal {
            Some(detail) => {
                tracing::error!(%correlation_id, status = self.status.as_u16(), %detail, "request failed")
            }
            None if self.status.is_server_error() => {
                tracing::error!(%correlation_id, status = self.status.as_u16(), message = %self.message, "request failed")
            }
            None => {
                tracing::info!(%correlation_id, status = self.status.as_u16(), message = %self.message, "request rejected")
            }
        }
        let body = ErrorMessage {
            status_code: self.status.as_u16(),
            service: "PublicApi".into(),
            error: self.message,
            correlation_id,
            validation: self.validation,
            // Codat sends "Unknown" in every documented example.
            can_be_retried: "Unknown".into(),
            detailed_error_code: 0,
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"ledgerbridge\""),
            );
        }
        resp
    }
}

/// Handler result.
pub type ApiResult<T> = Result<T, ApiError>;
