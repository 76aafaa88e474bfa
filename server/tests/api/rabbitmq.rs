//! The RabbitMQ provider against the real broker: users made through the
//! management API (127.0.0.1:15672), proven over AMQP itself (5672).
use std::time::Duration;

use leasehold::clock::now_ms;
use leasehold::worker::run_once;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::pg::{enterprise_org, prefix, Proxy};

fn config(port: u16, prefix: &str) -> Value {
    json!({"url": format!("http://127.0.0.1:{port}"), "username": "guest", "password": "guest",
           "read": "^app\\.", "username_template": format!("{prefix}_{{{{random}}}}")})
}

/// A minimal AMQP 0-9-1 client: just enough to log in with PLAIN and open a vhost.
struct Amqp(TcpStream);

fn frame(payload: &[u8]) -> Vec<u8> {
    let mut f = vec![1, 0, 0];
    f.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    f.extend_from_slice(payload);
    f.push(0xCE);
    f
}

fn shortstr(out: &mut Vec<u8>, s: &str) {
    out.push(s.len() as u8);
    out.extend_from_slice(s.as_bytes());
}

impl Amqp {
    /// (class, method) of the next method frame; None when the broker closed the socket.
    async fn next_method(&mut self) -> Option<(u16, u16)> {
        let mut header = [0u8; 7];
        self.0.read_exact(&mut header).await.ok()?;
        let size = u32::from_be_bytes(header[3..7].try_into().unwrap()) as usize;
        let mut payload = vec![0u8; size + 1];
        self.0.read_exact(&mut payload).await.ok()?;
        Some((u16::from_be_bytes([payload[0], payload[1]]), u16::from_be_bytes([payload[2], payload[3]])))
    }

    /// Logs in and opens vhost `/`; Err when the broker refuses.
    async fn login(user: &str, password: &str) -> Result<Amqp, String> {
        let mut c = Amqp(TcpStream::connect("127.0.0.1:5672").await.unwrap());
        c.0.write_all(b"AMQP\x00\x00\x09\x01").await.unwrap();
        assert_eq!(c.next_method().await, Some((10, 10)), "Connection.Start");
        let mut start_ok = vec![0, 10, 0, 11, 0, 0, 0, 0];
        shortstr(&mut start_ok, "PLAIN");
        let response = format!("\0{user}\0{password}");
        start_ok.extend_from_slice(&(response.len() as u32).to_be_bytes());
        start_ok.extend_from_slice(response.as_bytes());
        shortstr(&mut start_ok, "en_US");
        c.0.write_all(&frame(&start_ok)).await.unwrap();
        match c.next_method().await {
            Some((10, 30)) => {}
            other => return Err(format!("refused: {other:?}")),
        }
        let mut tune_ok = vec![0, 10, 0, 31, 0, 1, 0, 2, 0, 0, 0, 0];
        tune_ok[10..12].copy_from_slice(&0u16.to_be_bytes());
        c.0.write_all(&frame(&tune_ok)).await.unwrap();
        let mut open = vec![0, 10, 0, 40];
        shortstr(&mut open, "/");
        shortstr(&mut open, "");
        open.push(0);
        c.0.write_all(&frame(&open)).await.unwrap();
        match c.next_method().await {
            Some((10, 41)) => Ok(c),
            other => Err(format!("vhost refused: {other:?}")),
        }
    }

    /// True when the broker ends this connection within a few seconds.
    async fn closed_by_broker(mut self) -> bool {
        matches!(tokio::time::timeout(Duration::from_secs(5), self.next_method()).await, Ok(None | Some((10, 50))))
    }
}

async fn users_with_prefix(prefix: &str) -> Vec<String> {
    let users: Value = reqwest::Client::new()
        .get("http://127.0.0.1:15672/api/users")
        .basic_auth("guest", Some("guest"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    users
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["name"].as_str())
        .filter(|n| n.starts_with(prefix))
        .map(String::from)
        .collect()
}

#[tokio::test]
async fn rabbitmq_users_log_in_until_revoked_and_their_connections_close() {
    let org = enterprise_org().await;
    let p = prefix();
    let path = format!("/environments/{}/dynamic-secrets", org.envs[0]);
    for (field, value, status) in [
        ("password", json!("wrong"), 422),
        ("url", json!("ftp://127.0.0.1"), 400),
        ("url", json!("http://guest:guest@127.0.0.1:15672"), 400),
        ("tags", json!("administrator\",\"x"), 400),
        ("vhost", json!("no-such-vhost"), 422),
    ] {
        let mut c = config(15672, &p);
        c[field] = value;
        let (s, out) = org.app.post(&path, &org.owner, json!({"name": "x", "provider": "rabbitmq", "config": c})).await;
        assert_eq!(s.as_u16(), status, "{field}: {out}");
    }

    let secret = org.create_secret("rabbitmq", config(15672, &p), "events", json!({})).await;
    let issued = org.lease(&org.owner, &secret, json!({"name": "consumer"})).await;
    let (user, password) = (
        issued["credentials"]["RABBITMQ_USERNAME"].as_str().unwrap(),
        issued["credentials"]["RABBITMQ_PASSWORD"].as_str().unwrap(),
    );
    let session = Amqp::login(user, password).await.expect("the issued credentials log in over AMQP");
    assert!(Amqp::login(user, "wrong").await.is_err(), "the broker checks the password");

    let revoked = org.revoke(issued["lease"]["id"].as_str().unwrap()).await;
    assert_eq!(revoked["status"], "revoked");
    assert!(session.closed_by_broker().await, "the open connection was closed");
    assert!(Amqp::login(user, password).await.is_err(), "revoked credentials no longer log in");
    assert!(users_with_prefix(&p).await.is_empty());
}

#[tokio::test]
async fn rabbitmq_leases_expire_and_survive_an_outage() {
    let org = enterprise_org().await;
    let proxy = Proxy::start(15672).await;
    let p = prefix();
    let secret = org.create_secret("rabbitmq", config(proxy.port, &p), "events", json!({"default_ttl": 60})).await;
    let a = org.lease(&org.owner, &secret, json!({"name": "a"})).await;
    let b = org.lease(&org.owner, &secret, json!({"name": "b"})).await;
    proxy.cut();
    let lease = org.revoke(a["lease"]["id"].as_str().unwrap()).await;
    assert_eq!(lease["status"], "revoking", "{lease}");
    assert!(lease["revocation"]["last_error"].as_str().unwrap().contains("RabbitMQ"), "{lease}");
    proxy.restore();
    run_once(&org.app.services, now_ms() + 61_000).await.unwrap();
    for l in [&a, &b] {
        let (_, lease) = org.app.get(&format!("/leases/{}", l["lease"]["id"].as_str().unwrap()), &org.owner).await;
        assert!(["revoked", "expired"].contains(&lease["status"].as_str().unwrap()), "{lease}");
    }
    assert!(users_with_prefix(&p).await.is_empty());
}
