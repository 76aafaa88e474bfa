//! Providers, dynamic secrets, leases and service tokens.
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use app::dto::{
    DynamicSecretDto, DynamicSecretInput, IssuedLeaseDto, LeaseDto, LeaseEventDto, NewServiceTokenDto, ProviderDto,
    ServiceTokenDto,
};
use app::error::AppError;

use super::{ApiError, ApiResult, Auth, Body, Principal, Query};
use crate::clock::now_ms;
use crate::startup::AppState;

pub async fn providers(State(s): State<AppState>, Auth(_): Auth) -> Json<Vec<ProviderDto>> {
    Json(s.services.providers())
}

pub async fn list_secrets(
    State(s): State<AppState>,
    Auth(c): Auth,
    Path(env): Path<String>,
) -> ApiResult<Json<Vec<DynamicSecretDto>>> {
    Ok(Json(s.services.list_dynamic_secrets(&c, &env).await?))
}

pub async fn create_secret(
    State(s): State<AppState>,
    Auth(c): Auth,
    Path(env): Path<String>,
    Body(b): Body<DynamicSecretInput>,
) -> ApiResult<(StatusCode, Json<DynamicSecretDto>)> {
    Ok((StatusCode::CREATED, Json(s.services.create_dynamic_secret(&c, &env, b, now_ms()).await?)))
}

pub async fn get_secret(
    State(s): State<AppState>,
    Auth(c): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<DynamicSecretDto>> {
    Ok(Json(s.services.get_dynamic_secret(&c, &id).await?))
}

pub async fn update_secret(
    State(s): State<AppState>,
    Auth(c): Auth,
    Path(id): Path<String>,
    Body(b): Body<DynamicSecretInput>,
) -> ApiResult<Json<DynamicSecretDto>> {
    Ok(Json(s.services.update_dynamic_secret(&c, &id, b, now_ms()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteQuery {
    #[serde(default)]
    revoke_leases: bool,
}

/// 409 answers carry `active_leases`, so a program can say how many.
pub async fn delete_secret(
    State(s): State<AppState>,
    Auth(c): Auth,
    Path(id): Path<String>,
    Query(q): Query<DeleteQuery>,
) -> Response {
    match s.services.delete_dynamic_secret(&c, &id, q.revoke_leases, now_ms()).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => {
            let e = AppError::from(e);
            if e.code != "active_leases" {
                return ApiError(e).into_response();
            }
            let count: u64 = e.message.split_whitespace().find_map(|w| w.parse().ok()).unwrap_or(0);
            let body = serde_json::json!({ "error": { "code": e.code, "message": e.message }, "active_leases": count });
            (StatusCode::CONFLICT, Json(body)).into_response()
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    name: String,
    ttl: Option<i64>,
}

pub async fn issue(
    State(s): State<AppState>,
    Principal(p): Principal,
    Path(id): Path<String>,
    Body(b): Body<IssueBody>,
) -> ApiResult<(StatusCode, Json<IssuedLeaseDto>)> {
    Ok((StatusCode::CREATED, Json(s.services.issue_lease(&p, &id, &b.name, b.ttl, now_ms()).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaseQuery {
    status: Option<String>,
    limit: Option<u64>,
    before: Option<String>,
}

pub async fn list_leases(
    State(s): State<AppState>,
    Auth(c): Auth,
    Path(id): Path<String>,
    Query(q): Query<LeaseQuery>,
) -> ApiResult<Json<Vec<LeaseDto>>> {
    let active = match q.status.as_deref() {
        None | Some("active") => true,
        Some("all") => false,
        Some(_) => return Err(AppError::bad_request("status must be one of: active, all.").into()),
    };
    Ok(Json(s.services.list_leases(&c, &id, active, q.limit, q.before.as_deref()).await?))
}

pub async fn get_lease(
    State(s): State<AppState>,
    Principal(p): Principal,
    Path(id): Path<String>,
) -> ApiResult<Json<LeaseDto>> {
    Ok(Json(s.services.get_lease(&p, &id).await?))
}

pub async fn events(
    State(s): State<AppState>,
    Principal(p): Principal,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<LeaseEventDto>>> {
    Ok(Json(s.services.lease_events(&p, &id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenewBody {
    ttl: i64,
}

pub async fn renew(
    State(s): State<AppState>,
    Principal(p): Principal,
    Path(id): Path<String>,
    Body(b): Body<RenewBody>,
) -> ApiResult<Json<LeaseDto>> {
    Ok(Json(s.services.renew_lease(&p, &id, b.ttl, now_ms()).await?))
}

pub async fn revoke(
    State(s): State<AppState>,
    Principal(p): Principal,
    Path(id): Path<String>,
) -> ApiResult<Json<LeaseDto>> {
    Ok(Json(s.services.revoke_lease(&p, &id, now_ms()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    name: String,
    ttl: Option<i64>,
}

pub async fn create_token(
    State(s): State<AppState>,
    Auth(c): Auth,
    Path(env): Path<String>,
    Body(b): Body<TokenBody>,
) -> ApiResult<(StatusCode, Json<NewServiceTokenDto>)> {
    Ok((StatusCode::CREATED, Json(s.services.create_service_token(&c, &env, &b.name, b.ttl, now_ms()).await?)))
}

pub async fn list_tokens(
    State(s): State<AppState>,
    Auth(c): Auth,
    Path(env): Path<String>,
) -> ApiResult<Json<Vec<ServiceTokenDto>>> {
    Ok(Json(s.services.list_service_tokens(&c, &env).await?))
}

pub async fn delete_token(State(s): State<AppState>, Auth(c): Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.services.delete_service_token(&c, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
