//! `/webhooks`: Codat's webhook consumers, plus our extensions (documented in the OpenAPI):
//! a consumer's signing secret, its delivery attempts, and replay of its messages.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use ledgerbridge_domain::Timestamp;
use ledgerbridge_domain::paging::Page;
use ledgerbridge_store::StoreError;
use ledgerbridge_store::outbox::{AttemptRow, Replay, is_event_type};
use ledgerbridge_store::webhooks::{MAX_WEBHOOK_CONSUMERS, WebhookConsumerRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, ListParams, parse_id};
use crate::state::AppState;

/// Most company tags a consumer may filter on.
const MAX_COMPANY_TAGS: usize = 10;
/// Longest company tag filter, in characters.
const MAX_COMPANY_TAG_CHARS: usize = 128;

/// A webhook consumer: an HTTP endpoint subscribed to event types.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookConsumer {
    pub id: uuid::Uuid,
    pub url: String,
    /// `true` when the endpoint receives no events (set on create, or after 5 days of
    /// failures).
    pub disabled: bool,
    pub event_types: Vec<String>,
    /// `tagKey:tagValue` filters; a message goes out when any matches the company's tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_tags: Option<Vec<String>>,
}

/// Body of `POST /webhooks`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookConsumerPrototype {
    pub url: Option<String>,
    #[serde(default)]
    pub disabled: Option<bool>,
    #[serde(default)]
    pub event_types: Option<Vec<String>>,
    #[serde(default)]
    pub company_tags: Option<Vec<String>>,
}

/// `GET /webhooks` body: not paged (at most 50).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct WebhookConsumers {
    pub results: Vec<WebhookConsumer>,
}

/// `GET /webhooks/{webhookId}/secret` body (extension): the key that signs its messages.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct WebhookSecret {
    /// `whsec_` followed by the base64 key, for any Standard Webhooks (Svix) library.
    pub secret: String,
}

/// One delivery attempt of a message to a consumer (extension).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryAttempt {
    pub id: String,
    /// The `webhook-id` header sent (the same on every attempt of a message).
    pub message_id: String,
    /// The envelope's `id`.
    pub event_id: String,
    pub event_type: String,
    pub attempted: Timestamp,
    /// The HTTP status answered, when an answer came.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    pub duration_ms: u64,
    /// Why it did not count as delivered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub delivered: bool,
}

/// Body of `POST /webhooks/{webhookId}/replay` (extension): either `messageIds` (webhook ids
/// `msg_...` or event ids) or a `from`/`to` range of event times.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplayRequest {
    #[serde(default)]
    pub message_ids: Option<Vec<String>>,
    /// Events generated at or after this time.
    #[serde(default)]
    pub from: Option<String>,
    /// Events generated before this time (default: now).
    #[serde(default)]
    pub to: Option<String>,
}

/// `POST /webhooks/{webhookId}/replay` answer.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ReplayResult {
    /// Messages queued again, from the start of the retry schedule.
    pub replayed: u64,
}

fn consumer(row: WebhookConsumerRow) -> WebhookConsumer {
    WebhookConsumer {
        id: row.id,
        url: row.url,
        disabled: row.disabled,
        event_types: row.event_types,
        company_tags: row.company_tags,
    }
}

fn webhook_id(raw: &str) -> ApiResult<uuid::Uuid> {
    parse_id(raw, "webhookId")
}

fn not_found(id: uuid::Uuid) -> ApiError {
    ApiError::not_found(format!("No webhook consumer was found with ID {id}"))
}

async fn require_consumer(state: &AppState, id: uuid::Uuid) -> ApiResult<WebhookConsumerRow> {
    state
        .store
        .get_webhook_consumer(id)
        .await?
        .ok_or_else(|| not_found(id))
}

/// `GET /webhooks`
#[utoipa::path(get, path = "/webhooks", tag = "Webhooks", operation_id = "list-webhook-consumers",
    responses((status = 200, body = WebhookConsumers)))]
pub async fn list_webhook_consumers(
    State(state): State<AppState>,
) -> ApiResult<Json<WebhookConsumers>> {
    let rows = state.store.list_webhook_consumers().await?;
    Ok(Json(WebhookConsumers {
        results: rows.into_iter().map(consumer).collect(),
    }))
}

