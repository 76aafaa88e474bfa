//! The expiry and revocation worker. Every server process runs one; they
//! coordinate only through conditional updates on the lease rows, so each
//! lease is claimed — and revoked — by exactly one of them.
use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

use crate::clock::now_ms;
use crate::db::entities::{apps, dynamic_secrets, leases};
use crate::error::Result;
use crate::lifecycle::{self, Reason};
use crate::services::{Actor, Claim, Services};

/// How often an idle worker looks for due work.
pub const TICK: Duration = Duration::from_millis(200);
/// Leases taken per query; a full batch makes the next run start at once.
const BATCH: u64 = 1000;

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
