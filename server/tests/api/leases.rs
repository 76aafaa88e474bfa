//! Leases against the real PostgreSQL provider: credentials that log in,
//! renew, revoke, expire — with the worker driven by an injected clock.
use leasehold::clock::now_ms;
use leasehold::worker::run_once;
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::error_code;
use crate::pg::{self, can_login, enterprise_org, roles_with_prefix};

#[tokio::test]
async fn providers_describe_their_forms() {
    let org = enterprise_org().await;
    let (s, body) = org.app.get("/providers", &org.owner).await;
    assert_eq!(s, StatusCode::OK);
    let pg = body.as_array().unwrap().iter().find(|p| p["kind"] == "postgres").unwrap();
    assert_eq!(pg["name"], "PostgreSQL");
    let fields: Vec<&str> = pg["config_fields"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    for id in
        ["host", "port", "database", "username", "password", "ssl_mode", "username_template", "creation_statements"]
    {
        assert!(fields.contains(&id), "{id} missing from {fields:?}");
    }
    let password = pg["config_fields"].as_array().unwrap().iter().find(|f| f["id"] == "password").unwrap();
    assert_eq!((password["secret"].as_bool(), password["kind"].as_str()), (Some(true), Some("password")));
    assert_eq!(
        pg["outputs"],
        json!([
            {"id": "username", "default_key": "DB_USERNAME", "secret": false},
            {"id": "password", "default_key": "DB_PASSWORD", "secret": true},
        ])
    );
}

#[tokio::test]
async fn a_lease_logs_in_renews_and_stops_working_when_revoked() {
    let org = enterprise_org().await;
    let prefix = pg::prefix();
    let secret =
        org.secret("orders", &prefix, json!({"outputs": {"username": "PGUSER", "password": "PGPASSWORD"}})).await;
    assert_eq!(secret["config"]["password"], json!(null), "secret fields are never returned");
    assert_eq!(secret["config"]["host"], "127.0.0.1");
    assert_eq!(secret["active_leases"], 0);

    let issued = org.lease(&org.owner, &secret, json!({"name": "ci run", "ttl": 600})).await;
    let (user, password) =
        (issued["credentials"]["PGUSER"].as_str().unwrap(), issued["credentials"]["PGPASSWORD"].as_str().unwrap());
    assert!(user.starts_with(&prefix) && user.len() <= 32, "{user}");
    assert!(password.len() >= 32);
    let lease = &issued["lease"];
    assert_eq!(lease["status"], "active");
    assert_eq!(lease["available_ttl"], 7200 - 600);
    assert_eq!(lease["owner"]["kind"], "user");
    assert!(can_login(user, password).await, "the issued credentials log in with a password check");
    let mut session = pg::login(user, password).await.unwrap();
    assert!(!can_login(user, "not-the-password").await, "the listener really checks passwords");

    // The password is nowhere in the store.
    let id = lease["id"].as_str().unwrap();
    let stored = {
        use sea_orm::EntityTrait;
        leasehold::db::entities::leases::Entity::find_by_id(id).one(&org.app.services.db).await.unwrap().unwrap()
    };
    assert!(!String::from_utf8_lossy(&stored.handle_sealed).contains(user), "the handle is sealed");

    let (s, renewed) = org.app.post(&format!("/leases/{id}/renew"), &org.owner, json!({"ttl": 600})).await;
    assert_eq!(s, StatusCode::OK, "{renewed}");
    assert_eq!(renewed["available_ttl"], 7200 - 1200);
    let (s, over) = org.app.post(&format!("/leases/{id}/renew"), &org.owner, json!({"ttl": 6001})).await;
    assert_eq!((s, error_code(&over)), (StatusCode::BAD_REQUEST, "ttl_exceeds_available"));
    assert!(over["error"]["message"].as_str().unwrap().contains("6000 seconds"), "{over}");

    let (s, revoked) = org.app.post(&format!("/leases/{id}/revoke"), &org.owner, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(revoked["revocation"]["reason"], "manual");
    assert!(!can_login(user, password).await, "revoked credentials no longer log in");
    assert!(sea_orm::sqlx::query("SELECT 1").execute(&mut session).await.is_err(), "its open session was ended");
    assert!(roles_with_prefix(&prefix).await.is_empty(), "the role is gone");

    let (s, again) = org.app.post(&format!("/leases/{id}/revoke"), &org.owner, json!({})).await;
    assert_eq!((s, &again["status"]), (StatusCode::OK, &json!("revoked")), "revoking twice is not an error");
    let (s, late) = org.app.post(&format!("/leases/{id}/renew"), &org.owner, json!({"ttl": 1})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{late}");
    assert_eq!(org.events(&org.owner, id).await, ["created", "renewed", "revoke_requested", "revoked"]);
    let (_, events) = org.app.get(&format!("/leases/{id}/events"), &org.owner).await;
    assert_eq!(events[0]["actor"], "owner <owner@example.com>");
    assert_eq!(events[0]["ip"], "127.0.0.1");
    assert_eq!(events[1]["detail"]["ttl"], 600);
}

#[tokio::test]
async fn the_worker_expires_leases_on_time_and_only_then() {
    let org = enterprise_org().await;
    let prefix = pg::prefix();
    let secret = org.secret("orders", &prefix, json!({"default_ttl": 60})).await;
    let issued = org.lease(&org.owner, &secret, json!({"name": "short"})).await;
    let id = issued["lease"]["id"].as_str().unwrap();
    let (user, password) = (
        issued["credentials"]["DB_USERNAME"].as_str().unwrap(),
        issued["credentials"]["DB_PASSWORD"].as_str().unwrap(),
    );
    let now = now_ms();

    let report = run_once(&org.app.services, now + 59_000).await.unwrap();
    assert_eq!(report.claimed, 0, "not due yet");
    assert!(can_login(user, password).await);

    let report = run_once(&org.app.services, now + 61_000).await.unwrap();
    assert_eq!((report.claimed, report.attempted), (1, 1));
    let (_, lease) = org.app.get(&format!("/leases/{id}"), &org.owner).await;
    assert_eq!(lease["status"], "expired");
    assert_eq!(lease["revocation"]["reason"], "expired");
    assert!(!can_login(user, password).await);
    assert!(roles_with_prefix(&prefix).await.is_empty());
    assert_eq!(org.events(&org.owner, id).await, ["created", "revoke_requested", "expired"]);
    let (_, events) = org.app.get(&format!("/leases/{id}/events"), &org.owner).await;
    assert_eq!(events[2]["actor"], "system");

    let again = run_once(&org.app.services, now + 120_000).await.unwrap();
    assert_eq!((again.claimed, again.attempted), (0, 0), "nothing is revoked twice");
}

#[tokio::test]
async fn ttl_rules_hold_with_an_injected_clock() {
    let org = enterprise_org().await;
    let secret = org.secret("orders", &pg::prefix(), json!({"default_ttl": 100, "max_ttl": 300})).await;
    let sid = secret["id"].as_str().unwrap();
    let path = format!("/dynamic-secrets/{sid}/leases");

    for bad in [json!({"name": "x", "ttl": 301}), json!({"name": "x", "ttl": 0}), json!({"name": "x", "ttl": "60"})] {
        let (s, body) = org.app.post(&path, &org.owner, bad).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    }
    let issued = org.lease(&org.owner, &secret, json!({"name": "x"})).await;
    let lease = &issued["lease"];
    let id = lease["id"].as_str().unwrap();
    assert_eq!(lease["available_ttl"], 200, "default ttl 100 of max 300");

    // Later edits of the Max TTL apply to new leases only.
    let (s, body) = org
        .app
        .call(
            reqwest::Method::PATCH,
            &format!("/dynamic-secrets/{sid}"),
            Some(&org.owner),
            Some(json!({"max_ttl": 1000})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let services = &org.app.services;
    let p = leasehold::services::Principal::User(
        services
            .authenticate(&app::ports::RequestMeta { token: Some(org.owner.clone()), ..Default::default() })
            .await
            .unwrap(),
    );
    let created = chrono_ms(lease["created_at"].as_str().unwrap());
    let renewed = services.renew_lease(&p, id, 150, created + 50_000).await.unwrap();
    assert_eq!(renewed.available_ttl, 50);
    let err = app::error::AppError::from(services.renew_lease(&p, id, 51, created + 60_000).await.unwrap_err());
    assert!(err.message.contains("available TTL is 50 seconds"), "{}", err.message);
    let full = services.renew_lease(&p, id, 50, created + 60_000).await.unwrap();
    assert_eq!((full.available_ttl, full.expires_at.clone()), (0, full.max_expires_at.clone()));
    let err = app::error::AppError::from(services.renew_lease(&p, id, 1, created + 60_000).await.unwrap_err());
    assert!(err.message.contains("cannot be renewed any further"), "{}", err.message);
    // Past its expiry (but before the worker ran) it cannot be renewed either.
    let err = app::error::AppError::from(services.renew_lease(&p, id, 1, created + 301_000).await.unwrap_err());
    assert_eq!(err.status, 409);
    run_once(services, created + 301_000).await.unwrap();
    let (_, after) = org.app.get(&format!("/leases/{id}"), &org.owner).await;
    assert_eq!(after["status"], "expired");
}

fn chrono_ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp_millis()
}

#[tokio::test]
async fn deleting_a_secret_needs_the_flag_and_revokes_everything() {
    let org = enterprise_org().await;
    let prefix = pg::prefix();
    let secret = org.secret("orders", &prefix, json!({})).await;
    let sid = secret["id"].as_str().unwrap();
    let a = org.lease(&org.owner, &secret, json!({"name": "a"})).await;
    org.lease(&org.owner, &secret, json!({"name": "b"})).await;
    assert_eq!(roles_with_prefix(&prefix).await.len(), 2);

    let (s, body) =
        org.app.call(reqwest::Method::DELETE, &format!("/dynamic-secrets/{sid}"), Some(&org.owner), None).await;
    assert_eq!((s, &body["active_leases"]), (StatusCode::CONFLICT, &json!(2)), "{body}");
    let (s, body) = org.app.put(&format!("/apps/{}/sse", org.app_id), &org.owner, json!({"enabled": false})).await;
    assert_eq!((s, error_code(&body)), (StatusCode::CONFLICT, "sse_in_use"), "SSE stays on while secrets exist");

    let (s, _) = org
        .app
        .call(reqwest::Method::DELETE, &format!("/dynamic-secrets/{sid}?revoke_leases=true"), Some(&org.owner), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = org.app.get(&format!("/dynamic-secrets/{sid}"), &org.owner).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = org.app.get(&format!("/environments/{}/dynamic-secrets", org.envs[0]), &org.owner).await;
    assert_eq!(list, json!([]));

    let report = run_once(&org.app.services, now_ms()).await.unwrap();
    assert_eq!((report.attempted, report.purged), (2, 1), "{report:?}");
    assert!(roles_with_prefix(&prefix).await.is_empty());
    assert!(
        !can_login(
            a["credentials"]["DB_USERNAME"].as_str().unwrap(),
            a["credentials"]["DB_PASSWORD"].as_str().unwrap()
        )
        .await
    );
    let (s, body) = org.app.put(&format!("/apps/{}/sse", org.app_id), &org.owner, json!({"enabled": false})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn deleting_the_app_revokes_its_leases() {
    let org = enterprise_org().await;
    let prefix = pg::prefix();
    let secret = org.secret("orders", &prefix, json!({})).await;
    let issued = org.lease(&org.owner, &secret, json!({"name": "a"})).await;
    let id = issued["lease"]["id"].as_str().unwrap();
    let (s, _) = org.app.call(reqwest::Method::DELETE, &format!("/apps/{}", org.app_id), Some(&org.owner), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = org.app.get(&format!("/apps/{}", org.app_id), &org.owner).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, lease) = {
        use sea_orm::EntityTrait;
        let l =
            leasehold::db::entities::leases::Entity::find_by_id(id).one(&org.app.services.db).await.unwrap().unwrap();
        ((), l)
    };
    assert_eq!((lease.status.as_str(), lease.revoke_reason.as_deref()), ("revoking", Some("app_deleted")));
    run_once(&org.app.services, now_ms()).await.unwrap();
    assert!(roles_with_prefix(&prefix).await.is_empty());
    let (_, apps) = org.app.get(&format!("/orgs/{}/apps", org.org), &org.owner).await;
    assert_eq!(apps, json!([]));
    // The name is free again.
    org.app.app(&org.owner, &org.org, "Billing").await;
}

#[tokio::test]
async fn the_quota_caps_active_leases_per_secret() {
    let org = pg::enterprise_org_with(&[("LEASEHOLD_LEASE_QUOTA", "2")]).await;
    let secret = org.secret("orders", &pg::prefix(), json!({})).await;
    let first = org.lease(&org.owner, &secret, json!({"name": "1"})).await;
    org.lease(&org.owner, &secret, json!({"name": "2"})).await;
    let path = format!("/dynamic-secrets/{}/leases", secret["id"].as_str().unwrap());
    let (s, body) = org.app.post(&path, &org.owner, json!({"name": "3"})).await;
    assert_eq!((s, error_code(&body)), (StatusCode::CONFLICT, "lease_quota"));
    let id = first["lease"]["id"].as_str().unwrap();
    org.app.post(&format!("/leases/{id}/revoke"), &org.owner, json!({})).await;
    let (s, body) = org.app.post(&path, &org.owner, json!({"name": "3"})).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (_, active) = org.app.get(&path, &org.owner).await;
    let (_, all) = org.app.get(&format!("{path}?status=all"), &org.owner).await;
    assert_eq!((active.as_array().unwrap().len(), all.as_array().unwrap().len()), (2, 3));
    assert_eq!(all[0]["name"], "3", "newest first");
    let (_, page) =
        org.app.get(&format!("{path}?status=all&limit=1&before={}", all[0]["id"].as_str().unwrap()), &org.owner).await;
    assert_eq!(page.as_array().unwrap().len(), 1);
    assert_eq!(page[0]["id"], all[1]["id"]);
}
