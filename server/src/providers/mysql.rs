//! MySQL and MariaDB: a user per lease. There is no native expiry, so renewal
//! only moves the lease's own expiry; the worker drops the user on time.
use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use rand::distributions::{Alphanumeric, DistString};
use sea_orm::sqlx::mysql::{MySql, MySqlConnectOptions, MySqlConnection, MySqlPool, MySqlPoolOptions};
use sea_orm::sqlx::{self, AssertSqlSafe, ConnectOptions, Connection};
use secrecy::SecretString;

use super::naming;
use super::sql::{self as shared, Pools};
use super::{
    handle_username, template, FieldKind, FieldSpec, Handle, Issued, OutputSpec, Provider, ProviderConfig,
    ProviderError,
};

const STATEMENTS: &[&str] = &["name", "password"];
const DEFAULT_CREATE: &str = "CREATE USER {{name}}@'%' IDENTIFIED BY {{password}};";
/// Runs after the account was locked and its connections were killed.
const DEFAULT_REVOKE: &str = "DROP USER IF EXISTS {{name}}@'%';";

const FIELDS: &[FieldSpec] = &[
    FieldSpec { id: "host", label: "Host", kind: FieldKind::Text, required: true, default: None, help: "" },
    FieldSpec {
        id: "port",
        label: "Port",
        kind: FieldKind::Number { min: 1, max: 65535 },
        required: true,
        default: Some("3306"),
        help: "",
    },
    FieldSpec {
        id: "username",
        label: "Username",
        kind: FieldKind::Text,
        required: true,
        default: None,
        help: "An account with CREATE USER, and CONNECTION ADMIN (or SUPER) to end sessions.",
    },
    FieldSpec {
        id: "password",
        label: "Password",
        kind: FieldKind::Password,
        required: false,
        default: None,
        help: "Leave empty for an account without a password.",
    },
    FieldSpec {
        id: "database",
        label: "Database",
        kind: FieldKind::Text,
        required: false,
        default: None,
        help: "The database to connect to; optional.",
    },
    naming::USERNAME_TEMPLATE,
    FieldSpec {
        id: "creation_statements",
        label: "Creation statements",
        kind: FieldKind::Template(STATEMENTS),
        required: false,
        default: None,
        help: "SQL run to create the user, e.g. CREATE USER {{name}}@'%' IDENTIFIED BY {{password}}; \
               GRANT SELECT ON shop.* TO {{name}}@'%'; — {{name}} and {{password}} are quoted for you.",
    },
    FieldSpec {
        id: "revocation_statements",
        label: "Revocation statements",
        kind: FieldKind::Template(STATEMENTS),
        required: false,
        default: None,
        help: "SQL run after the account was locked and its connections ended. Default: DROP USER IF EXISTS.",
    },
];

const OUTPUTS: &[OutputSpec] = &[
    OutputSpec { id: "username", default_key: "DB_USERNAME", secret: false },
    OutputSpec { id: "password", default_key: "DB_PASSWORD", secret: true },
];

#[derive(Default)]
pub struct Mysql {
    pools: Pools<MySql>,
}

fn options(c: &ProviderConfig) -> MySqlConnectOptions {
    let mut o = MySqlConnectOptions::new()
        .host(c.str("host").unwrap_or_default())
        .port(u16::try_from(c.int("port").unwrap_or(3306)).unwrap_or(3306))
        .username(c.str("username").unwrap_or_default());
    if let Some(pw) = c.str("password") {
        o = o.password(pw);
    }
    if let Some(db) = c.str("database") {
        o = o.database(db);
    }
    // Statements carry issued passwords: never log them (sqlx logs slow ones by default).
    o.disable_statement_logging()
}

/// `'text'` for MySQL: quotes doubled and backslashes escaped (backslash is
/// an escape character unless NO_BACKSLASH_ESCAPES is set; doubling it is
/// harmless when it is).
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
}

fn classify(e: sqlx::Error) -> ProviderError {
    shared::classify("MySQL", e)
}

fn render(stmts: &str, name: &str, password: &str) -> String {
    template::render(stmts, |p| match p {
        "name" => Some(literal(name)),
        "password" => Some(literal(password)),
        _ => None,
    })
}

