//! Sign-up, log-in, sessions.
use app::dto::{SessionDto, UserDto};
use app::error::AppError;
use app::ports::{Caller, RequestMeta};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::{new_id, user_dto, Services};
use crate::auth::{password, token};
use crate::clock::{now_ms, rfc3339};
use crate::config::SignupMode;
use crate::db::entities::{sessions, users};
use crate::domain::{Email, Name, Password};
use crate::error::Result;

impl Services {
    /// Creates an account. The first account of an instance is its administrator.
    pub async fn signup(&self, email: &str, password: &str, name: &str) -> Result<UserDto> {
        let email = Email::parse(email)?;
        let name = Name::parse(name, "name")?;
        let password = Password::parse(password)?;
        let first = users::Entity::find().count(&self.db).await? == 0;
        if !first && self.signup == SignupMode::Closed {
            return Err(AppError::forbidden(
                "Sign-up is closed on this instance. Ask an administrator for an account.",
            )
            .into());
        }
        self.create_user(&email, &name, &password, false).await.map(|u| user_dto(&u))
    }

    /// Inserts an account; the very first one becomes instance admin. The
    /// promotion is a conditional update, so two racing first sign-ups cannot
    /// both become admin.
    pub async fn create_user(&self, email: &Email, name: &Name, pw: &Password, admin: bool) -> Result<users::Model> {
        if users::Entity::find().filter(users::Column::Email.eq(email.as_str())).one(&self.db).await?.is_some() {
            return Err(AppError::conflict("An account with this e-mail already exists.").into());
        }
        let id = new_id();
        let row = users::ActiveModel {
            id: Set(id.clone()),
            email: Set(email.as_str().to_string()),
            name: Set(name.as_str().to_string()),
            password_hash: Set(password::hash(pw.expose().to_string()).await?),
            instance_admin: Set(admin),
            created_at: Set(now_ms()),
        };
        users::Entity::insert(row).exec(&self.db).await.map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                AppError::conflict("An account with this e-mail already exists.").into()
            }
            _ => crate::error::ServerError::from(e),
        })?;
        if users::Entity::find().count(&self.db).await? == 1 {
            users::Entity::update_many()
                .col_expr(users::Column::InstanceAdmin, Expr::value(true))
                .filter(users::Column::Id.eq(&id))
                .exec(&self.db)
                .await?;
        }
        users::Entity::find_by_id(id).one(&self.db).await?.ok_or_else(|| AppError::internal().into())
    }

    pub async fn login(&self, meta: &RequestMeta, email: &str, password: &str) -> Result<SessionDto> {
        let now = now_ms();
        // Malformed input is a wrong credential, not a hint about what exists.
        let key = email.trim().to_lowercase();
        let ip = meta.ip.as_deref();
        if !self.throttle.allowed(&key, ip, now) {
            return Err(AppError::throttled().into());
        }
        let user = match Email::parse(email) {
            Ok(e) => users::Entity::find().filter(users::Column::Email.eq(e.as_str())).one(&self.db).await?,
            Err(_) => None,
        };
        let ok = password::verify(password.to_string(), user.as_ref().map(|u| u.password_hash.clone())).await?;
        let Some(user) = user.filter(|_| ok) else {
            self.throttle.failed(&key, ip, now);
            tracing::info!(ip = ?meta.ip, "log-in failed");
            return Err(AppError::bad_credentials().into());
        };
        self.throttle.succeeded(&key);
        sessions::Entity::delete_many().filter(sessions::Column::ExpiresAt.lt(now)).exec(&self.db).await?;
        let token = token::generate();
        let expires_at = now + self.session_ttl_secs * 1000;
        sessions::Entity::insert(sessions::ActiveModel {
            id: Set(new_id()),
            user_id: Set(user.id.clone()),
            token_hash: Set(token::digest(&token)),
            created_at: Set(now),
            expires_at: Set(expires_at),
        })
        .exec(&self.db)
        .await?;
        Ok(SessionDto { token, expires_at: rfc3339(expires_at), user: user_dto(&user) })
    }

    pub async fn logout(&self, meta: &RequestMeta) -> Result<()> {
        let token = meta.token.as_deref().ok_or_else(AppError::unauthenticated)?;
        let gone = sessions::Entity::delete_many()
            .filter(sessions::Column::TokenHash.eq(token::digest(token)))
            .exec(&self.db)
            .await?;
        if gone.rows_affected == 0 {
            return Err(AppError::unauthenticated().into());
        }
        Ok(())
    }

    pub async fn authenticate(&self, meta: &RequestMeta) -> Result<Caller> {
        let token = meta.token.as_deref().ok_or_else(AppError::unauthenticated)?;
        let session = sessions::Entity::find()
            .filter(sessions::Column::TokenHash.eq(token::digest(token)))
            .filter(sessions::Column::ExpiresAt.gt(now_ms()))
            .one(&self.db)
            .await?
            .ok_or_else(AppError::unauthenticated)?;
        let user =
            users::Entity::find_by_id(session.user_id).one(&self.db).await?.ok_or_else(AppError::unauthenticated)?;
        Ok(Caller { user: user_dto(&user), ip: meta.ip.clone(), user_agent: meta.user_agent.clone() })
    }
}
