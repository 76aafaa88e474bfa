//! Accounts, sessions, organisations, members, apps, environments, audit log.
//! Times are Unix milliseconds (BIGINT): portable, cheap to index and compare.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    InstanceAdmin,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
    Name,
    Plan,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    OrgId,
    UserId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Apps {
    Table,
    Id,
    OrgId,
    Name,
    WrappedKey,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Environments {
    Table,
    Id,
    AppId,
    Name,
    Slug,
    Position,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    OrgId,
    At,
    ActorId,
    ActorName,
    Action,
    Target,
    Detail,
    Ip,
    UserAgent,
}

pub(crate) fn id(col: impl IntoIden) -> ColumnDef {
    string_len(col, 36).primary_key().take()
}

pub(crate) fn fk(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from.0, from.1).to(to.0, to.1).on_delete(ForeignKeyAction::Cascade).take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(id(Users::Id))
                .col(string_len_uniq(Users::Email, 254))
                .col(string_len(Users::Name, 100))
                .col(text(Users::PasswordHash))
                .col(boolean(Users::InstanceAdmin))
                .col(big_integer(Users::CreatedAt))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(id(Sessions::Id))
                .col(string_len(Sessions::UserId, 36))
                .col(string_len_uniq(Sessions::TokenHash, 64))
                .col(big_integer(Sessions::CreatedAt))
                .col(big_integer(Sessions::ExpiresAt))
                .foreign_key(&mut fk((Sessions::Table, Sessions::UserId), (Users::Table, Users::Id)))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create().name("sessions_expires_at").table(Sessions::Table).col(Sessions::ExpiresAt).take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Orgs::Table)
                .col(id(Orgs::Id))
                .col(string_len(Orgs::Name, 100))
                .col(string_len(Orgs::Plan, 16))
                .col(big_integer(Orgs::CreatedAt))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Memberships::Table)
                .col(string_len(Memberships::OrgId, 36))
                .col(string_len(Memberships::UserId, 36))
                .col(string_len(Memberships::Role, 16))
                .col(big_integer(Memberships::CreatedAt))
                .primary_key(Index::create().col(Memberships::OrgId).col(Memberships::UserId))
                .foreign_key(&mut fk((Memberships::Table, Memberships::OrgId), (Orgs::Table, Orgs::Id)))
                .foreign_key(&mut fk((Memberships::Table, Memberships::UserId), (Users::Table, Users::Id)))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create().name("memberships_user").table(Memberships::Table).col(Memberships::UserId).take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Apps::Table)
                .col(id(Apps::Id))
                .col(string_len(Apps::OrgId, 36))
                .col(string_len(Apps::Name, 100))
                .col(blob_null(Apps::WrappedKey))
                .col(big_integer(Apps::CreatedAt))
                .foreign_key(&mut fk((Apps::Table, Apps::OrgId), (Orgs::Table, Orgs::Id)))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create().name("apps_org_name").table(Apps::Table).col(Apps::OrgId).col(Apps::Name).unique().take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Environments::Table)
                .col(id(Environments::Id))
                .col(string_len(Environments::AppId, 36))
                .col(string_len(Environments::Name, 64))
                .col(string_len(Environments::Slug, 64))
                .col(integer(Environments::Position))
                .foreign_key(&mut fk((Environments::Table, Environments::AppId), (Apps::Table, Apps::Id)))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("environments_app_slug")
                .table(Environments::Table)
                .col(Environments::AppId)
                .col(Environments::Slug)
                .unique()
                .take(),
        )
        .await?;
        // The audit log outlives what it describes (deleted apps, removed
        // members), so it holds names and ids as text, without foreign keys.
        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(pk_auto(AuditEvents::Id).big_integer())
                .col(string_len(AuditEvents::OrgId, 36))
                .col(big_integer(AuditEvents::At))
                .col(string_len_null(AuditEvents::ActorId, 36))
                .col(string_len(AuditEvents::ActorName, 300))
                .col(string_len(AuditEvents::Action, 64))
                .col(string_len(AuditEvents::Target, 300))
                .col(text(AuditEvents::Detail))
                .col(string_len_null(AuditEvents::Ip, 64))
                .col(string_len_null(AuditEvents::UserAgent, 512))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("audit_events_org_id")
                .table(AuditEvents::Table)
                .col(AuditEvents::OrgId)
                .col(AuditEvents::Id)
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            AuditEvents::Table.into_iden(),
            Environments::Table.into_iden(),
            Apps::Table.into_iden(),
            Memberships::Table.into_iden(),
            Orgs::Table.into_iden(),
            Sessions::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
