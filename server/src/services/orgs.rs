//! Organisations, plans and members.
use app::dto::{MemberDto, OrgDto, Plan, Role};
use app::error::AppError;
use app::ports::Caller;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};

use super::{new_id, parse_id, require_manager, user_dto, Services};
use crate::clock::now_ms;
use crate::db::entities::{memberships, orgs, users};
use crate::domain::{Email, Name};
use crate::error::Result;

fn org_dto(o: &orgs::Model, role: Option<Role>) -> Result<OrgDto> {
    Ok(OrgDto { id: o.id.clone(), name: o.name.clone(), plan: o.plan.parse()?, role })
}

impl Services {
    pub async fn list_orgs(&self, c: &Caller) -> Result<Vec<OrgDto>> {
        let mine = memberships::Entity::find().filter(memberships::Column::UserId.eq(&c.user.id)).all(&self.db).await?;
        let ids: Vec<String> = mine.iter().map(|m| m.org_id.clone()).collect();
        let rows = orgs::Entity::find()
            .filter(orgs::Column::Id.is_in(ids))
            .order_by_asc(orgs::Column::Name)
            .all(&self.db)
            .await?;
        rows.iter()
            .map(|o| {
                let role = mine.iter().find(|m| m.org_id == o.id).map(|m| m.role.parse()).transpose()?;
                org_dto(o, role)
            })
            .collect()
    }

    pub async fn create_org(&self, c: &Caller, name: &str) -> Result<OrgDto> {
        let name = Name::parse(name, "organisation name")?;
        let id = new_id();
        let now = now_ms();
        let tx = self.db.begin().await?;
        let org = orgs::ActiveModel {
            id: Set(id.clone()),
            name: Set(name.as_str().to_string()),
            plan: Set(Plan::Free.as_str().to_string()),
            created_at: Set(now),
        }
        .insert(&tx)
        .await?;
        memberships::ActiveModel {
            org_id: Set(id.clone()),
            user_id: Set(c.user.id.clone()),
            role: Set(Role::Owner.as_str().to_string()),
            created_at: Set(now),
        }
        .insert(&tx)
        .await?;
        self.audit(&tx, c, &id, "org.created", name.as_str(), "").await?;
        tx.commit().await?;
        org_dto(&org, Some(Role::Owner))
    }

    pub async fn get_org(&self, c: &Caller, org_id: &str) -> Result<OrgDto> {
        let (org, role) = self.org_for(c, org_id).await?;
        org_dto(&org, Some(role))
    }

    pub async fn all_orgs(&self, c: &Caller) -> Result<Vec<OrgDto>> {
        Self::require_instance_admin(c)?;
        let rows = orgs::Entity::find().order_by_asc(orgs::Column::Name).all(&self.db).await?;
        rows.iter().map(|o| org_dto(o, None)).collect()
    }

    /// Instance admins only. The org need not include the admin; the audit
    /// log of the org records the change.
    pub async fn set_plan(&self, c: &Caller, org_id: &str, plan: &str) -> Result<OrgDto> {
        Self::require_instance_admin(c)?;
        let plan: Plan = plan.parse()?;
        let id = parse_id(org_id, "organisation")?;
        let org =
            orgs::Entity::find_by_id(id).one(&self.db).await?.ok_or_else(|| AppError::not_found("organisation"))?;
        let old = org.plan.clone();
        let tx = self.db.begin().await?;
        let mut row = org.into_active_model();
        row.plan = Set(plan.as_str().to_string());
        let org = row.update(&tx).await?;
        if old != plan.as_str() {
            self.audit(&tx, c, &org.id, "org.plan_changed", &org.name, &format!("{old} → {plan}")).await?;
        }
        tx.commit().await?;
        let role = memberships::Entity::find_by_id((org.id.clone(), c.user.id.clone()))
            .one(&self.db)
            .await?
            .map(|m| m.role.parse())
            .transpose()?;
        org_dto(&org, role)
    }

    pub async fn list_members(&self, c: &Caller, org_id: &str) -> Result<Vec<MemberDto>> {
        let (org, _) = self.org_for(c, org_id).await?;
        let ms = memberships::Entity::find().filter(memberships::Column::OrgId.eq(&org.id)).all(&self.db).await?;
        let people = users::Entity::find()
            .filter(users::Column::Id.is_in(ms.iter().map(|m| m.user_id.clone())))
            .order_by_asc(users::Column::Email)
            .all(&self.db)
            .await?;
        people
            .iter()
            .filter_map(|u| ms.iter().find(|m| m.user_id == u.id).map(|m| (u, m)))
            .map(|(u, m)| Ok(MemberDto { user: user_dto(u), role: m.role.parse()? }))
            .collect()
    }

