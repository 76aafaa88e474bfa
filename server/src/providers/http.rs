//! What the HTTP providers share: one client with bounded timeouts, URL checks,
//! and transport errors in words a person can act on.
use std::sync::OnceLock;
use std::time::Duration;

use super::ProviderError;

pub fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        install_tls();
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default()
    })
}

/// Makes rustls use the ring provider (no C toolchain needed) for every TLS
/// client in the process; must run before the first HTTP client is built.
pub fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// An `http(s)://host[:port][/path]` URL without credentials in it.
pub fn check_url(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|_| format!("config.url {url:?} is not a URL."))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err("config.url must be an http:// or https:// URL.".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("config.url must not hold credentials; use the username and password fields.".into());
    }
    Ok(())
}

pub fn transport(service: &str, e: reqwest::Error) -> ProviderError {
    if e.is_timeout() {
        ProviderError::unreachable(format!("{service} did not answer in time."))
    } else if e.is_connect() {
        ProviderError::unreachable(format!("{service} is unreachable (connection failed)."))
    } else {
        ProviderError::unreachable(format!("{service} request failed: {}.", e.without_url()))
    }
}
