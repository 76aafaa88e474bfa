//! Lease engine figures (issue 3), printed, never asserted:
//!   P1 issue latency through the API ÷ raw CREATE ROLE + GRANT on an open connection (p50)
//!   P2 expiry lag (gone at the provider − expires_at) for 1,000 leases due in one second (p99)
//!   P3 start → /readyz 200 with 1,000,000 leases in the store
//!   P4 sustained issue throughput ÷ raw CREATE ROLE throughput
//! Needs the release server (target/release/leasehold) and the password-checked
//! PostgreSQL on 127.0.0.1:5433 (.ci/pg-scram.sh). Run by `make bench`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// `Server` kills and waits for its child in `Drop`, which the lint cannot see.
#![allow(clippy::zombie_processes)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection, PgSslMode};
use sea_orm::sqlx::{self, AssertSqlSafe, Connection};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{json, Value};

const CREATE: &str = "CREATE ROLE {{name}} WITH LOGIN PASSWORD {{password}} VALID UNTIL {{expiration}}; \
                      GRANT pg_read_all_data TO {{name}};";
const P1_N: usize = 200;
const P2_N: usize = 1000;
const P3_N: usize = 1_000_000;
const P4_N: usize = 400;
const CONCURRENCY: usize = 8;

fn pg_options() -> PgConnectOptions {
    PgConnectOptions::new_without_pgpass()
        .host("127.0.0.1")
        .port(5433)
        .database("postgres")
        .username("postgres")
        .password("leasehold-root")
        .ssl_mode(PgSslMode::Disable)
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the release server on `store`; returns it once /readyz answers 200,
/// with the time that took.
async fn start(dir: &Path, store: &str, port: u16) -> (Server, Duration) {
    let started = Instant::now();
    let child = Command::new("target/release/leasehold")
        .arg("serve")
        .env("DATABASE_URL", store)
        .env("LEASEHOLD_DATA_DIR", dir)
        .env("LEASEHOLD_ADDR", format!("127.0.0.1:{port}"))
        .env("LEASEHOLD_LEASE_QUOTA", "1000000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("target/release/leasehold (make build)");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    loop {
        if http.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            return (Server { child, base }, started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let r = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {v}");
        v
    }
}

/// Signs up, makes an Enterprise org with an SSE app and a PostgreSQL secret.
async fn setup(base: &str) -> (Api, String) {
    let http = reqwest::Client::new();
    let creds = json!({"email": "bench@example.com", "password": "benchmark password", "name": "Bench"});
    http.post(format!("{base}/api/v1/auth/signup")).json(&creds).send().await.unwrap();
    let login: Value =
        http.post(format!("{base}/api/v1/auth/login")).json(&creds).send().await.unwrap().json().await.unwrap();
    let api = Api { http, base: base.into(), token: login["token"].as_str().unwrap().into() };
    let org = api.call(reqwest::Method::POST, "/orgs", json!({"name": "Bench"})).await;
    let org = org["id"].as_str().unwrap();
    api.call(reqwest::Method::PUT, &format!("/orgs/{org}/plan"), json!({"plan": "enterprise"})).await;
    let app = api.call(reqwest::Method::POST, &format!("/orgs/{org}/apps"), json!({"name": "bench"})).await;
    let app_id = app["id"].as_str().unwrap();
    api.call(reqwest::Method::PUT, &format!("/apps/{app_id}/sse"), json!({"enabled": true})).await;
    let env = app["environments"][0]["id"].as_str().unwrap();
    let secret = api
        .call(
            reqwest::Method::POST,
            &format!("/environments/{env}/dynamic-secrets"),
            json!({"name": "bench", "provider": "postgres", "default_ttl": 3600, "max_ttl": 7200,
                   "config": {"host": "127.0.0.1", "port": 5433, "database": "postgres", "username": "postgres",
                              "password": "leasehold-root", "ssl_mode": "disable",
                              "username_template": "lhb_{{random}}", "creation_statements": CREATE}}),
        )
        .await;
    (api, secret["id"].as_str().unwrap().to_string())
}

async fn issue(api: &Api, secret: &str) -> Value {
    api.call(reqwest::Method::POST, &format!("/dynamic-secrets/{secret}/leases"), json!({"name": "bench"})).await
}

fn raw_sql(i: usize) -> String {
    let name = format!("lhraw_{}_{i}", std::process::id());
    CREATE
        .replace("{{name}}", &format!("\"{name}\""))
        .replace("{{password}}", "'Raw0Password0For0Bench0000000000'")
        .replace("{{expiration}}", "'2100-01-01T00:00:00Z'")
}

async fn raw_create(conn: &mut PgConnection, i: usize) -> Duration {
    let t = Instant::now();
    sqlx::raw_sql(AssertSqlSafe(raw_sql(i))).execute(&mut *conn).await.unwrap();
    t.elapsed()
}

fn percentile(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1]
}

async fn drop_roles(prefix: &str) {
    let mut c = PgConnection::connect_with(&pg_options()).await.unwrap();
    let names: Vec<String> = sqlx::query_scalar("SELECT rolname::text FROM pg_roles WHERE starts_with(rolname, $1)")
        .bind(prefix)
        .fetch_all(&mut c)
        .await
        .unwrap();
    for n in names {
        sqlx::raw_sql(AssertSqlSafe(format!("DROP OWNED BY \"{n}\"; DROP ROLE \"{n}\"")))
            .execute(&mut c)
            .await
            .unwrap();
    }
}

#[tokio::main]
async fn main() {
    leasehold::providers::install_tls();
    let dir = PathBuf::from(format!("/tmp/leasehold-lease-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.join("leasehold.db").display()));
    println!("store: {}", if store.starts_with("sqlite") { "SQLite" } else { "PostgreSQL" });
    let (server, _) = start(&dir, &store, 3192).await;
    let (api, secret) = setup(&server.base).await;
    let mut raw = PgConnection::connect_with(&pg_options()).await.unwrap();
    for i in 0..10 {
        issue(&api, &secret).await; // warm-up: pools, caches
        raw_create(&mut raw, 1_000_000 + i).await;
    }

    // P1: interleaved, so both sides see the same machine.
    let (mut via_api, mut direct) = (vec![], vec![]);
    for i in 0..P1_N {
        let t = Instant::now();
        issue(&api, &secret).await;
        via_api.push(t.elapsed());
        direct.push(raw_create(&mut raw, i).await);
    }
    let (a, r) = (percentile(via_api, 0.5), percentile(direct, 0.5));
    println!(
        "P1 issue latency p50: API {:.2} ms, raw CREATE ROLE + GRANT {:.2} ms, ratio {:.2}x (goal <= 1.3x)",
        a.as_secs_f64() * 1e3,
        r.as_secs_f64() * 1e3,
        a.as_secs_f64() / r.as_secs_f64()
    );

    // P4: CONCURRENCY clients each way.
    let t = Instant::now();
    stream::iter(0..P4_N)
        .for_each_concurrent(CONCURRENCY, |_| async {
            issue(&api, &secret).await;
        })
        .await;
    let api_rate = P4_N as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    stream::iter(0..CONCURRENCY)
        .for_each_concurrent(CONCURRENCY, |c| async move {
            let mut conn = PgConnection::connect_with(&pg_options()).await.unwrap();
            for i in (c..P4_N).step_by(CONCURRENCY) {
                raw_create(&mut conn, 10_000 + i).await;
            }
        })
        .await;
    let raw_rate = P4_N as f64 / t.elapsed().as_secs_f64();
    println!(
        "P4 sustained issue throughput ({CONCURRENCY} clients): API {api_rate:.0}/s, raw CREATE ROLE {raw_rate:.0}/s, ratio {:.2} (goal >= 0.8)",
        api_rate / raw_rate
    );
    drop_roles(&format!("lhraw_{}", std::process::id())).await;

    // P2: 1,000 leases made due within one second, by moving their expiry in the store.
    let db = Database::connect(&store).await.unwrap();
    db.execute_unprepared("UPDATE leases SET expires_at = 4102444800000 WHERE status = 'active'").await.unwrap();
    let mut issued = vec![];
    for _ in 0..P2_N {
        let v = issue(&api, &secret).await;
        issued.push((
            v["lease"]["id"].as_str().unwrap().to_string(),
            v["credentials"]["DB_USERNAME"].as_str().unwrap().to_string(),
        ));
    }
    let due_at = leasehold::clock::now_ms() + 5_000;
    let mut expiry = std::collections::HashMap::new();
    let tx = {
        use sea_orm::TransactionTrait;
        db.begin().await.unwrap()
    };
    for (i, (id, name)) in issued.iter().enumerate() {
        let at = due_at + (i as i64 * 997) % 1000;
        tx.execute_unprepared(&format!("UPDATE leases SET expires_at = {at} WHERE id = '{id}'")).await.unwrap();
        expiry.insert(name.clone(), at);
    }
    tx.commit().await.unwrap();
    let names: Vec<String> = issued.into_iter().map(|(_, n)| n).collect();
    let mut pending: HashSet<String> = names.iter().cloned().collect();
    let mut lags = vec![];
    let mut conn = PgConnection::connect_with(&pg_options()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !pending.is_empty() && Instant::now() < deadline {
        let present: HashSet<String> =
            sqlx::query_scalar::<_, String>("SELECT rolname::text FROM pg_roles WHERE starts_with(rolname, 'lhb_')")
                .fetch_all(&mut conn)
                .await
                .unwrap()
                .into_iter()
                .collect();
        let now = leasehold::clock::now_ms();
        pending.retain(|n| {
            if present.contains(n) {
                return true;
            }
            lags.push(Duration::from_millis((now - expiry[n]).max(0) as u64));
            false
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    println!(
        "P2 expiry lag for {P2_N} leases due within one second: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms{} (goal p99 <= 1 s)",
        percentile(lags.clone(), 0.5).as_secs_f64() * 1e3,
        percentile(lags.clone(), 0.99).as_secs_f64() * 1e3,
        percentile(lags, 1.0).as_secs_f64() * 1e3,
        if pending.is_empty() { String::new() } else { format!(", {} never went", pending.len()) }
    );
    drop(server);
    db.execute_unprepared("UPDATE leases SET status = 'revoked' WHERE status = 'active'").await.unwrap();
    drop_roles("lhb_").await;

    // P3: a store holding 1,000,000 leases (1 % of them active), then a cold start.
    let lease = {
        use sea_orm::EntityTrait;
        leasehold::db::entities::leases::Entity::find().one(&db).await.unwrap().unwrap()
    };
    let t = Instant::now();
    let chunk = 500;
    for start_at in (0..P3_N).step_by(chunk) {
        let rows: Vec<String> = (start_at..start_at + chunk)
            .map(|i| {
                let status = if i % 100 == 0 { "active" } else { "revoked" };
                format!(
                    "('{:032x}', '{}', '{}', '{}', 'bulk', '{status}', x'00', 'user', 'u', 'u', {c}, {e}, {e}, 0)",
                    i,
                    lease.dynamic_secret_id,
                    lease.app_id,
                    lease.environment_id,
                    c = 1_700_000_000_000i64 + i as i64,
                    e = 4_102_444_800_000i64 + i as i64,
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO leases (id, dynamic_secret_id, app_id, environment_id, name, status, handle_sealed, owner_kind, \
             owner_id, owner_name, created_at, expires_at, max_expires_at, attempts) VALUES {}",
            rows.join(",")
        );
        let sql = if store.starts_with("postgres") { sql.replace("x'00'", "'\\x00'::bytea") } else { sql };
        db.execute_unprepared(&sql).await.unwrap();
    }
    println!("(P3 set-up: {P3_N} leases written in {:.0} s)", t.elapsed().as_secs_f64());
    drop(db);
    let (server, ready) = start(&dir, &store, 3193).await;
    println!(
        "P3 start to /readyz 200 with {P3_N} leases in the store: {:.0} ms (goal <= 1 s)",
        ready.as_secs_f64() * 1e3
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
