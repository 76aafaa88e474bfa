use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use app::dto::{AuditDto, MemberDto, OrgDto};
use app::ports::AuditQuery;

use super::{ApiResult, Auth, Body, Query};
use crate::startup::AppState;

#[derive(Deserialize)]
pub struct NameBody {
    name: String,
}

#[derive(Deserialize)]
pub struct PlanBody {
    plan: String,
}

#[derive(Deserialize)]
pub struct MemberBody {
    email: String,
    role: String,
}

#[derive(Deserialize)]
pub struct RoleBody {
    role: String,
}

pub async fn list(State(s): State<AppState>, Auth(c): Auth) -> ApiResult<Json<Vec<OrgDto>>> {
    Ok(Json(s.services.list_orgs(&c).await?))
}

pub async fn all(State(s): State<AppState>, Auth(c): Auth) -> ApiResult<Json<Vec<OrgDto>>> {
    Ok(Json(s.services.all_orgs(&c).await?))
}

pub async fn create(
    State(s): State<AppState>,
    Auth(c): Auth,
    Body(b): Body<NameBody>,
) -> ApiResult<(StatusCode, Json<OrgDto>)> {
    Ok((StatusCode::CREATED, Json(s.services.create_org(&c, &b.name).await?)))
}

pub async fn get(State(s): State<AppState>, Auth(c): Auth, Path(org): Path<String>) -> ApiResult<Json<OrgDto>> {
    Ok(Json(s.services.get_org(&c, &org).await?))
}

pub async fn set_plan(
    State(s): State<AppState>,
    Auth(c): Auth,
    Path(org): Path<String>,
    Body(b): Body<PlanBody>,
) -> ApiResult<Json<OrgDto>> {
    Ok(Json(s.services.set_plan(&c, &org, &b.plan).await?))
}

pub async fn members(
    State(s): State<AppState>,
    Auth(c): Auth,
    Path(org): Path<String>,
) -> ApiResult<Json<Vec<MemberDto>>> {
    Ok(Json(s.services.list_members(&c, &org).await?))
}

pub async fn add_member(
    State(s): State<AppState>,
    Auth(c): Auth,
    Path(org): Path<String>,
    Body(b): Body<MemberBody>,
) -> ApiResult<(StatusCode, Json<MemberDto>)> {
    Ok((StatusCode::CREATED, Json(s.services.add_member(&c, &org, &b.email, &b.role).await?)))
}

pub async fn change_role(
    State(s): State<AppState>,
    Auth(c): Auth,
    Path((org, user)): Path<(String, String)>,
    Body(b): Body<RoleBody>,
) -> ApiResult<Json<MemberDto>> {
    Ok(Json(s.services.change_role(&c, &org, &user, &b.role).await?))
}

pub async fn remove_member(
    State(s): State<AppState>,
    Auth(c): Auth,
    Path((org, user)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    s.services.remove_member(&c, &org, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn audit(
    State(s): State<AppState>,
    Auth(c): Auth,
    Path(org): Path<String>,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<Vec<AuditDto>>> {
    Ok(Json(s.services.list_audit(&c, &org, q).await?))
}
