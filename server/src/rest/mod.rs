//! The REST API v1 (`shared/API.md`): thin handlers over the services.
mod accounts;
mod apps;
mod dynamic;
pub mod ops;
mod orgs;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;

use app::api::ClientIp;
use app::error::AppError;
use app::ports::{meta_from_headers, Caller, RequestMeta};

use crate::error::ServerError;
use crate::services::{self, SERVICE_TOKEN_PREFIX};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/signup", post(accounts::signup))
        .route("/auth/login", post(accounts::login))
        .route("/auth/logout", post(accounts::logout))
        .route("/me", get(accounts::me))
        .route("/orgs", get(orgs::list).post(orgs::create))
        .route("/orgs/{org_id}", get(orgs::get))
        .route("/orgs/{org_id}/plan", put(orgs::set_plan))
        .route("/orgs/{org_id}/members", get(orgs::members).post(orgs::add_member))
        .route("/orgs/{org_id}/members/{user_id}", axum::routing::patch(orgs::change_role).delete(orgs::remove_member))
        .route("/orgs/{org_id}/audit", get(orgs::audit))
        .route("/orgs/{org_id}/apps", get(apps::list).post(apps::create))
        .route("/apps/{app_id}", get(apps::get).delete(apps::delete))
        .route("/apps/{app_id}/sse", put(apps::set_sse))
        .route("/admin/orgs", get(orgs::all))
        .route("/providers", get(dynamic::providers))
        .route("/environments/{env_id}/dynamic-secrets", get(dynamic::list_secrets).post(dynamic::create_secret))
        .route(
            "/dynamic-secrets/{id}",
            get(dynamic::get_secret).patch(dynamic::update_secret).delete(dynamic::delete_secret),
        )
        .route("/dynamic-secrets/{id}/leases", get(dynamic::list_leases).post(dynamic::issue))
        .route("/leases/{id}", get(dynamic::get_lease))
        .route("/leases/{id}/events", get(dynamic::events))
        .route("/leases/{id}/renew", post(dynamic::renew))
        .route("/leases/{id}/revoke", post(dynamic::revoke))
        .route("/environments/{env_id}/service-tokens", get(dynamic::list_tokens).post(dynamic::create_token))
        .route("/service-tokens/{id}", axum::routing::delete(dynamic::delete_token))
        .route("/openapi.json", get(ops::openapi))
        .fallback(|| async { ApiError(AppError::not_found("API route")) })
}

/// An `AppError` as an HTTP answer: `{"error": {"code", "message"}}`.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<ServerError> for ApiError {
    fn from(e: ServerError) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::json!({ "error": { "code": self.0.code, "message": self.0.message } });
        (status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The request's credential and origin.
pub struct Meta(pub RequestMeta);

impl<S: Send + Sync> FromRequestParts<S> for Meta {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let ip = parts.extensions.get::<ClientIp>().and_then(|c| c.0.clone());
        Ok(Meta(meta_from_headers(&parts.headers, ip)))
    }
}

/// An authenticated person (Bearer session token or session cookie), else
/// 401. Service tokens are refused here: they only work with leases.
pub struct Auth(pub Caller);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Meta(meta) = Meta::from_request_parts(parts, state).await?;
        if meta.token.as_deref().is_some_and(|t| t.starts_with(SERVICE_TOKEN_PREFIX)) {
            return Err(ApiError(AppError::forbidden(
                "A service token can only issue, renew and revoke its own leases.",
            )));
        }
        Ok(Auth(state.services.authenticate(&meta).await?))
    }
}

/// A person or a service token.
pub struct Principal(pub services::Principal);

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Meta(meta) = Meta::from_request_parts(parts, state).await?;
        Ok(Principal(state.services.authenticate_principal(&meta).await?))
    }
}

/// A JSON body whose problems are a 400 in the API's error format.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(rejection) => Err(ApiError(AppError::bad_request(format!(
                "The request body is not valid: {}",
                rejection.body_text()
            )))),
        }
    }
}

/// Query parameters whose problems are a 400 in the API's error format.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|r| ApiError(AppError::bad_request(format!("The query is not valid: {}", r.body_text()))))
    }
}
