//! RabbitMQ: a user per lease through the management HTTP API, with
//! permissions on one vhost. No native expiry: renewal only moves the lease's
//! own expiry. Deleting a user closes its connections.
use std::collections::BTreeMap;

use async_trait::async_trait;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use rand::distributions::{Alphanumeric, DistString};
use reqwest::{Method, StatusCode};
use secrecy::SecretString;
use serde_json::{json, Value};

use super::http;
use super::naming;
use super::{
    handle_username, FieldKind, FieldSpec, Handle, Issued, OutputSpec, Provider, ProviderConfig, ProviderError,
};

const FIELDS: &[FieldSpec] = &[
    FieldSpec {
        id: "url",
        label: "Management API URL",
        kind: FieldKind::Text,
        required: true,
        default: None,
        help: "e.g. http://rabbitmq.internal:15672",
    },
    FieldSpec {
        id: "username",
        label: "Username",
        kind: FieldKind::Text,
        required: true,
        default: None,
        help: "A user with the administrator tag.",
    },
    FieldSpec { id: "password", label: "Password", kind: FieldKind::Password, required: true, default: None, help: "" },
    FieldSpec {
        id: "vhost",
        label: "Virtual host",
        kind: FieldKind::Text,
        required: false,
        default: Some("/"),
        help: "",
    },
    FieldSpec {
        id: "tags",
        label: "Tags",
        kind: FieldKind::Text,
        required: false,
        default: None,
        help: "Comma-separated user tags, e.g. monitoring; empty for none.",
    },
    FieldSpec {
        id: "configure",
        label: "Configure permission",
        kind: FieldKind::Text,
        required: false,
        default: Some("^$"),
        help: "A regular expression of resource names.",
    },
    FieldSpec {
        id: "write",
        label: "Write permission",
        kind: FieldKind::Text,
        required: false,
        default: Some("^$"),
        help: "",
    },
    FieldSpec {
        id: "read",
        label: "Read permission",
        kind: FieldKind::Text,
        required: false,
        default: Some(".*"),
        help: "",
    },
    naming::USERNAME_TEMPLATE,
];

const OUTPUTS: &[OutputSpec] = &[
    OutputSpec { id: "username", default_key: "RABBITMQ_USERNAME", secret: false },
    OutputSpec { id: "password", default_key: "RABBITMQ_PASSWORD", secret: true },
];

#[derive(Default)]
pub struct Rabbitmq;

fn part(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

/// One call to the management API as the configured user.
async fn call(
    c: &ProviderConfig,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<StatusCode, ProviderError> {
    let base = c.str("url").unwrap_or_default().trim_end_matches('/');
    let mut req = http::client()
        .request(method, format!("{base}/api/{path}"))
        .basic_auth(c.str("username").unwrap_or_default(), c.str("password"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.map_err(|e| http::transport("RabbitMQ", e))?;
    let status = resp.status();
    if status.is_success() || status == StatusCode::NOT_FOUND {
        return Ok(status);
    }
    let reason =
        resp.json::<Value>().await.ok().and_then(|v| v["reason"].as_str().map(String::from)).unwrap_or_default();
    Err(ProviderError::rejected(match status {
        StatusCode::UNAUTHORIZED => "RabbitMQ refused the credentials (401).".to_string(),
        _ => format!("RabbitMQ answered {status}: {reason}"),
    })
    .scrubbed(&c.secrets(FIELDS)))
}

#[async_trait]
impl Provider for Rabbitmq {
    fn kind(&self) -> &'static str {
        "rabbitmq"
    }
    fn name(&self) -> &'static str {
        "RabbitMQ"
    }
    fn fields(&self) -> &'static [FieldSpec] {
        FIELDS
    }
    fn outputs(&self) -> &'static [OutputSpec] {
        OUTPUTS
    }

    fn check(&self, c: &ProviderConfig) -> Result<(), String> {
        http::check_url(c.str("url").unwrap_or_default())?;
        let tags = c.str("tags").unwrap_or_default();
        if !tags
            .split(',')
            .map(str::trim)
            .all(|t| t.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'))
        {
            return Err("config.tags must be comma-separated words (letters, digits, _ and -).".into());
        }
        Ok(())
    }

    async fn verify(&self, c: &ProviderConfig) -> Result<(), ProviderError> {
        let vhost = part(c.str("vhost").unwrap_or("/"));
        match call(c, Method::GET, &format!("vhosts/{vhost}"), None).await? {
            StatusCode::NOT_FOUND => Err(ProviderError::rejected("RabbitMQ has no such virtual host.")),
            _ => match call(c, Method::GET, "users?page=1&page_size=1", None).await? {
                StatusCode::NOT_FOUND => Err(ProviderError::rejected("The RabbitMQ user may not manage users.")),
                _ => Ok(()),
            },
        }
    }

    async fn create(&self, c: &ProviderConfig, handle: &mut Handle, _: i64) -> Result<Issued, ProviderError> {
        let name = handle_username(handle)?.to_string();
        let user = format!("users/{}", part(&name));
        // PUT on an existing user silently resets its password: never reuse one.
        if call(c, Method::GET, &user, None).await? != StatusCode::NOT_FOUND {
            return Err(ProviderError::rejected("A RabbitMQ user with the generated name already exists."));
        }
        let password = Alphanumeric.sample_string(&mut rand::rngs::OsRng, 32);
        let tags = c.str("tags").unwrap_or_default();
        let permissions = json!({
            "configure": c.str("configure").unwrap_or("^$"),
            "write": c.str("write").unwrap_or("^$"),
            "read": c.str("read").unwrap_or(".*"),
        });
        let made = async {
            call(c, Method::PUT, &user, Some(json!({ "password": password, "tags": tags }))).await?;
            let vhost = part(c.str("vhost").unwrap_or("/"));
            match call(c, Method::PUT, &format!("permissions/{vhost}/{}", part(&name)), Some(permissions)).await? {
                StatusCode::NOT_FOUND => Err(ProviderError::rejected("RabbitMQ has no such virtual host.")),
                _ => Ok(()),
            }
        };
        if let Err(e) = made.await {
            let _ = self.revoke(c, handle).await;
            return Err(e.scrubbed(&[password]));
        }
        Ok(Issued(BTreeMap::from([("username", SecretString::from(name)), ("password", SecretString::from(password))])))
    }

    async fn renew(&self, _: &ProviderConfig, _: &Handle, _: i64) -> Result<(), ProviderError> {
        Ok(())
    }

    async fn revoke(&self, c: &ProviderConfig, handle: &Handle) -> Result<(), ProviderError> {
        // 404: already gone. Deleting the user also closes its connections.
        call(c, Method::DELETE, &format!("users/{}", part(handle_username(handle)?)), None).await.map(|_| ())
    }
}
