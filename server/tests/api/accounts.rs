use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{error_code, TestApp, PASSWORD};

#[tokio::test]
async fn the_first_account_is_instance_admin_and_later_ones_are_not() {
    let app = TestApp::spawn().await;
    let (s, first) = app.signup("ada@example.com").await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(first["user"]["instance_admin"], true);
    let (_, second) = app.signup("bob@example.com").await;
    assert_eq!(second["user"]["instance_admin"], false);
    assert_eq!(second["user"]["email"], "bob@example.com");
}

#[tokio::test]
async fn signup_rejects_bad_input_clearly_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({"email": "nope", "password": PASSWORD, "name": "A"}), "e-mail"),
        (json!({"email": "a@example.com", "password": "short", "name": "A"}), "12 characters"),
        (json!({"email": "a@example.com", "password": PASSWORD, "name": "  "}), "cannot be empty"),
        (json!({"email": "a@example.com", "password": PASSWORD, "name": "x".repeat(101)}), "at most 100"),
        (json!({"email": "a@example.com", "password": 5, "name": "A"}), "not valid"),
        (json!({"email": "a@example.com"}), "not valid"),
    ];
    for (body, says) in cases {
        let (s, err) = app.call(Method::POST, "/auth/signup", None, Some(body.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert!(err["error"]["message"].as_str().unwrap().contains(says), "{err}");
    }
    // Nothing was created: the next account is still the first.
    let (_, first) = app.signup("a@example.com").await;
    assert_eq!(first["user"]["instance_admin"], true);
    let (s, dup) = app.signup("A@Example.com").await;
    assert_eq!((s, error_code(&dup)), (StatusCode::CONFLICT, "conflict"));
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_401() {
    let app = TestApp::spawn().await;
    app.signup("ada@example.com").await;
    let (s1, wrong) = app.login("ada@example.com", "not the password").await;
    let (s2, unknown) = app.login("nobody@example.com", PASSWORD).await;
    assert_eq!((s1, s2), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(wrong, unknown);
    assert!(!wrong.to_string().contains("ada@"), "no echo of the account");
}

#[tokio::test]
async fn repeated_failures_are_throttled_even_for_the_right_password() {
    let app = TestApp::spawn().await;
    app.signup("ada@example.com").await;
    for _ in 0..5 {
        assert_eq!(app.login("ada@example.com", "wrong password!!").await.0, StatusCode::UNAUTHORIZED);
    }
    let (s, body) = app.login("ada@example.com", PASSWORD).await;
    assert_eq!((s, error_code(&body)), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));
}

#[tokio::test]
async fn sessions_work_as_bearer_and_cookie_and_die_at_logout() {
    let app = TestApp::spawn().await;
    app.signup("ada@example.com").await;
    let resp = app
        .http
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let body: serde_json::Value = resp.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));

    let (s, me) = app.get("/me", token).await;
    assert_eq!((s, me["user"]["email"].as_str()), (StatusCode::OK, Some("ada@example.com")));
    let by_cookie = app
        .http
        .get(format!("{}/api/v1/me", app.base))
        .header("cookie", format!("leasehold_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(by_cookie.status(), StatusCode::OK);

    // The token is stored hashed, never as is.
    use sea_orm::EntityTrait;
    let rows = leasehold::db::entities::sessions::Entity::find().all(&app.services.db).await.unwrap();
    assert!(rows.iter().all(|r| r.token_hash != token && r.token_hash.len() == 64));

    let (s, _) = app.call(Method::POST, "/auth/logout", Some(token), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/me", token).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/me", "forged-token").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.call(Method::GET, "/me", None, None).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn closed_signup_still_lets_the_first_account_in() {
    let app = TestApp::spawn_with(&[("LEASEHOLD_SIGNUP", "closed")]).await;
    assert_eq!(app.signup("root@example.com").await.0, StatusCode::CREATED);
    let (s, body) = app.signup("late@example.com").await;
    assert_eq!((s, error_code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
}
