//! Redis: an ACL user per lease. No native expiry: renewal only moves the
//! lease's own expiry; the worker deletes the user on time.
use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use rand::distributions::{Alphanumeric, DistString};
use redis::aio::MultiplexedConnection;
use redis::{ConnectionAddr, IntoConnectionInfo, RedisConnectionInfo, RedisError};
use secrecy::SecretString;

use super::naming;
use super::{
    handle_username, FieldKind, FieldSpec, Handle, Issued, OutputSpec, Provider, ProviderConfig, ProviderError,
};

const DEFAULT_RULES: &str = "~* &* +@read";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Rule words that only grant key, channel or command access. Anything else —
/// passwords (`>…`, `<…`, `#…`, `!…`), `nopass`, `on`/`off`, `reset…pass`,
/// selectors — would let the rules change how the user authenticates.
const RULE_WORDS: &[&str] = &["allkeys", "allchannels", "allcommands", "nocommands", "resetkeys", "resetchannels"];
const RULE_PREFIXES: &[&str] = &["~", "%R~", "%W~", "%RW~", "&", "+", "-"];

const FIELDS: &[FieldSpec] = &[
    FieldSpec { id: "host", label: "Host", kind: FieldKind::Text, required: true, default: None, help: "" },
    FieldSpec {
        id: "port",
        label: "Port",
        kind: FieldKind::Number { min: 1, max: 65535 },
        required: true,
        default: Some("6379"),
        help: "",
    },
    FieldSpec {
        id: "username",
        label: "Username",
        kind: FieldKind::Text,
        required: false,
        default: None,
        help: "A user allowed to run ACL and CLIENT KILL; empty for the default user.",
    },
    FieldSpec {
        id: "password",
        label: "Password",
        kind: FieldKind::Password,
        required: false,
        default: None,
        help: "",
    },
    FieldSpec { id: "tls", label: "TLS", kind: FieldKind::Boolean, required: false, default: Some("false"), help: "" },
    FieldSpec {
        id: "acl_rules",
        label: "ACL rules",
        kind: FieldKind::Text,
        required: false,
        default: Some(DEFAULT_RULES),
        help: "Key (~, %R~, %W~), channel (&) and command (+, -, +@, -@) rules, separated by spaces.",
    },
    naming::USERNAME_TEMPLATE,
];

const OUTPUTS: &[OutputSpec] = &[
    OutputSpec { id: "username", default_key: "REDIS_USERNAME", secret: false },
    OutputSpec { id: "password", default_key: "REDIS_PASSWORD", secret: true },
];

#[derive(Default)]
pub struct Redis;

fn rules(c: &ProviderConfig) -> Vec<&str> {
    c.str("acl_rules").unwrap_or(DEFAULT_RULES).split_whitespace().collect()
}

fn classify(e: RedisError) -> ProviderError {
    if e.is_io_error() || e.is_timeout() || e.is_connection_refusal() || e.is_connection_dropped() {
        ProviderError::unreachable(format!("Redis is unreachable: {e}."))
    } else {
        ProviderError::rejected(format!("Redis: {e}"))
    }
}

async fn connect(c: &ProviderConfig) -> Result<MultiplexedConnection, ProviderError> {
    let secrets = c.secrets(FIELDS);
    let host = c.str("host").unwrap_or_default().to_string();
    let port = u16::try_from(c.int("port").unwrap_or(6379)).unwrap_or(6379);
    let addr = if c.bool("tls") {
        ConnectionAddr::TcpTls { host, port, insecure: false, tls_params: None }
    } else {
        ConnectionAddr::Tcp(host, port)
    };
    let mut settings = RedisConnectionInfo::default();
    if let Some(u) = c.str("username") {
        settings = settings.set_username(u);
    }
    if let Some(p) = c.str("password") {
        settings = settings.set_password(p);
    }
    let info = addr.into_connection_info().map_err(classify)?.set_redis_settings(settings);
    let client = redis::Client::open(info).map_err(classify)?;
    tokio::time::timeout(CONNECT_TIMEOUT, client.get_multiplexed_async_connection())
        .await
        .map_err(|_| ProviderError::unreachable("Redis did not answer in time."))?
        .map_err(|e| classify(e).scrubbed(&secrets))
}

