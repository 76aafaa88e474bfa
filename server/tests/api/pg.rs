//! The PostgreSQL provider's target for tests: the password-checked cluster on
//! 127.0.0.1:5433 that `.ci/pg-scram.sh` sets up (trust auth on 5432 would
//! accept any password and ignore VALID UNTIL), and an org ready for dynamic secrets.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection, PgSslMode};
use sea_orm::sqlx::{self, Connection};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};

use crate::harness::TestApp;

pub const PORT: u16 = 5433;
pub const ROOT_PASSWORD: &str = "leasehold-root";

pub fn config(port: u16, prefix: &str) -> Value {
    json!({
        "host": "127.0.0.1", "port": port, "database": "postgres", "username": "postgres",
        "password": ROOT_PASSWORD, "ssl_mode": "disable",
        "username_template": format!("{prefix}_{{{{random}}}}"),
    })
}

/// A prefix no other test uses, so role counts are this test's own.
pub fn prefix() -> String {
    format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..8])
}

fn options(user: &str, password: &str) -> PgConnectOptions {
    PgConnectOptions::new_without_pgpass()
        .host("127.0.0.1")
        .port(PORT)
        .database("postgres")
        .username(user)
        .password(password)
        .ssl_mode(PgSslMode::Disable)
}

/// A session over TCP, password-checked.
pub async fn login(user: &str, password: &str) -> Result<PgConnection, sqlx::Error> {
    PgConnection::connect_with(&options(user, password)).await
}

/// Logs in over TCP with a password check and runs a query.
pub async fn can_login(user: &str, password: &str) -> bool {
    match login(user, password).await {
        Ok(mut c) => sqlx::query("SELECT 1").execute(&mut c).await.is_ok(),
        Err(_) => false,
    }
}

pub async fn root() -> PgConnection {
    PgConnection::connect_with(&options("postgres", ROOT_PASSWORD))
        .await
        .expect("the password-checked PostgreSQL on 5433 (run .ci/pg-scram.sh)")
}

pub async fn roles_with_prefix(prefix: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT rolname::text FROM pg_roles WHERE starts_with(rolname, $1) ORDER BY 1")
        .bind(prefix)
        .fetch_all(&mut root().await)
        .await
        .unwrap()
}

/// An owner (the instance admin), an Enterprise org, an app with SSE on.
pub struct Org {
    pub app: TestApp,
    pub owner: String,
    pub org: String,
    pub app_id: String,
    /// development, staging, production
    pub envs: Vec<String>,
}

pub async fn enterprise_org() -> Org {
    enterprise_org_with(&[]).await
}

pub async fn enterprise_org_with(extra: &[(&str, &str)]) -> Org {
    let app = TestApp::spawn_with(extra).await;
    let owner = app.user("owner@example.com").await;
    let org = app.org(&owner, "Acme").await;
    let (s, body) = app.put(&format!("/orgs/{org}/plan"), &owner, json!({"plan": "enterprise"})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let a = app.app(&owner, &org, "Billing").await;
    let app_id = a["id"].as_str().unwrap().to_string();
    let (s, body) = app.put(&format!("/apps/{app_id}/sse"), &owner, json!({"enabled": true})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let envs = a["environments"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
    Org { app, owner, org, app_id, envs }
}

impl Org {
    /// Creates a PostgreSQL dynamic secret in the first environment; returns it.
    pub async fn secret(&self, name: &str, prefix: &str, extra: Value) -> Value {
        self.secret_on(PORT, name, prefix, extra).await
    }

    pub async fn secret_on(&self, port: u16, name: &str, prefix: &str, extra: Value) -> Value {
        self.create_secret("postgres", config(port, prefix), name, extra).await
    }

    /// Creates a dynamic secret of any provider in the first environment; returns it.
    pub async fn create_secret(&self, provider: &str, config: Value, name: &str, extra: Value) -> Value {
        self.create_secret_in(0, provider, config, name, extra).await
    }

    /// Creates a dynamic secret in environment number `env` (0–2); returns it.
    pub async fn create_secret_in(&self, env: usize, provider: &str, config: Value, name: &str, extra: Value) -> Value {
        let mut body = json!({
            "name": name, "description": "test", "provider": provider,
            "config": config, "default_ttl": 3600, "max_ttl": 7200,
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, out) =
            self.app.post(&format!("/environments/{}/dynamic-secrets", self.envs[env]), &self.owner, body).await;
        assert_eq!(s, StatusCode::CREATED, "{out}");
        out
    }

    /// Revokes through the API; returns the lease as answered.
    pub async fn revoke(&self, lease_id: &str) -> Value {
        let (s, out) = self.app.post(&format!("/leases/{lease_id}/revoke"), &self.owner, json!({})).await;
        assert_eq!(s, StatusCode::OK, "{out}");
        out
    }

    /// Issues a lease as `token`; returns the whole answer.
    pub async fn lease(&self, token: &str, secret: &Value, body: Value) -> Value {
        let (s, out) =
            self.app.post(&format!("/dynamic-secrets/{}/leases", secret["id"].as_str().unwrap()), token, body).await;
        assert_eq!(s, StatusCode::CREATED, "{out}");
        out
    }

    pub async fn events(&self, token: &str, lease_id: &str) -> Vec<String> {
        let (s, body) = self.app.get(&format!("/leases/{lease_id}/events"), token).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body.as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap().to_string()).collect()
    }
}

/// A TCP proxy to the provider that the test can cut and restore, to play
/// an outage: cutting ends open connections and refuses new ones.
pub struct Proxy {
    pub port: u16,
    cut: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    pub async fn start(target: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let open = Arc::new(Mutex::new(Vec::new()));
        let (c, o) = (cut.clone(), open.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if c.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is refused
                }
                let task = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", target)).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                o.lock().unwrap().push(task);
            }
        });
        Proxy { port, cut, open }
    }

    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for task in self.open.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    pub fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}
