//! The MySQL/MariaDB provider against the real MariaDB on 127.0.0.1:3306
//! (root, empty password over TCP — `.ci/services.sh` sets that up).
use leasehold::clock::now_ms;
use leasehold::worker::run_once;
use reqwest::StatusCode;
use sea_orm::sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sea_orm::sqlx::{self, Connection};
use serde_json::{json, Value};

use crate::pg::{enterprise_org, prefix, Proxy};

const PORT: u16 = 3306;

fn config(port: u16, prefix: &str) -> Value {
    json!({"host": "127.0.0.1", "port": port, "username": "root", "password": "",
           "username_template": format!("{prefix}_{{{{random}}}}")})
}

async fn connect(user: &str, password: &str) -> Result<MySqlConnection, sqlx::Error> {
    let mut o = MySqlConnectOptions::new().host("127.0.0.1").port(PORT).username(user);
    if !password.is_empty() {
        o = o.password(password);
    }
    MySqlConnection::connect_with(&o).await
}

async fn users_with_prefix(prefix: &str) -> Vec<String> {
    let mut root = connect("root", "").await.expect("MariaDB root over TCP (run .ci/services.sh)");
    sqlx::query_scalar("SELECT CAST(User AS CHAR) FROM mysql.user WHERE User LIKE CONCAT(?, '%')")
        .bind(prefix)
        .fetch_all(&mut root)
        .await
        .unwrap()
}

#[tokio::test]
async fn mysql_credentials_work_until_revoked_and_sessions_end() {
    let org = enterprise_org().await;
    let p = prefix();
    let mut bad = config(PORT, &p);
    bad["password"] = json!("wrong");
    let (s, out) = org
        .app
        .post(
            &format!("/environments/{}/dynamic-secrets", org.envs[0]),
            &org.owner,
            json!({"name": "x", "provider": "mysql", "config": bad}),
        )
        .await;
    assert_eq!(s.as_u16(), 422, "{out}");
    assert!(out["error"]["message"].as_str().unwrap().contains("Access denied"), "{out}");

    let secret = org
        .create_secret(
            "mysql",
            config(PORT, &p),
            "shop",
            json!({"outputs": {"username": "MYSQL_USER", "password": "MYSQL_PASSWORD"}}),
        )
        .await;
    let issued = org.lease(&org.owner, &secret, json!({"name": "reporting"})).await;
    let (user, password) = (
        issued["credentials"]["MYSQL_USER"].as_str().unwrap(),
        issued["credentials"]["MYSQL_PASSWORD"].as_str().unwrap(),
    );
    assert!(user.starts_with(&p) && user.len() <= 32);
    let mut session = connect(user, password).await.expect("the issued credentials log in over TCP");
    sqlx::query("SELECT 1").execute(&mut session).await.unwrap();
    assert!(connect(user, "wrong").await.is_err(), "MariaDB really checks the password");

    let revoked = org.revoke(issued["lease"]["id"].as_str().unwrap()).await;
    assert_eq!(revoked["status"], "revoked", "{revoked}");
    assert!(sqlx::query("SELECT 1").execute(&mut session).await.is_err(), "the open session was ended");
    assert!(connect(user, password).await.is_err(), "revoked credentials no longer log in");
    assert!(users_with_prefix(&p).await.is_empty());
}

#[tokio::test]
async fn mysql_leases_expire_and_survive_an_outage() {
    let org = enterprise_org().await;
    let proxy = Proxy::start(PORT).await;
    let p = prefix();
    let secret = org.create_secret("mysql", config(proxy.port, &p), "shop", json!({"default_ttl": 60})).await;
    let a = org.lease(&org.owner, &secret, json!({"name": "a"})).await;
    let b = org.lease(&org.owner, &secret, json!({"name": "b"})).await;
    let (id, b_id) = (a["lease"]["id"].as_str().unwrap(), b["lease"]["id"].as_str().unwrap());
    // Renewal has no native expiry to move: only the lease's own.
    let (s, renewed) = org.app.post(&format!("/leases/{b_id}/renew"), &org.owner, json!({"ttl": 60})).await;
    assert_eq!(s, StatusCode::OK, "{renewed}");

    proxy.cut();
    let lease = org.revoke(id).await;
    assert_eq!(lease["status"], "revoking");
    assert!(lease["revocation"]["last_error"].as_str().unwrap().contains("MySQL"), "{lease}");
    proxy.restore();
    run_once(&org.app.services, now_ms() + 61_000).await.unwrap();
    let (_, lease) = org.app.get(&format!("/leases/{id}"), &org.owner).await;
    assert_eq!(lease["status"], "revoked");
    let (_, lease) = org.app.get(&format!("/leases/{b_id}"), &org.owner).await;
    assert_eq!(lease["status"], "active", "renewed past the first expiry");
    run_once(&org.app.services, now_ms() + 121_000).await.unwrap();
    let (_, lease) = org.app.get(&format!("/leases/{b_id}"), &org.owner).await;
    assert_eq!(lease["status"], "expired");
    assert!(users_with_prefix(&p).await.is_empty());
    let creds = &b["credentials"];
    assert!(connect(creds["DB_USERNAME"].as_str().unwrap(), creds["DB_PASSWORD"].as_str().unwrap()).await.is_err());
}