async fn user_exists(con: &mut MultiplexedConnection, name: &str) -> Result<bool, ProviderError> {
    let user: Option<redis::Value> =
        redis::cmd("ACL").arg("GETUSER").arg(name).query_async(con).await.map_err(classify)?;
    Ok(user.is_some())
}

#[async_trait]
impl Provider for Redis {
    fn kind(&self) -> &'static str {
        "redis"
    }
    fn name(&self) -> &'static str {
        "Redis"
    }
    fn fields(&self) -> &'static [FieldSpec] {
        FIELDS
    }
    fn outputs(&self) -> &'static [OutputSpec] {
        OUTPUTS
    }

    fn check(&self, c: &ProviderConfig) -> Result<(), String> {
        let rules = rules(c);
        if rules.is_empty() {
            return Err("config.acl_rules needs at least one rule.".into());
        }
        match rules.iter().find(|r| !(RULE_WORDS.contains(r) || RULE_PREFIXES.iter().any(|p| r.starts_with(p)))) {
            Some(bad) => Err(format!(
                "config.acl_rules may only grant keys, channels and commands; {:?} is not allowed.",
                bad.chars().take(64).collect::<String>()
            )),
            None => Ok(()),
        }
    }

    async fn verify(&self, c: &ProviderConfig) -> Result<(), ProviderError> {
        let mut con = connect(c).await?;
        redis::cmd("ACL").arg("USERS").query_async::<Vec<String>>(&mut con).await.map(|_| ()).map_err(|e| {
            ProviderError::rejected(format!("The Redis user may not manage ACL users: {}", e.detail().unwrap_or("")))
        })
    }

    async fn create(&self, c: &ProviderConfig, handle: &mut Handle, _: i64) -> Result<Issued, ProviderError> {
        let name = handle_username(handle)?.to_string();
        let password = Alphanumeric.sample_string(&mut rand::rngs::OsRng, 32);
        let mut con = connect(c).await?;
        // SETUSER on an existing user would merge rules into it: never reuse one.
        if user_exists(&mut con, &name).await? {
            return Err(ProviderError::rejected("A Redis user with the generated name already exists."));
        }
        // Each rule is its own argument, after `reset`: nothing in them can touch the password.
        let mut cmd = redis::cmd("ACL");
        cmd.arg("SETUSER").arg(&name).arg("reset").arg("on").arg(format!(">{password}"));
        for rule in rules(c) {
            cmd.arg(rule);
        }
        if let Err(e) = cmd.query_async::<()>(&mut con).await {
            let _ = self.revoke(c, handle).await;
            return Err(classify(e).scrubbed(&[password]));
        }
        Ok(Issued(BTreeMap::from([("username", SecretString::from(name)), ("password", SecretString::from(password))])))
    }

    async fn renew(&self, _: &ProviderConfig, _: &Handle, _: i64) -> Result<(), ProviderError> {
        Ok(())
    }

    async fn revoke(&self, c: &ProviderConfig, handle: &Handle) -> Result<(), ProviderError> {
        let name = handle_username(handle)?;
        let mut con = connect(c).await?;
        if !user_exists(&mut con, name).await? {
            return Ok(());
        }
        // Switch the user off (no new AUTH), end its connections, delete it.
        redis::cmd("ACL").arg("SETUSER").arg(name).arg("off").query_async::<()>(&mut con).await.map_err(classify)?;
        redis::cmd("CLIENT").arg("KILL").arg("USER").arg(name).query_async::<i64>(&mut con).await.map_err(classify)?;
        redis::cmd("ACL").arg("DELUSER").arg(name).query_async::<i64>(&mut con).await.map_err(classify)?;
        Ok(())
    }
}
