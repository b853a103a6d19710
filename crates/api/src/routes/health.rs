//! `/health` (the process is up) and `/ready` (the database answers). No API key needed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// `GET /health`
pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /ready`: 200 once the database answers, 503 otherwise.
pub async fn ready(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    state.store.ping().await.map_err(|e| {
        let mut err = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The database is not reachable.",
        );
        err.internal = Some(e.to_string());
        err
    })?;
    Ok(Json(json!({ "status": "ready" })))
}
