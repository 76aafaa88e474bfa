//! Service tokens: credentials for programs, scoped to one environment. They
//! issue, renew and revoke their own leases there and nothing else.
use app::dto::{NewServiceTokenDto, ServiceTokenDto};
use app::error::AppError;
use app::ports::Caller;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use super::principal::SERVICE_TOKEN_PREFIX;
use super::{new_id, parse_id, require_manager, Services};
use crate::auth::token;
use crate::clock::rfc3339;
use crate::db::entities::{apps, service_tokens};
use crate::domain::Name;
use crate::error::Result;

/// Longest lifetime a service token may be given: about ten years.
const MAX_TOKEN_TTL: i64 = 10 * 366 * 86_400;

fn token_dto(t: service_tokens::Model) -> ServiceTokenDto {
    ServiceTokenDto {
        id: t.id,
        name: t.name,
        created_at: rfc3339(t.created_at),
        expires_at: t.expires_at.map(rfc3339),
        created_by: t.created_by,
    }
}

impl Services {
    /// Owners and admins create tokens (a token outlives its creator's session).
    pub async fn create_service_token(
        &self,
        c: &Caller,
        env_id: &str,
        name: &str,
        ttl: Option<i64>,
        now: i64,
    ) -> Result<NewServiceTokenDto> {
        let (env, app, org, role) = self.env_for(c, env_id).await?;
        require_manager(role)?;
        let name = Name::parse(name, "token name")?;
        if let Some(t) = ttl.filter(|t| !(1..=MAX_TOKEN_TTL).contains(t)) {
            return Err(AppError::bad_request(format!("ttl ({t}) must be from 1 to {MAX_TOKEN_TTL} seconds.")).into());
        }
        let secret = format!("{SERVICE_TOKEN_PREFIX}{}", token::generate());
        let id = new_id();
        let tx = self.db.begin().await?;
        let row = service_tokens::ActiveModel {
            id: Set(id.clone()),
            app_id: Set(app.id.clone()),
            environment_id: Set(env.id.clone()),
            name: Set(name.as_str().to_string()),
            token_hash: Set(token::digest(&secret)),
            created_by: Set(format!("{} <{}>", c.user.name, c.user.email)),
            created_at: Set(now),
            expires_at: Set(ttl.map(|t| now + t * 1000)),
        }
        .insert(&tx)
        .await?;
        let detail = format!("{} / {}; id {id}", app.name, env.name);
        self.audit(&tx, c, &org.id, "service_token.created", &row.name, &detail).await?;
        tx.commit().await?;
        Ok(NewServiceTokenDto { id, name: row.name, token: secret, expires_at: row.expires_at.map(rfc3339) })
    }

    pub async fn list_service_tokens(&self, c: &Caller, env_id: &str) -> Result<Vec<ServiceTokenDto>> {
        let (env, ..) = self.env_for(c, env_id).await?;
        let rows = service_tokens::Entity::find()
            .filter(service_tokens::Column::EnvironmentId.eq(&env.id))
            .order_by_asc(service_tokens::Column::CreatedAt)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(token_dto).collect())
    }

    /// Deleting a token stops it at once; leases it issued run their course
    /// (owners and admins can revoke them).
    pub async fn delete_service_token(&self, c: &Caller, id: &str) -> Result<()> {
        let nf = || AppError::not_found("service token");
        let id = parse_id(id, "service token")?;
        let t = service_tokens::Entity::find_by_id(id).one(&self.db).await?.ok_or_else(nf)?;
        let (_, app, org, role) = self.env_for(c, &t.environment_id).await.map_err(|_| nf())?;
        require_manager(role)?;
        let tx = self.db.begin().await?;
        service_tokens::Entity::delete_by_id(t.id.clone()).exec(&tx).await?;
        let detail = format!("{}; id {}", app.name, t.id);
        self.audit(&tx, c, &org.id, "service_token.deleted", &t.name, &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Tokens of an app stop working when it is deleted.
    pub(crate) async fn delete_app_tokens(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        app: &apps::Model,
    ) -> Result<()> {
        service_tokens::Entity::delete_many().filter(service_tokens::Column::AppId.eq(&app.id)).exec(conn).await?;
        Ok(())
    }
}
