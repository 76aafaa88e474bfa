//! Leases: issue, read, renew, revoke — the request side of the lifecycle.
//! Decisions come from `lifecycle`; this file does the I/O around them.
use std::collections::BTreeMap;

use app::dto::{IssuedLeaseDto, LeaseDto, LeaseEventDto, LeaseOwnerDto, RevocationDto, Role};
use app::error::AppError;
use app::ports::Caller;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use secrecy::ExposeSecret;
use serde_json::{json, Value};

use super::dynamic_secrets::{bounded, require_enterprise, SecretScope};
use super::principal::{Actor, Principal};
use super::revocation::Claim;
use super::{new_id, parse_id, Services};
use crate::clock::rfc3339;
use crate::crypto::AppKey;
use crate::db::entities::{apps, dynamic_secrets, lease_events, leases, orgs};
use crate::domain::Name;
use crate::error::{Result, ServerError};
use crate::lifecycle::{self, Reason, ACTIVE, CREATING};
use crate::providers::{Handle, NameParts, ProviderError};

pub const MAX_PAGE: u64 = 500;

/// A lease with everything the gates need.
struct LeaseScope {
    lease: leases::Model,
    secret: dynamic_secrets::Model,
    app: apps::Model,
    org: orgs::Model,
    role: Option<Role>,
}

pub(crate) fn handle_context(lease_id: &str) -> String {
    format!("lease:{lease_id}")
}

pub(crate) fn lease_dto(l: &leases::Model) -> LeaseDto {
    LeaseDto {
        id: l.id.clone(),
        dynamic_secret_id: l.dynamic_secret_id.clone(),
        name: l.name.clone(),
        status: l.status.clone(),
        created_at: rfc3339(l.created_at),
        expires_at: rfc3339(l.expires_at),
        max_expires_at: rfc3339(l.max_expires_at),
        available_ttl: lifecycle::available_ttl(&l.status, l.expires_at, l.max_expires_at),
        revoked_at: l.revoked_at.map(rfc3339),
        owner: LeaseOwnerDto { kind: l.owner_kind.clone(), id: l.owner_id.clone(), name: l.owner_name.clone() },
        revocation: l.revoke_reason.as_ref().map(|reason| RevocationDto {
            reason: reason.clone(),
            attempts: l.attempts,
            next_attempt_at: l.next_attempt_at.filter(|_| l.status == lifecycle::REVOKING).map(rfc3339),
            last_error: l.last_error.clone(),
        }),
    }
}

/// A provider failure while issuing or renewing, as the caller sees it.
fn provider_failure(what: &str, e: &ProviderError) -> ServerError {
    let (status, code) = if e.unreachable { (503, "provider_unreachable") } else { (502, "provider_error") };
    AppError::new(status, code, format!("The provider could not {what}: {}", e.message)).into()
}

impl Services {
    /// Writes one lease history row.
    pub(crate) async fn lease_event(
        &self,
        conn: &impl ConnectionTrait,
        lease_id: &str,
        kind: &str,
        at: i64,
        actor: &Actor,
        detail: Value,
    ) -> Result<()> {
        lease_events::Entity::insert(lease_events::ActiveModel {
            lease_id: Set(lease_id.to_string()),
            kind: Set(kind.to_string()),
            at: Set(at),
            actor: Set(actor.label.clone()),
            ip: Set(actor.ip.clone()),
            user_agent: Set(actor.user_agent.clone()),
            detail: Set(detail.to_string()),
            ..Default::default()
        })
        .exec(conn)
        .await?;
        Ok(())
    }

    /// The secret a principal issues from: members see their orgs' secrets; a
    /// service token sees the secrets of its own environment only.
    async fn secret_scope(&self, p: &Principal, id: &str) -> Result<SecretScope> {
        let t = match p {
            Principal::User(c) => return self.secret_for(c, id).await,
            Principal::Token(t) => t,
        };
        let nf = || AppError::not_found("dynamic secret");
        let id = parse_id(id, "dynamic secret")?;
        let secret = dynamic_secrets::Entity::find_by_id(id)
            .filter(dynamic_secrets::Column::DeletedAt.is_null())
            .filter(dynamic_secrets::Column::EnvironmentId.eq(&t.environment_id))
            .one(&self.db)
            .await?
            .ok_or_else(nf)?;
        let (app, org) = self.live_app_and_org(&secret.app_id).await?.ok_or_else(nf)?;
        Ok(SecretScope { secret, app, org, role: None })
    }

