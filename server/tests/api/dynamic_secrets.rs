//! Dynamic secrets: validation (nothing written, nothing created at the
//! provider on bad input) and the plan, SSE, role and tenant gates.
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::error_code;
use crate::pg::{self, enterprise_org, roles_with_prefix};

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let org = enterprise_org().await;
    let prefix = pg::prefix();
    let path = format!("/environments/{}/dynamic-secrets", org.envs[0]);
    let base = json!({"name": "orders", "provider": "postgres", "config": pg::config(pg::PORT, &prefix),
                      "default_ttl": 60, "max_ttl": 120});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let with_config = |k: &str, v: Value| {
        let mut b = base.clone();
        b["config"][k] = v;
        b
    };
    let huge = "x".repeat(10_000);
    for (body, status, needle) in [
        (with("default_ttl", json!(0)), 400, "at least 1"),
        (with("default_ttl", json!(121)), 400, "must not exceed max_ttl (120 s)"),
        (with("max_ttl", json!(40_000_000)), 400, "maximum of 31536000"),
        (with("max_ttl", json!("120")), 400, "not valid"),
        (with("default_ttl", json!(1.5)), 400, "not valid"),
        (with("provider", json!("oracle")), 400, "provider must be one of"),
        (with("name", json!("")), 400, "cannot be empty"),
        (with("name", json!(huge.clone())), 400, "at most 100"),
        (with("outputs", json!({"username": "db-user"})), 400, "not valid"),
        (with("outputs", json!({"username": "1USER"})), 400, "not valid"),
        (with("outputs", json!({"username": "SAME", "password": "SAME"})), 400, "two outputs"),
        (with("outputs", json!({"token": "TOKEN"})), 400, "no \"token\""),
        (with("nonsense", json!(1)), 400, "not valid"),
        (with_config("port", json!(0)), 400, "from 1 to 65535"),
        (with_config("port", json!("5433; DROP")), 400, "whole number"),
        (with_config("creation_statements", json!(huge)), 400, "at most 8192"),
        (with_config("creation_statements", json!("CREATE ROLE {{name}} {{evil}}")), 400, "{{evil}}"),
        (with_config("host", json!("db\"; DROP TABLE x; --\n")), 400, "line breaks"),
        (with_config("ssl_mode", json!("maybe")), 400, "must be one of"),
        (with_config("password", json!("wrong password")), 422, "password authentication failed"),
        (with_config("port", json!(1)), 422, "unreachable"),
    ] {
        let (s, out) = org.app.post(&path, &org.owner, body.clone()).await;
        assert_eq!(s.as_u16(), status, "{body} -> {out}");
        let message = out["error"]["message"].as_str().unwrap();
        assert!(message.contains(needle), "{message:?} lacks {needle:?}");
        assert!(!message.contains(pg::ROOT_PASSWORD) && !message.contains("wrong password"), "{message}");
    }
    let (_, list) = org.app.get(&path, &org.owner).await;
    assert_eq!(list, json!([]), "nothing was written");

    // Hostile but valid text is stored as text and quoted at the provider.
    let hostile = "Robert'); DROP ROLE postgres; -- \"☃\" <script>";
    let secret = org.secret(hostile, &prefix, json!({"description": hostile})).await;
    assert_eq!(secret["name"], hostile);
    let issued = org.lease(&org.owner, &secret, json!({"name": hostile})).await;
    let user = issued["credentials"]["DB_USERNAME"].as_str().unwrap();
    assert!(user.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'), "{user}");
    assert_eq!(roles_with_prefix(&prefix).await, [user.to_string()]);
    assert!(pg::can_login("postgres", pg::ROOT_PASSWORD).await, "postgres survived");

    let (s, out) = org.app.post(&path, &org.owner, with("name", json!(hostile))).await;
    assert_eq!(s, StatusCode::CONFLICT, "duplicate name: {out}");
    let (s, out) = org.app.post(&path, &org.owner, with("name", json!("other"))).await;
    assert_eq!(s, StatusCode::CONFLICT, "duplicate keys in the environment: {out}");
    assert!(out["error"]["message"].as_str().unwrap().contains("is already used by"), "{out}");
    let elsewhere = format!("/environments/{}/dynamic-secrets", org.envs[1]);
    let (s, out) = org.app.post(&elsewhere, &org.owner, base.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "the same keys in another environment: {out}");
}

