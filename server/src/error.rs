//! Server-side errors. What a caller may see is an `AppError`; causes from the
//! database or the system are logged here, once, and replaced by a generic message.
use app::error::AppError;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("crypto: {0}")]
    Crypto(#[from] crate::crypto::CryptoError),
    #[error("{0}")]
    Internal(String),
}

impl From<ServerError> for AppError {
    fn from(e: ServerError) -> Self {
        match e {
            ServerError::App(a) => a,
            other => {
                tracing::error!(error = %other, "request failed");
                AppError::internal()
            }
        }
    }
}

pub type Result<T, E = ServerError> = std::result::Result<T, E>;