    async fn live_app_and_org(&self, app_id: &str) -> Result<Option<(apps::Model, orgs::Model)>> {
        let Some(app) =
            apps::Entity::find_by_id(app_id).filter(apps::Column::DeletedAt.is_null()).one(&self.db).await?
        else {
            return Ok(None);
        };
        Ok(orgs::Entity::find_by_id(app.org_id.clone()).one(&self.db).await?.map(|org| (app, org)))
    }

    /// A lease of a live secret the principal may see: members see every lease
    /// of their orgs; a service token sees only its own.
    async fn lease_for(&self, p: &Principal, id: &str) -> Result<LeaseScope> {
        let nf = || AppError::not_found("lease");
        let id = parse_id(id, "lease")?;
        let lease = leases::Entity::find_by_id(id).one(&self.db).await?.ok_or_else(nf)?;
        if let Principal::Token(t) = p {
            if lease.owner_kind != "service_token" || lease.owner_id != t.id {
                return Err(nf().into());
            }
        }
        let scope = self.secret_scope(p, &lease.dynamic_secret_id).await.map_err(|_| nf())?;
        Ok(LeaseScope { lease, secret: scope.secret, app: scope.app, org: scope.org, role: scope.role })
    }

    /// Renewing and revoking: owners and admins act on any lease, developers on
    /// their own; viewers on none. (A token only ever sees its own.)
    fn may_act_on(p: &Principal, scope: &LeaseScope, what: &str) -> Result<()> {
        let (Principal::User(c), Some(role)) = (p, scope.role) else { return Ok(()) };
        if !role.can_lease() {
            return Err(AppError::forbidden(format!("Viewers cannot {what} leases.")).into());
        }
        let own = scope.lease.owner_kind == "user" && scope.lease.owner_id == c.user.id;
        if !(role.can_manage() || own) {
            return Err(AppError::forbidden(format!("Developers can {what} only their own leases.")).into());
        }
        Ok(())
    }

    pub(crate) fn open_handle(&self, key: &AppKey, l: &leases::Model) -> Result<Handle> {
        let bytes = key.open(&l.handle_sealed, &handle_context(&l.id))?;
        serde_json::from_slice(&bytes)
            .map_err(|_| ServerError::Internal(format!("handle of lease {} is corrupt", l.id)))
    }

