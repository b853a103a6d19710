//! Client settings: `/profile`, `/profile/syncSettings`, `/companies/{id}/syncSettings` and
//! `/corsSettings`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ledgerbridge_domain::platform::{
    CompanySyncSettings, CorsSettings, Profile, ProfileSyncSettings, validate_settings,
};
use ledgerbridge_store::settings::SettingsDoc;

use super::companies::company_id;
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::state::AppState;

/// The profile a fresh install starts with.
fn default_profile() -> Profile {
    Profile {
        name: "ledgerbridge".into(),
        ..Profile::default()
    }
}

/// `scheme://host...` with an http(s) scheme; `{placeholders}` are allowed.
fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty() && !r.starts_with('/') && !r.chars().any(char::is_whitespace)
    })
}

/// The profile's sync settings, or the defaults, always with this installation's client id.
pub async fn profile_sync_settings(state: &AppState) -> ApiResult<ProfileSyncSettings> {
    let mut settings: ProfileSyncSettings = state
        .store
        .get_settings(SettingsDoc::ProfileSyncSettings)
        .await?
        .unwrap_or_else(ProfileSyncSettings::defaults);
    settings.client_id = Some(state.store.client_id().await?.to_string());
    Ok(settings)
}

/// `GET /profile`
#[utoipa::path(get, path = "/profile", tag = "Settings", responses((status = 200, body = Profile)))]
pub async fn get_profile(State(state): State<AppState>) -> ApiResult<Json<Profile>> {
    Ok(Json(
        state
            .store
            .get_settings(SettingsDoc::Profile)
            .await?
            .unwrap_or_else(default_profile),
    ))
}

/// `PUT /profile`
#[utoipa::path(put, path = "/profile", tag = "Settings", request_body = Profile,
    responses((status = 200, body = Profile), (status = 400, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn update_profile(
    State(state): State<AppState>,
    JsonBody(profile): JsonBody<Profile>,
) -> ApiResult<Json<Profile>> {
    if profile.name.trim().is_empty() {
        return Err(ApiError::invalid_field("name", "`name` must not be empty."));
    }
    if !profile.redirect_url.is_empty() && !is_http_url(&profile.redirect_url) {
        return Err(ApiError::invalid_field(
            "redirectUrl",
            format!(
                "`redirectUrl` must be an absolute http(s) URL; `{}` is not.",
                profile.redirect_url
            ),
        ));
    }
    if let Some(bad) = profile.white_list_urls.iter().find(|u| !is_http_url(u)) {
        return Err(ApiError::invalid_field(
            "whiteListUrls",
            format!("`{bad}` is not an absolute http(s) URL."),
        ));
    }
    for (field, value) in [
        ("logoUrl", &profile.logo_url),
        ("iconUrl", &profile.icon_url),
    ] {
        if let Some(v) = value
            .as_deref()
            .filter(|v| !v.is_empty() && !is_http_url(v))
        {
            return Err(ApiError::invalid_field(
                field,
                format!("`{field}` must be an absolute http(s) URL; `{v}` is not."),
            ));
        }
    }
    state
        .store
        .put_settings(SettingsDoc::Profile, &profile)
        .await?;
    Ok(Json(profile))
}

/// `GET /profile/syncSettings`
#[utoipa::path(get, path = "/profile/syncSettings", tag = "Settings", responses((status = 200, body = ProfileSyncSettings)))]
pub async fn get_profile_sync_settings(
    State(state): State<AppState>,
) -> ApiResult<Json<ProfileSyncSettings>> {
    Ok(Json(profile_sync_settings(&state).await?))
}

/// `POST /profile/syncSettings`
#[utoipa::path(post, path = "/profile/syncSettings", tag = "Settings", request_body = ProfileSyncSettings,
    responses((status = 204), (status = 400, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn update_profile_sync_settings(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<ProfileSyncSettings>,
) -> ApiResult<StatusCode> {
    validate_settings(&body.settings).map_err(|m| ApiError::invalid_field("settings", m))?;
    state
        .store
        .put_settings(SettingsDoc::ProfileSyncSettings, &body)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /companies/{companyId}/syncSettings`: the company's own settings, or the profile's
/// with `overridesDefaults: false`.
#[utoipa::path(get, path = "/companies/{companyId}/syncSettings", tag = "Settings",
    params(("companyId" = uuid::Uuid, Path)),
    responses((status = 200, body = CompanySyncSettings), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn get_company_sync_settings(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<CompanySyncSettings>> {
    let id = company_id(&id)?;
    if state.store.get_company(id).await?.is_none() {
        return Err(ApiError::company_not_found(id));
    }
    if let Some(own) = state
        .store
        .get_company_sync_settings::<CompanySyncSettings>(id)
        .await?
    {
        return Ok(Json(own));
    }
    let profile = profile_sync_settings(&state).await?;
    Ok(Json(CompanySyncSettings {
        company_id: id,
        settings: profile.settings,
        overrides_defaults: false,
    }))
}

/// `POST /companies/{companyId}/syncSettings`
#[utoipa::path(post, path = "/companies/{companyId}/syncSettings", tag = "Settings", request_body = CompanySyncSettings,
    params(("companyId" = uuid::Uuid, Path)),
    responses((status = 204), (status = 400, body = ledgerbridge_domain::error::ErrorMessage),
               (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn set_company_sync_settings(
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<CompanySyncSettings>,
) -> ApiResult<StatusCode> {
    let id = company_id(&id)?;
    if body.company_id != id {
        return Err(ApiError::invalid_field(
            "companyId",
            format!(
                "`companyId` in the body ({}) must match the company in the path ({id}).",
                body.company_id
            ),
        ));
    }
    validate_settings(&body.settings).map_err(|m| ApiError::invalid_field("settings", m))?;
    if !state.store.put_company_sync_settings(id, &body).await? {
        return Err(ApiError::company_not_found(id));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /corsSettings` (also the deprecated `/connectionManagement/corsSettings`)
#[utoipa::path(get, path = "/corsSettings", tag = "Settings", responses((status = 200, body = CorsSettings)))]
pub async fn get_cors_settings(State(state): State<AppState>) -> ApiResult<Json<CorsSettings>> {
    Ok(Json(
        state
            .store
            .get_settings(SettingsDoc::Cors)
            .await?
            .unwrap_or_default(),
    ))
}

/// `POST /corsSettings` (also the deprecated `/connectionManagement/corsSettings`)
#[utoipa::path(post, path = "/corsSettings", tag = "Settings", request_body = CorsSettings,
    responses((status = 200, body = CorsSettings), (status = 400, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn set_cors_settings(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<CorsSettings>,
) -> ApiResult<Json<CorsSettings>> {
    if let Some(bad) = body.allowed_origins.iter().find(|o| !is_origin(o)) {
        return Err(ApiError::invalid_field(
            "allowedOrigins",
            format!(
                "`{bad}` is not an origin: use scheme, host and optional port only, e.g. https://app.example.com."
            ),
        ));
    }
    state.store.put_settings(SettingsDoc::Cors, &body).await?;
    Ok(Json(body))
}

fn is_origin(s: &str) -> bool {
    is_http_url(s)
        && s.split_once("://")
            .is_some_and(|(_, rest)| !rest.contains('/') && !rest.contains('{'))
}
