//! Providers: the services dynamic secrets lease credentials from. Each is one
//! file implementing [`Provider`]; this file holds what they share — the field
//! and output descriptions the console builds its forms from, the generic check
//! of a config against them, and the registry.
mod aws_iam;
mod http;
mod mysql;
mod naming;
mod postgres;
mod rabbitmq;
mod redis;
mod sigv4;
mod sql;
mod template;

use std::collections::BTreeMap;
use std::sync::Arc;

use app::dto::{ConfigFieldDto, OutputDto, ProviderDto};
use app::error::AppError;
use async_trait::async_trait;
use secrecy::SecretString;
use serde_json::{Map, Value};

pub use http::install_tls;
pub use naming::NameParts;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// Shown as a password input; never returned by the API.
    Password,
    Number {
        min: i64,
        max: i64,
    },
    Boolean,
    /// A multi-line template whose `{{placeholders}}` must be among these.
    Template(&'static [&'static str]),
    Select(&'static [&'static str]),
}

pub struct FieldSpec {
    pub id: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    pub default: Option<&'static str>,
    pub help: &'static str,
}

pub struct OutputSpec {
    pub id: &'static str,
    pub default_key: &'static str,
    pub secret: bool,
}

/// Longest text a field accepts; templates may be longer than plain values.
const MAX_TEXT: usize = 1024;
const MAX_TEMPLATE: usize = 8192;

/// A validated provider config: every key is a known field of the right type.
/// Holds root credentials, so it is neither `Debug` nor `Serialize`.
#[derive(Clone)]
pub struct ProviderConfig(Map<String, Value>);

impl ProviderConfig {
    pub fn from_json(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice::<Map<String, Value>>(bytes).ok().map(ProviderConfig)
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(&self.0).unwrap_or_default()
    }

    pub fn str(&self, id: &str) -> Option<&str> {
        self.0.get(id).and_then(Value::as_str)
    }

    pub fn int(&self, id: &str) -> Option<i64> {
        self.0.get(id).and_then(Value::as_i64)
    }

    pub fn bool(&self, id: &str) -> bool {
        self.0.get(id).and_then(Value::as_bool).unwrap_or(false)
    }

    /// Secret values, for scrubbing them out of provider error messages.
    fn secrets(&self, fields: &[FieldSpec]) -> Vec<String> {
        fields
            .iter()
            .filter(|f| f.kind == FieldKind::Password)
            .filter_map(|f| self.str(f.id))
            .map(String::from)
            .collect()
    }

    /// The config as the API shows it: secret fields are `null`.
    pub fn public_view(&self, fields: &[FieldSpec]) -> Value {
        let mut out = Map::new();
        for f in fields {
            let v = if f.kind == FieldKind::Password {
                Value::Null
            } else {
                self.0.get(f.id).cloned().unwrap_or(Value::Null)
            };
            out.insert(f.id.to_string(), v);
        }
        Value::Object(out)
    }
}

/// Checks `raw` against `fields`. With `previous` (configure), a secret field
/// left out, `null` or blank keeps its stored value.
pub fn check_config(
    fields: &[FieldSpec],
    raw: &Value,
    previous: Option<&ProviderConfig>,
) -> Result<ProviderConfig, AppError> {
    let obj = raw.as_object().ok_or_else(|| AppError::bad_request("config must be a JSON object."))?;
    if let Some(unknown) = obj.keys().find(|k| !fields.iter().any(|f| f.id == k.as_str())) {
        let known: Vec<&str> = fields.iter().map(|f| f.id).collect();
        return Err(AppError::bad_request(format!(
            "config has no field {:?}; the fields are: {}.",
            truncate(unknown, 64),
            known.join(", ")
        )));
    }
    let mut out = Map::new();
    for f in fields {
        let given = obj.get(f.id).filter(|v| !v.is_null() && v.as_str() != Some(""));
        let value = match (given, previous.and_then(|p| p.0.get(f.id))) {
            (Some(v), _) => check_value(f, v)?,
            (None, Some(old)) if f.kind == FieldKind::Password => old.clone(),
            (None, _) => match f.default {
                Some(d) => check_value(f, &default_value(f, d))?,
                None if f.required => return Err(AppError::bad_request(format!("config.{} is required.", f.id))),
                None => continue,
            },
        };
        out.insert(f.id.to_string(), value);
    }
    Ok(ProviderConfig(out))
}

