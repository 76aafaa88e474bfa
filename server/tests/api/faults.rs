//! Faults: the provider going away during revocation, the server killed while
//! issuing, and two server processes sharing one store.
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use leasehold::clock::now_ms;
use leasehold::worker::run_once;
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::TestApp;
use crate::pg::{self, can_login, enterprise_org, roles_with_prefix, Proxy};

#[tokio::test]
async fn revocation_is_retried_until_the_provider_is_back() {
    let org = enterprise_org().await;
    let proxy = Proxy::start(pg::PORT).await;
    let prefix = pg::prefix();
    let secret = org.secret_on(proxy.port, "orders", &prefix, json!({})).await;
    let issued = org.lease(&org.owner, &secret, json!({"name": "a"})).await;
    let id = issued["lease"]["id"].as_str().unwrap();

    proxy.cut();
    let (s, lease) = org.app.post(&format!("/leases/{id}/revoke"), &org.owner, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{lease}");
    assert_eq!(lease["status"], "revoking");
    let rev = &lease["revocation"];
    assert_eq!((rev["reason"].as_str(), rev["attempts"].as_i64()), (Some("manual"), Some(1)));
    assert!(rev["last_error"].as_str().unwrap().contains("PostgreSQL"), "{rev}");
    assert!(rev["next_attempt_at"].is_string());
    assert_eq!(roles_with_prefix(&prefix).await.len(), 1, "still there while unreachable");

    // Still down at the next attempt: another failure, a longer wait.
    let report = run_once(&org.app.services, now_ms() + 2_000).await.unwrap();
    assert_eq!(report.attempted, 1);
    let (_, lease) = org.app.get(&format!("/leases/{id}"), &org.owner).await;
    assert_eq!((lease["status"].as_str(), lease["revocation"]["attempts"].as_i64()), (Some("revoking"), Some(2)));

    proxy.restore();
    let report = run_once(&org.app.services, now_ms() + 600_000).await.unwrap();
    assert_eq!(report.attempted, 1);
    let (_, lease) = org.app.get(&format!("/leases/{id}"), &org.owner).await;
    assert_eq!(lease["status"], "revoked");
    assert!(roles_with_prefix(&prefix).await.is_empty());
    assert!(
        !can_login(
            issued["credentials"]["DB_USERNAME"].as_str().unwrap(),
            issued["credentials"]["DB_PASSWORD"].as_str().unwrap()
        )
        .await
    );
    assert_eq!(
        org.events(&org.owner, id).await,
        ["created", "revoke_requested", "revoke_failed", "revoke_failed", "revoked"]
    );
}

/// A `leasehold serve` process on the test app's store and master key.
fn server(app: &TestApp) -> (Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(env!("CARGO_BIN_EXE_leasehold"))
        .arg("serve")
        .env("DATABASE_URL", &app.database_url)
        .env("LEASEHOLD_DATA_DIR", &app.data_dir)
        .env("LEASEHOLD_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (child, port)
}

async fn wait_ready(port: u16) {
    for _ in 0..100 {
        if reqwest::get(format!("http://127.0.0.1:{port}/readyz")).await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server on {port} did not become ready");
}

#[tokio::test]
async fn a_server_killed_while_issuing_leaves_nothing_behind() {
    let org = enterprise_org().await;
    let prefix = pg::prefix();
    // Commits the role, then stalls: the kill lands after the provider made it
    // and before the lease row could record success.
    let slow = "CREATE ROLE {{name}} WITH LOGIN PASSWORD {{password}} VALID UNTIL {{expiration}}; COMMIT; SELECT pg_sleep(30);";
    let secret = org.secret("orders", &prefix, json!({})).await;
    let mut config = pg::config(pg::PORT, &prefix);
    config["creation_statements"] = json!(slow);
    let path = format!("/dynamic-secrets/{}", secret["id"].as_str().unwrap());
    let (s, out) = org.app.call(reqwest::Method::PATCH, &path, Some(&org.owner), Some(json!({"config": config}))).await;
    assert_eq!(s, StatusCode::OK, "{out}");

    let (mut child, port) = server(&org.app);
    wait_ready(port).await;
    let url = format!("http://127.0.0.1:{port}/api/v1{path}/leases");
    let owner = org.owner.clone();
    let request = tokio::spawn(async move {
        reqwest::Client::new().post(url).bearer_auth(owner).json(&json!({"name": "doomed"})).send().await
    });
    let mut made = vec![];
    for _ in 0..100 {
        made = roles_with_prefix(&prefix).await;
        if !made.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(made.len(), 1, "the provider made the role");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(request.await.unwrap().is_err(), "the request died with the server");

    let (_, leases) = org.app.get(&format!("{path}/leases?status=all"), &org.owner).await;
    assert_eq!(leases[0]["status"], "creating", "the intent was recorded first");
    let id = leases[0]["id"].as_str().unwrap().to_string();
    // Not yet stale: the sweeper leaves it alone.
    assert_eq!(run_once(&org.app.services, now_ms()).await.unwrap().attempted, 0);
    let report = run_once(&org.app.services, now_ms() + leasehold::lifecycle::STALE_CREATING_MS + 1_000).await.unwrap();
    assert_eq!(report.attempted, 1);
    assert!(roles_with_prefix(&prefix).await.is_empty(), "cleaned up at the provider");
    let (_, lease) = org.app.get(&format!("/leases/{id}"), &org.owner).await;
    assert_eq!(lease["status"], "failed");
    assert_eq!(org.events(&org.owner, &id).await, ["create_failed"]);
}

#[tokio::test]
async fn two_servers_on_one_store_expire_each_lease_exactly_once() {
    let org = enterprise_org().await;
    let prefix = pg::prefix();
    let secret = org.secret("orders", &prefix, json!({"default_ttl": 2})).await;
    let mut ids = vec![];
    for i in 0..12 {
        ids.push(
            org.lease(&org.owner, &secret, json!({"name": format!("l{i}")})).await["lease"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let (mut a, pa) = server(&org.app);
    let (mut b, pb) = server(&org.app);
    wait_ready(pa).await;
    wait_ready(pb).await;
    let path = format!("/dynamic-secrets/{}/leases", secret["id"].as_str().unwrap());
    for _ in 0..150 {
        let (_, active) = org.app.get(&path, &org.owner).await;
        if active.as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    a.kill().unwrap();
    b.kill().unwrap();
    let _ = (a.wait(), b.wait());
    for id in &ids {
        assert_eq!(org.events(&org.owner, id).await, ["created", "revoke_requested", "expired"], "lease {id}");
    }
    assert!(roles_with_prefix(&prefix).await.is_empty());
}
