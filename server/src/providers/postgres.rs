//! PostgreSQL: a LOGIN role per lease, with `VALID UNTIL` at the lease's expiry.
use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use rand::distributions::{Alphanumeric, DistString};
use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgSslMode, Postgres as Pg};
use sea_orm::sqlx::{self, AssertSqlSafe, ConnectOptions, Connection};
use secrecy::SecretString;

use super::naming;
use super::sql::{self as shared, Pools};
use super::{
    handle_username, template, FieldKind, FieldSpec, Handle, Issued, OutputSpec, Provider, ProviderConfig,
    ProviderError,
};
use crate::clock::rfc3339;

const STATEMENTS: &[&str] = &["name", "password", "expiration"];
const DEFAULT_CREATE: &str = "CREATE ROLE {{name}} WITH LOGIN PASSWORD {{password}} VALID UNTIL {{expiration}};";
const DEFAULT_RENEW: &str = "ALTER ROLE {{name}} VALID UNTIL {{expiration}};";
/// Runs after the role lost LOGIN and its sessions were ended.
const DEFAULT_REVOKE: &str =
    "REASSIGN OWNED BY {{name}} TO CURRENT_USER; DROP OWNED BY {{name}}; DROP ROLE IF EXISTS {{name}};";
/// SQLSTATE undefined_object: the role is already gone.
const UNDEFINED_OBJECT: &str = "42704";

const FIELDS: &[FieldSpec] = &[
    FieldSpec { id: "host", label: "Host", kind: FieldKind::Text, required: true, default: None, help: "" },
    FieldSpec {
        id: "port",
        label: "Port",
        kind: FieldKind::Number { min: 1, max: 65535 },
        required: true,
        default: Some("5432"),
        help: "",
    },
    FieldSpec { id: "database", label: "Database", kind: FieldKind::Text, required: true, default: None, help: "" },
    FieldSpec {
        id: "username",
        label: "Username",
        kind: FieldKind::Text,
        required: true,
        default: None,
        help: "A role that may create roles (CREATEROLE) and end their sessions (pg_signal_backend).",
    },
    FieldSpec { id: "password", label: "Password", kind: FieldKind::Password, required: true, default: None, help: "" },
    FieldSpec {
        id: "ssl_mode",
        label: "SSL mode",
        kind: FieldKind::Select(&["disable", "prefer", "require", "verify-full"]),
        required: false,
        default: Some("prefer"),
        help: "",
    },
    naming::USERNAME_TEMPLATE,
    FieldSpec {
        id: "creation_statements",
        label: "Creation statements",
        kind: FieldKind::Template(STATEMENTS),
        required: false,
        default: None,
        help: "SQL run to create the role, e.g. the default plus GRANTs. Placeholders (quoted for you): \
               {{name}}, {{password}}, {{expiration}}.",
    },
    FieldSpec {
        id: "revocation_statements",
        label: "Revocation statements",
        kind: FieldKind::Template(STATEMENTS),
        required: false,
        default: None,
        help: "SQL run after the role has lost LOGIN and its sessions were ended. Default: REASSIGN OWNED, \
               DROP OWNED, DROP ROLE.",
    },
    FieldSpec {
        id: "renew_statements",
        label: "Renew statements",
        kind: FieldKind::Template(STATEMENTS),
        required: false,
        default: None,
        help: "SQL run on renewal. Default: ALTER ROLE {{name}} VALID UNTIL {{expiration}}.",
    },
];

const OUTPUTS: &[OutputSpec] = &[
    OutputSpec { id: "username", default_key: "DB_USERNAME", secret: false },
    OutputSpec { id: "password", default_key: "DB_PASSWORD", secret: true },
];

#[derive(Default)]
pub struct Postgres {
    pools: Pools<Pg>,
}

fn options(c: &ProviderConfig) -> PgConnectOptions {
    let ssl = match c.str("ssl_mode") {
        Some("disable") => PgSslMode::Disable,
        Some("require") => PgSslMode::Require,
        Some("verify-full") => PgSslMode::VerifyFull,
        _ => PgSslMode::Prefer,
    };
    PgConnectOptions::new_without_pgpass()
        .host(c.str("host").unwrap_or_default())
        .port(u16::try_from(c.int("port").unwrap_or(5432)).unwrap_or(5432))
        .database(c.str("database").unwrap_or_default())
        .username(c.str("username").unwrap_or_default())
        .password(c.str("password").unwrap_or_default())
        .ssl_mode(ssl)
        .application_name("leasehold")
        // Statements carry issued passwords: never log them (sqlx logs slow ones by default).
        .disable_statement_logging()
        .options([("statement_timeout", "10s"), ("lock_timeout", "5s")])
}