/// Fields that say *where* the credentials live. Leases made there must be
/// revoked there, so these cannot change while leases are unfinished.
const LOCATION_FIELDS: &[&str] = &["host", "port", "database", "url", "vhost", "endpoint_url", "region"];

/// What a configure request changes, and whether that is allowed: when any
/// plain (non-secret, non-template) field changes, every stored secret must be
/// typed again — else an admin could point the stored root password at a host
/// of their choosing. Returns whether a location field changed.
pub fn check_change(
    fields: &[FieldSpec],
    old: &ProviderConfig,
    new: &ProviderConfig,
    raw: &Value,
) -> Result<bool, AppError> {
    let differs = |id: &str| old.0.get(id) != new.0.get(id);
    let plain_changed = fields
        .iter()
        .filter(|f| !matches!(f.kind, FieldKind::Password | FieldKind::Template(_)))
        .any(|f| differs(f.id));
    if plain_changed {
        let retyped = |id: &str| raw.get(id).and_then(Value::as_str).is_some_and(|v| !v.is_empty());
        if let Some(f) =
            fields.iter().find(|f| f.kind == FieldKind::Password && old.0.contains_key(f.id) && !retyped(f.id))
        {
            return Err(AppError::bad_request(format!(
                "Enter the {} again: the connection settings changed.",
                f.label.to_lowercase()
            )));
        }
    }
    Ok(LOCATION_FIELDS.iter().any(|id| differs(id)))
}

fn default_value(f: &FieldSpec, d: &str) -> Value {
    match f.kind {
        FieldKind::Number { .. } => d.parse::<i64>().map(Value::from).unwrap_or(Value::Null),
        FieldKind::Boolean => Value::Bool(d == "true"),
        _ => Value::String(d.to_string()),
    }
}

fn check_value(f: &FieldSpec, v: &Value) -> Result<Value, AppError> {
    let bad = |what: String| AppError::bad_request(format!("config.{} {what}", f.id));
    match f.kind {
        FieldKind::Number { min, max } => match v.as_i64() {
            Some(n) if (min..=max).contains(&n) => Ok(Value::from(n)),
            _ => Err(bad(format!("must be a whole number from {min} to {max}."))),
        },
        FieldKind::Boolean => v.as_bool().map(Value::Bool).ok_or_else(|| bad("must be true or false.".into())),
        FieldKind::Text | FieldKind::Password | FieldKind::Select(_) | FieldKind::Template(_) => {
            let s = v.as_str().ok_or_else(|| bad("must be a string.".into()))?;
            let max = if matches!(f.kind, FieldKind::Template(_)) { MAX_TEMPLATE } else { MAX_TEXT };
            if s.chars().count() > max {
                return Err(bad(format!("may have at most {max} characters.")));
            }
            if s.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
                return Err(bad("cannot contain control characters.".into()));
            }
            match f.kind {
                FieldKind::Select(options) if !options.contains(&s) => {
                    Err(bad(format!("must be one of: {}.", options.join(", "))))
                }
                FieldKind::Template(allowed) => {
                    template::check(s, allowed).map_err(bad)?;
                    Ok(Value::String(s.to_string()))
                }
                FieldKind::Text if s.trim() != s || s.contains('\n') => {
                    Err(bad("cannot have surrounding spaces or line breaks.".into()))
                }
                _ => Ok(Value::String(s.to_string())),
            }
        }
    }
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// What creating a credential gave: every output's value, by output id.
/// Shown once to the caller, never stored.
pub struct Issued(pub BTreeMap<&'static str, SecretString>);

/// What revocation needs to find the credential again (e.g. the username),
/// chosen before the provider is called and stored sealed with the app key.
pub type Handle = Map<String, Value>;

/// The username a handle from the default [`Provider::new_handle`] holds.
pub fn handle_username(handle: &Handle) -> Result<&str, ProviderError> {
    handle.get("username").and_then(Value::as_str).ok_or_else(|| ProviderError::rejected("The lease has no username."))
}

/// A provider call that did not succeed. The message is shown to people, so
/// providers build it from the service's answer with secrets scrubbed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    pub unreachable: bool,
    pub message: String,
}

