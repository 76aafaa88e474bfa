//! Service tokens: shown once, scoped to one environment, own leases only.
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::pg::{self, enterprise_org};

#[tokio::test]
async fn a_token_leases_in_its_environment_and_nothing_else() {
    let org = enterprise_org().await;
    let app = &org.app;
    let secret = org.secret("orders", &pg::prefix(), json!({})).await;
    let mut other_env =
        json!({"name": "elsewhere", "provider": "postgres", "config": pg::config(pg::PORT, &pg::prefix())});
    other_env["outputs"] = json!({"username": "U2", "password": "P2"});
    let (s, elsewhere) =
        app.post(&format!("/environments/{}/dynamic-secrets", org.envs[1]), &org.owner, other_env).await;
    assert_eq!(s, StatusCode::CREATED, "{elsewhere}");

    let tokens = format!("/environments/{}/service-tokens", org.envs[0]);
    let (s, created) = app.post(&tokens, &org.owner, json!({"name": "deploy bot", "ttl": 3600})).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let token = created["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("lhs_") && created["expires_at"].is_string());
    let (_, listed) = app.get(&tokens, &org.owner).await;
    assert_eq!(listed[0]["name"], "deploy bot");
    assert!(listed[0].get("token").is_none() && !listed.to_string().contains(&token), "shown once");
    let (s, _) = app.post(&tokens, &org.owner, json!({"name": "x", "ttl": 0})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    let issued = org.lease(&token, &secret, json!({"name": "deploy"})).await;
    let lease = issued["lease"]["id"].as_str().unwrap();
    assert_eq!(issued["lease"]["owner"], json!({"kind": "service_token", "id": created["id"], "name": "deploy bot"}));
    let (_, events) = app.get(&format!("/leases/{lease}/events"), &token).await;
    assert_eq!(events[0]["actor"], "service token deploy bot");
    let (s, _) = app.post(&format!("/leases/{lease}/renew"), &token, json!({"ttl": 60})).await;
    assert_eq!(s, StatusCode::OK);

    // Outside its scope: another environment's secret, a person's lease, anything else.
    let (s, _) = app
        .post(&format!("/dynamic-secrets/{}/leases", elsewhere["id"].as_str().unwrap()), &token, json!({"name": "x"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let mine = org.lease(&org.owner, &secret, json!({"name": "owner's"})).await;
    let (s, _) =
        app.post(&format!("/leases/{}/revoke", mine["lease"]["id"].as_str().unwrap()), &token, json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    for path in [
        format!("/dynamic-secrets/{}", secret["id"].as_str().unwrap()),
        "/orgs".into(),
        format!("/apps/{}", org.app_id),
    ] {
        let (s, _) = app.get(&path, &token).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}");
    }
    let (s, _) = app.post(&tokens, &token, json!({"name": "child"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a token cannot mint tokens");

    let (s, out) = app.post(&format!("/leases/{lease}/revoke"), &token, json!({})).await;
    assert_eq!((s, &out["status"]), (StatusCode::OK, &json!("revoked")));

    // Deleted: it stops at once.
    let (s, _) = app
        .call(Method::DELETE, &format!("/service-tokens/{}", created["id"].as_str().unwrap()), Some(&org.owner), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app
        .post(&format!("/dynamic-secrets/{}/leases", secret["id"].as_str().unwrap()), &token, json!({"name": "x"}))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app
        .post(
            &format!("/dynamic-secrets/{}/leases", secret["id"].as_str().unwrap()),
            "lhs_forged",
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}
