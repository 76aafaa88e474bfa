//! Credentials: password hashing, session tokens, log-in throttling.
pub mod password;
pub mod throttle;
pub mod token;