impl ProviderError {
    pub fn unreachable(message: impl Into<String>) -> Self {
        ProviderError { unreachable: true, message: message.into() }
    }
    pub fn rejected(message: impl Into<String>) -> Self {
        ProviderError { unreachable: false, message: message.into() }
    }
    /// Replaces every occurrence of a secret value by `[redacted]`.
    pub fn scrubbed(mut self, secrets: &[String]) -> Self {
        for s in secrets.iter().filter(|s| !s.is_empty()) {
            self.message = self.message.replace(s.as_str(), "[redacted]");
        }
        self
    }
}

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[async_trait]
pub trait Provider: Send + Sync {
    fn kind(&self) -> &'static str;
    fn name(&self) -> &'static str;
    fn fields(&self) -> &'static [FieldSpec];
    fn outputs(&self) -> &'static [OutputSpec];
    /// Checks what the field list cannot express (e.g. which ACL rules are
    /// allowed); the message becomes a 400.
    fn check(&self, _config: &ProviderConfig) -> Result<(), String> {
        Ok(())
    }
    /// The identity of a new credential, generated before anything is created:
    /// by default a username from the `username_template` field.
    fn new_handle(&self, config: &ProviderConfig, names: &NameParts) -> Handle {
        let mut h = Handle::new();
        h.insert("username".into(), naming::generate(config.str("username_template"), names).into());
        h
    }
    /// Proves the config works (reachable, credentials accepted, allowed to manage users).
    async fn verify(&self, config: &ProviderConfig) -> Result<(), ProviderError>;
    /// Creates the credential; on failure nothing may be left behind.
    async fn create(
        &self,
        config: &ProviderConfig,
        handle: &mut Handle,
        expires_at_ms: i64,
    ) -> Result<Issued, ProviderError>;
    /// Moves a native expiry, where the service has one.
    async fn renew(&self, config: &ProviderConfig, handle: &Handle, expires_at_ms: i64) -> Result<(), ProviderError>;
    /// Deletes the credential and ends its sessions. Already gone is success.
    async fn revoke(&self, config: &ProviderConfig, handle: &Handle) -> Result<(), ProviderError>;
}

/// Every provider this build knows, by kind.
pub struct Registry(Vec<Arc<dyn Provider>>);

impl Default for Registry {
    fn default() -> Self {
        Registry(vec![
            Arc::new(postgres::Postgres::default()),
            Arc::new(mysql::Mysql::default()),
            Arc::new(redis::Redis),
            Arc::new(rabbitmq::Rabbitmq),
            Arc::new(aws_iam::AwsIam),
        ])
    }
}

impl Registry {
    pub fn get(&self, kind: &str) -> Result<Arc<dyn Provider>, AppError> {
        self.0.iter().find(|p| p.kind() == kind).cloned().ok_or_else(|| {
            let kinds: Vec<&str> = self.0.iter().map(|p| p.kind()).collect();
            AppError::bad_request(format!("provider must be one of: {}.", kinds.join(", ")))
        })
    }

    pub fn describe(&self) -> Vec<ProviderDto> {
        self.0.iter().map(|p| describe(p.as_ref())).collect()
    }
}

