//! Apps, their environments, and server-side encryption.
use app::dto::{AppDto, EnvironmentDto};
use app::error::AppError;
use app::ports::Caller;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use super::{new_id, parse_id, require_manager, Principal, Services};
use crate::clock::{now_ms, rfc3339};
use crate::crypto::AppKey;
use crate::db::entities::{apps, dynamic_secrets, environments, leases};
use crate::domain::Name;
use crate::error::Result;
use crate::lifecycle::{self, Reason};

const ENVIRONMENTS: [(&str, &str); 3] =
    [("Development", "development"), ("Staging", "staging"), ("Production", "production")];

impl Services {
    async fn app_dto(&self, a: &apps::Model) -> Result<AppDto> {
        let envs = environments::Entity::find()
            .filter(environments::Column::AppId.eq(&a.id))
            .order_by_asc(environments::Column::Position)
            .all(&self.db)
            .await?;
        Ok(AppDto {
            id: a.id.clone(),
            org_id: a.org_id.clone(),
            name: a.name.clone(),
            sse_enabled: a.wrapped_key.is_some(),
            environments: envs.into_iter().map(|e| EnvironmentDto { id: e.id, name: e.name, slug: e.slug }).collect(),
            created_at: rfc3339(a.created_at),
        })
    }

    /// The app, if the caller is a member of its org; otherwise "not found".
    async fn app_for(&self, c: &Caller, app_id: &str) -> Result<(apps::Model, app::dto::Role)> {
        let id = parse_id(app_id, "app")?;
        let app = apps::Entity::find_by_id(id)
            .filter(apps::Column::DeletedAt.is_null())
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::not_found("app"))?;
        let (_, role) = self.org_for(c, &app.org_id).await.map_err(|_| AppError::not_found("app"))?;
        Ok((app, role))
    }

    pub async fn list_apps(&self, c: &Caller, org_id: &str) -> Result<Vec<AppDto>> {
        let (org, _) = self.org_for(c, org_id).await?;
        let rows = apps::Entity::find()
            .filter(apps::Column::OrgId.eq(&org.id))
            .filter(apps::Column::DeletedAt.is_null())
            .order_by_asc(apps::Column::Name)
            .all(&self.db)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for a in &rows {
            out.push(self.app_dto(a).await?);
        }
        Ok(out)
    }

    pub async fn create_app(&self, c: &Caller, org_id: &str, name: &str) -> Result<AppDto> {
        let (org, role) = self.org_for(c, org_id).await?;
        require_manager(role)?;
        let name = Name::parse(name, "app name")?;
        let taken = apps::Entity::find()
            .filter(apps::Column::OrgId.eq(&org.id))
            .filter(apps::Column::Name.eq(name.as_str()))
            .filter(apps::Column::DeletedAt.is_null())
            .one(&self.db)
            .await?;
        if taken.is_some() {
            return Err(AppError::conflict(format!("An app named {:?} already exists here.", name.as_str())).into());
        }
        let id = new_id();
        let tx = self.db.begin().await?;
        let app = apps::ActiveModel {
            id: Set(id.clone()),
            org_id: Set(org.id.clone()),
            name: Set(name.as_str().to_string()),
            wrapped_key: Set(None),
            created_at: Set(now_ms()),
            deleted_at: Set(None),
        }
        .insert(&tx)
        .await?;
        for (position, (env_name, slug)) in (0..).zip(ENVIRONMENTS) {
            environments::ActiveModel {
                id: Set(new_id()),
                app_id: Set(id.clone()),
                name: Set(env_name.to_string()),
                slug: Set(slug.to_string()),
                position: Set(position),
            }
            .insert(&tx)
            .await?;
        }
        self.audit(&tx, c, &org.id, "app.created", &app.name, &format!("id {id}")).await?;
        tx.commit().await?;
        self.app_dto(&app).await
    }

    pub async fn get_app(&self, c: &Caller, app_id: &str) -> Result<AppDto> {
        let (app, _) = self.app_for(c, app_id).await?;
        self.app_dto(&app).await
    }

    /// The app disappears at once; its active leases go to `revoking`
    /// (`app_deleted`) and the worker removes the row, with the key that
    /// revocation needs, once they are all finished.
    pub async fn delete_app(&self, c: &Caller, app_id: &str) -> Result<()> {
        let (app, role) = self.app_for(c, app_id).await?;
        require_manager(role)?;
        let now = now_ms();
        let tx = self.db.begin().await?;
        apps::Entity::update_many()
            .col_expr(apps::Column::DeletedAt, Expr::value(now))
            .filter(apps::Column::Id.eq(&app.id))
            .exec(&tx)
            .await?;
        dynamic_secrets::Entity::update_many()
            .col_expr(dynamic_secrets::Column::DeletedAt, Expr::value(now))
            .filter(dynamic_secrets::Column::AppId.eq(&app.id))
            .filter(dynamic_secrets::Column::DeletedAt.is_null())
            .exec(&tx)
            .await?;
        self.delete_app_tokens(&tx, &app).await?;
        self.audit(&tx, c, &app.org_id, "app.deleted", &app.name, &format!("id {}", app.id)).await?;
        tx.commit().await?;
        let actor = Principal::User(c.clone()).actor();
        self.request_revocations(leases::Column::AppId, &app.id, Reason::AppDeleted, &actor, now).await?;
        Ok(())
    }

    /// Enabling wraps a fresh data key with the master key (the app id as
    /// associated data); disabling destroys it. Switching to the state the app
    /// is already in changes nothing and records nothing.
    pub async fn set_sse(&self, c: &Caller, app_id: &str, enabled: bool) -> Result<AppDto> {
        let (app, role) = self.app_for(c, app_id).await?;
        require_manager(role)?;
        if app.wrapped_key.is_some() == enabled {
            return self.app_dto(&app).await;
        }
        let (id, org_id, name) = (app.id.clone(), app.org_id.clone(), app.name.clone());
        let tx = self.db.begin().await?;
        let mut row = app.into_active_model();
        row.wrapped_key = Set(enabled.then(|| self.master.new_app_key(&id).1));
        // The write comes first: it locks the app row (PostgreSQL) or takes the
        // write lock (SQLite), so no secret or lease can be sealed with the old
        // key between the count below and the commit (see `hold_app_key`).
        let app = row.update(&tx).await?;
        if !enabled {
            let secrets = dynamic_secrets::Entity::find()
                .filter(dynamic_secrets::Column::AppId.eq(&id))
                .filter(dynamic_secrets::Column::DeletedAt.is_null())
                .count(&tx)
                .await?;
            let unfinished = leases::Entity::find()
                .filter(leases::Column::AppId.eq(&id))
                .filter(leases::Column::Status.is_in(lifecycle::UNFINISHED))
                .count(&tx)
                .await?;
            if secrets + unfinished > 0 {
                return Err(AppError::new(
                    409,
                    "sse_in_use",
                    format!(
                        "Server-side encryption cannot be disabled while the app has dynamic secrets ({secrets}) \
                         or unfinished leases ({unfinished})."
                    ),
                )
                .into());
            }
        }
        let action = if enabled { "app.sse_enabled" } else { "app.sse_disabled" };
        self.audit(&tx, c, &org_id, action, &name, "").await?;
        tx.commit().await?;
        self.app_dto(&app).await
    }

    /// Within `tx`, after its writes (so SQLite's write lock is already held and
    /// the read sees the latest commit), locks the app row and checks its data
    /// key is still the one `app` was read with: whatever `tx` sealed with it
    /// cannot race SSE being switched off.
    pub(crate) async fn hold_app_key(&self, tx: &DatabaseTransaction, app: &apps::Model) -> Result<()> {
        let now = apps::Entity::find_by_id(app.id.clone()).lock_exclusive().one(tx).await?;
        if now.and_then(|a| a.wrapped_key) == app.wrapped_key {
            Ok(())
        } else {
            Err(AppError::new(409, "sse_required", "Server-side encryption was switched off meanwhile.").into())
        }
    }

    /// The app's data key, for sealing its secret material. Errors when SSE is off.
    pub async fn app_key(&self, app: &apps::Model) -> Result<AppKey> {
        let wrapped = app.wrapped_key.as_deref().ok_or_else(|| {
            AppError::new(
                409,
                "sse_required",
                "Server-side encryption must be enabled on this app (Settings) before it can hold dynamic secrets.",
            )
        })?;
        Ok(self.master.unwrap_app_key(&app.id, wrapped)?)
    }
}
