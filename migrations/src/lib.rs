//! Schema migrations. Every statement is built with sea-query so the same
//! migration runs on SQLite (the embedded default) and PostgreSQL.
pub use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_leases;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m0001_foundation::Migration), Box::new(m0002_leases::Migration)]
    }
}
