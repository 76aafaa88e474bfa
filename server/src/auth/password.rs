//! argon2id with the OWASP parameters (19 MiB, 2 passes, 1 lane), run on the
//! blocking pool so a burst of log-ins cannot stall the async runtime.
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::OnceCell;

use crate::error::ServerError;

fn hasher() -> Result<Argon2<'static>, ServerError> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| ServerError::Internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub async fn hash(password: String) -> Result<String, ServerError> {
    tokio::task::spawn_blocking(move || {
        let phc = hasher()?.hash_password(password.as_bytes()).map_err(|e| ServerError::Internal(e.to_string()))?;
        Ok(phc.to_string())
    })
    .await
    .map_err(|e| ServerError::Internal(e.to_string()))?
}

/// Verifies against `stored`, or — for an unknown account — against a dummy
/// hash, so both cases cost the same time.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, ServerError> {
    let known = stored.is_some();
    let stored = match stored {
        Some(s) => s,
        None => dummy_hash().await?,
    };
    let ok = tokio::task::spawn_blocking(move || {
        Ok::<_, ServerError>(hasher()?.verify_password(password.as_bytes(), stored.as_str()).is_ok())
    })
    .await
    .map_err(|e| ServerError::Internal(e.to_string()))??;
    Ok(ok && known)
}

/// Computes the dummy hash ahead of the first log-in attempt, so even the
/// first unknown e-mail costs exactly one verification.
pub async fn warm_up() {
    if let Err(e) = dummy_hash().await {
        tracing::error!(error = %e, "password hasher unavailable");
    }
}

async fn dummy_hash() -> Result<String, ServerError> {
    static DUMMY: OnceCell<String> = OnceCell::const_new();
    DUMMY.get_or_try_init(|| hash("leasehold-timing-equaliser".to_string())).await.cloned()
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_pass() {
        let h = super::hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(super::verify("correct horse battery".into(), Some(h.clone())).await.unwrap());
        assert!(!super::verify("wrong horse battery".into(), Some(h)).await.unwrap());
        assert!(!super::verify("leasehold-timing-equaliser".into(), None).await.unwrap());
    }
}
