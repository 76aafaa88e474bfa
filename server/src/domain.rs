//! Parsed domain values: built only through validation, so holding one means
//! the input was checked. Messages are for people and name the bound.
use app::error::AppError;
use secrecy::{ExposeSecret, SecretString};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let e = raw.trim().to_lowercase();
        let bad = || AppError::bad_request("Enter an e-mail address like name@example.com.");
        if e.len() > 254 || e.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = e.rsplit_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
            return Err(bad());
        }
        Ok(Email(e))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password as typed: 12 to 1,024 characters. Not `Debug`, not `Display`.
pub struct Password(SecretString);

impl Password {
    pub const MIN: usize = 12;
    pub const MAX: usize = 1024;

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let n = raw.chars().count();
        if n < Self::MIN {
            return Err(AppError::bad_request(format!("The password needs at least {} characters.", Self::MIN)));
        }
        if n > Self::MAX {
            return Err(AppError::bad_request(format!("The password may have at most {} characters.", Self::MAX)));
        }
        Ok(Password(SecretString::from(raw.to_string())))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

/// A display name (person, organisation, app): trimmed, 1–100 characters,
/// no control characters. HTML is fine: every view escapes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub const MAX: usize = 100;

    pub fn parse(raw: &str, what: &str) -> Result<Self, AppError> {
        let n = raw.trim();
        if n.is_empty() {
            return Err(AppError::bad_request(format!("The {what} cannot be empty.")));
        }
        if n.chars().count() > Self::MAX {
            return Err(AppError::bad_request(format!("The {what} may have at most {} characters.", Self::MAX)));
        }
        if n.chars().any(char::is_control) {
            return Err(AppError::bad_request(format!("The {what} cannot contain control characters.")));
        }
        Ok(Name(n.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
        for bad in ["", "ada", "ada@", "@x.io", "a b@x.io", "a@x", "a@.x.io", "a@x..io", "a@x.io.", "a@<b>.io"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Email::parse(&format!("{}@x.io", "a".repeat(65))).is_err());
    }

    #[test]
    fn passwords_have_bounds_counted_in_characters() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("ééééééééééé").is_err(), "11 chars, 22 bytes");
        assert!(Password::parse("correct horse").is_ok());
        assert!(Password::parse(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(Name::parse("  Acme <b>  ", "name").unwrap().as_str(), "Acme <b>");
        assert!(Name::parse("   ", "name").is_err());
        assert!(Name::parse(&"n".repeat(101), "name").is_err());
        assert!(Name::parse("a\u{0}b", "name").is_err());
        let e = Name::parse("", "app name").unwrap_err();
        assert_eq!(e.message, "The app name cannot be empty.");
    }
}
