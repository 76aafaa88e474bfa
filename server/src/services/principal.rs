//! Who is calling: a person (session) or a program (service token), and how
//! the lease history names them.
use app::error::AppError;
use app::ports::{Caller, RequestMeta};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::Services;
use crate::auth::token;
use crate::clock::now_ms;
use crate::db::entities::{apps, service_tokens};
use crate::error::Result;

/// Service tokens carry this prefix, so they are told from session tokens
/// without a lookup (and recognised by secret scanners).
pub const SERVICE_TOKEN_PREFIX: &str = "lhs_";

/// A service token's authority: one environment of one app.
#[derive(Clone)]
pub struct TokenCaller {
    pub id: String,
    pub name: String,
    pub app_id: String,
    pub environment_id: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Clone)]
pub enum Principal {
    User(Caller),
    Token(TokenCaller),
}

/// The actor of a lease event.
pub struct Actor {
    pub label: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Actor {
    /// The worker: expiry, retries, clean-up.
    pub fn system() -> Self {
        Actor { label: "system".into(), ip: None, user_agent: None }
    }
}

impl Principal {
    pub fn actor(&self) -> Actor {
        match self {
            Principal::User(c) => Actor {
                label: format!("{} <{}>", c.user.name, c.user.email),
                ip: c.ip.clone(),
                user_agent: c.user_agent.clone(),
            },
            Principal::Token(t) => {
                Actor { label: format!("service token {}", t.name), ip: t.ip.clone(), user_agent: t.user_agent.clone() }
            }
        }
    }

    /// (kind, id, display name) of a lease this principal issues.
    pub fn owner(&self) -> (&'static str, String, String) {
        match self {
            Principal::User(c) => ("user", c.user.id.clone(), format!("{} <{}>", c.user.name, c.user.email)),
            Principal::Token(t) => ("service_token", t.id.clone(), t.name.clone()),
        }
    }
}

impl Services {
    /// A session (as [`Services::authenticate`]) or an unexpired service token
    /// of a live app.
    pub async fn authenticate_principal(&self, meta: &RequestMeta) -> Result<Principal> {
        let Some(raw) = meta.token.as_deref().filter(|t| t.starts_with(SERVICE_TOKEN_PREFIX)) else {
            return Ok(Principal::User(self.authenticate(meta).await?));
        };
        let now = now_ms();
        let t = service_tokens::Entity::find()
            .filter(service_tokens::Column::TokenHash.eq(token::digest(raw)))
            .filter(
                Condition::any()
                    .add(service_tokens::Column::ExpiresAt.is_null())
                    .add(service_tokens::Column::ExpiresAt.gt(now)),
            )
            .one(&self.db)
            .await?
            .ok_or_else(AppError::unauthenticated)?;
        let live = apps::Entity::find_by_id(t.app_id.clone())
            .filter(apps::Column::DeletedAt.is_null())
            .one(&self.db)
            .await?
            .is_some();
        if !live {
            return Err(AppError::unauthenticated().into());
        }
        Ok(Principal::Token(TokenCaller {
            id: t.id,
            name: t.name,
            app_id: t.app_id,
            environment_id: t.environment_id,
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.clone(),
        }))
    }
}
