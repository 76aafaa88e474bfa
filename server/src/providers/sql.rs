//! What the SQL providers share: a pool per distinct config (issuing should
//! not pay for a connection and authentication each time) and the mapping of
//! driver errors to what a person may read.
use std::collections::HashMap;
use std::sync::Mutex;

use sea_orm::sqlx::{self, Database, Pool};
use sha2::{Digest, Sha256};

use super::{ProviderConfig, ProviderError};

/// Pools are dropped wholesale beyond this many configs (edits make new ones).
const MAX_POOLS: usize = 64;

pub struct Pools<DB: Database>(Mutex<HashMap<[u8; 32], Pool<DB>>>);

impl<DB: Database> Default for Pools<DB> {
    fn default() -> Self {
        Pools(Mutex::new(HashMap::new()))
    }
}

impl<DB: Database> Pools<DB> {
    /// The pool for `config`, made by `make` the first time.
    pub fn get(&self, config: &ProviderConfig, make: impl FnOnce() -> Pool<DB>) -> Pool<DB> {
        let key: [u8; 32] = Sha256::digest(config.to_json()).into();
        let mut pools = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if pools.len() > MAX_POOLS {
            pools.clear();
        }
        pools.entry(key).or_insert_with(make).clone()
    }
}

/// The server's own message for refusals; a short cause for transport failures.
pub fn classify(service: &str, e: sqlx::Error) -> ProviderError {
    match e {
        sqlx::Error::Database(db) => ProviderError::rejected(format!("{service}: {}", db.message())),
        sqlx::Error::PoolTimedOut => ProviderError::unreachable(format!("{service} did not answer in time.")),
        sqlx::Error::Io(io) => ProviderError::unreachable(format!("{service} is unreachable: {io}.")),
        sqlx::Error::Tls(_) => ProviderError::unreachable(format!("The TLS connection to {service} failed.")),
        other => ProviderError::unreachable(format!("{service} connection failed: {other}.")),
    }
}

/// SQLSTATE / error code of a database error, if it is one.
pub fn code(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(db) => db.code().map(|c| c.into_owned()),
        _ => None,
    }
}
