//! The Redis provider against the real Redis on 127.0.0.1:6379.
use leasehold::clock::now_ms;
use leasehold::worker::run_once;
use redis::AsyncCommands;
use serde_json::{json, Value};

use crate::pg::{enterprise_org, prefix, Proxy};

const PORT: u16 = 6379;

fn config(port: u16, prefix: &str) -> Value {
    json!({"host": "127.0.0.1", "port": port, "acl_rules": "~app:* +@read +@write -@dangerous",
           "username_template": format!("{prefix}_{{{{random}}}}")})
}

async fn root() -> redis::aio::MultiplexedConnection {
    redis::Client::open("redis://127.0.0.1:6379").unwrap().get_multiplexed_async_connection().await.unwrap()
}

/// AUTH on a fresh connection, checking the reply (a failed AUTH leaves the
/// connection logged in as `default`, so only the reply tells).
async fn auth(user: &str, password: &str) -> Result<redis::aio::MultiplexedConnection, redis::RedisError> {
    let mut con = root().await;
    redis::cmd("AUTH").arg(user).arg(password).query_async::<()>(&mut con).await?;
    Ok(con)
}

async fn users_with_prefix(prefix: &str) -> Vec<String> {
    let users: Vec<String> = redis::cmd("ACL").arg("USERS").query_async(&mut root().await).await.unwrap();
    users.into_iter().filter(|u| u.starts_with(prefix)).collect()
}

#[tokio::test]
async fn redis_credentials_are_scoped_and_die_with_the_lease() {
    let org = enterprise_org().await;
    let p = prefix();
    let path = format!("/environments/{}/dynamic-secrets", org.envs[0]);
    for rules in ["~* nopass", "+@all >extra-password", "on ~*", "resetpass", "~* #abcd"] {
        let mut c = config(PORT, &p);
        c["acl_rules"] = json!(rules);
        let (s, out) = org.app.post(&path, &org.owner, json!({"name": "x", "provider": "redis", "config": c})).await;
        assert_eq!(s.as_u16(), 400, "{rules}: {out}");
    }
    let mut wrong = config(PORT, &p);
    wrong["password"] = json!("nope");
    let (s, out) = org.app.post(&path, &org.owner, json!({"name": "x", "provider": "redis", "config": wrong})).await;
    assert_eq!(s.as_u16(), 422, "{out}");

    let secret = org.create_secret("redis", config(PORT, &p), "cache", json!({})).await;
    let issued = org.lease(&org.owner, &secret, json!({"name": "worker"})).await;
    let (user, password) = (
        issued["credentials"]["REDIS_USERNAME"].as_str().unwrap(),
        issued["credentials"]["REDIS_PASSWORD"].as_str().unwrap(),
    );
    let mut session = auth(user, password).await.expect("the issued credentials authenticate");
    let _: () = session.set("app:greeting", "hello").await.unwrap();
    assert!(session.set::<_, _, ()>("other:key", "x").await.is_err(), "the ACL rules hold");
    assert!(auth(user, "wrong").await.is_err());

    let revoked = org.revoke(issued["lease"]["id"].as_str().unwrap()).await;
    assert_eq!(revoked["status"], "revoked");
    assert!(session.get::<_, Option<String>>("app:greeting").await.is_err(), "the open connection was killed");
    assert!(auth(user, password).await.is_err(), "revoked credentials no longer authenticate");
    assert!(users_with_prefix(&p).await.is_empty());
}

#[tokio::test]
async fn redis_leases_expire_and_survive_an_outage() {
    let org = enterprise_org().await;
    let proxy = Proxy::start(PORT).await;
    let p = prefix();
    let secret = org.create_secret("redis", config(proxy.port, &p), "cache", json!({"default_ttl": 60})).await;
    let a = org.lease(&org.owner, &secret, json!({"name": "a"})).await;
    let b = org.lease(&org.owner, &secret, json!({"name": "b"})).await;
    proxy.cut();
    let lease = org.revoke(a["lease"]["id"].as_str().unwrap()).await;
    assert_eq!(lease["status"], "revoking", "{lease}");
    assert!(lease["revocation"]["last_error"].as_str().unwrap().contains("Redis"), "{lease}");
    proxy.restore();
    run_once(&org.app.services, now_ms() + 61_000).await.unwrap();
    for l in [&a, &b] {
        let (_, lease) = org.app.get(&format!("/leases/{}", l["lease"]["id"].as_str().unwrap()), &org.owner).await;
        assert!(["revoked", "expired"].contains(&lease["status"].as_str().unwrap()), "{lease}");
        let creds = &l["credentials"];
        assert!(auth(creds["REDIS_USERNAME"].as_str().unwrap(), creds["REDIS_PASSWORD"].as_str().unwrap())
            .await
            .is_err());
    }
    assert!(users_with_prefix(&p).await.is_empty());
}