/// `POST /webhooks`: 201 with the consumer; its signing secret is at
/// `GET /webhooks/{webhookId}/secret`.
#[utoipa::path(post, path = "/webhooks", tag = "Webhooks", operation_id = "create-webhook-consumer",
    request_body = WebhookConsumerPrototype,
    responses((status = 201, body = WebhookConsumer), (status = 400, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn create_webhook_consumer(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<WebhookConsumerPrototype>,
) -> ApiResult<(StatusCode, Json<WebhookConsumer>)> {
    let url = body.url.filter(|u| !u.trim().is_empty()).ok_or_else(|| {
        ApiError::invalid_field(
            "url",
            "`url` is required: the endpoint that receives the events.",
        )
    })?;
    let url = ledgerbridge_webhooks::safety::check_url(url.trim(), state.webhooks_allow_private)
        .map_err(|m| ApiError::invalid_field("url", m))?;
    let mut event_types: Vec<String> = Vec::new();
    for t in body.event_types.unwrap_or_default() {
        let t = t.trim().to_string();
        if !is_event_type(&t) {
            return Err(ApiError::invalid_field(
                "eventTypes",
                format!(
                    "`{t}` is not an event type. Use any of: {}, or `{{dataType}}.write.successful` / `.unsuccessful`.",
                    ledgerbridge_store::outbox::EVENT_TYPES.join(", ")
                ),
            ));
        }
        if !event_types.contains(&t) {
            event_types.push(t);
        }
    }
    if event_types.is_empty() {
        return Err(ApiError::invalid_field(
            "eventTypes",
            "`eventTypes` must list at least one event type, e.g. [\"read.completed\"].",
        ));
    }
    let company_tags = match body.company_tags {
        None => None,
        Some(tags) => {
            if tags.len() > MAX_COMPANY_TAGS {
                return Err(ApiError::invalid_field(
                    "companyTags",
                    format!(
                        "At most {MAX_COMPANY_TAGS} company tags; {} were given.",
                        tags.len()
                    ),
                ));
            }
            for t in &tags {
                let ok = t.chars().count() <= MAX_COMPANY_TAG_CHARS
                    && t.split_once(':').is_some_and(|(k, _)| !k.is_empty());
                if !ok {
                    return Err(ApiError::invalid_field(
                        "companyTags",
                        format!(
                            "Company tags take the form `tagKey:tagValue` (at most {MAX_COMPANY_TAG_CHARS} characters); `{t}` is not."
                        ),
                    ));
                }
            }
            Some(tags)
        }
    };
    let row = WebhookConsumerRow {
        id: uuid::Uuid::now_v7(),
        url: url.to_string(),
        disabled: body.disabled.unwrap_or(false),
        event_types,
        company_tags,
        created: Timestamp::now(),
        failing_since: None,
    };
    let secret = ledgerbridge_webhooks::signing::generate_secret();
    match state
        .store
        .insert_webhook_consumer(&row, &secret, &state.secrets)
        .await
    {
        Ok(()) => {}
        Err(StoreError::LimitReached(_)) => {
            return Err(ApiError::bad_request(format!(
                "Error processing request - not valid. You can have at most {MAX_WEBHOOK_CONSUMERS} webhook consumers; delete an unused one first."
            )));
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(webhook_id = %row.id, "webhook consumer created");
    Ok((StatusCode::CREATED, Json(consumer(row))))
}

/// `DELETE /webhooks/{webhookId}`: the consumer, its pending messages and its delivery log.
#[utoipa::path(delete, path = "/webhooks/{webhookId}", tag = "Webhooks", operation_id = "delete-webhook-consumer",
    params(("webhookId" = uuid::Uuid, Path)),
    responses((status = 204), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn delete_webhook_consumer(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = webhook_id(&id)?;
    if !state.store.delete_webhook_consumer(id).await? {
        return Err(not_found(id));
    }
    tracing::info!(webhook_id = %id, "webhook consumer deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /webhooks/{webhookId}/secret` (extension): the consumer's signing secret, for
/// verifying `webhook-signature` with any Standard Webhooks or Svix library.
#[utoipa::path(get, path = "/webhooks/{webhookId}/secret", tag = "Webhooks", operation_id = "get-webhook-consumer-secret",
    params(("webhookId" = uuid::Uuid, Path)),
    responses((status = 200, body = WebhookSecret), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn get_webhook_consumer_secret(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<WebhookSecret>> {
    let id = webhook_id(&id)?;
    let secret = state
        .store
        .webhook_consumer_secret(id, &state.secrets)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(Json(WebhookSecret { secret }))
}

/// `GET /webhooks/{webhookId}/attempts` (extension): the consumer's delivery attempts,
/// newest first, in Codat's paging envelope.
#[utoipa::path(get, path = "/webhooks/{webhookId}/attempts", tag = "Webhooks", operation_id = "list-webhook-delivery-attempts",
    params(("webhookId" = uuid::Uuid, Path), ("page" = Option<u32>, Query), ("pageSize" = Option<u32>, Query)),
    responses((status = 200, body = Page<DeliveryAttempt>), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn list_delivery_attempts(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    params: ListParams,
) -> ApiResult<Json<Page<DeliveryAttempt>>> {
    let id = webhook_id(&id)?;
    if params.query.is_some() || params.order_by.is_some() {
        return Err(ApiError::bad_request(
            "Error processing request - not valid. Delivery attempts take only `page` and `pageSize`; they are listed newest first.",
        ));
    }
    require_consumer(&state, id).await?;
    let (rows, total) = state
        .store
        .list_delivery_attempts(id, params.page.page, params.page.page_size)
        .await?;
    let results = rows.into_iter().map(attempt).collect();
    Ok(super::page(uri.path(), &params, results, total))
}

fn attempt(a: AttemptRow) -> DeliveryAttempt {
    DeliveryAttempt {
        message_id: format!("msg_{}", a.event_id.replace('-', "")),
        id: a.id,
        event_id: a.event_id,
        event_type: a.event_type,
        attempted: a.attempted,
        status_code: a.status_code,
        duration_ms: a.duration_ms,
        error: a.error,
        delivered: a.delivered,
    }
}

/// An event id from a `msg_...` webhook id or a plain event id.
fn event_id(raw: &str) -> ApiResult<String> {
    let trimmed = raw.trim();
    let hex = trimmed.strip_prefix("msg_").unwrap_or(trimmed);
    uuid::Uuid::parse_str(hex).map(|u| u.to_string()).map_err(|_| {
        ApiError::invalid_field(
            "messageIds",
            format!("`{raw}` is not a message id: give the `webhook-id` received (msg_...) or the event's `id`."),
        )
    })
}

fn time(raw: &str, field: &str) -> ApiResult<Timestamp> {
    Timestamp::parse(raw.trim()).ok_or_else(|| {
        ApiError::invalid_field(
            field,
            format!("`{field}` must be a date-time with a zone, e.g. 2024-05-01T00:00:00Z; `{raw}` was given."),
        )
    })
}

/// `POST /webhooks/{webhookId}/replay` (extension): sends the chosen messages to the consumer
/// again, from the start of the retry schedule, with their original `webhook-id`.
#[utoipa::path(post, path = "/webhooks/{webhookId}/replay", tag = "Webhooks", operation_id = "replay-webhook-messages",
    params(("webhookId" = uuid::Uuid, Path)), request_body = ReplayRequest,
    responses((status = 202, body = ReplayResult), (status = 400, body = ledgerbridge_domain::error::ErrorMessage),
               (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn replay_webhook_messages(
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReplayRequest>,
) -> ApiResult<(StatusCode, Json<ReplayResult>)> {
    let id = webhook_id(&id)?;
    let which = match (&body.message_ids, &body.from) {
        (Some(ids), None) if body.to.is_none() => {
            if ids.is_empty() {
                return Err(ApiError::invalid_field(
                    "messageIds",
                    "`messageIds` must list at least one message id.",
                ));
            }
            Replay::Events(ids.iter().map(|m| event_id(m)).collect::<ApiResult<_>>()?)
        }
        (None, Some(from)) => {
            let from = time(from, "from")?;
            let to = match &body.to {
                Some(t) => time(t, "to")?,
                None => Timestamp::now(),
            };
            if to.as_datetime() <= from.as_datetime() {
                return Err(ApiError::invalid_field(
                    "to",
                    "`to` must be later than `from`.",
                ));
            }
            Replay::Range { from, to }
        }
        _ => {
            return Err(ApiError::bad_request(
                "Error processing request - not valid. Give either `messageIds` or a `from` (and optional `to`) time range.",
            ));
        }
    };
    require_consumer(&state, id).await?;
    let replayed = state
        .store
        .replay_messages(id, &which, Timestamp::now())
        .await?;
    tracing::info!(webhook_id = %id, replayed, "webhook messages replayed");
    Ok((StatusCode::ACCEPTED, Json(ReplayResult { replayed })))
}