#[tokio::test]
async fn configure_keeps_blank_secrets_and_verifies_changes() {
    let org = enterprise_org().await;
    let secret = org.secret("orders", &pg::prefix(), json!({})).await;
    let path = format!("/dynamic-secrets/{}", secret["id"].as_str().unwrap());
    let patch = |body: Value| org.app.call(Method::PATCH, &path, Some(&org.owner), Some(body));
    let (s, out) = patch(json!({"description": "new", "config": {"host": "127.0.0.1", "port": pg::PORT, "database": "postgres", "username": "postgres", "ssl_mode": "disable", "password": ""}})).await;
    assert_eq!(s, StatusCode::OK, "blank password means unchanged: {out}");
    assert_eq!(out["description"], "new");
    let (s, out) = patch(json!({"config": {"host": "127.0.0.1", "port": pg::PORT, "database": "postgres", "username": "postgres", "password": "bad"}})).await;
    assert_eq!((s.as_u16(), error_code(&out)), (422, "provider_rejected"));
    let (s, _) = patch(json!({"provider": "mysql"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, out) = patch(json!({"default_ttl": 9000})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{out}");
    let (_, now) = org.app.get(&path, &org.owner).await;
    assert_eq!((now["description"].as_str(), now["default_ttl"].as_i64()), (Some("new"), Some(3600)));
    // Pointing the stored root password at another host needs the password typed again.
    let moved = json!({"host": "localhost", "port": pg::PORT, "database": "postgres", "username": "postgres", "ssl_mode": "disable"});
    let (s, out) = patch(json!({"config": moved.clone()})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{out}");
    assert!(out["error"]["message"].as_str().unwrap().contains("Enter the password again"), "{out}");
    // …and is refused while leases made at the old place are unfinished.
    let issued = org.lease(&org.owner, &secret, json!({"name": "pinned"})).await;
    let mut with_password = moved.clone();
    with_password["password"] = json!(pg::ROOT_PASSWORD);
    let (s, out) = patch(json!({"config": with_password.clone()})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{out}");
    org.revoke(issued["lease"]["id"].as_str().unwrap()).await;
    let (s, out) = patch(json!({"config": with_password})).await;
    assert_eq!((s, &out["config"]["host"]), (StatusCode::OK, &json!("localhost")), "{out}");
    let actions = org.app.audit_actions(&org.owner, &org.org).await;
    assert_eq!(actions.iter().filter(|a| a.as_str() == "dynamic_secret.updated").count(), 2, "{actions:?}");
    assert!(actions.contains(&"dynamic_secret.created".to_string()));
}

#[tokio::test]
async fn plan_sse_role_and_tenant_gates() {
    let org = enterprise_org().await;
    let prefix = pg::prefix();
    let secret = org.secret("orders", &prefix, json!({})).await;
    let sid = secret["id"].as_str().unwrap();
    let app = &org.app;
    let (dev, viewer, stranger) =
        (app.user("dev@example.com").await, app.user("viewer@example.com").await, app.user("eve@example.com").await);
    app.add(&org.owner, &org.org, "dev@example.com", "developer").await;
    app.add(&org.owner, &org.org, "viewer@example.com", "viewer").await;
    let leases = format!("/dynamic-secrets/{sid}/leases");
    let create = format!("/environments/{}/dynamic-secrets", org.envs[1]);
    let body = json!({"name": "x", "provider": "postgres", "config": pg::config(pg::PORT, &prefix)});

    // Roles.
    let (s, _) = app.get(&format!("/dynamic-secrets/{sid}"), &viewer).await;
    assert_eq!(s, StatusCode::OK, "viewers read");
    let (s, _) = app.post(&leases, &viewer, json!({"name": "v"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "viewers do not lease");
    let (s, _) = app.post(&create, &dev, body.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "developers do not configure");
    let owners = org.lease(&org.owner, &secret, json!({"name": "owner's"})).await;
    let devs = org.lease(&dev, &secret, json!({"name": "dev's"})).await;
    let (owner_lease, dev_lease) = (owners["lease"]["id"].as_str().unwrap(), devs["lease"]["id"].as_str().unwrap());
    let (s, _) = app.post(&format!("/leases/{owner_lease}/revoke"), &dev, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "developers revoke only their own");
    let (s, _) = app.post(&format!("/leases/{owner_lease}/renew"), &dev, json!({"ttl": 1})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.post(&format!("/leases/{dev_lease}/renew"), &dev, json!({"ttl": 1})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.post(&format!("/leases/{dev_lease}/revoke"), &viewer, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) =
        app.call(Method::DELETE, &format!("/dynamic-secrets/{sid}?revoke_leases=true"), Some(&dev), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Another tenant sees nothing.
    for path in [
        format!("/dynamic-secrets/{sid}"),
        leases.clone(),
        format!("/leases/{owner_lease}"),
        format!("/leases/{owner_lease}/events"),
        create.clone(),
    ] {
        let (s, _) = app.get(&path, &stranger).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let (s, _) = app.post(&format!("/leases/{owner_lease}/revoke"), &stranger, json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Plan: a downgrade stops issuing, renewing and configuring, never revoking.
    let (s, _) = app.put(&format!("/orgs/{}/plan", org.org), &org.owner, json!({"plan": "pro"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, out) = app.post(&leases, &org.owner, json!({"name": "y"})).await;
    assert_eq!((s, error_code(&out)), (StatusCode::FORBIDDEN, "plan_required"));
    assert!(out["error"]["message"].as_str().unwrap().contains("requires the Enterprise plan"));
    let (s, _) = app.post(&format!("/leases/{owner_lease}/renew"), &org.owner, json!({"ttl": 1})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.post(&create, &org.owner, body.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, out) = app.post(&format!("/leases/{owner_lease}/revoke"), &org.owner, json!({})).await;
    assert_eq!((s, &out["status"]), (StatusCode::OK, &json!("revoked")));
    let (s, _) =
        app.call(Method::DELETE, &format!("/dynamic-secrets/{sid}?revoke_leases=true"), Some(&org.owner), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    leasehold::worker::run_once(&app.services, leasehold::clock::now_ms()).await.unwrap();
    assert!(roles_with_prefix(&prefix).await.is_empty());

    // SSE: an app without it cannot hold dynamic secrets.
    app.put(&format!("/orgs/{}/plan", org.org), &org.owner, json!({"plan": "enterprise"})).await;
    let plain = app.app(&org.owner, &org.org, "Plain").await;
    let env = plain["environments"][0]["id"].as_str().unwrap();
    let (s, out) = app.post(&format!("/environments/{env}/dynamic-secrets"), &org.owner, body).await;
    assert_eq!((s, error_code(&out)), (StatusCode::CONFLICT, "sse_required"));
}