    pub async fn add_member(&self, c: &Caller, org_id: &str, email: &str, role: &str) -> Result<MemberDto> {
        let (org, mine) = self.org_for(c, org_id).await?;
        require_manager(mine)?;
        let role: Role = role.parse()?;
        Self::may_grant(mine, role)?;
        let email = Email::parse(email)?;
        let user =
            users::Entity::find().filter(users::Column::Email.eq(email.as_str())).one(&self.db).await?.ok_or_else(
                || AppError::new(404, "not_found", "No account uses this e-mail. They need to sign up first."),
            )?;
        if memberships::Entity::find_by_id((org.id.clone(), user.id.clone())).one(&self.db).await?.is_some() {
            return Err(AppError::conflict(format!("{} is already a member.", user.email)).into());
        }
        let tx = self.db.begin().await?;
        memberships::ActiveModel {
            org_id: Set(org.id.clone()),
            user_id: Set(user.id.clone()),
            role: Set(role.as_str().to_string()),
            created_at: Set(now_ms()),
        }
        .insert(&tx)
        .await?;
        self.audit(&tx, c, &org.id, "member.added", &user.email, &format!("as {role}")).await?;
        tx.commit().await?;
        Ok(MemberDto { user: user_dto(&user), role })
    }

    pub async fn change_role(&self, c: &Caller, org_id: &str, user_id: &str, role: &str) -> Result<MemberDto> {
        let (org, mine) = self.org_for(c, org_id).await?;
        require_manager(mine)?;
        let role: Role = role.parse()?;
        let (member, user) = self.member(&org.id, user_id).await?;
        let old: Role = member.role.parse()?;
        Self::may_grant(mine, old)?;
        Self::may_grant(mine, role)?;
        if old == role {
            return Ok(MemberDto { user: user_dto(&user), role });
        }
        let tx = self.db.begin().await?;
        if old == Role::Owner {
            self.keep_an_owner(&tx, &org.id).await?;
        }
        let mut row = member.into_active_model();
        row.role = Set(role.as_str().to_string());
        row.update(&tx).await?;
        self.audit(&tx, c, &org.id, "member.role_changed", &user.email, &format!("{old} → {role}")).await?;
        tx.commit().await?;
        Ok(MemberDto { user: user_dto(&user), role })
    }

    pub async fn remove_member(&self, c: &Caller, org_id: &str, user_id: &str) -> Result<()> {
        let (org, mine) = self.org_for(c, org_id).await?;
        let (member, user) = self.member(&org.id, user_id).await?;
        // Anyone may leave; removing someone else takes a manager.
        if user.id != c.user.id {
            require_manager(mine)?;
            Self::may_grant(mine, member.role.parse()?)?;
        }
        let tx = self.db.begin().await?;
        if member.role == Role::Owner.as_str() {
            self.keep_an_owner(&tx, &org.id).await?;
        }
        memberships::Entity::delete_by_id((org.id.clone(), user.id.clone())).exec(&tx).await?;
        self.audit(&tx, c, &org.id, "member.removed", &user.email, "").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn member(&self, org_id: &str, user_id: &str) -> Result<(memberships::Model, users::Model)> {
        let user_id = parse_id(user_id, "member")?;
        let m = memberships::Entity::find_by_id((org_id.to_string(), user_id.clone()))
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::not_found("member"))?;
        let u = users::Entity::find_by_id(user_id).one(&self.db).await?.ok_or_else(|| AppError::not_found("member"))?;
        Ok((m, u))
    }

    /// Only owners grant, take away or touch the owner role.
    fn may_grant(mine: Role, role: Role) -> Result<()> {
        if role == Role::Owner && mine != Role::Owner {
            return Err(AppError::forbidden("Only owners can grant or change the owner role.").into());
        }
        Ok(())
    }

    /// Refuses a change that would leave the org without an owner.
    async fn keep_an_owner(&self, tx: &sea_orm::DatabaseTransaction, org_id: &str) -> Result<()> {
        let owners = memberships::Entity::find()
            .filter(memberships::Column::OrgId.eq(org_id))
            .filter(memberships::Column::Role.eq(Role::Owner.as_str()))
            .count(tx)
            .await?;
        if owners <= 1 {
            return Err(AppError::conflict("An organisation must keep at least one owner.").into());
        }
        Ok(())
    }
}
