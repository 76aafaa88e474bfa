//! The store: connection, migrations, and the table models.
pub mod entities;

use migrations::{Migrator, MigratorTrait};
use std::time::Duration;

use sea_orm::sqlx::sqlite::SqliteJournalMode;
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// Connects, tunes SQLite for concurrent use, and applies pending migrations.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, DbErr> {
    let db = connect(url).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false)
        .max_connections(if url.starts_with("sqlite:") { 8 } else { 16 })
        // WAL lets readers run beside the writer; the busy timeout queues writers
        // instead of failing them; foreign keys enforce the cascades.
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal).busy_timeout(Duration::from_secs(5)).foreign_keys(true)
        });
    Database::connect(opts).await
}

/// True when the database answers and no migration is pending.
pub async fn ready(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok() && matches!(Migrator::get_pending_migrations(db).await, Ok(p) if p.is_empty())
}
