//! Server functions: the browser's calls. Each one is a shim — read the
//! request, authenticate, call the backend, return a DTO.
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::dto::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ctx {
    use std::sync::Arc;

    use crate::error::AppError;
    use crate::ports::{meta_from_headers, session_cookie, Backend, Caller, RequestMeta};

    pub fn backend() -> Result<Arc<dyn Backend>, AppError> {
        leptos::prelude::use_context::<Arc<dyn Backend>>().ok_or_else(AppError::internal)
    }

    /// The client address the server resolved (see the server's client-ip layer).
    #[derive(Clone, Debug)]
    pub struct ClientIp(pub Option<String>);

    pub async fn meta() -> Result<RequestMeta, AppError> {
        let parts: http::request::Parts = leptos_axum::extract().await.map_err(|_| AppError::internal())?;
        let ip = parts.extensions.get::<ClientIp>().and_then(|c| c.0.clone());
        Ok(meta_from_headers(&parts.headers, ip))
    }

    pub async fn caller() -> Result<(Arc<dyn Backend>, Caller), AppError> {
        let b = backend()?;
        let c = b.authenticate(&meta().await?).await?;
        Ok((b, c))
    }

    pub fn set_cookie(b: &Arc<dyn Backend>, token: &str, max_age: i64) {
        if let Some(resp) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(v) = session_cookie(token, max_age, b.secure_cookies()).parse() {
                resp.append_header(http::header::SET_COOKIE, v);
            }
        }
    }
}
#[cfg(feature = "ssr")]
pub use ctx::ClientIp;

/// What every signed-in page shows in its header.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shell {
    pub user: UserDto,
    pub orgs: Vec<OrgDto>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrgPage {
    pub org: OrgDto,
    pub apps: Vec<AppDto>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MembersPage {
    pub org: OrgDto,
    pub members: Vec<MemberDto>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub org: OrgDto,
    pub events: Vec<AuditDto>,
    /// Cursor for the next (older) page, when there is one.
    pub next_before: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppPage {
    pub org: OrgDto,
    pub app: AppDto,
}

/// An environment tab: its dynamic secrets, and the providers they may use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnvPage {
    pub org: OrgDto,
    pub app: AppDto,
    pub env: EnvironmentDto,
    pub secrets: Vec<DynamicSecretDto>,
    pub providers: Vec<ProviderDto>,
}

/// One dynamic secret and its leases.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecretPage {
    pub org: OrgDto,
    pub app: AppDto,
    pub env: EnvironmentDto,
    pub secret: DynamicSecretDto,
    pub provider: ProviderDto,
    pub leases: Vec<LeaseDto>,
    /// Past leases are listed too.
    pub all: bool,
    /// The caller's user id: developers act on their own leases only.
    pub me: String,
}

pub const AUDIT_PAGE: u32 = 50;

#[server]
pub async fn signup(email: String, password: String, name: String) -> Result<(), AppError> {
    let b = ctx::backend()?;
    let meta = ctx::meta().await?;
    b.signup(&meta, &email, &password, &name).await?;
    let s = b.login(&meta, &email, &password).await?;
    ctx::set_cookie(&b, &s.token, b.session_ttl_secs());
    leptos_axum::redirect("/");
    Ok(())
}

#[server]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    let b = ctx::backend()?;
    let s = b.login(&ctx::meta().await?, &email, &password).await?;
    ctx::set_cookie(&b, &s.token, b.session_ttl_secs());
    leptos_axum::redirect("/");
    Ok(())
}

#[server]
pub async fn logout() -> Result<(), AppError> {
    let b = ctx::backend()?;
    b.logout(&ctx::meta().await?).await?;
    ctx::set_cookie(&b, "", 0);
    leptos_axum::redirect("/login");
    Ok(())
}

#[server]
pub async fn load_shell() -> Result<Shell, AppError> {
    let (b, c) = ctx::caller().await?;
    let orgs = b.list_orgs(&c).await?;
    Ok(Shell { user: c.user, orgs })
}

#[server]
pub async fn load_org(org_id: String) -> Result<OrgPage, AppError> {
    let (b, c) = ctx::caller().await?;
    let org = b.get_org(&c, &org_id).await?;
    let apps = b.list_apps(&c, &org_id).await?;
    Ok(OrgPage { org, apps })
}

#[server]
pub async fn load_members(org_id: String) -> Result<MembersPage, AppError> {
    let (b, c) = ctx::caller().await?;
    let org = b.get_org(&c, &org_id).await?;
    let members = b.list_members(&c, &org_id).await?;
    Ok(MembersPage { org, members })
}

#[server]
pub async fn load_audit(org_id: String, before: Option<i64>) -> Result<AuditPage, AppError> {
    let (b, c) = ctx::caller().await?;
    let org = b.get_org(&c, &org_id).await?;
    let q = crate::ports::AuditQuery { before, limit: Some(AUDIT_PAGE) };
    let events = b.audit(&c, &org_id, q).await?;
    let next_before = (events.len() == AUDIT_PAGE as usize).then(|| events.last().map(|e| e.id)).flatten();
    Ok(AuditPage { org, events, next_before })
}

#[server]
pub async fn load_app(app_id: String) -> Result<AppPage, AppError> {
    let (b, c) = ctx::caller().await?;
    let app = b.get_app(&c, &app_id).await?;
    let org = b.get_org(&c, &app.org_id).await?;
    Ok(AppPage { org, app })
}

