//! The expiry and revocation worker. Every server process runs one; they
//! coordinate only through conditional updates on the lease rows, so each
//! lease is claimed — and revoked — by exactly one of them.
use std::sync::Arc;
use std::time::Duration;

use futures::future::{BoxFuture, FutureExt};
use futures::stream::{self, StreamExt};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::clock::now_ms;
use crate::db::entities::{apps, dynamic_secrets, leases};
use crate::error::Result;
use crate::lifecycle::{self, Reason, ACTIVE, CREATING, REVOKING};
use crate::services::{Actor, Services};

/// How often an idle worker looks for due work.
pub const TICK: Duration = Duration::from_millis(200);
/// Leases taken per query; a full batch makes the next run start at once.
const BATCH: u64 = 1000;
/// Provider calls in flight at once per process.
const PARALLEL: usize = 32;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Leases claimed for revocation (expired, or their secret was deleted).
    pub claimed: usize,
    /// Provider revocations attempted (successful or not).
    pub attempted: usize,
    /// Deleted secrets and apps whose rows were removed.
    pub purged: usize,
}

impl Report {
    fn busy(&self) -> bool {
        self.claimed as u64 >= BATCH || self.attempted as u64 >= BATCH
    }
}

/// One pass: claim what is due as of `now`, attempt every held revocation,
/// remove deleted secrets and apps whose leases are all finished.
pub async fn run_once(s: &Services, now: i64) -> Result<Report> {
    let system = Actor::system();
    let held_until = now + lifecycle::CLAIM_MS;
    let mut work = Vec::new();

    // Expired, and active under a deleted secret (e.g. still creating when it was deleted).
    let due = leases::Entity::find()
        .filter(leases::Column::Status.eq(ACTIVE))
        .filter(leases::Column::ExpiresAt.lte(now))
        .order_by_asc(leases::Column::ExpiresAt)
        .limit(BATCH)
        .all(&s.db)
        .await?;
    let orphaned = leases::Entity::find()
        .filter(leases::Column::Status.eq(ACTIVE))
        .filter(
            leases::Column::DynamicSecretId.in_subquery(
                Query::select()
                    .column(dynamic_secrets::Column::Id)
                    .from(dynamic_secrets::Entity)
                    .and_where(Expr::col(dynamic_secrets::Column::DeletedAt).is_not_null())
                    .take(),
            ),
        )
        .limit(BATCH)
        .all(&s.db)
        .await?;
    let mut claimed = 0;
    for (l, reason) in due.into_iter().map(|l| (l, Reason::Expired)).chain(orphaned.into_iter().map(|l| (l, Reason::SecretDeleted))) {
        if s.claim_active(&l.id, reason, &system, now, held_until).await? {
            claimed += 1;
            work.push(leases::Model {
                status: REVOKING.into(),
                revoke_reason: Some(reason.as_str().into()),
                attempts: 0,
                ..l
            });
        }
    }

    // Retries that are due, and `creating` rows left by an interrupted issue.
    let retries = leases::Entity::find()
        .filter(leases::Column::Status.is_in([REVOKING, CREATING]))
        .filter(leases::Column::NextAttemptAt.lte(now))
        .order_by_asc(leases::Column::NextAttemptAt)
        .limit(BATCH)
        .all(&s.db)
        .await?;
    for l in retries {
        let took = leases::Entity::update_many()
            .col_expr(leases::Column::NextAttemptAt, Expr::value(held_until))
            .filter(leases::Column::Id.eq(&l.id))
            .filter(leases::Column::Status.eq(&l.status))
            .filter(leases::Column::NextAttemptAt.eq(l.next_attempt_at))
            .exec(&s.db)
            .await?
            .rows_affected;
        if took == 1 {
            work.push(l);
        }
    }

    let attempted = work.len();
    // Boxed: an un-boxed stream of borrowing futures trips a higher-ranked
    // lifetime limit of the compiler when the run is spawned.
    let attempts: Vec<BoxFuture<'_, Result<()>>> =
        work.iter().map(|l| s.attempt_revocation(l, &system, now).boxed()).collect();
    let results: Vec<Result<()>> = stream::iter(attempts).buffer_unordered(PARALLEL).collect().await;
    for e in results.into_iter().filter_map(|r| r.err()) {
        tracing::error!(error = %e, "revocation attempt could not be recorded");
    }
    let purged = purge(s).await?;
    Ok(Report { claimed, attempted, purged })
}

/// Removes deleted secrets and apps once nothing under them needs revoking:
/// their sealed root credentials are kept exactly as long as that.
async fn purge(s: &Services) -> Result<usize> {
    let mut purged = 0;
    let secrets = dynamic_secrets::Entity::find()
        .select_only()
        .column(dynamic_secrets::Column::Id)
        .filter(dynamic_secrets::Column::DeletedAt.is_not_null())
        .into_tuple::<String>()
        .all(&s.db)
        .await?;
    for id in secrets {
        if unfinished(s, leases::Column::DynamicSecretId, &id).await? == 0 {
            purged += dynamic_secrets::Entity::delete_by_id(id).exec(&s.db).await?.rows_affected as usize;
        }
    }
    let apps = apps::Entity::find()
        .select_only()
        .column(apps::Column::Id)
        .filter(apps::Column::DeletedAt.is_not_null())
        .into_tuple::<String>()
        .all(&s.db)
        .await?;
    for id in apps {
        if unfinished(s, leases::Column::AppId, &id).await? == 0 {
            purged += apps::Entity::delete_by_id(id).exec(&s.db).await?.rows_affected as usize;
        }
    }
    Ok(purged)
}

async fn unfinished(s: &Services, column: leases::Column, id: &str) -> Result<u64> {
    Ok(leases::Entity::find()
        .filter(column.eq(id))
        .filter(leases::Column::Status.is_in(lifecycle::UNFINISHED))
        .count(&s.db)
        .await?)
}

/// Runs the worker until the process ends.
pub fn spawn(services: Arc<Services>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match run_once(&services, now_ms()).await {
                Ok(report) if report.busy() => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "worker run failed"),
            }
            tokio::time::sleep(TICK).await;
        }
    })
}
