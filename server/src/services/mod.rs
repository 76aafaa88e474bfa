//! The services behind both front doors (REST and server functions): every
//! rule about who may do what lives here, checked on the server.
mod accounts;
mod apps;
mod audit;
mod dynamic_secrets;
mod leases;
mod orgs;
mod principal;
mod revocation;
mod service_tokens;

pub use principal::{Actor, Principal, TokenCaller, SERVICE_TOKEN_PREFIX};
pub use revocation::Claim;

use app::dto::{Role, UserDto};
use app::error::AppError;
use app::ports::Caller;
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::auth::throttle::Throttle;
use crate::config::SignupMode;
use crate::crypto::MasterKey;
use crate::db::entities::{memberships, orgs as org_rows, users};
use crate::error::Result;

pub struct Services {
    pub db: DatabaseConnection,
    pub master: MasterKey,
    pub throttle: Throttle,
    pub signup: SignupMode,
    pub session_ttl_secs: i64,
    pub secure_cookies: bool,
    pub providers: crate::providers::Registry,
    /// The instance's upper bound on a dynamic secret's Max TTL, in seconds.
    pub max_ttl_secs: i64,
    /// Active leases allowed per dynamic secret.
    pub lease_quota: u64,
}

pub(crate) fn user_dto(u: &users::Model) -> UserDto {
    UserDto { id: u.id.clone(), email: u.email.clone(), name: u.name.clone(), instance_admin: u.instance_admin }
}

/// Canonical form of an id from a path or form; anything that is not a UUID
/// cannot name an object, so it is "not found".
pub(crate) fn parse_id(raw: &str, what: &str) -> Result<String> {
    uuid::Uuid::parse_str(raw.trim()).map(|u| u.to_string()).map_err(|_| AppError::not_found(what).into())
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub(crate) fn require_manager(role: Role) -> Result<()> {
    if role.can_manage() {
        Ok(())
    } else {
        Err(AppError::forbidden("Only owners and admins of the organisation can do this.").into())
    }
}

impl Services {
    /// The org and the caller's role in it. Orgs the caller is not a member of
    /// do not exist, as far as the caller can tell.
    pub(crate) async fn org_for(&self, c: &Caller, org_id: &str) -> Result<(org_rows::Model, Role)> {
        let org_id = parse_id(org_id, "organisation")?;
        let membership = memberships::Entity::find_by_id((org_id.clone(), c.user.id.clone()))
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::not_found("organisation"))?;
        let org = org_rows::Entity::find_by_id(org_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::not_found("organisation"))?;
        let role = membership.role.parse::<Role>()?;
        Ok((org, role))
    }

    pub(crate) fn require_instance_admin(c: &Caller) -> Result<()> {
        if c.user.instance_admin {
            Ok(())
        } else {
            Err(AppError::forbidden("Only instance administrators can do this.").into())
        }
    }
}