/// `"name"` with embedded quotes doubled: safe for any content.
fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `'value'` with embedded quotes doubled; backslashes are literal under
/// `standard_conforming_strings` (on by default), and `E''` makes sure.
fn literal(s: &str) -> String {
    if s.contains('\\') {
        format!("E'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

fn classify(e: sqlx::Error) -> ProviderError {
    shared::classify("PostgreSQL", e)
}

fn is_undefined(e: &sqlx::Error) -> bool {
    shared::code(e).as_deref() == Some(UNDEFINED_OBJECT)
}

impl Postgres {
    fn pool(&self, c: &ProviderConfig) -> PgPool {
        self.pools.get(c, || {
            PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(5))
                .idle_timeout(Duration::from_secs(60))
                .connect_lazy_with(options(c))
        })
    }

    /// Runs a rendered statement template in one round trip (one implicit transaction).
    async fn run(&self, c: &ProviderConfig, sql: String) -> Result<(), sqlx::Error> {
        let mut conn = self.pool(c).acquire().await?;
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *conn).await.map(|_| ())
    }

    fn render(stmts: &str, name: &str, password: &str, expiration: &str) -> String {
        template::render(stmts, |p| match p {
            "name" => Some(ident(name)),
            "password" => Some(literal(password)),
            "expiration" => Some(literal(expiration)),
            _ => None,
        })
    }
}

#[async_trait]
impl Provider for Postgres {
    fn kind(&self) -> &'static str {
        "postgres"
    }
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }
    fn fields(&self) -> &'static [FieldSpec] {
        FIELDS
    }
    fn outputs(&self) -> &'static [OutputSpec] {
        OUTPUTS
    }

    async fn verify(&self, c: &ProviderConfig) -> Result<(), ProviderError> {
        let secrets = c.secrets(FIELDS);
        let mut conn = PgConnection::connect_with(&options(c)).await.map_err(|e| classify(e).scrubbed(&secrets))?;
        let may: Option<bool> =
            sqlx::query_scalar("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
                .fetch_optional(&mut conn)
                .await
                .map_err(|e| classify(e).scrubbed(&secrets))?;
        let _ = conn.close().await;
        match may {
            Some(true) => Ok(()),
            _ => Err(ProviderError::rejected(format!(
                "The PostgreSQL user {:?} may not create roles (it needs CREATEROLE).",
                c.str("username").unwrap_or_default()
            ))),
        }
    }

    async fn create(
        &self,
        c: &ProviderConfig,
        handle: &mut Handle,
        expires_at_ms: i64,
    ) -> Result<Issued, ProviderError> {
        let name = handle_username(handle)?.to_string();
        let password = Alphanumeric.sample_string(&mut rand::rngs::OsRng, 32);
        let stmts = c.str("creation_statements").unwrap_or(DEFAULT_CREATE);
        let sql = Self::render(stmts, &name, &password, &rfc3339(expires_at_ms));
        if let Err(e) = self.run(c, sql).await {
            let mut secrets = c.secrets(FIELDS);
            secrets.push(password);
            // Statements after the first may have failed: undo whatever exists.
            let _ = self.revoke(c, handle).await;
            return Err(classify(e).scrubbed(&secrets));
        }
        Ok(Issued(BTreeMap::from([("username", SecretString::from(name)), ("password", SecretString::from(password))])))
    }

    async fn renew(&self, c: &ProviderConfig, handle: &Handle, expires_at_ms: i64) -> Result<(), ProviderError> {
        let stmts = c.str("renew_statements").unwrap_or(DEFAULT_RENEW);
        let sql = Self::render(stmts, handle_username(handle)?, "", &rfc3339(expires_at_ms));
        self.run(c, sql).await.map_err(|e| classify(e).scrubbed(&c.secrets(FIELDS)))
    }

    async fn revoke(&self, c: &ProviderConfig, handle: &Handle) -> Result<(), ProviderError> {
        let name = handle_username(handle)?;
        let secrets = c.secrets(FIELDS);
        let fail = |e: sqlx::Error| classify(e).scrubbed(&secrets);
        let mut conn = self.pool(c).acquire().await.map_err(fail)?;
        let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_roles WHERE rolname = $1")
            .bind(name)
            .fetch_optional(&mut *conn)
            .await
            .map_err(fail)?;
        if exists.is_none() {
            return Ok(());
        }
        // Lock the door first, then end the sessions that are already inside:
        // DROP ROLE alone leaves open sessions running.
        let lock = format!(
            "ALTER ROLE {0} NOLOGIN; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = {1};",
            ident(name),
            literal(name)
        );
        let stmts = c.str("revocation_statements").unwrap_or(DEFAULT_REVOKE);
        for sql in [lock, Self::render(stmts, name, "", "")] {
            match sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *conn).await {
                Err(e) if is_undefined(&e) => return Ok(()),
                Err(e) => return Err(fail(e)),
                Ok(_) => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_hostile_text() {
        assert_eq!(ident(r#"a"; DROP ROLE x; --"#), r#""a""; DROP ROLE x; --""#);
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal(r"a\'b"), r"E'a\\''b'");
        let sql = Postgres::render("CREATE ROLE {{name}} PASSWORD {{password}};", "n\"x", "p'{{name}}", "");
        assert_eq!(sql, r#"CREATE ROLE "n""x" PASSWORD 'p''{{name}}';"#);
    }
}
