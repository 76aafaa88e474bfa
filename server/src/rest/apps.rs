use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use app::dto::AppDto;

use super::{ApiResult, Auth, Body};
use crate::startup::AppState;

#[derive(Deserialize)]
pub struct NameBody {
    name: String,
}

#[derive(Deserialize)]
pub struct SseBody {
    enabled: bool,
}

pub async fn list(State(s): State<AppState>, Auth(c): Auth, Path(org): Path<String>) -> ApiResult<Json<Vec<AppDto>>> {
    Ok(Json(s.services.list_apps(&c, &org).await?))
}

pub async fn create(
    State(s): State<AppState>,
    Auth(c): Auth,
    Path(org): Path<String>,
    Body(b): Body<NameBody>,
) -> ApiResult<(StatusCode, Json<AppDto>)> {
    Ok((StatusCode::CREATED, Json(s.services.create_app(&c, &org, &b.name).await?)))
}

pub async fn get(State(s): State<AppState>, Auth(c): Auth, Path(app): Path<String>) -> ApiResult<Json<AppDto>> {
    Ok(Json(s.services.get_app(&c, &app).await?))
}

pub async fn delete(State(s): State<AppState>, Auth(c): Auth, Path(app): Path<String>) -> ApiResult<StatusCode> {
    s.services.delete_app(&c, &app).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn set_sse(
    State(s): State<AppState>,
    Auth(c): Auth,
    Path(app): Path<String>,
    Body(b): Body<SseBody>,
) -> ApiResult<Json<AppDto>> {
    Ok(Json(s.services.set_sse(&c, &app, b.enabled).await?))
}
