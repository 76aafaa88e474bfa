use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{error_code, TestApp};

#[tokio::test]
async fn creating_an_org_makes_the_creator_owner_on_the_free_plan() {
    let app = TestApp::spawn().await;
    let t = app.user("ada@example.com").await;
    let (s, org) = app.post("/orgs", &t, json!({"name": "  Acme <script>  "})).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(
        (org["name"].as_str(), org["plan"].as_str(), org["role"].as_str()),
        (Some("Acme <script>"), Some("free"), Some("owner"))
    );
    let (_, list) = app.get("/orgs", &t).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(app.post("/orgs", &t, json!({"name": ""})).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn another_tenants_org_is_not_found_everywhere() {
    let app = TestApp::spawn().await;
    let ada = app.user("ada@example.com").await;
    let eve = app.user("eve@example.com").await;
    let org = app.org(&ada, "Acme").await;
    for path in ["", "/members", "/apps", "/audit"] {
        let (s, body) = app.get(&format!("/orgs/{org}{path}"), &eve).await;
        assert_eq!((s, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{path}");
    }
    let (s, _) = app.post(&format!("/orgs/{org}/apps"), &eve, json!({"name": "x"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) =
        app.post(&format!("/orgs/{org}/members"), &eve, json!({"email": "eve@example.com", "role": "owner"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/orgs/not-a-uuid", &ada).await.0, StatusCode::NOT_FOUND);
    let (_, list) = app.get("/orgs", &eve).await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn only_instance_admins_set_plans_and_the_change_is_audited() {
    let app = TestApp::spawn().await;
    let admin = app.user("root@example.com").await;
    let ada = app.user("ada@example.com").await;
    let org = app.org(&ada, "Acme").await;

    let (s, body) = app.put(&format!("/orgs/{org}/plan"), &ada, json!({"plan": "enterprise"})).await;
    assert_eq!((s, error_code(&body)), (StatusCode::FORBIDDEN, "forbidden"), "an owner is not an instance admin");
    let (s, body) = app.put(&format!("/orgs/{org}/plan"), &admin, json!({"plan": "platinum"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"].as_str().unwrap().contains("free, pro, enterprise"));
    let (s, body) = app.put(&format!("/orgs/{org}/plan"), &admin, json!({"plan": "enterprise"})).await;
    assert_eq!((s, body["plan"].as_str()), (StatusCode::OK, Some("enterprise")));
    let (_, list) = app.get("/orgs", &ada).await;
    assert_eq!(list[0]["plan"], "enterprise");
    assert_eq!(app.audit_actions(&ada, &org).await, ["org.plan_changed", "org.created"]);
    let (s, all) = app.get("/admin/orgs", &admin).await;
    assert_eq!((s, all.as_array().unwrap().len()), (StatusCode::OK, 1));
    assert_eq!(app.get("/admin/orgs", &ada).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn members_are_added_by_email_and_roles_are_enforced() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let admin = app.user("admin@example.com").await;
    let dev = app.user("dev@example.com").await;
    app.user("late@example.com").await;
    let org = app.org(&owner, "Acme").await;
    let members = format!("/orgs/{org}/members");

    let (s, body) = app.post(&members, &owner, json!({"email": "ghost@example.com", "role": "viewer"})).await;
    assert_eq!((s, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    let (s, _) = app.post(&members, &owner, json!({"email": "admin@example.com", "role": "chief"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    app.add(&owner, &org, "admin@example.com", "admin").await;
    app.add(&admin, &org, "dev@example.com", "developer").await;
    let (s, _) = app.post(&members, &admin, json!({"email": "dev@example.com", "role": "viewer"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "already a member");

    // A developer manages nobody; an admin cannot hand out ownership.
    let (s, _) = app.post(&members, &dev, json!({"email": "late@example.com", "role": "viewer"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.post(&members, &admin, json!({"email": "late@example.com", "role": "owner"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (_, list) = app.get(&members, &dev).await;
    let dev_id = list.as_array().unwrap().iter().find(|m| m["user"]["email"] == "dev@example.com").unwrap()["user"]
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, m) =
        app.call(Method::PATCH, &format!("{members}/{dev_id}"), Some(&admin), Some(json!({"role": "viewer"}))).await;
    assert_eq!((s, m["role"].as_str()), (StatusCode::OK, Some("viewer")));
    let (s, _) = app.call(Method::DELETE, &format!("{members}/{dev_id}"), Some(&admin), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/orgs/{org}"), &dev).await.0, StatusCode::NOT_FOUND, "removed means gone");

    let actions = app.audit_actions(&owner, &org).await;
    assert_eq!(actions[..4], ["member.removed", "member.role_changed", "member.added", "member.added"]);
}

#[tokio::test]
async fn the_last_owner_can_neither_leave_nor_be_demoted() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let org = app.org(&owner, "Acme").await;
    let (_, me) = app.get("/me", &owner).await;
    let id = me["user"]["id"].as_str().unwrap();
    let path = format!("/orgs/{org}/members/{id}");
    let (s, body) = app.call(Method::PATCH, &path, Some(&owner), Some(json!({"role": "admin"}))).await;
    assert_eq!((s, error_code(&body)), (StatusCode::CONFLICT, "conflict"));
    assert_eq!(app.call(Method::DELETE, &path, Some(&owner), None).await.0, StatusCode::CONFLICT);

    // With a second owner, the first may step down.
    app.user("two@example.com").await;
    app.add(&owner, &org, "two@example.com", "owner").await;
    let (s, _) = app.call(Method::PATCH, &path, Some(&owner), Some(json!({"role": "admin"}))).await;
    assert_eq!(s, StatusCode::OK);
}
