//! The error a caller sees: a stable `code`, a human sentence and an HTTP
//! status. Server-side causes are logged on the server and never put here.
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError {
    pub code: String,
    pub message: String,
    pub status: u16,
}

impl AppError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self { code: code.to_string(), message: message.into(), status }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "invalid_input", message)
    }
    pub fn unauthenticated() -> Self {
        Self::new(401, "unauthenticated", "Please log in.")
    }
    pub fn bad_credentials() -> Self {
        Self::new(401, "invalid_credentials", "The e-mail or password is not correct.")
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "forbidden", message)
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(404, "not_found", format!("No such {what}."))
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, "conflict", message)
    }
    pub fn throttled() -> Self {
        Self::new(429, "too_many_attempts", "Too many failed log-in attempts. Wait a few minutes and try again.")
    }
    pub fn internal() -> Self {
        Self::new(500, "internal", "Something went wrong on the server; it has been logged.")
    }
    pub fn requires_enterprise() -> Self {
        Self::new(403, "plan_required", "This feature requires the Enterprise plan.")
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Args(_) | E::Deserialization(_) => Self::bad_request("The request could not be read."),
            E::Request(_) | E::Response(_) => Self::new(503, "unreachable", "The server could not be reached."),
            _ => Self::internal(),
        }
    }
}