fn describe(p: &dyn Provider) -> ProviderDto {
    let field = |f: &FieldSpec| {
        let (kind, options, bounds) = match f.kind {
            FieldKind::Text => ("text", vec![], None),
            FieldKind::Password => ("password", vec![], None),
            FieldKind::Number { min, max } => ("number", vec![], Some((min, max))),
            FieldKind::Boolean => ("boolean", vec![], None),
            FieldKind::Template(_) => ("textarea", vec![], None),
            FieldKind::Select(o) => ("select", o.iter().map(|s| s.to_string()).collect(), None),
        };
        ConfigFieldDto {
            id: f.id.into(),
            label: f.label.into(),
            kind: kind.into(),
            required: f.required,
            secret: f.kind == FieldKind::Password,
            default: f.default.map(String::from),
            options,
            min: bounds.map(|b| b.0),
            max: bounds.map(|b| b.1),
            help: f.help.into(),
        }
    };
    ProviderDto {
        kind: p.kind().into(),
        name: p.name().into(),
        config_fields: p.fields().iter().map(field).collect(),
        outputs: p
            .outputs()
            .iter()
            .map(|o| OutputDto { id: o.id.into(), default_key: o.default_key.into(), secret: o.secret })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FIELDS: &[FieldSpec] = &[
        FieldSpec { id: "host", label: "Host", kind: FieldKind::Text, required: true, default: None, help: "" },
        FieldSpec {
            id: "port",
            label: "Port",
            kind: FieldKind::Number { min: 1, max: 65535 },
            required: true,
            default: Some("5432"),
            help: "",
        },
        FieldSpec {
            id: "password",
            label: "Password",
            kind: FieldKind::Password,
            required: true,
            default: None,
            help: "",
        },
        FieldSpec {
            id: "statements",
            label: "Statements",
            kind: FieldKind::Template(&["name"]),
            required: false,
            default: None,
            help: "",
        },
    ];

    #[test]
    fn configs_are_checked_field_by_field() {
        let ok = check_config(FIELDS, &json!({"host": "db", "password": "pw"}), None).unwrap();
        assert_eq!(ok.int("port"), Some(5432), "defaults are filled in");
        assert_eq!(ok.public_view(FIELDS)["password"], Value::Null);
        for (bad, needle) in [
            (json!({"host": "db"}), "config.password is required"),
            (json!({"host": "db", "password": "pw", "port": "5432"}), "whole number"),
            (json!({"host": "db", "password": "pw", "port": 70000}), "from 1 to 65535"),
            (json!({"host": "db", "password": "pw", "nope": 1}), "no field \"nope\""),
            (json!({"host": "db\n", "password": "pw"}), "line breaks"),
            (json!({"host": "x".repeat(10_000), "password": "pw"}), "at most 1024"),
            (json!({"host": "db", "password": "pw", "statements": "{{oops}}"}), "{{oops}}"),
            (json!(["host"]), "JSON object"),
        ] {
            let err = check_config(FIELDS, &bad, None).err().unwrap();
            assert_eq!(err.status, 400);
            assert!(err.message.contains(needle), "{} lacks {needle}", err.message);
        }
    }

    #[test]
    fn a_blank_secret_keeps_the_stored_one() {
        let old = check_config(FIELDS, &json!({"host": "db", "password": "pw"}), None).unwrap();
        let new = check_config(FIELDS, &json!({"host": "db2", "password": null}), Some(&old)).unwrap();
        assert_eq!(new.str("password"), Some("pw"));
        assert_eq!(new.str("host"), Some("db2"));
    }

    #[test]
    fn errors_are_scrubbed_of_secrets() {
        let e = ProviderError::rejected("syntax error near 'hunter2hunter2'").scrubbed(&["hunter2hunter2".into()]);
        assert_eq!(e.message, "syntax error near '[redacted]'");
    }
}
