//! The `leasehold` binary's admin commands, run as a user would run them.
use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::StatusCode;

use crate::harness::{TestApp, PASSWORD};

/// Runs `leasehold` against the test app's store; returns (success, stdout + stderr).
fn leasehold(app: &TestApp, args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_leasehold"))
        .args(args)
        .env("DATABASE_URL", &app.database_url)
        .env("LEASEHOLD_DATA_DIR", &app.data_dir)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[tokio::test]
async fn admin_commands_create_accounts_and_set_plans() {
    let app = TestApp::spawn().await;
    let (ok, out) = leasehold(
        &app,
        &["admin", "create-user", "--email", "Root@Example.com", "--password-stdin", "--instance-admin"],
        &format!("{PASSWORD}\n"),
    );
    assert!(ok, "{out}");
    assert!(out.contains("root@example.com") && out.contains("instance admin"), "{out}");
    assert!(!out.contains(PASSWORD), "the password is never echoed");

    let (ok, out) =
        leasehold(&app, &["admin", "create-user", "--email", "x@example.com", "--password-stdin"], "short\n");
    assert!(!ok && out.contains("at least 12 characters"), "{out}");

    let (s, body) = app.login("root@example.com", PASSWORD).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["user"]["instance_admin"], true);
    let token = body["token"].as_str().unwrap();
    let org = app.org(token, "Acme").await;

    let (ok, out) = leasehold(&app, &["admin", "set-plan", "--org", "Acme", "--plan", "enterprise"], "");
    assert!(ok, "{out}");
    let (_, got) = app.get(&format!("/orgs/{org}"), token).await;
    assert_eq!(got["plan"], "enterprise");
    let (ok, out) = leasehold(&app, &["admin", "set-plan", "--org", &org, "--plan", "gold"], "");
    assert!(!ok && out.contains("free, pro, enterprise"), "{out}");
    let (ok, out) = leasehold(&app, &["admin", "set-plan", "--org", "Nope", "--plan", "pro"], "");
    assert!(!ok && out.contains("No such organisation"), "{out}");
}
