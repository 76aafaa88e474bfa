//! Wire types of dynamic secrets, leases and service tokens (`shared/API.md`).
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One configuration field of a provider; the console builds its forms from these.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigFieldDto {
    pub id: String,
    pub label: String,
    /// `text`, `password`, `number`, `boolean`, `textarea` or `select`.
    pub kind: String,
    pub required: bool,
    pub secret: bool,
    pub default: Option<String>,
    /// The choices of a `select`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// The bounds of a `number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// A sentence for the form, e.g. which `{{placeholders}}` a template may use.
    #[serde(default)]
    pub help: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputDto {
    pub id: String,
    pub default_key: String,
    pub secret: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderDto {
    pub kind: String,
    pub name: String,
    pub config_fields: Vec<ConfigFieldDto>,
    pub outputs: Vec<OutputDto>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DynamicSecretDto {
    pub id: String,
    pub environment_id: String,
    pub name: String,
    pub description: String,
    pub provider: String,
    /// The provider config with every secret field replaced by `null`.
    pub config: serde_json::Value,
    pub default_ttl: i64,
    pub max_ttl: i64,
    pub outputs: BTreeMap<String, String>,
    pub active_leases: u64,
    pub created_at: String,
    pub updated_at: String,
}

/// Create (all of `name`, `provider`, `config`) or configure (any field but `provider`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DynamicSecretInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub provider: Option<String>,
    pub config: Option<serde_json::Value>,
    pub default_ttl: Option<i64>,
    pub max_ttl: Option<i64>,
    pub outputs: Option<BTreeMap<String, String>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseOwnerDto {
    /// `user` or `service_token`.
    pub kind: String,
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationDto {
    /// `manual`, `expired`, `secret_deleted` or `app_deleted`.
    pub reason: String,
    pub attempts: i32,
    pub next_attempt_at: Option<String>,
    pub last_error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseDto {
    pub id: String,
    pub dynamic_secret_id: String,
    pub name: String,
    pub status: String,
    pub created_at: String,
    pub expires_at: String,
    pub max_expires_at: String,
    /// Seconds the lease can still be extended by (0 unless active).
    pub available_ttl: i64,
    pub revoked_at: Option<String>,
    pub owner: LeaseOwnerDto,
    pub revocation: Option<RevocationDto>,
}

/// The answer to issuing a lease: the only time the credentials are shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedLeaseDto {
    pub lease: LeaseDto,
    /// Environment key name -> value.
    pub credentials: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeaseEventDto {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub at: String,
    pub actor: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceTokenDto {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub created_by: String,
}

/// The answer to creating a service token: the only time the token is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewServiceTokenDto {
    pub id: String,
    pub name: String,
    pub token: String,
    pub expires_at: Option<String>,
}
