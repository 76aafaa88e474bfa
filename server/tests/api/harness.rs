use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use leasehold::config::{Config, Overrides};
use leasehold::services::Services;
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{json, Value};

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub services: Arc<Services>,
    pub database_url: String,
    pub data_dir: PathBuf,
    /// Removed when the test ends: the data dir, and the SQLite files if any.
    scratch: Vec<PathBuf>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        for path in &self.scratch {
            let _ = std::fs::remove_dir_all(path).or_else(|_| std::fs::remove_file(path));
        }
    }
}

/// A fresh database: a temporary SQLite file, or a new PostgreSQL database
/// created through TEST_DATABASE_URL.
async fn fresh_database() -> String {
    let name = format!("lh_test_{}", uuid::Uuid::new_v4().simple());
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let admin = Database::connect(&url).await.expect("connect to TEST_DATABASE_URL");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
            let (base, _) = url.rsplit_once('/').expect("URL with a database name");
            format!("{base}/{name}")
        }
        _ => format!("sqlite://{}?mode=rwc", std::env::temp_dir().join(format!("{name}.db")).display()),
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(&[]).await
    }

    pub async fn spawn_with(extra: &[(&str, &str)]) -> TestApp {
        let data_dir = std::env::temp_dir().join(format!("lh-data-{}", uuid::Uuid::new_v4()));
        let database_url = fresh_database().await;
        let mut scratch = vec![data_dir.clone()];
        if let Some(file) = database_url.strip_prefix("sqlite://").and_then(|u| u.split('?').next()) {
            scratch.extend(["", "-wal", "-shm"].map(|suffix| PathBuf::from(format!("{file}{suffix}"))));
        }
        let mut env: HashMap<String, String> = HashMap::from([
            ("DATABASE_URL".into(), database_url.clone()),
            ("LEASEHOLD_DATA_DIR".into(), data_dir.display().to_string()),
        ]);
        for (k, v) in extra {
            env.insert(k.to_string(), v.to_string());
        }
        let config = Config::from_lookup(|k| env.get(k).cloned(), Overrides::default()).unwrap();
        let services = Arc::new(leasehold::startup::services(&config).await.unwrap());
        let router = leasehold::startup::router(&config, services.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(leasehold::startup::serve(listener, router, std::future::pending()));
        TestApp {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
            services,
            database_url,
            data_dir,
            scratch,
        }
    }

    /// Sends a request to the API (path under /api/v1) with an optional bearer token.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}/api/v1{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let value =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, value)
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn signup(&self, email: &str) -> (StatusCode, Value) {
        let name = email.split('@').next().unwrap();
        self.call(Method::POST, "/auth/signup", None, Some(json!({"email": email, "password": PASSWORD, "name": name})))
            .await
    }

    pub async fn login(&self, email: &str, password: &str) -> (StatusCode, Value) {
        self.call(Method::POST, "/auth/login", None, Some(json!({"email": email, "password": password}))).await
    }

    /// Signs up and logs in; returns the session token.
    pub async fn user(&self, email: &str) -> String {
        let (s, _) = self.signup(email).await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, body) = self.login(email, PASSWORD).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body["token"].as_str().unwrap().to_string()
    }

    /// Creates an org owned by `token`; returns its id.
    pub async fn org(&self, token: &str, name: &str) -> String {
        let (s, body) = self.post("/orgs", token, json!({"name": name})).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        body["id"].as_str().unwrap().to_string()
    }

    pub async fn app(&self, token: &str, org: &str, name: &str) -> Value {
        let (s, body) = self.post(&format!("/orgs/{org}/apps"), token, json!({"name": name})).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        body
    }

    /// Adds `email` (who must have signed up) to `org` with `role`.
    pub async fn add(&self, owner: &str, org: &str, email: &str, role: &str) {
        let (s, body) = self.post(&format!("/orgs/{org}/members"), owner, json!({"email": email, "role": role})).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }

    pub async fn audit_actions(&self, token: &str, org: &str) -> Vec<String> {
        let (s, body) = self.get(&format!("/orgs/{org}/audit"), token).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_string()).collect()
    }
}

pub fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<none>")
}