    pub async fn issue_lease(
        &self,
        p: &Principal,
        secret_id: &str,
        name: &str,
        ttl: Option<i64>,
        now: i64,
    ) -> Result<IssuedLeaseDto> {
        let SecretScope { secret, app, org, role } = self.secret_scope(p, secret_id).await?;
        if role.is_some_and(|r| !r.can_lease()) {
            return Err(AppError::forbidden("Viewers cannot create leases.").into());
        }
        require_enterprise(&org)?;
        let key = self.app_key(&app).await?;
        let name = Name::parse(name, "lease name")?;
        let ttl = lifecycle::lease_ttl(ttl, secret.default_ttl, secret.max_ttl)?;
        let live = leases::Entity::find()
            .filter(leases::Column::DynamicSecretId.eq(&secret.id))
            .filter(leases::Column::Status.is_in(lifecycle::LIVE))
            .count(&self.db)
            .await?;
        if live >= self.lease_quota {
            return Err(AppError::new(
                409,
                "lease_quota",
                format!("This dynamic secret already has {live} active leases, its limit. Revoke some first."),
            )
            .into());
        }
        let provider = self.providers.get(&secret.provider)?;
        let config = self.open_config(&key, &secret)?;
        let names = NameParts { secret: &secret.name, lease: name.as_str(), unix_time: now / 1000 };
        let mut handle = provider.new_handle(&config, &names);

        // The intent is committed before the provider is called: whatever the
        // provider makes, a row exists that will revoke it.
        let id = new_id();
        let stale_at = now + lifecycle::STALE_CREATING_MS;
        let (kind, owner_id, owner_name) = p.owner();
        let expires_at = now + ttl * 1000;
        let tx = self.db.begin().await?;
        leases::ActiveModel {
            id: Set(id.clone()),
            dynamic_secret_id: Set(secret.id.clone()),
            app_id: Set(app.id.clone()),
            environment_id: Set(secret.environment_id.clone()),
            name: Set(name.as_str().to_string()),
            status: Set(CREATING.into()),
            handle_sealed: Set(key.seal(&serde_json::to_vec(&handle).unwrap_or_default(), &handle_context(&id))),
            owner_kind: Set(kind.into()),
            owner_id: Set(owner_id),
            owner_name: Set(owner_name),
            created_at: Set(now),
            expires_at: Set(expires_at),
            max_expires_at: Set(now + secret.max_ttl * 1000),
            revoked_at: Set(None),
            revoke_reason: Set(None),
            attempts: Set(0),
            next_attempt_at: Set(Some(stale_at)),
            last_error: Set(None),
        }
        .insert(&tx)
        .await?;
        self.hold_app_key(&tx, &app).await?;
        tx.commit().await?;

        let actor = p.actor();
        let issued = match bounded(provider.create(&config, &mut handle, expires_at)).await {
            Ok(issued) => issued,
            Err(e) => {
                // The provider undoes partial work itself; make sure before closing the row.
                let undone = bounded(provider.revoke(&config, &handle)).await.is_ok();
                let tx = self.db.begin().await?;
                if undone {
                    self.finish_creating(&tx, &id, lifecycle::FAILED, stale_at).await?;
                }
                self.lease_event(&tx, &id, "create_failed", now, &actor, json!({ "error": e.message })).await?;
                tx.commit().await?;
                return Err(provider_failure("create the credential", &e));
            }
        };

        let tx = self.db.begin().await?;
        let sealed = key.seal(&serde_json::to_vec(&handle).unwrap_or_default(), &handle_context(&id));
        let activated = leases::Entity::update_many()
            .col_expr(leases::Column::Status, Expr::value(ACTIVE))
            .col_expr(leases::Column::HandleSealed, Expr::value(sealed))
            .col_expr(leases::Column::NextAttemptAt, Expr::value(Option::<i64>::None))
            .filter(leases::Column::Id.eq(&id))
            .filter(leases::Column::Status.eq(CREATING))
            .filter(leases::Column::NextAttemptAt.eq(stale_at))
            .exec(&tx)
            .await?
            .rows_affected
            == 1;
        if !activated {
            // The sweeper judged this creation interrupted and is cleaning it up.
            drop(tx);
            let _ = bounded(provider.revoke(&config, &handle)).await;
            return Err(
                AppError::new(503, "interrupted", "Creating the lease took too long; nothing was issued.").into()
            );
        }
        let detail = json!({ "ttl": ttl, "expires_at": rfc3339(expires_at) });
        self.lease_event(&tx, &id, "created", now, &actor, detail).await?;
        tx.commit().await?;

        let outputs: BTreeMap<String, String> = serde_json::from_str(&secret.outputs).unwrap_or_default();
        let credentials = issued
            .0
            .iter()
            .filter_map(|(output, value)| outputs.get(*output).map(|k| (k.clone(), value.expose_secret().to_string())))
            .collect();
        let lease = leases::Entity::find_by_id(id).one(&self.db).await?.ok_or_else(|| AppError::not_found("lease"))?;
        Ok(IssuedLeaseDto { lease: lease_dto(&lease), credentials })
    }

    /// Moves a `creating` row this process still holds to `status`.
    async fn finish_creating(&self, conn: &impl ConnectionTrait, id: &str, status: &str, held: i64) -> Result<()> {
        leases::Entity::update_many()
            .col_expr(leases::Column::Status, Expr::value(status))
            .col_expr(leases::Column::NextAttemptAt, Expr::value(Option::<i64>::None))
            .filter(leases::Column::Id.eq(id))
            .filter(leases::Column::Status.eq(CREATING))
            .filter(leases::Column::NextAttemptAt.eq(held))
            .exec(conn)
            .await?;
        Ok(())
    }

    /// Newest first. `active` lists the leases not yet finished (creating,
    /// active, revoking); otherwise all. `before` is the last id of the previous page.
    pub async fn list_leases(
        &self,
        c: &Caller,
        secret_id: &str,
        active: bool,
        limit: Option<u64>,
        before: Option<&str>,
    ) -> Result<Vec<LeaseDto>> {
        let SecretScope { secret, .. } = self.secret_for(c, secret_id).await?;
        let mut find = leases::Entity::find().filter(leases::Column::DynamicSecretId.eq(&secret.id));
        if active {
            find = find.filter(leases::Column::Status.is_in(lifecycle::UNFINISHED));
        }
        if let Some(before) = before {
            let cursor = leases::Entity::find_by_id(parse_id(before, "lease")?)
                .filter(leases::Column::DynamicSecretId.eq(&secret.id))
                .one(&self.db)
                .await?
                .ok_or_else(|| AppError::bad_request("before must be the id of a lease of this secret."))?;
            find = find.filter(
                Condition::any().add(leases::Column::CreatedAt.lt(cursor.created_at)).add(
                    Condition::all()
                        .add(leases::Column::CreatedAt.eq(cursor.created_at))
                        .add(leases::Column::Id.lt(cursor.id)),
                ),
            );
        }
        let rows = find
            .order_by_desc(leases::Column::CreatedAt)
            .order_by_desc(leases::Column::Id)
            .limit(limit.unwrap_or(100).clamp(1, MAX_PAGE))
            .all(&self.db)
            .await?;
        Ok(rows.iter().map(lease_dto).collect())
    }

