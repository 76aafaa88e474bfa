//! Revocation: claiming leases (exactly once, by conditional update), calling
//! the provider, recording the outcome. Shared by a person's revoke, deletion
//! of a secret or app, and the worker; written for batches, so the worker
//! pays one transaction per step rather than one per lease.
use std::collections::HashMap;
use std::sync::Arc;

use futures::future::{BoxFuture, FutureExt};
use futures::stream::{self, StreamExt};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::json;

use super::principal::Actor;
use super::Services;
use crate::clock::rfc3339;
use crate::crypto::AppKey;
use crate::db::entities::{apps, dynamic_secrets, lease_events, leases};
use crate::error::Result;
use crate::lifecycle::{self, Reason, ACTIVE, CREATING, REVOKING};
use crate::providers::{Provider, ProviderConfig, ProviderError};

/// Provider calls in flight at once per process.
const PARALLEL: usize = 32;

struct Target {
    provider: Arc<dyn Provider>,
    config: ProviderConfig,
    key: AppKey,
}

fn unreadable(lease: &str, e: crate::error::ServerError) -> ProviderError {
    tracing::error!(lease = %lease, error = %e, "cannot prepare revocation");
    ProviderError::rejected("Leasehold could not read this lease's sealed data; see the server log.")
}

/// Which leases to claim.
pub enum Claim<'a> {
    /// One active lease (a person's revoke).
    Active(&'a str),
    /// Active leases under a secret or an app being deleted.
    Under(leases::Column, &'a str),
    /// Active leases past `expires_at`, at most `limit`.
    Expired { limit: u64 },
    /// Active leases whose secret was deleted while they were being created.
    Orphaned { limit: u64 },
}

impl Services {
    /// active → revoking for `reason`, with a `revoke_requested` event each, in
    /// one transaction. The status condition makes concurrent claimers (other
    /// replicas, a person) disjoint: each lease is returned to exactly one.
    /// `next_attempt_at` is when a worker may (next) try it: a claimer that
    /// revokes at once holds it for [`lifecycle::CLAIM_MS`].
    pub(crate) async fn claim(
        &self,
        which: Claim<'_>,
        reason: Reason,
        actor: &Actor,
        now: i64,
        next_attempt_at: i64,
    ) -> Result<Vec<leases::Model>> {
        let due = |limit: u64, cond: sea_orm::Condition| {
            leases::Column::Id.in_subquery(
                Query::select()
                    .column(leases::Column::Id)
                    .from(leases::Entity)
                    .cond_where(cond)
                    .order_by(leases::Column::ExpiresAt, sea_orm::Order::Asc)
                    .limit(limit)
                    .take(),
            )
        };
        let status_active = Expr::col(leases::Column::Status).eq(ACTIVE);
        let filter = match which {
            Claim::Active(id) => leases::Column::Id.eq(id),
            Claim::Under(column, value) => column.eq(value),
            Claim::Expired { limit } => due(
                limit,
                sea_orm::Condition::all().add(status_active.clone()).add(Expr::col(leases::Column::ExpiresAt).lte(now)),
            ),
            Claim::Orphaned { limit } => due(
                limit,
                sea_orm::Condition::all().add(status_active.clone()).add(
                    Expr::col(leases::Column::DynamicSecretId).in_subquery(
                        Query::select()
                            .column(dynamic_secrets::Column::Id)
                            .from(dynamic_secrets::Entity)
                            .and_where(Expr::col(dynamic_secrets::Column::DeletedAt).is_not_null())
                            .take(),
                    ),
                ),
            ),
        };
        let tx = self.db.begin().await?;
        let won = leases::Entity::update_many()
            .col_expr(leases::Column::Status, Expr::value(REVOKING))
            .col_expr(leases::Column::RevokeReason, Expr::value(reason.as_str()))
            .col_expr(leases::Column::Attempts, Expr::value(0))
            .col_expr(leases::Column::NextAttemptAt, Expr::value(next_attempt_at))
            .filter(filter)
            .filter(leases::Column::Status.eq(ACTIVE))
            .exec_with_returning(&tx)
            .await?;
        let detail = json!({ "reason": reason.as_str() }).to_string();
        self.insert_events(&tx, won.iter().map(|l| (l.id.as_str(), "revoke_requested", detail.clone())), actor, now)
            .await?;
        tx.commit().await?;
        Ok(won)
    }

    /// Takes due retries and stale `creating` rows (interrupted issues) for
    /// this process, by moving their `next_attempt_at` past the claim window.
    pub(crate) async fn claim_retries(&self, now: i64, limit: u64) -> Result<Vec<leases::Model>> {
        let due = Query::select()
            .column(leases::Column::Id)
            .from(leases::Entity)
            .and_where(Expr::col(leases::Column::Status).is_in([REVOKING, CREATING]))
            .and_where(Expr::col(leases::Column::NextAttemptAt).lte(now))
            .order_by(leases::Column::NextAttemptAt, sea_orm::Order::Asc)
            .limit(limit)
            .take();
        Ok(leases::Entity::update_many()
            .col_expr(leases::Column::NextAttemptAt, Expr::value(now + lifecycle::CLAIM_MS))
            .filter(leases::Column::Id.in_subquery(due))
            .filter(leases::Column::Status.is_in([REVOKING, CREATING]))
            .filter(leases::Column::NextAttemptAt.lte(now))
            .exec_with_returning(&self.db)
            .await?)
    }

    /// Revokes held leases at their providers, in parallel, then records every
    /// outcome in one transaction. Failures are retried later with backoff.
    pub(crate) async fn revoke_held(&self, held: Vec<leases::Model>, actor: &Actor, now: i64) -> Result<usize> {
        if held.is_empty() {
            return Ok(0);
        }
        // One store lookup and decryption per secret, not per lease.
        let mut targets: HashMap<&str, std::result::Result<Arc<Target>, ProviderError>> = HashMap::new();
        for l in &held {
            if !targets.contains_key(l.dynamic_secret_id.as_str()) {
                targets.insert(&l.dynamic_secret_id, self.target(l).await.map(Arc::new));
            }
        }
        let calls: Vec<BoxFuture<'_, std::result::Result<(), ProviderError>>> = held
            .iter()
            .map(|l| {
                let target = targets.get(l.dynamic_secret_id.as_str()).cloned();
                async move {
                    let target = target.unwrap_or_else(|| Err(ProviderError::unreachable("no target")))?;
                    let handle = self.open_handle(&target.key, l).map_err(|e| unreadable(&l.id, e))?;
                    super::dynamic_secrets::bounded(target.provider.revoke(&target.config, &handle)).await
                }
                .boxed()
            })
            .collect();
        let outcomes: Vec<_> = stream::iter(calls).buffered(PARALLEL).collect().await;

        let tx = self.db.begin().await?;
        let mut events = Vec::with_capacity(held.len());
        // Successes finish in one statement per (old, new) status pair.
        // Every outcome update also requires `next_attempt_at` to be the claim
        // this process holds: a holder that lost its claim changes nothing.
        let mut finished: HashMap<(&str, &'static str, Option<i64>), Vec<&str>> = HashMap::new();
        for (l, outcome) in held.iter().zip(outcomes) {
            match outcome {
                Ok(()) => {
                    let to = if l.status == CREATING {
                        lifecycle::FAILED
                    } else {
                        Reason::terminal_status(l.revoke_reason.as_deref())
                    };
                    finished.entry((l.status.as_str(), to, l.next_attempt_at)).or_default().push(&l.id);
                }
                Err(e) => {
                    let attempt = l.attempts + 1;
                    let next = now + lifecycle::backoff_ms(attempt, rand::random::<f64>());
                    tracing::warn!(lease = %l.id, attempt, error = %e, "revocation failed; will retry");
                    let recorded = leases::Entity::update_many()
                        .col_expr(leases::Column::Attempts, Expr::value(attempt))
                        .col_expr(leases::Column::NextAttemptAt, Expr::value(next))
                        .col_expr(leases::Column::LastError, Expr::value(e.message.clone()))
                        .filter(leases::Column::Id.eq(&l.id))
                        .filter(leases::Column::Status.eq(&l.status))
                        .filter(leases::Column::NextAttemptAt.eq(l.next_attempt_at))
                        .exec(&tx)
                        .await?
                        .rows_affected
                        == 1;
                    if recorded {
                        let detail =
                            json!({ "attempt": attempt, "error": e.message, "next_attempt_at": rfc3339(next) });
                        events.push((l.id.clone(), "revoke_failed", detail.to_string()));
                    }
                }
            }
        }
        for ((from, to, held_until), ids) in finished {
            let creating = from == CREATING;
            for chunk in ids.chunks(500) {
                let done = leases::Entity::update_many()
                    .col_expr(leases::Column::Status, Expr::value(to))
                    .col_expr(leases::Column::RevokedAt, Expr::value((!creating).then_some(now)))
                    .col_expr(leases::Column::NextAttemptAt, Expr::value(Option::<i64>::None))
                    .col_expr(leases::Column::LastError, Expr::value(Option::<String>::None))
                    .filter(leases::Column::Id.is_in(chunk.iter().copied()))
                    .filter(leases::Column::Status.eq(from))
                    .filter(leases::Column::NextAttemptAt.eq(held_until))
                    .exec_with_returning(&tx)
                    .await?;
                for l in done {
                    let (kind, detail) = if creating {
                        (
                            "create_failed",
                            json!({ "error": "The creation was interrupted; cleaned up at the provider." }),
                        )
                    } else {
                        (to, json!({ "attempts": l.attempts + 1 }))
                    };
                    events.push((l.id, kind, detail.to_string()));
                }
            }
        }
        self.insert_events(
            &tx,
            events.iter().map(|(id, kind, detail)| (id.as_str(), *kind, detail.clone())),
            actor,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(held.len())
    }

    /// What revoking a lease of this lease's secret needs: the provider, its
    /// config and the app key. Nothing is written.
    async fn target(&self, l: &leases::Model) -> std::result::Result<Target, ProviderError> {
        let secret = dynamic_secrets::Entity::find_by_id(l.dynamic_secret_id.clone()).one(&self.db).await;
        let app = apps::Entity::find_by_id(l.app_id.clone()).one(&self.db).await;
        let (Ok(Some(secret)), Ok(Some(app))) = (secret, app) else {
            return Err(ProviderError::unreachable("The lease's store rows could not be read; will retry."));
        };
        let key = self.app_key(&app).await.map_err(|e| unreadable(&l.id, e))?;
        let provider = self.providers.get(&secret.provider).map_err(|e| unreadable(&l.id, e.into()))?;
        let config = self.open_config(&key, &secret).map_err(|e| unreadable(&l.id, e))?;
        Ok(Target { provider, config, key })
    }

    async fn insert_events<'a>(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        events: impl Iterator<Item = (&'a str, &'a str, String)>,
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        let rows: Vec<lease_events::ActiveModel> = events
            .map(|(lease_id, kind, detail)| lease_events::ActiveModel {
                lease_id: Set(lease_id.to_string()),
                kind: Set(kind.to_string()),
                at: Set(now),
                actor: Set(actor.label.clone()),
                ip: Set(actor.ip.clone()),
                user_agent: Set(actor.user_agent.clone()),
                detail: Set(detail),
                ..Default::default()
            })
            .collect();
        // Chunks keep each statement under the databases' bound-parameter limits.
        for chunk in rows.chunks(500) {
            lease_events::Entity::insert_many(chunk.to_vec()).exec(conn).await?;
        }
        Ok(())
    }

    /// Hands every active lease under a secret or an app to the worker, now.
    pub(crate) async fn request_revocations(
        &self,
        column: leases::Column,
        value: &str,
        reason: Reason,
        actor: &Actor,
        now: i64,
    ) -> Result<usize> {
        Ok(self.claim(Claim::Under(column, value), reason, actor, now, now).await?.len())
    }
}
