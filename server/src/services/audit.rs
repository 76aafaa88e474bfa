//! The org audit log: who did what, when, from where.
use app::dto::AuditDto;
use app::ports::{AuditQuery, Caller};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{require_manager, Services};
use crate::clock::{now_ms, rfc3339};
use crate::db::entities::audit_events;
use crate::error::Result;

pub const MAX_PAGE: u32 = 200;

impl Services {
    /// Records an event, in the caller's transaction so it commits with the change.
    pub(crate) async fn audit(
        &self,
        conn: &impl ConnectionTrait,
        c: &Caller,
        org_id: &str,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<()> {
        audit_events::Entity::insert(audit_events::ActiveModel {
            org_id: Set(org_id.to_string()),
            at: Set(now_ms()),
            actor_id: Set(Some(c.user.id.clone())),
            actor_name: Set(format!("{} <{}>", c.user.name, c.user.email)),
            action: Set(action.to_string()),
            target: Set(target.to_string()),
            detail: Set(detail.to_string()),
            ip: Set(c.ip.clone()),
            user_agent: Set(c.user_agent.clone()),
            ..Default::default()
        })
        .exec(conn)
        .await?;
        Ok(())
    }

    /// Newest first; `before` is the id of the last event of the previous page.
    /// Owners and admins only: the log holds members' addresses.
    pub async fn list_audit(&self, c: &Caller, org_id: &str, q: AuditQuery) -> Result<Vec<AuditDto>> {
        let (org, role) = self.org_for(c, org_id).await?;
        require_manager(role)?;
        let limit = q.limit.unwrap_or(50).clamp(1, MAX_PAGE);
        let mut find = audit_events::Entity::find().filter(audit_events::Column::OrgId.eq(&org.id));
        if let Some(before) = q.before {
            find = find.filter(audit_events::Column::Id.lt(before));
        }
        let rows = find.order_by_desc(audit_events::Column::Id).limit(u64::from(limit)).all(&self.db).await?;
        Ok(rows
            .into_iter()
            .map(|e| AuditDto {
                id: e.id,
                at: rfc3339(e.at),
                actor: e.actor_name,
                action: e.action,
                target: e.target,
                detail: e.detail,
                ip: e.ip,
                user_agent: e.user_agent,
            })
            .collect())
    }
}
