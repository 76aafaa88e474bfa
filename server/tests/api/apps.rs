use reqwest::{Method, StatusCode};
use sea_orm::EntityTrait;
use serde_json::json;

use crate::harness::{error_code, TestApp};
use leasehold::db::entities::apps;

#[tokio::test]
async fn an_app_comes_with_three_environments_and_a_unique_name() {
    let app = TestApp::spawn().await;
    let t = app.user("ada@example.com").await;
    let org = app.org(&t, "Acme").await;
    let created = app.app(&t, &org, "billing").await;
    let slugs: Vec<_> =
        created["environments"].as_array().unwrap().iter().map(|e| e["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["development", "staging", "production"]);
    assert_eq!(created["sse_enabled"], false);
    assert_eq!(created["org_id"], org.as_str());

    let (s, _) = app.post(&format!("/orgs/{org}/apps"), &t, json!({"name": "billing"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app.post(&format!("/orgs/{org}/apps"), &t, json!({"name": "x".repeat(101)})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (_, list) = app.get(&format!("/orgs/{org}/apps"), &t).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn sse_wraps_a_data_key_that_only_this_app_and_master_key_open() {
    let app = TestApp::spawn().await;
    let t = app.user("ada@example.com").await;
    let org = app.org(&t, "Acme").await;
    let id = app.app(&t, &org, "billing").await["id"].as_str().unwrap().to_string();

    let (s, on) = app.put(&format!("/apps/{id}/sse"), &t, json!({"enabled": true})).await;
    assert_eq!((s, &on["sse_enabled"]), (StatusCode::OK, &json!(true)));
    let row = apps::Entity::find_by_id(id.clone()).one(&app.services.db).await.unwrap().unwrap();
    let wrapped = row.wrapped_key.clone().expect("wrapped key stored");
    assert!(wrapped.len() >= 12 + 32 + 16, "nonce, key, tag");

    // The sealing API the next features use: seal with the app key, open it back.
    let key = app.services.app_key(&row).await.unwrap();
    let sealed = key.seal(b"root-password", "secret-1");
    assert_eq!(app.services.app_key(&row).await.unwrap().open(&sealed, "secret-1").unwrap(), b"root-password");
    assert!(app.services.master.unwrap_app_key("another-app", &wrapped).is_err());

    // Enabling again changes nothing (same key); disabling destroys the key.
    app.put(&format!("/apps/{id}/sse"), &t, json!({"enabled": true})).await;
    let again = apps::Entity::find_by_id(id.clone()).one(&app.services.db).await.unwrap().unwrap();
    assert_eq!(again.wrapped_key.as_ref(), Some(&wrapped));
    let (s, off) = app.put(&format!("/apps/{id}/sse"), &t, json!({"enabled": false})).await;
    assert_eq!((s, &off["sse_enabled"]), (StatusCode::OK, &json!(false)));
    let row = apps::Entity::find_by_id(id.clone()).one(&app.services.db).await.unwrap().unwrap();
    assert!(row.wrapped_key.is_none());
    assert!(app.services.app_key(&row).await.is_err());

    assert_eq!(app.audit_actions(&t, &org).await[..3], ["app.sse_disabled", "app.sse_enabled", "app.created"]);
    let (s, body) = app.put(&format!("/apps/{id}/sse"), &t, json!({"enabled": "yes"})).await;
    assert_eq!((s, error_code(&body)), (StatusCode::BAD_REQUEST, "invalid_input"));
}

#[tokio::test]
async fn developers_and_viewers_cannot_toggle_sse_create_or_delete_apps() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let dev = app.user("dev@example.com").await;
    let viewer = app.user("viewer@example.com").await;
    let org = app.org(&owner, "Acme").await;
    app.add(&owner, &org, "dev@example.com", "developer").await;
    app.add(&owner, &org, "viewer@example.com", "viewer").await;
    let id = app.app(&owner, &org, "billing").await["id"].as_str().unwrap().to_string();

    for t in [&dev, &viewer] {
        assert_eq!(app.get(&format!("/apps/{id}"), t).await.0, StatusCode::OK, "members can read");
        let (s, body) = app.put(&format!("/apps/{id}/sse"), t, json!({"enabled": true})).await;
        assert_eq!((s, error_code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
        assert_eq!(app.post(&format!("/orgs/{org}/apps"), t, json!({"name": "x"})).await.0, StatusCode::FORBIDDEN);
        assert_eq!(app.call(Method::DELETE, &format!("/apps/{id}"), Some(t), None).await.0, StatusCode::FORBIDDEN);
        assert_eq!(app.get(&format!("/orgs/{org}/audit"), t).await.0, StatusCode::FORBIDDEN);
    }
    let (_, a) = app.get(&format!("/apps/{id}"), &owner).await;
    assert_eq!(a["sse_enabled"], false, "nothing changed");
}

#[tokio::test]
async fn another_tenants_app_is_not_found_and_deletion_is_audited() {
    let app = TestApp::spawn().await;
    let ada = app.user("ada@example.com").await;
    let eve = app.user("eve@example.com").await;
    let org = app.org(&ada, "Acme").await;
    app.org(&eve, "Evil").await;
    let id = app.app(&ada, &org, "billing").await["id"].as_str().unwrap().to_string();

    assert_eq!(app.get(&format!("/apps/{id}"), &eve).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.put(&format!("/apps/{id}/sse"), &eve, json!({"enabled": true})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.call(Method::DELETE, &format!("/apps/{id}"), Some(&eve), None).await.0, StatusCode::NOT_FOUND);

    assert_eq!(app.call(Method::DELETE, &format!("/apps/{id}"), Some(&ada), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/apps/{id}"), &ada).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.audit_actions(&ada, &org).await[0], "app.deleted");
}
