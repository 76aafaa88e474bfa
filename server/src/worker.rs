//! The expiry and revocation worker. Every server process runs one; they
//! coordinate only through conditional updates on the lease rows, so each
//! lease is claimed — and revoked — by exactly one of them.
use std::sync::Arc;
use std::time::Duration;

use sea_orm::sea_query::{DynIden, Expr, ExprTrait, IntoIden, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::clock::now_ms;
use crate::db::entities::{apps, dynamic_secrets, leases};
use crate::error::Result;
use crate::lifecycle::{self, Reason};
use crate::services::{Actor, Claim, Services};

/// How often an idle worker looks for due work.
pub const TICK: Duration = Duration::from_millis(200);
/// Leases taken per query; a full batch makes the next run start at once.
/// Bounded so that even when every provider call times out, a pass
/// (BATCH / PARALLEL rounds × 15 s = 60 s) ends inside its claim (90 s).
const BATCH: u64 = 128;

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
    let mut held = s.claim(Claim::Expired { limit: BATCH }, Reason::Expired, &system, now, held_until).await?;
    held.extend(s.claim(Claim::Orphaned { limit: BATCH }, Reason::SecretDeleted, &system, now, held_until).await?);
    let claimed = held.len();
    held.extend(s.claim_retries(now, BATCH).await?);
    let attempted = s.revoke_held(held, &system, now).await?;
    let purged = purge(s).await?;
    Ok(Report { claimed, attempted, purged })
}

/// Removes deleted secrets and apps once nothing under them needs revoking:
/// their sealed root credentials are kept exactly as long as that. One
/// conditional DELETE each, so a lease inserted meanwhile keeps its parent.
async fn purge(s: &Services) -> Result<usize> {
    let nothing_unfinished = |lease_col: leases::Column, parent: (DynIden, DynIden)| {
        Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(leases::Entity)
                .and_where(Expr::col((leases::Entity, lease_col)).equals(parent))
                .and_where(Expr::col((leases::Entity, leases::Column::Status)).is_in(lifecycle::UNFINISHED))
                .take(),
        )
        .not()
    };
    let secrets = dynamic_secrets::Entity::delete_many()
        .filter(dynamic_secrets::Column::DeletedAt.is_not_null())
        .filter(nothing_unfinished(
            leases::Column::DynamicSecretId,
            (dynamic_secrets::Entity.into_iden(), dynamic_secrets::Column::Id.into_iden()),
        ))
        .exec(&s.db)
        .await?
        .rows_affected;
    let apps = apps::Entity::delete_many()
        .filter(apps::Column::DeletedAt.is_not_null())
        .filter(nothing_unfinished(leases::Column::AppId, (apps::Entity.into_iden(), apps::Column::Id.into_iden())))
        .exec(&s.db)
        .await?
        .rows_affected;
    Ok(usize::try_from(secrets + apps).unwrap_or(usize::MAX))
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