    pub async fn get_lease(&self, p: &Principal, id: &str) -> Result<LeaseDto> {
        Ok(lease_dto(&self.lease_for(p, id).await?.lease))
    }

    pub async fn lease_events(&self, p: &Principal, id: &str) -> Result<Vec<LeaseEventDto>> {
        let scope = self.lease_for(p, id).await?;
        let rows = lease_events::Entity::find()
            .filter(lease_events::Column::LeaseId.eq(&scope.lease.id))
            .order_by_asc(lease_events::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|e| LeaseEventDto {
                id: e.id,
                kind: e.kind,
                at: rfc3339(e.at),
                actor: e.actor,
                ip: e.ip,
                user_agent: e.user_agent,
                detail: serde_json::from_str(&e.detail).unwrap_or(Value::Null),
            })
            .collect())
    }

    /// Extends `expires_at` by `ttl`, up to the lease's `max_expires_at`; the
    /// provider's native expiry moves first.
    pub async fn renew_lease(&self, p: &Principal, id: &str, ttl: i64, now: i64) -> Result<LeaseDto> {
        let scope = self.lease_for(p, id).await?;
        Self::may_act_on(p, &scope, "renew")?;
        require_enterprise(&scope.org)?;
        let l = &scope.lease;
        let new_expires = lifecycle::renewal(&l.status, l.expires_at, l.max_expires_at, ttl, now)?;
        let key = self.app_key(&scope.app).await?;
        let provider = self.providers.get(&scope.secret.provider)?;
        let config = self.open_config(&key, &scope.secret)?;
        let handle = self.open_handle(&key, l)?;
        bounded(provider.renew(&config, &handle, new_expires))
            .await
            .map_err(|e| provider_failure("extend the credential", &e))?;
        let tx = self.db.begin().await?;
        let moved = leases::Entity::update_many()
            .col_expr(leases::Column::ExpiresAt, Expr::value(new_expires))
            .filter(leases::Column::Id.eq(&l.id))
            .filter(leases::Column::Status.eq(ACTIVE))
            .filter(leases::Column::ExpiresAt.eq(l.expires_at))
            .exec(&tx)
            .await?
            .rows_affected;
        if moved != 1 {
            return Err(AppError::conflict("The lease changed meanwhile; reload it and try again.").into());
        }
        let detail =
            json!({ "ttl": ttl, "old_expires_at": rfc3339(l.expires_at), "new_expires_at": rfc3339(new_expires) });
        self.lease_event(&tx, &l.id, "renewed", now, &p.actor(), detail).await?;
        tx.commit().await?;
        self.reload(&l.id).await
    }

    /// Claims an active lease and revokes it now; if the provider fails, the
    /// lease stays `revoking` and the worker retries. Already revoking or
    /// finished: answered as it is.
    pub async fn revoke_lease(&self, p: &Principal, id: &str, now: i64) -> Result<LeaseDto> {
        let scope = self.lease_for(p, id).await?;
        Self::may_act_on(p, &scope, "revoke")?;
        let actor = p.actor();
        let held_until = now + lifecycle::CLAIM_MS;
        let claimed = self.claim(Claim::Active(&scope.lease.id), Reason::Manual, &actor, now, held_until).await?;
        self.revoke_held(claimed, &actor, now).await?;
        self.reload(&scope.lease.id).await
    }

    async fn reload_model(&self, id: &str) -> Result<leases::Model> {
        Ok(leases::Entity::find_by_id(id).one(&self.db).await?.ok_or_else(|| AppError::not_found("lease"))?)
    }

    async fn reload(&self, id: &str) -> Result<LeaseDto> {
        Ok(lease_dto(&self.reload_model(id).await?))
    }
}
