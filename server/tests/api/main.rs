//! Integration tests: the real app on port 0, a fresh database per test —
//! SQLite by default, PostgreSQL when TEST_DATABASE_URL is set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod apps;
mod aws_iam;
mod cli;
mod dynamic_secrets;
mod faults;
mod harness;
mod leases;
mod mysql;
mod ops;
mod orgs;
mod pages;
mod pg;
mod rabbitmq;
mod redis;
mod service_tokens;
