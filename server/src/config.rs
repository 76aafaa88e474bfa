//! One typed, validated configuration, read from the environment (and an
//! optional `.env`). A bad value stops start-up with a message naming the key.
use std::net::SocketAddr;
use std::path::PathBuf;

use base64::Engine;
use secrecy::SecretBox;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignupMode {
    Open,
    Closed,
}

pub struct Config {
    pub database_url: String,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// From `LEASEHOLD_MASTER_KEY`; when absent the key file in the data dir is used.
    pub master_key: Option<SecretBox<[u8; 32]>>,
    pub signup: SignupMode,
    pub site_root: PathBuf,
    pub session_ttl_secs: i64,
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    /// Upper bound on any dynamic secret's Max TTL, in seconds.
    pub max_ttl_secs: i64,
    /// Active leases allowed per dynamic secret.
    pub lease_quota: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {key}: {problem}")]
pub struct ConfigError {
    pub key: &'static str,
    pub problem: String,
}

fn bad(key: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError { key, problem: problem.into() }
}

/// Command-line values, which win over the environment.
#[derive(Default)]
pub struct Overrides {
    pub addr: Option<String>,
    pub data_dir: Option<PathBuf>,
}

impl Config {
    pub fn from_env(overrides: Overrides) -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok(), overrides)
    }

    /// Reads every key through `get`, so tests can pass a map instead of the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>, o: Overrides) -> Result<Self, ConfigError> {
        let get = |k: &str| get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());

        let addr_text = o.addr.or_else(|| get("LEASEHOLD_ADDR")).unwrap_or_else(|| "127.0.0.1:3000".into());
        let addr = addr_text
            .parse()
            .map_err(|_| bad("LEASEHOLD_ADDR", format!("{addr_text:?} is not an address like 127.0.0.1:3000")))?;

        let data_dir = o
            .data_dir
            .or_else(|| get("LEASEHOLD_DATA_DIR").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("data"));

        let database_url = match get("DATABASE_URL") {
            Some(url)
                if url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://") =>
            {
                url
            }
            Some(_) => return Err(bad("DATABASE_URL", "must start with sqlite: or postgres://")),
            None => format!("sqlite://{}?mode=rwc", data_dir.join("leasehold.db").display()),
        };

        let master_key = match get("LEASEHOLD_MASTER_KEY") {
            None => None,
            Some(b64) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .map_err(|_| bad("LEASEHOLD_MASTER_KEY", "is not valid base64"))?;
                let key: [u8; 32] =
                    bytes.try_into().map_err(|_| bad("LEASEHOLD_MASTER_KEY", "must decode to exactly 32 bytes"))?;
                Some(SecretBox::new(Box::new(key)))
            }
        };

        let signup = match get("LEASEHOLD_SIGNUP").as_deref() {
            None | Some("open") => SignupMode::Open,
            Some("closed") => SignupMode::Closed,
            Some(other) => return Err(bad("LEASEHOLD_SIGNUP", format!("{other:?} is not open or closed"))),
        };

        let session_hours: i64 =
            match get("LEASEHOLD_SESSION_TTL_HOURS") {
                None => 12,
                Some(h) => h.parse().ok().filter(|h| (1..=720).contains(h)).ok_or_else(|| {
                    bad("LEASEHOLD_SESSION_TTL_HOURS", "must be a whole number of hours from 1 to 720")
                })?,
            };

        let max_ttl_secs = number(&get, "LEASEHOLD_MAX_TTL", 365 * 86_400, 1, 10 * 366 * 86_400)?;
        let lease_quota = number(&get, "LEASEHOLD_LEASE_QUOTA", 1000, 1, 1_000_000)?;

        Ok(Config {
            max_ttl_secs,
            lease_quota: lease_quota.unsigned_abs(),
            database_url,
            addr,
            site_root: get("LEASEHOLD_SITE_ROOT").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target/site")),
            data_dir,
            master_key,
            signup,
            session_ttl_secs: session_hours * 3600,
            secure_cookies: flag(&get, "LEASEHOLD_SECURE_COOKIES")?,
            trust_proxy: flag(&get, "LEASEHOLD_TRUST_PROXY")?,
        })
    }
}

/// A whole number in `min..=max`, or `default` when unset.
fn number(
    get: &impl Fn(&str) -> Option<String>,
    key: &'static str,
    default: i64,
    min: i64,
    max: i64,
) -> Result<i64, ConfigError> {
    match get(key) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| bad(key, format!("must be a whole number from {min} to {max}"))),
    }
}

fn flag(get: &impl Fn(&str) -> Option<String>, key: &'static str) -> Result<bool, ConfigError> {
    match get(key).as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(bad(key, "must be true or false")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned(), Overrides::default())
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.database_url, "sqlite://data/leasehold.db?mode=rwc");
        assert_eq!(c.signup, SignupMode::Open);
        assert!(c.master_key.is_none());
        assert_eq!((c.max_ttl_secs, c.lease_quota), (365 * 86_400, 1000));
    }

    #[test]
    fn bad_values_name_their_key() {
        for (k, v) in [
            ("LEASEHOLD_ADDR", "nowhere"),
            ("DATABASE_URL", "mysql://x"),
            ("LEASEHOLD_MASTER_KEY", "c2hvcnQ="),
            ("LEASEHOLD_MASTER_KEY", "!!"),
            ("LEASEHOLD_MAX_TTL", "0"),
            ("LEASEHOLD_LEASE_QUOTA", "many"),
            ("LEASEHOLD_SIGNUP", "maybe"),
            ("LEASEHOLD_SESSION_TTL_HOURS", "0"),
            ("LEASEHOLD_SECURE_COOKIES", "yes"),
        ] {
            let err = cfg(&[(k, v)]).err().unwrap_or_else(|| panic!("{k}={v} accepted"));
            assert_eq!(err.key, k);
            assert!(err.to_string().contains(k));
        }
    }

    #[test]
    fn a_32_byte_master_key_is_accepted() {
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        assert!(cfg(&[("LEASEHOLD_MASTER_KEY", &key)]).unwrap().master_key.is_some());
    }
}
