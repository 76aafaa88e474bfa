//! The services the UI's server functions call, as a trait the server crate
//! implements (the app crate cannot depend on the server crate). The REST API
//! calls the same implementation, so both front doors share every rule.
use async_trait::async_trait;

use crate::dto::*;
use crate::error::AppError;

pub const SESSION_COOKIE: &str = "leasehold_session";

/// What a request carries that the services need: its credential and where it came from.
#[derive(Clone, Default)]
pub struct RequestMeta {
    /// Bearer token or session cookie. Never logged (see the manual `Debug`).
    pub token: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl std::fmt::Debug for RequestMeta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestMeta")
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("ip", &self.ip)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

/// An authenticated caller.
#[derive(Clone)]
pub struct Caller {
    pub user: UserDto,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct AuditQuery {
    pub before: Option<i64>,
    pub limit: Option<u32>,
}

#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Lifetime of a session, for the cookie's Max-Age.
    fn session_ttl_secs(&self) -> i64;
    /// Whether cookies carry `Secure` (the console is served over HTTPS).
    fn secure_cookies(&self) -> bool;

    async fn signup(&self, meta: &RequestMeta, email: &str, password: &str, name: &str) -> Result<UserDto, AppError>;
    async fn login(&self, meta: &RequestMeta, email: &str, password: &str) -> Result<SessionDto, AppError>;
    async fn logout(&self, meta: &RequestMeta) -> Result<(), AppError>;
    async fn authenticate(&self, meta: &RequestMeta) -> Result<Caller, AppError>;

    async fn list_orgs(&self, c: &Caller) -> Result<Vec<OrgDto>, AppError>;
    async fn create_org(&self, c: &Caller, name: &str) -> Result<OrgDto, AppError>;
    async fn get_org(&self, c: &Caller, org_id: &str) -> Result<OrgDto, AppError>;
    /// Every org of the instance (instance admins only).
    async fn all_orgs(&self, c: &Caller) -> Result<Vec<OrgDto>, AppError>;
    async fn set_plan(&self, c: &Caller, org_id: &str, plan: &str) -> Result<OrgDto, AppError>;

    async fn list_members(&self, c: &Caller, org_id: &str) -> Result<Vec<MemberDto>, AppError>;
    async fn add_member(&self, c: &Caller, org_id: &str, email: &str, role: &str) -> Result<MemberDto, AppError>;
    async fn change_role(&self, c: &Caller, org_id: &str, user_id: &str, role: &str) -> Result<MemberDto, AppError>;
    async fn remove_member(&self, c: &Caller, org_id: &str, user_id: &str) -> Result<(), AppError>;

    async fn list_apps(&self, c: &Caller, org_id: &str) -> Result<Vec<AppDto>, AppError>;
    async fn create_app(&self, c: &Caller, org_id: &str, name: &str) -> Result<AppDto, AppError>;
    async fn get_app(&self, c: &Caller, app_id: &str) -> Result<AppDto, AppError>;
    async fn delete_app(&self, c: &Caller, app_id: &str) -> Result<(), AppError>;
    async fn set_sse(&self, c: &Caller, app_id: &str, enabled: bool) -> Result<AppDto, AppError>;

    async fn audit(&self, c: &Caller, org_id: &str, q: AuditQuery) -> Result<Vec<AuditDto>, AppError>;

    fn providers(&self) -> Vec<ProviderDto>;
    async fn list_dynamic_secrets(&self, c: &Caller, env_id: &str) -> Result<Vec<DynamicSecretDto>, AppError>;
    async fn get_dynamic_secret(&self, c: &Caller, id: &str) -> Result<DynamicSecretDto, AppError>;
    async fn create_dynamic_secret(
        &self,
        c: &Caller,
        env_id: &str,
        input: DynamicSecretInput,
    ) -> Result<DynamicSecretDto, AppError>;
    async fn update_dynamic_secret(
        &self,
        c: &Caller,
        id: &str,
        input: DynamicSecretInput,
    ) -> Result<DynamicSecretDto, AppError>;
    async fn delete_dynamic_secret(&self, c: &Caller, id: &str, revoke_leases: bool) -> Result<(), AppError>;

    async fn issue_lease(
        &self,
        c: &Caller,
        secret_id: &str,
        name: &str,
        ttl: Option<i64>,
    ) -> Result<IssuedLeaseDto, AppError>;
    /// Newest first; `active` keeps the unfinished ones (creating, active, revoking).
    async fn list_leases(&self, c: &Caller, secret_id: &str, active: bool) -> Result<Vec<LeaseDto>, AppError>;
    async fn get_lease(&self, c: &Caller, id: &str) -> Result<LeaseDto, AppError>;
    async fn lease_events(&self, c: &Caller, id: &str) -> Result<Vec<LeaseEventDto>, AppError>;
    async fn renew_lease(&self, c: &Caller, id: &str, ttl: i64) -> Result<LeaseDto, AppError>;
    async fn revoke_lease(&self, c: &Caller, id: &str) -> Result<LeaseDto, AppError>;
}

/// The `Set-Cookie` value carrying a session (or clearing it when `token` is empty).
/// HttpOnly keeps it from scripts; SameSite=Strict keeps it off cross-site requests.
pub fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}")
}

/// Reads the session token from a `Cookie` header value.
pub fn token_from_cookie_header(header: &str) -> Option<String> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// Builds the request metadata from headers: `Authorization: Bearer` wins over the cookie.
pub fn meta_from_headers(headers: &http::HeaderMap, ip: Option<String>) -> RequestMeta {
    let text = |name: http::header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let bearer =
        text(http::header::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer ")).map(|t| t.trim().to_string());
    let cookie = text(http::header::COOKIE).and_then(token_from_cookie_header);
    RequestMeta {
        token: bearer.or(cookie),
        ip,
        user_agent: text(http::header::USER_AGENT).map(|ua| ua.chars().take(512).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_found_among_others_and_bearer_wins() {
        assert_eq!(token_from_cookie_header("a=b; leasehold_session=tok; c=d").as_deref(), Some("tok"));
        assert_eq!(token_from_cookie_header("leasehold_session="), None);
        let mut h = http::HeaderMap::new();
        h.insert(http::header::COOKIE, "leasehold_session=c".parse().unwrap());
        assert_eq!(meta_from_headers(&h, None).token.as_deref(), Some("c"));
        h.insert(http::header::AUTHORIZATION, "Bearer b".parse().unwrap());
        assert_eq!(meta_from_headers(&h, None).token.as_deref(), Some("b"));
    }

    #[test]
    fn cookie_attributes_protect_the_session() {
        let c = session_cookie("t", 60, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.ends_with("Secure"));
    }
}
