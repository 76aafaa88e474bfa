use reqwest::{Method, StatusCode};

use crate::harness::{error_code, TestApp};

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = TestApp::spawn().await;
    let get = |p: &str| app.http.get(format!("{}{p}", app.base)).send();
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);
    assert_eq!(get("/readyz").await.unwrap().status(), StatusCode::OK);
    let metrics = get("/metrics").await.unwrap().text().await.unwrap();
    assert!(metrics.contains("leasehold_http_requests_total{class=\"2xx\"}"), "{metrics}");
}

#[tokio::test]
async fn the_openapi_description_lists_the_contract() {
    let app = TestApp::spawn().await;
    let (s, doc) = app.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(s, StatusCode::OK);
    let paths = doc["paths"].as_object().expect("paths");
    for p in ["/auth/signup", "/auth/login", "/orgs/{org_id}/plan", "/apps/{app_id}/sse", "/orgs/{org_id}/audit"] {
        assert!(paths.contains_key(p), "{p} missing");
    }
}

#[tokio::test]
async fn callers_mistakes_are_4xx_in_the_error_format() {
    let app = TestApp::spawn().await;
    let t = app.user("ada@example.com").await;
    let (s, body) = app.call(Method::GET, "/no/such/route", Some(&t), None).await;
    assert_eq!((s, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    let raw = app
        .http
        .post(format!("{}/api/v1/orgs", app.base))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);
    let (s, _) = app.get("/orgs/00000000-0000-0000-0000-000000000000/audit?limit=abc", &t).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
