//! Dynamic secrets, leases and their history, service tokens.
//! Apps and dynamic secrets are deleted softly (`deleted_at`) while leases under
//! them still need their sealed root credentials to be revoked; the worker
//! removes the rows once every lease is terminal.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::m0001_foundation::{fk, id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Apps {
    Table,
    Id,
    DeletedAt,
}

#[derive(DeriveIden)]
enum Environments {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum DynamicSecrets {
    Table,
    Id,
    AppId,
    EnvironmentId,
    Name,
    Description,
    Provider,
    ConfigSealed,
    DefaultTtl,
    MaxTtl,
    Outputs,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum Leases {
    Table,
    Id,
    DynamicSecretId,
    AppId,
    EnvironmentId,
    Name,
    Status,
    HandleSealed,
    OwnerKind,
    OwnerId,
    OwnerName,
    CreatedAt,
    ExpiresAt,
    MaxExpiresAt,
    RevokedAt,
    RevokeReason,
    Attempts,
    NextAttemptAt,
    LastError,
}

#[derive(DeriveIden)]
enum LeaseEvents {
    Table,
    Id,
    LeaseId,
    Kind,
    At,
    Actor,
    Ip,
    UserAgent,
    Detail,
}

#[derive(DeriveIden)]
enum ServiceTokens {
    Table,
    Id,
    AppId,
    EnvironmentId,
    Name,
    TokenHash,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Apps::Table).add_column(big_integer_null(Apps::DeletedAt)).take()).await?;
        // Names are unique among live rows only (partial indexes: SQLite and PostgreSQL both have them).
        let db = m.get_connection();
        m.drop_index(Index::drop().name("apps_org_name").table(Apps::Table).to_owned()).await?;
        db.execute_unprepared("CREATE UNIQUE INDEX apps_org_live_name ON apps (org_id, name) WHERE deleted_at IS NULL")
            .await?;

        m.create_table(
            Table::create()
                .table(DynamicSecrets::Table)
                .col(id(DynamicSecrets::Id))
                .col(string_len(DynamicSecrets::AppId, 36))
                .col(string_len(DynamicSecrets::EnvironmentId, 36))
                .col(string_len(DynamicSecrets::Name, 100))
                .col(string_len(DynamicSecrets::Description, 1000))
                .col(string_len(DynamicSecrets::Provider, 32))
                .col(blob(DynamicSecrets::ConfigSealed))
                .col(big_integer(DynamicSecrets::DefaultTtl))
                .col(big_integer(DynamicSecrets::MaxTtl))
                .col(text(DynamicSecrets::Outputs))
                .col(big_integer(DynamicSecrets::CreatedAt))
                .col(big_integer(DynamicSecrets::UpdatedAt))
                .col(big_integer_null(DynamicSecrets::DeletedAt))
                .foreign_key(&mut fk((DynamicSecrets::Table, DynamicSecrets::AppId), (Apps::Table, Apps::Id)))
                .foreign_key(&mut fk(
                    (DynamicSecrets::Table, DynamicSecrets::EnvironmentId),
                    (Environments::Table, Environments::Id),
                ))
                .take(),
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX dynamic_secrets_env_name ON dynamic_secrets (environment_id, name) \
             WHERE deleted_at IS NULL",
        )
        .await?;
        m.create_index(
            Index::create().name("dynamic_secrets_app").table(DynamicSecrets::Table).col(DynamicSecrets::AppId).take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Leases::Table)
                .col(id(Leases::Id))
                .col(string_len(Leases::DynamicSecretId, 36))
                .col(string_len(Leases::AppId, 36))
                .col(string_len(Leases::EnvironmentId, 36))
                .col(string_len(Leases::Name, 100))
                .col(string_len(Leases::Status, 16))
                .col(blob(Leases::HandleSealed))
                .col(string_len(Leases::OwnerKind, 16))
                .col(string_len(Leases::OwnerId, 36))
                .col(string_len(Leases::OwnerName, 300))
                .col(big_integer(Leases::CreatedAt))
                .col(big_integer(Leases::ExpiresAt))
                .col(big_integer(Leases::MaxExpiresAt))
                .col(big_integer_null(Leases::RevokedAt))
                .col(string_len_null(Leases::RevokeReason, 32))
                .col(integer(Leases::Attempts).default(0))
                .col(big_integer_null(Leases::NextAttemptAt))
                .col(text_null(Leases::LastError))
                .foreign_key(&mut fk(
                    (Leases::Table, Leases::DynamicSecretId),
                    (DynamicSecrets::Table, DynamicSecrets::Id),
                ))
                .take(),
        )
        .await?;
        // The worker's two queries: due expiries, and due (re)attempts.
        for (name, col) in [("leases_due_expiry", Leases::ExpiresAt), ("leases_due_attempt", Leases::NextAttemptAt)] {
            m.create_index(Index::create().name(name).table(Leases::Table).col(Leases::Status).col(col).take()).await?;
        }
        m.create_index(
            Index::create()
                .name("leases_secret_created")
                .table(Leases::Table)
                .col(Leases::DynamicSecretId)
                .col(Leases::CreatedAt)
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LeaseEvents::Table)
                .col(pk_auto(LeaseEvents::Id).big_integer())
                .col(string_len(LeaseEvents::LeaseId, 36))
                .col(string_len(LeaseEvents::Kind, 32))
                .col(big_integer(LeaseEvents::At))
                .col(string_len(LeaseEvents::Actor, 300))
                .col(string_len_null(LeaseEvents::Ip, 64))
                .col(string_len_null(LeaseEvents::UserAgent, 512))
                .col(text(LeaseEvents::Detail))
                .foreign_key(&mut fk((LeaseEvents::Table, LeaseEvents::LeaseId), (Leases::Table, Leases::Id)))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("lease_events_lease")
                .table(LeaseEvents::Table)
                .col(LeaseEvents::LeaseId)
                .col(LeaseEvents::Id)
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ServiceTokens::Table)
                .col(id(ServiceTokens::Id))
                .col(string_len(ServiceTokens::AppId, 36))
                .col(string_len(ServiceTokens::EnvironmentId, 36))
                .col(string_len(ServiceTokens::Name, 100))
                .col(string_len_uniq(ServiceTokens::TokenHash, 64))
                .col(string_len(ServiceTokens::CreatedBy, 300))
                .col(big_integer(ServiceTokens::CreatedAt))
                .col(big_integer_null(ServiceTokens::ExpiresAt))
                .foreign_key(&mut fk((ServiceTokens::Table, ServiceTokens::AppId), (Apps::Table, Apps::Id)))
                .foreign_key(&mut fk(
                    (ServiceTokens::Table, ServiceTokens::EnvironmentId),
                    (Environments::Table, Environments::Id),
                ))
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ServiceTokens::Table.into_iden(),
            LeaseEvents::Table.into_iden(),
            Leases::Table.into_iden(),
            DynamicSecrets::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        m.drop_index(Index::drop().name("apps_org_live_name").table(Apps::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Apps::Table).drop_column(Apps::DeletedAt).take()).await?;
        m.get_connection().execute_unprepared("CREATE UNIQUE INDEX apps_org_name ON apps (org_id, name)").await?;
        Ok(())
    }
}
