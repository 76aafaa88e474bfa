//! The server-rendered console: readable without JavaScript, same rules as the API.
use reqwest::StatusCode;

use crate::harness::TestApp;

async fn page(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, String) {
    let mut req = app.http.get(format!("{}{path}", app.base)).header("accept", "text/html");
    if let Some(t) = token {
        req = req.header("cookie", format!("leasehold_session={t}"));
    }
    let resp = req.send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

#[tokio::test]
async fn pages_render_the_callers_data_escaped() {
    let app = TestApp::spawn().await;
    let t = app.user("ada@example.com").await;
    let org = app.org(&t, "Acme </title><script>alert(1)</script>").await;
    let (s, html) = page(&app, &format!("/orgs/{org}"), Some(&t)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<h1>Acme &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</h1>"), "escaped heading");
    assert!(html.contains("<title>Acme &lt;/title&gt;&lt;script&gt;"), "escaped title");
    assert!(!html.contains("<script>alert(1)"), "no markup from a name anywhere");
    assert!(html.contains("Dynamic secrets require the Enterprise plan."));
}

#[tokio::test]
async fn signed_out_visitors_are_sent_to_log_in_and_strangers_see_not_found() {
    let app = TestApp::spawn().await;
    let ada = app.user("ada@example.com").await;
    let eve = app.user("eve@example.com").await;
    let org = app.org(&ada, "Acme").await;
    let id = app.app(&ada, &org, "billing").await["id"].as_str().unwrap().to_string();

    let resp = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/orgs/{org}", app.base))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers().get("location").and_then(|v| v.to_str().ok()), Some("/login"));

    let (_, html) = page(&app, &format!("/apps/{id}/settings"), Some(&eve)).await;
    assert!(html.contains("No such app."), "{html}");
    assert!(!html.contains("billing"));
    let (s, _) = page(&app, "/definitely/not/here", Some(&ada)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