#[server]
pub async fn load_admin() -> Result<Vec<OrgDto>, AppError> {
    let (b, c) = ctx::caller().await?;
    b.all_orgs(&c).await
}

#[server]
pub async fn create_org(name: String) -> Result<OrgDto, AppError> {
    let (b, c) = ctx::caller().await?;
    let org = b.create_org(&c, &name).await?;
    leptos_axum::redirect(&format!("/orgs/{}", org.id));
    Ok(org)
}

#[server]
pub async fn set_plan(org_id: String, plan: String) -> Result<OrgDto, AppError> {
    let (b, c) = ctx::caller().await?;
    b.set_plan(&c, &org_id, &plan).await
}

#[server]
pub async fn add_member(org_id: String, email: String, role: String) -> Result<MemberDto, AppError> {
    let (b, c) = ctx::caller().await?;
    b.add_member(&c, &org_id, &email, &role).await
}

#[server]
pub async fn change_role(org_id: String, user_id: String, role: String) -> Result<MemberDto, AppError> {
    let (b, c) = ctx::caller().await?;
    b.change_role(&c, &org_id, &user_id, &role).await
}

#[server]
pub async fn remove_member(org_id: String, user_id: String) -> Result<(), AppError> {
    let (b, c) = ctx::caller().await?;
    b.remove_member(&c, &org_id, &user_id).await
}

#[server]
pub async fn create_app(org_id: String, name: String) -> Result<AppDto, AppError> {
    let (b, c) = ctx::caller().await?;
    b.create_app(&c, &org_id, &name).await
}

#[server]
pub async fn delete_app(app_id: String) -> Result<(), AppError> {
    let (b, c) = ctx::caller().await?;
    let app = b.get_app(&c, &app_id).await?;
    b.delete_app(&c, &app_id).await?;
    leptos_axum::redirect(&format!("/orgs/{}", app.org_id));
    Ok(())
}

/// `enabled` arrives as a form field: "true" or "false".
#[server]
pub async fn set_sse(app_id: String, enabled: String) -> Result<AppDto, AppError> {
    let enabled = match enabled.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::bad_request("enabled must be true or false.")),
    };
    let (b, c) = ctx::caller().await?;
    b.set_sse(&c, &app_id, enabled).await
}

/// `env` is the environment's slug.
#[server]
pub async fn load_env(app_id: String, env: String) -> Result<EnvPage, AppError> {
    let (b, c) = ctx::caller().await?;
    let app = b.get_app(&c, &app_id).await?;
    let org = b.get_org(&c, &app.org_id).await?;
    let env =
        app.environments.iter().find(|e| e.slug == env).cloned().ok_or_else(|| AppError::not_found("environment"))?;
    let secrets = b.list_dynamic_secrets(&c, &env.id).await?;
    Ok(EnvPage { org, app, env, secrets, providers: b.providers() })
}

#[server]
pub async fn load_secret(app_id: String, secret_id: String, all: bool) -> Result<SecretPage, AppError> {
    let (b, c) = ctx::caller().await?;
    let app = b.get_app(&c, &app_id).await?;
    let secret = b.get_dynamic_secret(&c, &secret_id).await?;
    let env = app
        .environments
        .iter()
        .find(|e| e.id == secret.environment_id)
        .cloned()
        .ok_or_else(|| AppError::not_found("dynamic secret"))?;
    let org = b.get_org(&c, &app.org_id).await?;
    let provider = b.providers().into_iter().find(|p| p.kind == secret.provider).ok_or_else(AppError::internal)?;
    let leases = b.list_leases(&c, &secret.id, !all).await?;
    Ok(SecretPage { org, app, env, secret, provider, leases, all, me: c.user.id })
}

#[server(input = Json)]
pub async fn create_dynamic_secret(env_id: String, input: DynamicSecretInput) -> Result<DynamicSecretDto, AppError> {
    let (b, c) = ctx::caller().await?;
    b.create_dynamic_secret(&c, &env_id, input).await
}

#[server(input = Json)]
pub async fn update_dynamic_secret(id: String, input: DynamicSecretInput) -> Result<DynamicSecretDto, AppError> {
    let (b, c) = ctx::caller().await?;
    b.update_dynamic_secret(&c, &id, input).await
}

#[server]
pub async fn delete_dynamic_secret(id: String, revoke_leases: bool) -> Result<(), AppError> {
    let (b, c) = ctx::caller().await?;
    b.delete_dynamic_secret(&c, &id, revoke_leases).await
}

#[server]
pub async fn issue_lease(secret_id: String, name: String, ttl: Option<i64>) -> Result<IssuedLeaseDto, AppError> {
    let (b, c) = ctx::caller().await?;
    b.issue_lease(&c, &secret_id, &name, ttl).await
}

#[server]
pub async fn get_lease(id: String) -> Result<LeaseDto, AppError> {
    let (b, c) = ctx::caller().await?;
    b.get_lease(&c, &id).await
}

#[server]
pub async fn lease_events(id: String) -> Result<Vec<LeaseEventDto>, AppError> {
    let (b, c) = ctx::caller().await?;
    b.lease_events(&c, &id).await
}

#[server]
pub async fn renew_lease(id: String, ttl: i64) -> Result<LeaseDto, AppError> {
    let (b, c) = ctx::caller().await?;
    b.renew_lease(&c, &id, ttl).await
}

#[server]
pub async fn revoke_lease(id: String) -> Result<LeaseDto, AppError> {
    let (b, c) = ctx::caller().await?;
    b.revoke_lease(&c, &id).await
}
