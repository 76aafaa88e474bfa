//! The AWS IAM provider against moto_server on 127.0.0.1:5000 (`.ci/services.sh`).
use leasehold::clock::now_ms;
use leasehold::worker::run_once;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::pg::{enterprise_org, prefix, Proxy};

const PORT: u16 = 5000;

/// Calls moto directly (it checks no signatures unless told to).
async fn iam(action: &str, params: &[(&str, &str)]) -> (StatusCode, String) {
    let mut body = format!("Action={action}&Version=2010-05-08");
    for (k, v) in params {
        body.push_str(&format!("&{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)));
    }
    let resp = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{PORT}/"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIATEST/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
        )
        .body(body)
        .send()
        .await
        .expect("moto_server on 127.0.0.1:5000 (run .ci/services.sh)");
    (resp.status(), resp.text().await.unwrap())
}

fn config(port: u16, prefix: &str, policy: &str, group: &str) -> Value {
    json!({"region": "us-east-1", "access_key_id": "AKIATEST", "secret_access_key": "moto-secret",
           "endpoint_url": format!("http://127.0.0.1:{port}"), "iam_path": "/leasehold/",
           "policy_arns": policy, "groups": group,
           "username_template": format!("{prefix}_{{{{random}}}}")})
}

/// A managed policy and a group for this test.
async fn policy_and_group(p: &str) -> (String, String) {
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let (s, xml) = iam("CreatePolicy", &[("PolicyName", &format!("{p}-read")), ("PolicyDocument", doc)]).await;
    assert!(s.is_success(), "{xml}");
    let arn = xml.split("<Arn>").nth(1).unwrap().split("</Arn>").next().unwrap().to_string();
    let group = format!("{p}-group");
    let (s, xml) = iam("CreateGroup", &[("GroupName", &group)]).await;
    assert!(s.is_success(), "{xml}");
    (arn, group)
}

#[tokio::test]
async fn iam_users_get_keys_policies_and_groups_and_lose_them_in_order() {
    let org = enterprise_org().await;
    let p = prefix();
    let (arn, group) = policy_and_group(&p).await;
    let path = format!("/environments/{}/dynamic-secrets", org.envs[0]);
    for (field, value, status) in [
        ("groups", json!("two words"), 400),
        ("policy_arns", json!("not-an-arn"), 400),
        ("iam_path", json!("no-slashes"), 400),
        ("region", json!("US EAST"), 400),
        ("endpoint_url", json!("http://127.0.0.1:1"), 422),
    ] {
        let mut c = config(PORT, &p, &arn, &group);
        c[field] = value;
        let (s, out) = org.app.post(&path, &org.owner, json!({"name": "x", "provider": "aws_iam", "config": c})).await;
        assert_eq!(s.as_u16(), status, "{field}: {out}");
        assert!(!out.to_string().contains("moto-secret"));
    }

    let secret = org.create_secret("aws_iam", config(PORT, &p, &arn, &group), "s3 reader", json!({})).await;
    assert_eq!(secret["config"]["secret_access_key"], Value::Null);
    let issued = org.lease(&org.owner, &secret, json!({"name": "batch"})).await;
    let creds = &issued["credentials"];
    let (user, key) = (creds["AWS_USERNAME"].as_str().unwrap(), creds["AWS_ACCESS_KEY_ID"].as_str().unwrap());
    assert!(creds["AWS_SECRET_ACCESS_KEY"].as_str().unwrap().len() >= 20);
    let (s, xml) = iam("GetUser", &[("UserName", user)]).await;
    assert!(s.is_success() && xml.contains("<Path>/leasehold/</Path>"), "{xml}");
    assert!(iam("ListAccessKeys", &[("UserName", user)]).await.1.contains(key));
    assert!(iam("ListAttachedUserPolicies", &[("UserName", user)]).await.1.contains(&arn));
    assert!(iam("GetGroup", &[("GroupName", &group)]).await.1.contains(user));

    let revoked = org.revoke(issued["lease"]["id"].as_str().unwrap()).await;
    assert_eq!(revoked["status"], "revoked");
    let (s, xml) = iam("GetUser", &[("UserName", user)]).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{xml}");
    assert!(!iam("GetGroup", &[("GroupName", &group)]).await.1.contains(user), "left the group");
    assert!(!iam("ListEntitiesForPolicy", &[("PolicyArn", &arn)]).await.1.contains(user), "policy detached");
    let again = org.revoke(issued["lease"]["id"].as_str().unwrap()).await;
    assert_eq!(again["status"], "revoked");
}

#[tokio::test]
async fn a_failed_iam_create_is_undone_and_outages_are_retried() {
    let org = enterprise_org().await;
    let p = prefix();
    let (arn, group) = policy_and_group(&p).await;
    // A group that does not exist: CreateUser and AttachUserPolicy succeed, AddUserToGroup fails.
    let broken =
        org.create_secret("aws_iam", config(PORT, &p, &arn, &format!("{p}-missing")), "broken", json!({})).await;
    let (s, out) = org
        .app
        .post(&format!("/dynamic-secrets/{}/leases", broken["id"].as_str().unwrap()), &org.owner, json!({"name": "x"}))
        .await;
    assert_eq!(s.as_u16(), 502, "{out}");
    let (s, users) = iam("ListUsers", &[("PathPrefix", "/leasehold/")]).await;
    assert!(s.is_success() && !users.contains(&p), "the half-made user was deleted: {users}");
    let (_, leases) = org
        .app
        .get(&format!("/dynamic-secrets/{}/leases?status=all", broken["id"].as_str().unwrap()), &org.owner)
        .await;
    assert_eq!(leases[0]["status"], "failed");

    let proxy = Proxy::start(PORT).await;
    let secret = org
        .create_secret_in(1, "aws_iam", config(proxy.port, &p, &arn, &group), "s3", json!({"default_ttl": 60}))
        .await;
    let a = org.lease(&org.owner, &secret, json!({"name": "a"})).await;
    proxy.cut();
    let lease = org.revoke(a["lease"]["id"].as_str().unwrap()).await;
    assert_eq!(lease["status"], "revoking", "{lease}");
    assert!(lease["revocation"]["last_error"].as_str().unwrap().contains("AWS IAM"), "{lease}");
    proxy.restore();
    run_once(&org.app.services, now_ms() + 61_000).await.unwrap();
    let (_, lease) = org.app.get(&format!("/leases/{}", a["lease"]["id"].as_str().unwrap()), &org.owner).await;
    assert_eq!(lease["status"], "revoked");
    let (s, _) = iam("GetUser", &[("UserName", a["credentials"]["AWS_USERNAME"].as_str().unwrap())]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
