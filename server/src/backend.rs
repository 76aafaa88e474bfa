//! The services as the UI's port: the server functions in `app` call these.
use app::dto::*;
use app::error::AppError;
use app::ports::{AuditQuery, Backend, Caller, RequestMeta};
use async_trait::async_trait;

use crate::clock::now_ms;
use crate::services::{Principal, Services};

/// The console acts as the signed-in person.
fn user(c: &Caller) -> Principal {
    Principal::User(c.clone())
}

#[async_trait]
impl Backend for Services {
    fn session_ttl_secs(&self) -> i64 {
        self.session_ttl_secs
    }
    fn secure_cookies(&self) -> bool {
        self.secure_cookies
    }
    async fn signup(&self, _: &RequestMeta, email: &str, password: &str, name: &str) -> Result<UserDto, AppError> {
        Ok(Services::signup(self, email, password, name).await?)
    }
    async fn login(&self, meta: &RequestMeta, email: &str, password: &str) -> Result<SessionDto, AppError> {
        Ok(Services::login(self, meta, email, password).await?)
    }
    async fn logout(&self, meta: &RequestMeta) -> Result<(), AppError> {
        Ok(Services::logout(self, meta).await?)
    }
    async fn authenticate(&self, meta: &RequestMeta) -> Result<Caller, AppError> {
        Ok(Services::authenticate(self, meta).await?)
    }
    async fn list_orgs(&self, c: &Caller) -> Result<Vec<OrgDto>, AppError> {
        Ok(Services::list_orgs(self, c).await?)
    }
    async fn create_org(&self, c: &Caller, name: &str) -> Result<OrgDto, AppError> {
        Ok(Services::create_org(self, c, name).await?)
    }
    async fn get_org(&self, c: &Caller, org_id: &str) -> Result<OrgDto, AppError> {
        Ok(Services::get_org(self, c, org_id).await?)
    }
    async fn all_orgs(&self, c: &Caller) -> Result<Vec<OrgDto>, AppError> {
        Ok(Services::all_orgs(self, c).await?)
    }
    async fn set_plan(&self, c: &Caller, org_id: &str, plan: &str) -> Result<OrgDto, AppError> {
        Ok(Services::set_plan(self, c, org_id, plan).await?)
    }
    async fn list_members(&self, c: &Caller, org_id: &str) -> Result<Vec<MemberDto>, AppError> {
        Ok(Services::list_members(self, c, org_id).await?)
    }
    async fn add_member(&self, c: &Caller, org_id: &str, email: &str, role: &str) -> Result<MemberDto, AppError> {
        Ok(Services::add_member(self, c, org_id, email, role).await?)
    }
    async fn change_role(&self, c: &Caller, org_id: &str, user_id: &str, role: &str) -> Result<MemberDto, AppError> {
        Ok(Services::change_role(self, c, org_id, user_id, role).await?)
    }
    async fn remove_member(&self, c: &Caller, org_id: &str, user_id: &str) -> Result<(), AppError> {
        Ok(Services::remove_member(self, c, org_id, user_id).await?)
    }
    async fn list_apps(&self, c: &Caller, org_id: &str) -> Result<Vec<AppDto>, AppError> {
        Ok(Services::list_apps(self, c, org_id).await?)
    }
    async fn create_app(&self, c: &Caller, org_id: &str, name: &str) -> Result<AppDto, AppError> {
        Ok(Services::create_app(self, c, org_id, name).await?)
    }
    async fn get_app(&self, c: &Caller, app_id: &str) -> Result<AppDto, AppError> {
        Ok(Services::get_app(self, c, app_id).await?)
    }
    async fn delete_app(&self, c: &Caller, app_id: &str) -> Result<(), AppError> {
        Ok(Services::delete_app(self, c, app_id).await?)
    }
    async fn set_sse(&self, c: &Caller, app_id: &str, enabled: bool) -> Result<AppDto, AppError> {
        Ok(Services::set_sse(self, c, app_id, enabled).await?)
    }
    async fn audit(&self, c: &Caller, org_id: &str, q: AuditQuery) -> Result<Vec<AuditDto>, AppError> {
        Ok(Services::list_audit(self, c, org_id, q).await?)
    }
    fn providers(&self) -> Vec<ProviderDto> {
        Services::providers(self)
    }
    async fn list_dynamic_secrets(&self, c: &Caller, env_id: &str) -> Result<Vec<DynamicSecretDto>, AppError> {
        Ok(Services::list_dynamic_secrets(self, c, env_id).await?)
    }
    async fn get_dynamic_secret(&self, c: &Caller, id: &str) -> Result<DynamicSecretDto, AppError> {
        Ok(Services::get_dynamic_secret(self, c, id).await?)
    }
    async fn create_dynamic_secret(
        &self,
        c: &Caller,
        env_id: &str,
        input: DynamicSecretInput,
    ) -> Result<DynamicSecretDto, AppError> {
        Ok(Services::create_dynamic_secret(self, c, env_id, input, now_ms()).await?)
    }
    async fn update_dynamic_secret(
        &self,
        c: &Caller,
        id: &str,
        input: DynamicSecretInput,
    ) -> Result<DynamicSecretDto, AppError> {
        Ok(Services::update_dynamic_secret(self, c, id, input, now_ms()).await?)
    }
    async fn delete_dynamic_secret(&self, c: &Caller, id: &str, revoke_leases: bool) -> Result<(), AppError> {
        Ok(Services::delete_dynamic_secret(self, c, id, revoke_leases, now_ms()).await?)
    }
    async fn issue_lease(
        &self,
        c: &Caller,
        secret_id: &str,
        name: &str,
        ttl: Option<i64>,
    ) -> Result<IssuedLeaseDto, AppError> {
        Ok(Services::issue_lease(self, &user(c), secret_id, name, ttl, now_ms()).await?)
    }
    async fn list_leases(&self, c: &Caller, secret_id: &str, active: bool) -> Result<Vec<LeaseDto>, AppError> {
        Ok(Services::list_leases(self, c, secret_id, active, None, None).await?)
    }
    async fn get_lease(&self, c: &Caller, id: &str) -> Result<LeaseDto, AppError> {
        Ok(Services::get_lease(self, &user(c), id).await?)
    }
    async fn lease_events(&self, c: &Caller, id: &str) -> Result<Vec<LeaseEventDto>, AppError> {
        Ok(Services::lease_events(self, &user(c), id).await?)
    }
    async fn renew_lease(&self, c: &Caller, id: &str, ttl: i64) -> Result<LeaseDto, AppError> {
        Ok(Services::renew_lease(self, &user(c), id, ttl, now_ms()).await?)
    }
    async fn revoke_lease(&self, c: &Caller, id: &str) -> Result<LeaseDto, AppError> {
        Ok(Services::revoke_lease(self, &user(c), id, now_ms()).await?)
    }
}
