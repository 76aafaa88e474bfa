use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use app::dto::UserDto;
use app::ports::session_cookie;

use super::{ApiResult, Auth, Body, Meta};
use crate::startup::AppState;

#[derive(Deserialize)]
pub struct SignupBody {
    email: String,
    password: String,
    name: String,
}

#[derive(Deserialize)]
pub struct LoginBody {
    email: String,
    password: String,
}

pub async fn signup(State(s): State<AppState>, Body(b): Body<SignupBody>) -> ApiResult<Response> {
    let user = s.services.signup(&b.email, &b.password, &b.name).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "user": user }))).into_response())
}

pub async fn login(State(s): State<AppState>, Meta(m): Meta, Body(b): Body<LoginBody>) -> ApiResult<Response> {
    let session = s.services.login(&m, &b.email, &b.password).await?;
    let cookie = session_cookie(&session.token, s.services.session_ttl_secs, s.services.secure_cookies);
    Ok(([(header::SET_COOKIE, cookie)], Json(session)).into_response())
}

pub async fn logout(State(s): State<AppState>, Meta(m): Meta) -> ApiResult<Response> {
    s.services.logout(&m).await?;
    let cookie = session_cookie("", 0, s.services.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

pub async fn me(Auth(c): Auth) -> Json<serde_json::Value> {
    let user: UserDto = c.user;
    Json(serde_json::json!({ "user": user }))
}