impl Mysql {
    fn pool(&self, c: &ProviderConfig) -> MySqlPool {
        self.pools.get(c, || {
            MySqlPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(5))
                .idle_timeout(Duration::from_secs(60))
                .connect_lazy_with(options(c))
        })
    }
}

#[async_trait]
impl Provider for Mysql {
    fn kind(&self) -> &'static str {
        "mysql"
    }
    fn name(&self) -> &'static str {
        "MySQL / MariaDB"
    }
    fn fields(&self) -> &'static [FieldSpec] {
        FIELDS
    }
    fn outputs(&self) -> &'static [OutputSpec] {
        OUTPUTS
    }

    async fn verify(&self, c: &ProviderConfig) -> Result<(), ProviderError> {
        let secrets = c.secrets(FIELDS);
        let mut conn = MySqlConnection::connect_with(&options(c)).await.map_err(|e| classify(e).scrubbed(&secrets))?;
        let grants: Vec<String> =
            sqlx::query_scalar("SHOW GRANTS").fetch_all(&mut conn).await.map_err(|e| classify(e).scrubbed(&secrets))?;
        let _ = conn.close().await;
        let may = grants.iter().any(|g| g.contains("ALL PRIVILEGES ON *.*") || g.contains("CREATE USER"));
        if may {
            Ok(())
        } else {
            Err(ProviderError::rejected(format!(
                "The MySQL user {:?} may not create users (it needs CREATE USER).",
                c.str("username").unwrap_or_default()
            )))
        }
    }

    async fn create(
        &self,
        c: &ProviderConfig,
        handle: &mut Handle,
        _expires_at_ms: i64,
    ) -> Result<Issued, ProviderError> {
        let name = handle_username(handle)?.to_string();
        let password = Alphanumeric.sample_string(&mut rand::rngs::OsRng, 32);
        let sql = render(c.str("creation_statements").unwrap_or(DEFAULT_CREATE), &name, &password);
        let run = async {
            let mut conn = self.pool(c).acquire().await?;
            sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *conn).await
        };
        if let Err(e) = run.await {
            let mut secrets = c.secrets(FIELDS);
            secrets.push(password);
            let _ = self.revoke(c, handle).await;
            return Err(classify(e).scrubbed(&secrets));
        }
        Ok(Issued(BTreeMap::from([("username", SecretString::from(name)), ("password", SecretString::from(password))])))
    }

    async fn renew(&self, _: &ProviderConfig, _: &Handle, _: i64) -> Result<(), ProviderError> {
        Ok(())
    }

    async fn revoke(&self, c: &ProviderConfig, handle: &Handle) -> Result<(), ProviderError> {
        let name = handle_username(handle)?;
        let secrets = c.secrets(FIELDS);
        let fail = |e: sqlx::Error| classify(e).scrubbed(&secrets);
        let mut conn = self.pool(c).acquire().await.map_err(fail)?;
        // Lock first so no new session starts, then end the open ones: DROP USER
        // alone leaves them running.
        let lock = format!("ALTER USER IF EXISTS {}@'%' ACCOUNT LOCK", literal(name));
        sqlx::raw_sql(AssertSqlSafe(lock)).execute(&mut *conn).await.map_err(fail)?;
        let sessions: Vec<u64> =
            sqlx::query_scalar("SELECT CAST(ID AS UNSIGNED) FROM information_schema.PROCESSLIST WHERE USER = ?")
                .bind(name)
                .fetch_all(&mut *conn)
                .await
                .map_err(fail)?;
        for id in sessions {
            // A session that ended meanwhile is fine ("Unknown thread id").
            let _ = sqlx::raw_sql(AssertSqlSafe(format!("KILL CONNECTION {id}"))).execute(&mut *conn).await;
        }
        let sql = render(c.str("revocation_statements").unwrap_or(DEFAULT_REVOKE), name, "");
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *conn).await.map_err(fail)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn literals_survive_hostile_text() {
        assert_eq!(super::literal(r"a'b\"), r"'a''b\\'");
        assert_eq!(
            super::render("CREATE USER {{name}}@'%' IDENTIFIED BY {{password}}", "u", "p'"),
            "CREATE USER 'u'@'%' IDENTIFIED BY 'p'''"
        );
    }
}
